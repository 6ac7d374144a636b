// The till's local store as the engine opens it: the database, the settings and keys on it, and
// the identity file that keeps the till's id, settings and keys where a damaged database cannot
// take them. Part of the composition root (engine.ts); it knows nothing of screens.
//
// Contract of `openTillStore`:
// - a damaged database is moved aside (never deleted), a new one is started with the till id,
//   settings and keys from the identity file, and every order and refund still readable in the
//   damaged file is recovered into it (recover.ts); orders still owed go back in the queue marked
//   for a look-up at Gameball first, so nothing is sent twice;
// - a database that is new and empty where the till had one, or that holds less than the till
//   had written to it (restored from a copy without its -wal), keeps the till's id, settings and
//   keys and is reported;
// - each of these is a notice (code, parameters, English sentence), logged at error level with
//   the file paths; `serious` says whether orders may be missing or cannot be saved.
// And of `DatabaseHealth` (while the engine runs):
// - the first SQLITE_CORRUPT / SQLITE_NOTADB any statement meets becomes a DatabaseDamagedError
//   with a sentence for people, a notice, an error in the log, and a flag in the identity file, so
//   the next start sets the file aside even if SQLite's quick check would pass it;
// - the -wal is copied into the main file (a passive checkpoint) a few seconds after changes and
//   at close, so a copy of the main file alone is complete more often; each time the identity file
//   records how far the database has got (its last outbox id), so one that later holds less is
//   noticed at start.
import type { Clock } from './clock.ts';
import { IdentityKeeper, identityFile, readIdentity, setIdentityAside } from './config/identity.ts';
import type { SecretCipher } from './config/secrets.ts';
import { SecretStore } from './config/secrets.ts';
import { SettingsStore } from './config/settings.ts';
import { checkpoint, DatabaseDamagedError, isDatabaseDamage, openTillDatabase, databaseProgress } from './db/database.ts';
import type { Database } from './db/database.ts';
import { behindNotice, damagedNotice, emptyNotice, identityUnreadableNotice, runningDamageNotice, SERIOUS_NOTICES } from './db/notices.ts';
import type { TillNotice } from './db/notices.ts';
import { databaseFile } from './db/paths.ts';
import { markOwedUnknown, recoverInto } from './db/recover.ts';
import type { RecoveryReport } from './db/recover.ts';
import type { Logger } from './log.ts';

export interface TillStoreOptions {
  dataDir: string;
  clock: Clock;
  logger: Logger;
  cipher: SecretCipher | null;
  env: NodeJS.ProcessEnv;
}

export interface TillStore {
  /** The database file. */
  file: string;
  db: Database;
  settings: SettingsStore;
  keys: SecretStore;
  identity: IdentityKeeper;
  /** What opening found, oldest first. */
  notices: TillNotice[];
  /** The automatic recovery's report, when the database was found damaged. */
  recovery: RecoveryReport | null;
}

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function openTillStore(opts: TillStoreOptions): TillStore {
  const { dataDir, clock, logger } = opts;
  const file = databaseFile(dataDir);
  const notices: TillNotice[] = [];
  const tell = (n: TillNotice, fields: Record<string, unknown>) => {
    notices.push(n);
    logger.error({ code: n.code, ...fields }, n.message);
  };

  const read = readIdentity(dataDir);
  if (read.kind === 'unreadable') {
    let movedTo = '';
    try {
      movedTo = setIdentityAside(dataDir, clock);
    } catch (err) {
      movedTo = `(could not be moved: ${errText(err)})`;
    }
    tell(identityUnreadableNotice(identityFile(dataDir), movedTo, read.reason), { file: identityFile(dataDir), movedTo });
  }
  const identity = new IdentityKeeper(dataDir, clock, logger, read.kind === 'ok' ? read.identity : null);

  const opened = openTillDatabase(file, { clock, logger, condemn: (db) => identity.condemnReason(db) });
  const db = opened.db;
  const settings = new SettingsStore(db, (key, reason) => logger.warn({ key, reason }, 'stored setting invalid: default used'));
  const keys = new SecretStore(db, opts.cipher, clock, opts.env, (name, reason) =>
    logger.warn({ secret: name, reason }, 'stored key unreadable'),
  );

  try {
    // Before anything reads a setting: a new database would make itself a new till id.
    const finding = identity.examine(db, opened.created);
    identity.restoreInto(db, settings, keys);

    let recovery: RecoveryReport | null = null;
    if (opened.damage) {
      const damaged = opened.damage.movedTo[0];
      let recoveryError: string | null = null;
      if (damaged) {
        try {
          recovery = recoverInto(db, damaged, { clock, logger });
        } catch (err) {
          recoveryError = errText(err);
          logger.error({ from: damaged, err: recoveryError }, 'automatic recovery failed');
        }
      }
      const tillId = settings.get().tillId;
      tell(
        damagedNotice(opened.damage, {
          tillId,
          keys: keys.isStored('apiKey') || keys.isStored('secretKey'),
          report: recovery,
          recoveryError,
        }),
        {
          file,
          movedTo: opened.damage.movedTo,
          recovered: recovery
            ? { orders: recovery.orders, refunds: recovery.refunds, unreadable: recovery.unreadable, incomplete: recovery.incomplete }
            : null,
        },
      );
    } else if (finding.kind === 'empty') {
      tell(emptyNotice(file, settings.get().tillId, finding.had), { file, had: finding.had });
    } else if (finding.kind === 'behind') {
      // What is owed may have been sent already (the lost part of the file said so): look first.
      const marked = markOwedUnknown(db, clock.now());
      tell(behindNotice(file), { file, had: finding.had, has: finding.has, markedForLookup: marked });
    } else if (finding.kind === 'other') {
      logger.warn({ file }, 'the database is not the one the identity file recorded; the identity file now follows it');
    }
    identity.record(db, settings, keys, { clearDamage: opened.damage !== null });
    return { file, db, settings, keys, identity, notices, recovery };
  } catch (err) {
    db.close();
    throw err;
  }
}

/** The serious notices of a list (orders may be missing or cannot be saved). */
export function seriousNotices(notices: readonly TillNotice[]): TillNotice[] {
  return notices.filter((n) => SERIOUS_NOTICES.has(n.code));
}

/** How long after a change the -wal is copied into the main file (changes in between share one copy). */
export const CHECKPOINT_DELAY_MS = 3_000;

export class DatabaseHealth {
  private damage: DatabaseDamagedError | null = null;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly store: TillStore,
    private readonly logger: Logger,
    private readonly onNotice: (n: TillNotice) => void,
    private readonly delayMs: number = CHECKPOINT_DELAY_MS,
  ) {}

  /** The damage met so far (null: none). */
  get damaged(): DatabaseDamagedError | null {
    return this.damage;
  }

  /**
   * Turns a database error into the damaged-database condition (once: later ones get the same
   * error); any other error comes back as it is. `where` names what failed, for the sentence.
   */
  classify(err: unknown, where: string): unknown {
    if (err instanceof DatabaseDamagedError) return err;
    if (!isDatabaseDamage(err)) return err;
    if (this.damage) return this.damage;
    const detail = `${where} failed: ${errText(err)}`;
    const notice = runningDamageNotice(detail);
    this.damage = new DatabaseDamagedError(notice.message);
    this.logger.error({ code: notice.code, file: this.store.file, where, err: errText(err) }, notice.message);
    this.store.identity.markDamaged(detail);
    this.onNotice(notice);
    return this.damage;
  }

  /** Runs `fn`; a damaged-database error from it comes out as DatabaseDamagedError. */
  guard<T>(where: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw this.classify(err, where);
    }
  }

  /** Something was written: copy the -wal into the main file a little later (coalesced). */
  changed(): void {
    if (this.closed || this.timer || this.damage) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.checkpoint();
    }, this.delayMs);
    this.timer.unref();
  }

  /** A passive checkpoint now, and the identity file learns how far the database has got. */
  checkpoint(): void {
    if (this.damage || !this.store.db.open) return;
    const r = checkpoint(this.store.db, 'PASSIVE');
    if (!r.complete)
      this.logger.debug({ frames: r.frames }, 'checkpoint could not copy the whole -wal now (another connection reads); later');
    this.store.identity.recordProgress(databaseProgress(this.store.db));
  }

  /** Before the database closes: one last checkpoint (unless damaged), and no timer left behind. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.checkpoint();
  }
}
