// Opening the till's SQLite database. Contract of `openDatabase`:
// - on success the database is in WAL mode with synchronous=FULL (plus fullfsync on macOS),
//   foreign keys on, a 5 s busy timeout, and the schema at SCHEMA_VERSION: pending migrations
//   ran in ONE immediate transaction (all or nothing; a second process waits, then sees them);
// - a database written by a newer build is refused with DatabaseTooNewError and left untouched;
// - a file that is not a readable SQLite database is moved aside (never deleted) as
//   `<name>.corrupt-<timestamp>` together with its -wal/-shm, reported through `onCorrupt` and
//   the logger, and a fresh database is created in its place.
import { closeSync, existsSync, mkdirSync, openSync, readSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { systemClock } from '../clock.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
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
        `another data folder (--data-dir). The file was not changed.`,
    );
    this.name = 'DatabaseTooNewError';
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

function isCorruption(err: unknown): boolean {
  if (err instanceof CorruptDatabaseError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'));
}

function openOnce(file: string, opts: OpenDatabaseOptions): Database {
  const db = new BetterSqlite3(file, { timeout: BUSY_TIMEOUT_MS });
  try {
    applyPragmas(db, opts.platform);
    const check = db.pragma('quick_check(1)', { simple: true });
    if (check !== 'ok') throw new CorruptDatabaseError(`integrity check failed: ${String(check)}`);
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

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** A non-empty file without SQLite's header is not ours to open: SQLite would drop its -wal on close. */
function headerIsForeign(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const head = Buffer.alloc(SQLITE_HEADER.length);
    const n = readSync(fd, head, 0, head.length, 0);
    if (n === 0) return false; // an empty file is a new database
    return n < SQLITE_HEADER.length || !head.equals(SQLITE_HEADER);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function openDatabase(file: string, opts: OpenDatabaseOptions = {}): Database {
  mkdirSync(dirname(file), { recursive: true });
  try {
    if (headerIsForeign(file)) throw new CorruptDatabaseError('the file is not a SQLite database');
    return openOnce(file, opts);
  } catch (err) {
    if (!isCorruption(err)) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    const movedTo = moveAside(file, opts.clock ?? systemClock);
    const report: CorruptDatabaseReport = { file, movedTo, reason };
    opts.logger?.error({ file, movedTo, reason }, 'database file unreadable: moved aside, starting a new one');
    opts.onCorrupt?.(report);
    return openOnce(file, opts);
  }
}
