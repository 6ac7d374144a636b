// The process's logger: pino, created once by the entry point (desktop shell, browser mode) or by
// the engine when none is given (CLI commands, tests), and passed in everywhere. One per process:
// a second logger on the same file would be a second stream without the first one's scrubber.
// Contract: no Gameball key ever reaches the output. Two independent guards:
//  1. the key fields are censored wherever the code names them (top level, one level down, and
//     in headers), by a copy-on-write walk of the line's object (`redactKeyFields`);
//  2. a last-step scrubber replaces any registered secret value found anywhere in a serialised
//     line (an error message quoting a header, a stray string), so a key that slips past the
//     field names is still never written.
// And: the logger never throws into the process and never holds up shutdown. A log file that
// cannot be written (disk full, read-only, no permission) loses lines, never an order (see
// log-file.ts); `closeLogger` resolves within a bounded time.
import pino from 'pino';
import { DEFAULT_CLOSE_TIMEOUT_MS, LogFile, stderrDestination } from './log-file.ts';
import type { LogFileOptions, LogTrouble } from './log-file.ts';
import { logRotationFromEnv, rotatingLogFileSystem, type LogRotation } from './log-rotation.ts';

export type Logger = pino.Logger;

const KEY_FIELDS = ['apiKey', 'secretKey', 'APIKey', 'SecretKey', 'apikey', 'secretkey', 'transactionKey', 'TransactionKey'];

export const REDACTED = '[Redacted]';

const KEY_FIELD_SET = new Set(KEY_FIELDS);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * The line's object with the key fields censored: at the top level, one level down, and inside
 * `headers` at either level (with `authorization` there too). Deeper values are caught by the
 * scrubber. Copy-on-write: the caller's objects are never changed, and a line without key fields
 * (every capture line) costs one pass over its few keys. It replaces pino's path-based redaction,
 * whose wildcard paths cost ~20 us on every line.
 */
export function redactKeyFields(obj: Record<string, unknown>, depth = 0, inHeaders = false): Record<string, unknown> {
  let out = obj;
  for (const key in obj) {
    if (!Object.hasOwn(obj, key)) continue;
    const value = obj[key];
    let next: unknown = value;
    if (KEY_FIELD_SET.has(key) || (inHeaders && key.toLowerCase() === 'authorization')) next = REDACTED;
    else if (isPlainObject(value) && !inHeaders) {
      if (depth === 0) next = redactKeyFields(value, 1, key === 'headers');
      else if (depth === 1 && key === 'headers') next = redactKeyFields(value, 2, true);
    }
    if (next !== value) {
      if (out === obj) out = { ...obj };
      out[key] = next;
    }
  }
  return out;
}

export interface LoggerOptions {
  level?: pino.LevelWithSilent;
  /** Append JSON lines to this file (created with its folder, when it can be). Default: stderr. */
  file?: string;
  /** How the file behaves while it cannot be written (buffer bound, retry period, a trouble callback). */
  fileOptions?: Omit<LogFileOptions, 'name'>;
  /**
   * Size-based rotation of `file` with a bounded total (default: POS_COMPANION_LOG_FILE_MB and
   * POS_COMPANION_LOG_FILES, else 5 MiB x 5 files). null: one file that grows (tests).
   */
  rotation?: LogRotation | null;
  /** Any writable stream (tests). Wins over `file`. */
  destination?: pino.DestinationStream;
  /**
   * Current secret values to scrub from every line (called per line; keep it cheap). More sources
   * can be added later with addSecretValues (the engine adds its key store once it is open).
   */
  secretValues?: () => Iterable<string>;
  name?: string;
}

/** Escapes a value the way it appears inside a JSON string, so the scrubber finds it there. */
function jsonEscaped(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

export function scrubSecrets(line: string, secrets: Iterable<string>): string {
  let out = line;
  for (const s of secrets) {
    // Very short values would scrub ordinary words; real keys are long.
    if (s.length < 6) continue;
    const escaped = jsonEscaped(s);
    if (out.includes(escaped)) out = out.split(escaped).join(REDACTED);
  }
  return out;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const name = opts.name ?? 'pos-companion';
  let destination: pino.DestinationStream;
  let file: LogFile | undefined;
  if (opts.destination) destination = opts.destination;
  else if (opts.file) {
    // Asynchronous appends keep the write off the capture path (the order itself is already
    // durable in SQLite; the log is for diagnosis). closeLogger() writes out what is buffered.
    // Rotated by size with a bounded total (log-rotation.ts) unless the caller says otherwise.
    const rotation = opts.rotation === undefined ? logRotationFromEnv() : opts.rotation;
    const fs = rotation === null ? undefined : rotatingLogFileSystem(rotation);
    file = new LogFile(opts.file, { ...(fs ? { fs } : {}), ...opts.fileOptions, name });
    destination = file;
  } else destination = stderrDestination();

  const sources = new Set<() => Iterable<string>>();
  if (opts.secretValues) sources.add(opts.secretValues);
  const logger = pino(
    {
      name,
      level: opts.level ?? 'info',
      formatters: { log: (o: Record<string, unknown>) => redactKeyFields(o) },
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: { streamWrite: (s: string) => (sources.size === 0 ? s : scrubSecrets(s, allValues(sources))) },
    },
    destination,
  );
  if (file) logFiles.set(logger, file);
  secretSources.set(logger, sources);
  return logger;
}

function* allValues(sources: Set<() => Iterable<string>>): Iterable<string> {
  for (const source of sources) yield* source();
}

const logFiles = new WeakMap<Logger, LogFile>();
const secretSources = new WeakMap<Logger, Set<() => Iterable<string>>>();

/**
 * Scrubs the values `source` returns (asked per line) from every line `logger` writes from now on,
 * child loggers included, until the returned function is called. A logger not made by
 * createLogger (silentLogger, a test's pino) has no scrubber: then this does nothing.
 */
export function addSecretValues(logger: Logger, source: () => Iterable<string>): () => void {
  // pino's child loggers inherit from their parent: the root holds the sources.
  let l: object | null = logger;
  let sources: Set<() => Iterable<string>> | undefined;
  while (l !== null && !(sources = secretSources.get(l as Logger))) l = Object.getPrototypeOf(l) as object | null;
  if (!sources) return () => {};
  const own = () => source();
  sources.add(own);
  return () => {
    sources.delete(own);
  };
}

/**
 * Writes out what a file logger still buffers and closes its file, within `timeoutMs` whatever the
 * disk does (lines still unwritten then are dropped). Other loggers: nothing to do. Never rejects.
 */
export function closeLogger(logger: Logger, timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS): Promise<void> {
  const file = logFiles.get(logger);
  if (!file) return Promise.resolve();
  logFiles.delete(logger);
  return file.close(timeoutMs);
}

/** Why a file logger cannot write its file now (null: it can, or it is not a file logger). */
export function logTrouble(logger: Logger): LogTrouble | null {
  return logFiles.get(logger)?.trouble() ?? null;
}

/** A logger that writes nothing (tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * `text` with every secret value `logger` scrubs from its lines (the keys in use, once the engine
 * has registered them) replaced, as the logger would. For copies of files the logger did not write
 * through this process (the support bundle). Without a scrubber: `text` as it is.
 */
export function scrubLikeLogger(logger: Logger, text: string): string {
  let l: object | null = logger;
  let sources: Set<() => Iterable<string>> | undefined;
  while (l !== null && !(sources = secretSources.get(l as Logger))) l = Object.getPrototypeOf(l) as object | null;
  if (!sources || sources.size === 0) return text;
  const values = [...allValues(sources)];
  let out = scrubSecrets(text, values);
  // Raw too: a file that is not JSON holds the value unescaped.
  for (const v of values) if (v.length >= 6 && out.includes(v)) out = out.split(v).join(REDACTED);
  return out;
}
