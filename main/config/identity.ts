// The till's identity file, `till.json` in the data folder: what makes this till this till, kept
// outside the database so that a damaged or lost database cannot take it away:
//  - the till id (the prefix of every order id, which Gameball keeps);
//  - the settings as stored (store, branch, currency, ...);
//  - the Gameball keys exactly as the database stores them: ciphertext and scheme, never a key in
//    plain text (a copy of the data folder opens them no more than a copy of the database does);
//  - the marker of the database it belongs with, and the last outbox id that database is known to
//    have reached (it only grows), so a database restored without its -wal is noticed;
//  - a damage flag, set while the till runs, so the next start sets the damaged file aside;
//  - problems a command-line run found that no screen has shown yet.
// Written atomically (temp file, fsync, rename, fsync of the folder), mode 0600. A file that does
// not parse is moved aside (never deleted) and written again from the database.
//
// The rule between the two copies: the database the file last recorded is the truth (a key removed
// there stays removed, `config set tillId` is kept) and the file follows it; a database that is new
// or another one gets the till id, settings and keys from the file.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { isoAt } from '../clock.ts';
import type { Clock } from '../clock.ts';
import { databaseMarker, databaseProgress } from '../db/database.ts';
import { IDENTITY_FILE_NAME } from '../db/file-names.ts';
import type { Database, DatabaseProgress } from '../db/database.ts';
import type { Logger } from '../log.ts';
import { writePrivateFileAtomic } from './private-files.ts';
import { SECRET_NAMES } from './secrets.ts';
import type { SecretStore } from './secrets.ts';
import { TillIdSchema } from './settings.ts';
import type { SettingsStore } from './settings.ts';

export const IDENTITY_FILE = IDENTITY_FILE_NAME;
const MAX_INCIDENTS = 20;

const StoredKeySchema = z.object({ scheme: z.string().min(1), ciphertext: z.string().min(1), updatedAt: z.string() });

export const IncidentSchema = z.object({
  id: z.string(),
  code: z.string(),
  message: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  at: z.string(),
  /** A screen has shown it (the desktop app or browser mode). */
  shown: z.boolean(),
});
export type Incident = z.infer<typeof IncidentSchema>;

export const TillIdentitySchema = z.looseObject({
  format: z.literal(1),
  tillId: TillIdSchema,
  settings: z.record(z.string(), z.string()).default({}),
  keys: z.object({ apiKey: StoredKeySchema.optional(), secretKey: StoredKeySchema.optional() }).default({}),
  database: z
    .object({
      id: z.string().min(1),
      createdAt: z.string(),
      /** How far it had got (see databaseProgress). */
      outboxSeq: z.number().int().nonnegative(),
      syncLogSeq: z.number().int().nonnegative().default(0),
    })
    .nullable()
    .default(null),
  damaged: z.object({ databaseId: z.string().nullable(), at: z.string(), reason: z.string() }).nullable().default(null),
  incidents: z.array(IncidentSchema).default([]),
});
export type TillIdentity = z.infer<typeof TillIdentitySchema>;

export type IdentityRead = { kind: 'absent' } | { kind: 'ok'; identity: TillIdentity } | { kind: 'unreadable'; reason: string };

export function identityFile(dataDir: string): string {
  return join(dataDir, IDENTITY_FILE);
}

export function readIdentity(dataDir: string): IdentityRead {
  const file = identityFile(dataDir);
  if (!existsSync(file)) return { kind: 'absent' };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return {
      kind: 'unreadable',
      reason: err instanceof SyntaxError ? 'it is not valid JSON' : err instanceof Error ? err.message : String(err),
    };
  }
  const parsed = TillIdentitySchema.safeParse(raw);
  if (!parsed.success)
    return {
      kind: 'unreadable',
      reason: `${parsed.error.issues[0]?.path.join('.') || 'file'}: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
    };
  return { kind: 'ok', identity: parsed.data };
}

/** Replaces the file in one step: a reader sees the old content or the new, never a mix. */
export function writeIdentity(dataDir: string, identity: TillIdentity): void {
  writePrivateFileAtomic(identityFile(dataDir), `${JSON.stringify(identity, null, 2)}\n`);
}

/** Moves an unreadable identity file aside (never deleted); returns where it went. */
export function setIdentityAside(dataDir: string, clock: Clock): string {
  const file = identityFile(dataDir);
  const target = `${file}.corrupt-${new Date(clock.now()).toISOString().replace(/[:.]/g, '-')}`;
  renameSync(file, target);
  return target;
}

/** What the identity file knew of the database now open. */
export type DatabaseFinding =
  /** No identity file yet (first start of this version, or a new till). */
  | { kind: 'first' }
  /** The database the file recorded, as complete as it was. */
  | { kind: 'same' }
  /** The database the file recorded, but holding less than it once did (restored from an incomplete copy). */
  | { kind: 'behind'; had: DatabaseProgress; has: DatabaseProgress }
  /** A new, empty database where the till had one with orders. */
  | { kind: 'empty'; had: { createdAt: string } & DatabaseProgress }
  /** A database other than the one recorded (replaced, or new after damage). */
  | { kind: 'other' };

export interface RestoreResult {
  tillId: boolean;
  settings: number;
  keys: number;
}

/** Keeps `till.json` and the database in step. Never throws for the file: trouble is logged. */
export class IdentityKeeper {
  private identity: TillIdentity | null;
  private markerId: string | null = null;

  constructor(
    private readonly dataDir: string,
    private readonly clock: Clock,
    private readonly logger: Logger,
    initial: TillIdentity | null,
  ) {
    this.identity = initial;
  }

  current(): TillIdentity | null {
    return this.identity;
  }

  /** For openTillDatabase's `condemn`: the damage flag names this database (or names none). */
  condemnReason(db: Database): string | null {
    const flag = this.identity?.damaged;
    if (!flag) return null;
    const marker = databaseMarker(db);
    if (flag.databaseId !== null && marker !== null && marker.id !== flag.databaseId) return null;
    return `it was found damaged while the till ran (${flag.at}: ${flag.reason})`;
  }

  /**
   * Before anything reads the settings or keys: a database that is not the one the file recorded
   * gets the till id, settings and keys from the file. Returns what it restored.
   */
  restoreInto(db: Database, settings: SettingsStore, secrets: SecretStore): RestoreResult {
    const result: RestoreResult = { tillId: false, settings: 0, keys: 0 };
    const id = this.identity;
    if (!id) return result;
    const marker = databaseMarker(db);
    if (id.database !== null && marker !== null && marker.id === id.database.id) return result;
    const stored = settings.storedRows();
    if (stored.tillId === undefined || stored.tillId !== JSON.stringify(id.tillId)) {
      // The file's till id replaces one the new database may have made for itself.
      settings.update({ tillId: id.tillId });
      result.tillId = true;
    }
    result.settings = settings.restoreRows(id.settings);
    for (const name of SECRET_NAMES) {
      const k = id.keys[name];
      if (k && secrets.restoreSecret(name, { ciphertext: Buffer.from(k.ciphertext, 'base64'), scheme: k.scheme, updatedAt: k.updatedAt }))
        result.keys += 1;
    }
    if (result.tillId || result.settings > 0 || result.keys > 0) {
      this.logger.info({ tillId: id.tillId, restored: result }, 'till identity restored into the database from till.json');
    }
    return result;
  }

  /** Compares the open database with what the file recorded. Call before `record`. */
  examine(db: Database, created: boolean): DatabaseFinding {
    const id = this.identity;
    if (!id) return { kind: 'first' };
    const had = id.database;
    const marker = databaseMarker(db);
    if (had === null) return { kind: 'first' };
    const was = { outboxSeq: had.outboxSeq, syncLogSeq: had.syncLogSeq };
    if (marker !== null && marker.id === had.id) {
      const has = databaseProgress(db);
      return has.outboxSeq < was.outboxSeq || has.syncLogSeq < was.syncLogSeq ? { kind: 'behind', had: was, has } : { kind: 'same' };
    }
    if (created && (was.outboxSeq > 0 || was.syncLogSeq > 0)) return { kind: 'empty', had: { createdAt: had.createdAt, ...was } };
    return { kind: 'other' };
  }

  /**
   * Writes the file from the database as it is now: till id, settings, keys, its marker and outbox
   * position. `clearDamage`: the flagged database was set aside (or is not the one open).
   */
  record(db: Database, settings: SettingsStore, secrets: SecretStore, opts: { clearDamage?: boolean } = {}): void {
    try {
      const marker = databaseMarker(db);
      this.markerId = marker?.id ?? null;
      const keys: TillIdentity['keys'] = {};
      for (const name of SECRET_NAMES) {
        const s = secrets.storedSecret(name);
        if (s) keys[name] = { scheme: s.scheme, ciphertext: s.ciphertext.toString('base64'), updatedAt: s.updatedAt };
      }
      const { tillId: _tillId, ...rest } = settings.storedRows();
      this.update((cur) => ({
        ...(cur ?? {}),
        format: 1 as const,
        tillId: settings.get().tillId,
        settings: rest,
        keys,
        database: marker ? { id: marker.id, createdAt: marker.createdAt, ...databaseProgress(db) } : (cur?.database ?? null),
        damaged: opts.clearDamage ? null : (cur?.damaged ?? null),
        incidents: cur?.incidents ?? [],
      }));
    } catch (err) {
      this.logger.error(
        { file: identityFile(this.dataDir), err: err instanceof Error ? err.message : String(err) },
        'could not record the till identity',
      );
    }
  }

  /**
   * The database has got this far (see databaseProgress; both figures only grow): one that later
   * holds less lost writes, e.g. restored without its -wal. Written only when a figure grew.
   */
  recordProgress(progress: DatabaseProgress): void {
    const markerId = this.markerId;
    const grew = (d: NonNullable<TillIdentity['database']>) =>
      d.id === markerId && (progress.outboxSeq > d.outboxSeq || progress.syncLogSeq > d.syncLogSeq);
    if (!this.identity?.database || markerId === null || !grew(this.identity.database)) return;
    this.safeUpdate((c) =>
      c?.database && grew(c.database)
        ? {
            ...c,
            database: {
              ...c.database,
              outboxSeq: Math.max(c.database.outboxSeq, progress.outboxSeq),
              syncLogSeq: Math.max(c.database.syncLogSeq, progress.syncLogSeq),
            },
          }
        : c,
    );
  }

  /** A statement found the open database damaged: the next start sets it aside. */
  markDamaged(reason: string): void {
    const databaseId = this.markerId;
    this.safeUpdate((c) => (c ? { ...c, damaged: { databaseId, at: isoAt(this.clock.now()), reason } } : c));
  }

  /** Keeps a problem for the screen (`shown` false: found where no screen is, e.g. a command). */
  addIncident(notice: { code: string; message: string; params: Record<string, string | number> }, shown: boolean): void {
    const incident: Incident = { id: randomBytes(6).toString('hex'), ...notice, at: isoAt(this.clock.now()), shown };
    this.safeUpdate((c) => (c ? { ...c, incidents: [...c.incidents, incident].slice(-MAX_INCIDENTS) } : c));
  }

  /** Problems no screen has shown yet; they count as shown from now on. */
  takeUnshownIncidents(): Incident[] {
    const unshown = this.identity?.incidents.filter((i) => !i.shown) ?? [];
    if (unshown.length === 0) return [];
    const ids = new Set(unshown.map((i) => i.id));
    this.safeUpdate((c) => (c ? { ...c, incidents: c.incidents.map((i) => (ids.has(i.id) ? { ...i, shown: true } : i)) } : c));
    return unshown;
  }

  private safeUpdate(fn: (cur: TillIdentity | null) => TillIdentity | null): void {
    try {
      this.update(fn);
    } catch (err) {
      this.logger.error(
        { file: identityFile(this.dataDir), err: err instanceof Error ? err.message : String(err) },
        'could not record the till identity',
      );
    }
  }

  /**
   * Read, change, write: another process (the desktop app and a command) may have written the
   * file since this one read it, so each change starts from the file as it is on disk now.
   */
  private update(fn: (cur: TillIdentity | null) => TillIdentity | null): void {
    const onDisk = readIdentity(this.dataDir);
    const cur = onDisk.kind === 'ok' ? onDisk.identity : this.identity;
    const next = fn(cur);
    if (next === null || next === cur) return;
    // Unchanged (most starts): no write, so a command costs no extra fsync.
    if (onDisk.kind === 'ok' && JSON.stringify(next) === JSON.stringify(cur)) {
      this.identity = next;
      return;
    }
    writeIdentity(this.dataDir, next);
    this.identity = next;
  }
}
