// The store PIN: a number a manager sets so that the two screen actions that can hurt the store
// most, exporting every order (customers' mobiles, names and emails) and replacing the Gameball
// keys, need more than the till's screen. Contract:
//   - only a salted scrypt hash is stored (in the settings table, through SettingsStore), never
//     the PIN; the PIN is checked here, in main, never in the page;
//   - verify() resolves when no PIN is set or the PIN given is it; otherwise it throws a
//     StorePinError: PIN_REQUIRED (none given), PIN_WRONG, PIN_LOCKED (too many wrong ones:
//     nothing is compared until the lock ends) or PIN_UNREADABLE;
//   - checks run one at a time, so a burst of guesses sent at once is counted like guesses sent
//     one by one: after FREE_ATTEMPTS wrong PINs in a row the PIN is locked for a minute, each
//     further lock twice as long, up to an hour; a right PIN resets the count. The count lives in
//     memory: it restarts with the app (restarting it needs the computer, not the screen);
//   - the PIN is changed or removed from the screen only with the current one (change()); the
//     admin CLI on the till, whose user can read the data folder anyway, resets it without (reset()).
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { RefusalReasonOf } from '../../preload/api.ts';
import type { Clock } from '../clock.ts';

export const STORE_PIN_PATTERN = /^[0-9]{4,12}$/;

/** scrypt cost: 32 MiB and about 0.1 s per check on a till (N = 2^15, r = 8, p = 1). */
export interface PinHashParams {
  N: number;
  r: number;
  p: number;
}
export const DEFAULT_PIN_HASH_PARAMS: PinHashParams = { N: 2 ** 15, r: 8, p: 1 };
const KEY_BYTES = 32;

export const PinRecordSchema = z.strictObject({
  v: z.literal(1),
  N: z
    .number()
    .int()
    .min(2)
    .max(2 ** 20),
  r: z.number().int().min(1).max(32),
  p: z.number().int().min(1).max(16),
  salt: z.string().min(16),
  hash: z.string().min(16),
});
export type PinRecord = z.infer<typeof PinRecordSchema>;

/** Refusal reasons of the contract (preload/api.ts), checked at compile time. */
export type StorePinErrorCode = RefusalReasonOf<'PIN_REQUIRED' | 'PIN_WRONG' | 'PIN_LOCKED' | 'PIN_UNREADABLE' | 'INVALID_PIN'>;

/** A refusal for people; never carries the PIN. `field` names the request field at fault. */
export class StorePinError extends Error {
  constructor(
    readonly code: StorePinErrorCode,
    message: string,
    readonly field: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'StorePinError';
  }
}

function derive(pin: string, salt: Buffer, params: PinHashParams): Promise<Buffer> {
  const maxmem = 256 * params.N * params.r;
  return new Promise((resolve, reject) => {
    // Async: the hash runs on libuv's thread pool, so the till keeps answering meanwhile.
    scrypt(pin, salt, KEY_BYTES, { ...params, maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPin(
  pin: string,
  params: PinHashParams = DEFAULT_PIN_HASH_PARAMS,
  salt: Buffer = randomBytes(16),
): Promise<PinRecord> {
  const key = await derive(pin, salt, params);
  return { v: 1, ...params, salt: salt.toString('base64'), hash: key.toString('base64') };
}

export async function pinMatches(pin: string, record: PinRecord): Promise<boolean> {
  const expected = Buffer.from(record.hash, 'base64');
  const key = await derive(pin, Buffer.from(record.salt, 'base64'), record);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

export const FREE_ATTEMPTS = 5;
export const FIRST_LOCK_MS = 60_000;
export const MAX_LOCK_MS = 3_600_000;

/** Wrong-PIN bookkeeping: pure, time passed in. */
export class PinAttempts {
  private wrongInARow = 0;
  private locks = 0;
  private lockedUntil = 0;

  constructor(private readonly now: () => number) {}

  /** Milliseconds until a PIN may be tried again; 0 when it may now. */
  lockedForMs(): number {
    return Math.max(0, this.lockedUntil - this.now());
  }

  /** A wrong PIN. Returns how long the PIN is now locked (0: not locked). */
  failed(): number {
    this.wrongInARow += 1;
    if (this.wrongInARow < FREE_ATTEMPTS) return 0;
    const lockMs = Math.min(MAX_LOCK_MS, FIRST_LOCK_MS * 2 ** this.locks);
    this.locks += 1;
    this.wrongInARow = 0;
    this.lockedUntil = this.now() + lockMs;
    return lockMs;
  }

  succeeded(): void {
    this.wrongInARow = 0;
    this.locks = 0;
    this.lockedUntil = 0;
  }
}

/** Where the hash record is kept (SettingsStore's storePin row): JSON text, or null for none. */
export interface PinRecordStorage {
  read(): string | null;
  write(json: string | null): void;
}

export interface StorePinOptions {
  storage: PinRecordStorage;
  clock: Clock;
  logger: { warn(fields: object, msg: string): void };
  params?: PinHashParams;
}

function lockedMessage(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  return `Too many wrong PINs. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}

export class StorePin {
  private readonly attempts: PinAttempts;
  /** Checks run one at a time (see the contract above). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: StorePinOptions) {
    this.attempts = new PinAttempts(() => opts.clock.now());
  }

  isSet(): boolean {
    return this.opts.storage.read() !== null;
  }

  /** Resolves when no PIN is set or `pin` is the store PIN; throws StorePinError otherwise. */
  verify(pin: string | undefined, field = 'pin'): Promise<void> {
    return this.serial(() => this.check(pin, field));
  }

  /** Sets (`next`) or removes (null) the PIN from the screen: needs the current one when one is set. */
  change(next: string | null, current: string | undefined): Promise<void> {
    return this.serial(async () => {
      await this.check(current, 'currentPin');
      await this.store(next);
    });
  }

  /** Sets or removes the PIN without the current one: the admin CLI on the till only. */
  reset(next: string | null): Promise<void> {
    return this.serial(async () => {
      await this.store(next);
      this.attempts.succeeded();
    });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async store(next: string | null): Promise<void> {
    if (next !== null && !STORE_PIN_PATTERN.test(next)) throw new StorePinError('INVALID_PIN', 'A store PIN is 4 to 12 digits.', 'pin');
    this.opts.storage.write(next === null ? null : JSON.stringify(await hashPin(next, this.opts.params)));
  }

  private async check(pin: string | undefined, field: string): Promise<void> {
    const raw = this.opts.storage.read();
    if (raw === null) return;
    const record = parseRecord(raw);
    if (!record) {
      throw new StorePinError(
        'PIN_UNREADABLE',
        'The store PIN saved on this till cannot be read. Set it again on the till: pos-companion config set storePin -',
        field,
      );
    }
    const locked = this.attempts.lockedForMs();
    if (locked > 0) throw new StorePinError('PIN_LOCKED', lockedMessage(locked), field, locked);
    if (pin === undefined || pin === '') throw new StorePinError('PIN_REQUIRED', 'This action needs the store PIN.', field);
    if (STORE_PIN_PATTERN.test(pin) && (await pinMatches(pin, record))) {
      this.attempts.succeeded();
      return;
    }
    const lockMs = this.attempts.failed();
    this.opts.logger.warn({ lockedForMs: lockMs }, 'wrong store PIN');
    if (lockMs > 0) throw new StorePinError('PIN_LOCKED', lockedMessage(lockMs), field, lockMs);
    throw new StorePinError('PIN_WRONG', 'That is not the store PIN.', field);
  }
}

function parseRecord(raw: string): PinRecord | undefined {
  try {
    const parsed = PinRecordSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
