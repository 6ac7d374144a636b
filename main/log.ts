// The engine's logger: pino, created once in engine.ts and passed in everywhere.
// Contract: no Gameball key ever reaches the output. Two independent guards:
//  1. the key fields are censored wherever the code names them (top level, one level down, and
//     in headers), by a copy-on-write walk of the line's object (`redactKeyFields`);
//  2. a last-step scrubber replaces any registered secret value found anywhere in a serialised
//     line (an error message quoting a header, a stray string), so a key that slips past the
//     field names is still never written.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pino from 'pino';

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
  /** Append JSON lines to this file (created with its folder). Default: stderr. */
  file?: string;
  /** Any writable stream (tests). Wins over `file`. */
  destination?: pino.DestinationStream;
  /** Current secret values to scrub from every line (called per line; keep it cheap). */
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
  let destination: pino.DestinationStream;
  if (opts.destination) destination = opts.destination;
  else if (opts.file) {
    mkdirSync(dirname(opts.file), { recursive: true });
    // Asynchronous appends keep the write off the capture path (the order itself is already
    // durable in SQLite; the log is for diagnosis). Engine.close() flushes what is buffered.
    destination = pino.destination({ dest: opts.file, sync: false, mkdir: true });
  } else destination = pino.destination({ dest: 2, sync: true });

  const secretValues = opts.secretValues;
  const logger = pino(
    {
      name: opts.name ?? 'pos-companion',
      level: opts.level ?? 'info',
      formatters: { log: (o: Record<string, unknown>) => redactKeyFields(o) },
      timestamp: pino.stdTimeFunctions.isoTime,
      ...(secretValues ? { hooks: { streamWrite: (s: string) => scrubSecrets(s, secretValues()) } } : {}),
    },
    destination,
  );
  if (!opts.destination && opts.file) fileStreams.set(logger, destination as unknown as ClosableStream);
  return logger;
}

interface ClosableStream {
  end(): void;
  once(event: 'close' | 'error', fn: () => void): void;
}
const fileStreams = new WeakMap<Logger, ClosableStream>();

/** Writes out what a file logger still buffers and closes its file. Other loggers: nothing to do. */
export function closeLogger(logger: Logger): Promise<void> {
  const stream = fileStreams.get(logger);
  if (!stream) return Promise.resolve();
  fileStreams.delete(logger);
  return new Promise((resolve) => {
    stream.once('close', resolve);
    stream.once('error', resolve);
    stream.end();
  });
}

/** A logger that writes nothing (tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
