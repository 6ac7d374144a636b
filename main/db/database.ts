// Opening the till's SQLite database. Contract of `openTillDatabase` (and `openDatabase`, which
// returns only the connection):
// - on success the database is in WAL mode with synchronous=FULL (plus fullfsync on macOS),
//   foreign keys on, a 5 s busy timeout, and the schema at SCHEMA_VERSION: pending migrations
//   ran in ONE immediate transaction (all or nothing; a second process waits, then sees them);
// - the file is checked first on a read-only connection (which never writes the file, not even
//   a checkpoint on close): its header, its length against the header (cut short), SQLite's
//   quick_check, and the caller's `condemn` (a database a statement already found damaged);
// - a database written by a newer build is refused with DatabaseTooNewError and left untouched;
// - a damaged file is moved aside (never deleted) as `<name>.corrupt-<timestamp>` together with
//   its -wal/-shm, reported through `onCorrupt` and the logger (error level), and a fresh database
//   is created in its place; `damage` says so, and recovering what the moved file still holds is
//   the caller's next step (see recover.ts). When the file cannot be moved (another program holds
//   it), DatabaseDamagedError is thrown and nothing is changed;
// - `created`: the file held no database (absent, empty, or a bare header: a copy made without
//   its -wal), so a new, empty one was made.
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { RefusalReason } from '../../preload/api.ts';
import { systemClock } from '../clock.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { cutShort, headerIsForeign } from './file-header.ts';
import { MIGRATIONS } from './migrations/index.ts';
import type { Migration } from './migrations/index.ts';

export type Database = BetterSqlite3.Database;

export interface CorruptDatabaseReport {
  file: string;
  /** Where the unreadable file (and its -wal/-shm, if any) now are. */
  movedTo: string[];
  reason: string;
}

export interface OpenDatabaseOptions {
  clock?: Clock;
  logger?: Logger;
  /** The schema steps; tests pass their own lists. Default: every released migration. */
  migrations?: readonly Migration[];
  platform?: NodeJS.Platform;
  onCorrupt?: (report: CorruptDatabaseReport) => void;
  /**
   * Asked on the read-only check of an existing, readable database: a reason to treat it as
   * damaged all the same (e.g. a statement failed on it with SQLITE_CORRUPT before), or null.
   */
  condemn?: (db: Database) => string | null;
}

export interface OpenedDatabase {
  db: Database;
  /** The file held no database, so a new, empty one was made (always true after `damage`). */
  created: boolean;
  /** The file was found damaged and moved aside; a new database was made in its place. */
  damage: CorruptDatabaseReport | null;
}

export class DatabaseTooNewError extends Error {
  readonly code = 'DB_TOO_NEW';
  constructor(
    readonly file: string,
    readonly fileVersion: number,
    readonly appVersion: number,
  ) {
    super(
      `The database ${file} was written by a newer version of POS Companion (schema ${fileVersion}; ` +
        `this version understands up to ${appVersion}). Update POS Companion on this till, or use ` +
        `another data folder (--data-dir). The file was not changed. If an older version was installed over a newer one ` +
        `(a downgrade), install the newer version again: an older version cannot read this database, and the orders in it ` +
        `wait there, safe, until then (do not delete or replace the file).`,
    );
    this.name = 'DatabaseTooNewError';
  }
}

/**
 * The database is damaged and this process cannot carry on with it. The message is for people:
 * what happened, what was done about it, what to do. `code` is stable for exit codes and screens.
 */
export class DatabaseDamagedError extends Error {
  readonly code = 'DB_DAMAGED' satisfies RefusalReason;
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseDamagedError';
  }
}

class CorruptDatabaseError extends Error {
  override name = 'CorruptDatabaseError';
}

const BUSY_TIMEOUT_MS = 5000;

/** Checks the step list is 1..n without gaps, so a missing file cannot silently skip a step. */
export function assertMigrationList(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`Migration list is broken: step ${i + 1} has version ${m.version} (${m.name}).`);
    }
  });
}

export function applyPragmas(db: Database, platform: NodeJS.Platform = process.platform): void {
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (String(mode).toLowerCase() !== 'wal') {
    throw new Error(`Could not switch the database to WAL mode (got ${String(mode)}).`);
  }
  db.pragma('synchronous = FULL');
  if (platform === 'darwin') {
    // macOS fsync does not reach the platter; F_FULLFSYNC does.
    db.pragma('fullfsync = ON');
    db.pragma('checkpoint_fullfsync = ON');
  }
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
}

export function userVersion(db: Database): number {
  return Number(db.pragma('user_version', { simple: true }));
}

/** Runs every step above the file's `user_version` in one immediate transaction. Returns the steps run. */
export function migrate(db: Database, file: string, migrations: readonly Migration[] = MIGRATIONS): number[] {
  assertMigrationList(migrations);
  const latest = migrations.length;
  const before = userVersion(db);
  if (before > latest) throw new DatabaseTooNewError(file, before, latest);
  if (before === latest) return [];
  const ran: number[] = [];
  db.transaction(() => {
    // Re-read under the write lock: another process may have migrated while we waited.
    const current = userVersion(db);
    if (current > latest) throw new DatabaseTooNewError(file, current, latest);
    for (const m of migrations) {
      if (m.version <= current) continue;
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
      ran.push(m.version);
    }
  }).immediate();
  return ran;
}

/** SQLite (or this module) says the file is damaged: SQLITE_CORRUPT*, SQLITE_NOTADB. */
export function isDatabaseDamage(err: unknown): boolean {
  if (err instanceof CorruptDatabaseError || err instanceof DatabaseDamagedError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'));
}

function reasonOf(err: unknown): string {
  if (err instanceof CorruptDatabaseError) return err.message;
  return `SQLite reports ${(err as { code?: unknown }).code === 'SQLITE_NOTADB' ? 'it is not a database' : 'damage'}: ${err instanceof Error ? err.message : String(err)}`;
}

/** The database's marker (migration 4): which file this is. null before that step or when unreadable. */
export function databaseMarker(db: Database): { id: string; createdAt: string } | null {
  try {
    const row = db
      .prepare<[], { database_id: string; created_at: string }>('SELECT database_id, created_at FROM database_info WHERE id = 1')
      .get();
    return row ? { id: row.database_id, createdAt: row.created_at } : null;
  } catch {
    return null;
  }
}

/**
 * How far a database has got: the last ids its AUTOINCREMENT tables handed out. Both only grow
 * (pruning deletes rows, never lowers them): the outbox with every capture, the sync log with
 * every answer from Gameball. A database that later shows lower figures lost writes.
 */
export interface DatabaseProgress {
  outboxSeq: number;
  syncLogSeq: number;
}

export function databaseProgress(db: Database): DatabaseProgress {
  const out: DatabaseProgress = { outboxSeq: 0, syncLogSeq: 0 };
  try {
    for (const r of db
      .prepare<[], { name: string; seq: number }>("SELECT name, seq FROM sqlite_sequence WHERE name IN ('outbox', 'sync_log')")
      .all()) {
      if (r.name === 'outbox') out.outboxSeq = Number(r.seq);
      else out.syncLogSeq = Number(r.seq);
    }
  } catch {
    // no table yet (an empty database): nothing written
  }
  return out;
}

export interface CheckpointResult {
  /** Every frame of the -wal is in the main file now (and synced there). */
  complete: boolean;
  frames: number;
}

/**
 * Copies what the -wal holds into the main file, so a copy of the main file alone is complete.
 * PASSIVE never waits for other connections (it copies what it can); TRUNCATE waits up to the busy
 * timeout and empties the -wal. Never throws: a checkpoint that cannot run now is not an error.
 */
export function checkpoint(db: Database, mode: 'PASSIVE' | 'TRUNCATE' = 'PASSIVE'): CheckpointResult {
  try {
    const r = db.pragma(`wal_checkpoint(${mode})`) as { busy: number; log: number; checkpointed: number }[];
    const row = r[0];
    if (!row) return { complete: false, frames: 0 };
    return { complete: row.busy === 0 && row.log === row.checkpointed, frames: row.log };
  } catch {
    return { complete: false, frames: 0 };
  }
}

function isEmptyDatabase(db: Database): boolean {
  return userVersion(db) === 0 && db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM sqlite_master').get()?.n === 0;
}

/**
 * The read-only check of an existing file. Returns whether it holds no database yet; throws
 * CorruptDatabaseError (or SQLite's own corruption error) for damage, DatabaseTooNewError for a
 * newer schema. A read-only connection never checkpoints, so a damaged file keeps its -wal.
 */
function inspect(file: string, opts: OpenDatabaseOptions): boolean {
  if (!existsSync(file)) return true;
  if (headerIsForeign(file)) throw new CorruptDatabaseError('the file is not a SQLite database');
  const short = cutShort(file);
  if (short) throw new CorruptDatabaseError(`the file is cut short: ${short.pages} of its ${short.expectedPages} pages are there`);
  let db: Database;
  try {
    db = new BetterSqlite3(file, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  } catch (err) {
    if (isDatabaseDamage(err)) throw err;
    // Removed between the two looks, or unreadable for a reason that is not damage: the
    // writable open below says what is wrong.
    return !existsSync(file);
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const check = db.pragma('quick_check(1)', { simple: true });
    if (check !== 'ok')
      throw new CorruptDatabaseError(
        `some of its pages are damaged (${
          String(check)
            .split('\n')
            .filter((l) => !l.startsWith('***'))[0] ?? String(check)
        })`,
      );
    const version = userVersion(db);
    const latest = (opts.migrations ?? MIGRATIONS).length;
    if (version > latest) throw new DatabaseTooNewError(file, version, latest);
    if (isEmptyDatabase(db)) return true;
    const why = opts.condemn?.(db);
    if (why) throw new CorruptDatabaseError(why);
    return false;
  } finally {
    db.close();
  }
}

function openWritable(file: string, opts: OpenDatabaseOptions): Database {
  const db = new BetterSqlite3(file, { timeout: BUSY_TIMEOUT_MS });
  try {
    applyPragmas(db, opts.platform);
    migrate(db, file, opts.migrations ?? MIGRATIONS);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function moveAside(file: string, clock: Clock): string[] {
  const stamp = new Date(clock.now()).toISOString().replace(/[:.]/g, '-');
  const target = `${file}.corrupt-${stamp}`;
  const moved: string[] = [];
  // The main file first: once it is gone, a stray -wal can no longer be applied to a new file.
  for (const suffix of ['', '-wal', '-shm']) {
    if (!existsSync(file + suffix)) continue;
    renameSync(file + suffix, target + suffix);
    moved.push(target + suffix);
  }
  return moved;
}

function setAside(file: string, reason: string, opts: OpenDatabaseOptions): CorruptDatabaseReport {
  let movedTo: string[];
  try {
    movedTo = moveAside(file, opts.clock ?? systemClock);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    opts.logger?.error({ file, reason, err: why }, 'database damaged and could not be moved aside');
    throw new DatabaseDamagedError(
      `The till's database ${file} is damaged (${reason}), and it could not be moved aside (${why}): another program may be using it. ` +
        'Close every POS Companion window and command on this till, then start POS Companion again. Nothing was changed.',
    );
  }
  const report: CorruptDatabaseReport = { file, movedTo, reason };
  opts.logger?.error({ file, movedTo, reason }, 'database damaged: moved aside, starting a new one');
  opts.onCorrupt?.(report);
  return report;
}

/** See the contract at the top of this file. */
export function openTillDatabase(file: string, opts: OpenDatabaseOptions = {}): OpenedDatabase {
  mkdirSync(dirname(file), { recursive: true });
  let damage: CorruptDatabaseReport | null = null;
  let created: boolean;
  try {
    created = inspect(file, opts);
  } catch (err) {
    if (!isDatabaseDamage(err)) throw err;
    damage = setAside(file, reasonOf(err), opts);
    created = true;
  }
  try {
    return { db: openWritable(file, opts), created, damage };
  } catch (err) {
    // Damage the read-only check did not see (it reads less than a migration writes).
    if (!isDatabaseDamage(err) || damage) throw err;
    damage = setAside(file, reasonOf(err), opts);
    return { db: openWritable(file, opts), created: true, damage };
  }
}

export function openDatabase(file: string, opts: OpenDatabaseOptions = {}): Database {
  return openTillDatabase(file, opts).db;
}
