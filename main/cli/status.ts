// `pos-companion status`: what it prints, and the quick way to the figures on a till in its usual
// state. The figures are the engine's (StatusReader, the one place the status is computed), read
// from the database without starting the engine: no logger (so no "engine started" line in the
// log), no sync part, no start-up checks, nothing written back to the database or the identity
// file. The built CLI has this file as a bundle of its own (build/cli/status.cjs, about 57 KB
// against the whole CLI's 2 MB, and no zod), which the bin runs for a plain `status`.
//
// Contract of `readQuickStatus`: it answers only when the engine would open this data folder
// without a word and print the same thing (a damaged page that `status` does not read aside: see
// below); otherwise null, having changed nothing but what every command's folder checks do
// (checkDataFolder's probe, ensurePrivateDataDir's modes), and the caller opens the engine, which
// runs every start-up check and says what it found. Null when: the folder has a problem (missing,
// read-only, full, shared), there is no database or no identity file, the file is not a SQLite
// file or is cut short (SQLite refuses both at once), the database is not in WAL mode or needs a
// migration or is newer than this version, the identity file flags a damaged database or records
// another one or more than this one holds, a setting it reads (till id, training mode, base URL,
// API version) is not plainly valid or the till id is missing, or any statement fails (damage
// meets the engine's full check).
//
// A live till's last error depends on its configuration: when the sync could not build its
// Gameball client, the engine's status says why (gameballConfigProblem, the sync's own judgement).
// So for a live till this reads the keys as the engine does: from the environment, or by
// decrypting the stored ones with this platform's cipher (on Linux, macOS and Windows that asks the
// OS key store, a child process, exactly as the engine would; with a master key file, a file
// read). Reading a stored key only decrypts: it never makes a master key (see SecretStore).
//
// It skips SQLite's quick_check, which reads the whole file (4 ms at 1,000 orders, 45-75 ms at
// 20,000): `status` reads only what it shows, and a page it reads that is damaged fails its
// statement, which hands over to the engine. Every other command and the app's start still run
// quick_check. The database is opened with query_only, so not even a mistake here could write to it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { clockAdvice, clockAdviceUnit } from '../../preload/clock-advice.ts';
import type { ClockAdvice } from '../../preload/clock-advice.ts';
import { isoAt, systemClock } from '../clock.ts';
import type { Clock } from '../clock.ts';
import { ensurePrivateDataDir, restrictNewFiles } from '../config/private-files.ts';
import { storedBaseUrl } from '../config/base-url.ts';
import { createNodeSecretCipher } from '../config/node-cipher.ts';
import { SecretStore } from '../config/secrets.ts';
import type { SecretCipher } from '../config/secrets.ts';
import { TILL_ID_PATTERN } from '../config/till-id.ts';
import { checkDataFolder } from '../data-folder.ts';
import { databaseMarker, databaseProgress, userVersion } from '../db/database.ts';
import { MIGRATIONS } from '../db/migrations/index.ts';
import { IDENTITY_FILE_NAME } from '../db/file-names.ts';
import { databaseFile, resolveDataDir } from '../db/paths.ts';
import type { SyncStatus } from '../orders/schemas.ts';
import { GAMEBALL_DEFAULT_BASE_URL, gameballConfigProblem, isGameballApiVersion, tillGameballSetup } from '../gameball/config.ts';
import type { GameballApiVersion } from '../gameball/config.ts';
import { lastErrorOf, StatusReader } from '../sync/status.ts';

function formatAge(ms: number | null): string {
  if (ms === null) return '-';
  const min = Math.floor(ms / 60_000);
  if (min < 1) return `${Math.floor(ms / 1000)} s`;
  if (min < 120) return `${min} min`;
  const h = Math.floor(min / 60);
  return h < 48 ? `${h} h` : `${Math.floor(h / 24)} days`;
}

/**
 * The status as a CLI command knows it. `online` is null when this process runs no sync (every
 * one-shot command): only a running sync talks to Gameball, so the state is unknown here, not false.
 */
export type CliStatus = Omit<SyncStatus, 'online'> & { online: boolean | null };

/** The status a one-shot command prints: what the tables say, and no claim about being online. */
export function oneShotStatus(s: SyncStatus): CliStatus {
  return { ...s, online: null };
}

/** "2 days", "1 hour", "5 minutes": the coarse unit the operator needs (see clockAdviceUnit). */
function clockDuration(ms: number): string {
  const { unit, value } = clockAdviceUnit(ms);
  return `${value} ${unit}${value === 1 ? '' : 's'}`;
}

/** The operator's sentence for a clock worth a word (the screen says the same, translated). */
export function clockAdviceText(a: ClockAdvice): string {
  const d = clockDuration(a.ms);
  if (a.kind === 'ahead') return `The till's clock is ${d} ahead of Gameball: set the date and time on this computer.`;
  if (a.kind === 'behind') return `The till's clock is ${d} behind Gameball: set the date and time on this computer.`;
  return `The till's clock went back ${d} (it reads earlier than the last order or Gameball call it recorded): check the date and time on this computer.`;
}

function formatClock(s: CliStatus): string {
  const advice = clockAdvice(s);
  if (advice) return clockAdviceText(advice);
  if (typeof s.clockSkewMs === 'number') {
    const seconds = Math.round(Math.abs(s.clockSkewMs) / 1000);
    const off = seconds === 0 ? "within a second of Gameball's" : `${seconds} s ${s.clockSkewMs > 0 ? 'ahead of' : 'behind'} Gameball`;
    return `${off} (checked ${s.clockCheckedAt ?? '?'})`;
  }
  if (s.clockCheckedAt) return 'set back since it was last checked against Gameball; the next sync checks it again';
  return 'not checked against Gameball yet (every sync checks it)';
}

export function formatStatus(s: CliStatus, tillId: string, dataDir: string): string {
  const c = s.counts;
  const r = s.refundCounts;
  return [
    `Till ${tillId}${s.training ? ' (training)' : ''}, data folder ${dataDir}`,
    `Orders:  ${c.pending} pending, ${c.sending} sending, ${c.attention} needs attention, ${c.synced} synced, ${c.discarded} discarded`,
    `Refunds: ${r.pending} pending, ${r.sending} sending, ${r.attention} needs attention, ${r.synced} synced, ${r.discarded} discarded`,
    `Oldest not yet synced: ${formatAge(s.oldestPendingAgeMs)}`,
    `Last success: ${s.lastSuccessAt ?? 'never'}`,
    `Last error: ${s.lastError ? `${s.lastError.at} ${s.lastError.code ? `[${s.lastError.code}] ` : ''}${s.lastError.message}` : 'none'}`,
    `Online: ${s.online === null ? 'unknown (no sync running in this process)' : s.online ? 'yes' : 'no'}`,
    ...(s.clockSkewMs === undefined && s.clockWentBackMs === undefined ? [] : [`Clock: ${formatClock(s)}`]),
    '',
  ].join('\n');
}

/** What `status` writes to stdout, as text or (`json`) one JSON line. */
export function statusOutput(s: CliStatus, tillId: string, dataDir: string, json: boolean): string {
  return json ? `${JSON.stringify({ ...s, tillId, dataDir })}\n` : formatStatus(s, tillId, dataDir);
}

/** Must match main/db/database.ts: a till busy writing makes the reader wait, not fail. */
const BUSY_TIMEOUT_MS = 5000;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * What the identity file (main/config/identity.ts) recorded of the database, read without its
 * schema: null when the file is absent, does not parse, is not format 1, records no database, or
 * flags a damaged one (the engine then decides).
 */
export function recordedDatabase(dataDir: string): { id: string; outboxSeq: number; syncLogSeq: number } | null {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(dataDir, IDENTITY_FILE_NAME), 'utf8'));
  } catch {
    return null;
  }
  if (!isRecord(raw) || raw.format !== 1 || (raw.damaged !== undefined && raw.damaged !== null)) return null;
  const d = raw.database;
  if (!isRecord(d) || typeof d.id !== 'string' || d.id === '' || !isCount(d.outboxSeq)) return null;
  if (d.syncLogSeq !== undefined && !isCount(d.syncLogSeq)) return null;
  return { id: d.id, outboxSeq: d.outboxSeq, syncLogSeq: d.syncLogSeq ?? 0 };
}

/** The settings `status` shows or depends on, as SettingsStore.get() takes them. */
interface StatusSettings {
  tillId: string;
  trainingMode: 'auto' | 'on' | 'off';
  /** Where a live till sends its orders (the settings' defaults when no row). */
  apiBaseUrl: string;
  apiVersion: GameballApiVersion;
}

/**
 * The settings `status` shows or depends on, read as SettingsStore.get() would take them, or null
 * when one is missing or is not plainly valid (the engine then decides, and says so in its log).
 */
function statusSettings(db: BetterSqlite3.Database): StatusSettings | null {
  const rows = new Map(
    db
      .prepare<[], { key: string; value: string }>(
        "SELECT key, value FROM settings WHERE key IN ('tillId', 'trainingMode', 'apiBaseUrl', 'apiVersion')",
      )
      .all()
      .map((r) => [r.key, r.value]),
  );
  const json = (key: string): unknown => {
    const raw = rows.get(key);
    if (raw === undefined) return undefined;
    try {
      return JSON.parse(raw);
    } catch {
      return null;
    }
  };
  const tillId = json('tillId');
  if (typeof tillId !== 'string' || !TILL_ID_PATTERN.test(tillId)) return null;
  // No row: the default (defaultSettings in main/config/settings.ts).
  const mode = json('trainingMode') ?? 'auto';
  if (mode !== 'auto' && mode !== 'on' && mode !== 'off') return null;
  const url = json('apiBaseUrl');
  const apiBaseUrl = url === undefined ? GAMEBALL_DEFAULT_BASE_URL : storedBaseUrl(url);
  if (apiBaseUrl === null) return null;
  const apiVersion = json('apiVersion') ?? 'v4.0';
  if (!isGameballApiVersion(apiVersion)) return null;
  return { tillId, trainingMode: mode, apiBaseUrl, apiVersion };
}

/** See the contract at the top of this file. */
export function readQuickStatus(
  dataDir: string,
  opts: { clock?: Clock; env?: NodeJS.ProcessEnv; cipher?: SecretCipher | null } = {},
): { status: CliStatus; tillId: string } | null {
  const clock = opts.clock ?? systemClock;
  const env = opts.env ?? process.env;
  try {
    // The folder checks every command makes first (the engine's, in the same order).
    if (checkDataFolder(dataDir) !== null) return null;
    ensurePrivateDataDir(dataDir);
  } catch {
    return null;
  }
  const file = databaseFile(dataDir);
  if (!existsSync(file)) return null;
  const recorded = recordedDatabase(dataDir);
  if (recorded === null) return null;
  let db: BetterSqlite3.Database;
  try {
    // Not `readonly`: a read-only connection cannot remove the -wal and -shm at close, and would
    // leave them behind where the engine leaves none. query_only refuses any write all the same.
    db = new BetterSqlite3(file, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  } catch {
    return null;
  }
  try {
    db.pragma('query_only = ON');
    // A database not yet in WAL mode, or due a migration: the engine changes it first.
    if (String(db.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') return null;
    if (userVersion(db) !== MIGRATIONS.length) return null;
    // The database the identity file recorded, holding at least what it recorded (else the engine
    // restores, reports or records something).
    const marker = databaseMarker(db);
    if (marker === null || marker.id !== recorded.id) return null;
    const has = databaseProgress(db);
    if (has.outboxSeq < recorded.outboxSeq || has.syncLogSeq < recorded.syncLogSeq) return null;
    const settings = statusSettings(db);
    if (settings === null) return null;
    // The engine's mode: training when asked, or (auto) while a key is neither stored nor in the
    // environment (main/engine.ts wantedTraining).
    const keys = new SecretStore(db, opts.cipher === undefined ? createNodeSecretCipher({ env, dataDir }) : opts.cipher, clock, env);
    const live =
      settings.trainingMode === 'off' || (settings.trainingMode === 'auto' && keys.isPresent('apiKey') && keys.isPresent('secretKey'));
    const now = clock.now();
    // The tables and the audit log, and no sync running.
    const status = oneShotStatus(new StatusReader(db).readStored(!live, now, false));
    if (live) {
      // A live engine whose Gameball client cannot be built says why as its last error (the sync's
      // own judgement, main/sync/wiring.ts); reading the stored keys asks the key store, as the
      // engine does.
      const problem = gameballConfigProblem(tillGameballSetup(settings, keys), env);
      if (problem !== null) status.lastError = lastErrorOf(isoAt(now), problem, null, null);
    }
    return { status, tillId: settings.tillId };
  } catch {
    return null;
  } finally {
    db.close();
  }
}

/**
 * Prints the status of `dataDir` (resolved: see resolveDataDir) the quick way and answers true, or
 * answers false having printed nothing (the caller opens the engine).
 */
export function printQuickStatus(dataDir: string, json: boolean): boolean {
  const quick = readQuickStatus(dataDir);
  if (quick === null) return false;
  process.stdout.write(statusOutput(quick.status, quick.tillId, dataDir, json));
  return true;
}

/**
 * The flags of a `status` command line (the arguments after `status`), when they are plainly
 * `--json` and `--data-dir DIR` (or `--data-dir=DIR`), each at most once; null for anything else
 * (help, an unknown or repeated option), which the whole CLI parses and answers.
 */
export function plainStatusFlags(args: readonly string[]): { dataDir?: string; json?: boolean } | null {
  const flags: { dataDir?: string; json?: boolean } = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '--json' && flags.json === undefined) flags.json = true;
    else if (a === '--data-dir' && flags.dataDir === undefined && i + 1 < args.length && !(args[i + 1] ?? '-').startsWith('-'))
      flags.dataDir = args[++i];
    else if (a.startsWith('--data-dir=') && a.length > '--data-dir='.length && flags.dataDir === undefined)
      flags.dataDir = a.slice('--data-dir='.length);
    else return null;
  }
  return flags;
}

/**
 * The built quick-status entry (build/cli/status.cjs): answers `argv` (the arguments after the
 * program name) when it is a plain `status` the quick way can answer, and says whether it did.
 * false: nothing was printed, nor written to the database or the identity file; run the whole CLI
 * with the same arguments.
 */
export function runQuickStatus(argv: readonly string[]): boolean {
  if (argv[0] !== 'status') return false;
  const flags = plainStatusFlags(argv.slice(1));
  if (flags === null) return false;
  // As the whole CLI does first (main/cli.ts): whatever the folder checks create is private.
  restrictNewFiles();
  let dataDir: string;
  try {
    dataDir = resolveDataDir({ flag: flags.dataDir });
  } catch {
    // The whole CLI chooses again and says what went wrong.
    return false;
  }
  // Once it prints, it has answered: an error writing (a closed pipe) is not a reason to print twice.
  return printQuickStatus(dataDir, flags.json === true);
}
