// The store PIN on its own: only a salted scrypt hash is kept, the PIN is compared in constant
// time, wrong PINs lock it with growing pauses (time stepped by hand), a burst of guesses sent at
// once is counted like guesses sent one by one, and changing it needs the current one.
import { describe, expect, it } from 'vitest';
import {
  FIRST_LOCK_MS,
  FREE_ATTEMPTS,
  hashPin,
  MAX_LOCK_MS,
  PinAttempts,
  pinMatches,
  StorePin,
  StorePinError,
  type PinHashParams,
} from '../../../main/config/store-pin.ts';

/** Cheap parameters: the cost is not what these tests are about. */
const FAST: PinHashParams = { N: 2 ** 8, r: 8, p: 1 };

function setup() {
  let now = 1_700_000_000_000;
  let stored: string | null = null;
  const warnings: Array<{ fields: object; msg: string }> = [];
  const pin = new StorePin({
    storage: { read: () => stored, write: (json) => void (stored = json) },
    clock: { now: () => now },
    logger: { warn: (fields, msg) => warnings.push({ fields, msg }) },
    params: FAST,
  });
  return {
    pin,
    warnings,
    stored: () => stored,
    corrupt: (text: string) => void (stored = text),
    advance: (ms: number) => void (now += ms),
  };
}

async function refusal(p: Promise<unknown>): Promise<{ code: string; field: string; retryAfterMs?: number; message: string }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof StorePinError)
      return {
        code: err.code,
        field: err.field,
        message: err.message,
        ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
      };
    throw err;
  }
  throw new Error('accepted');
}

describe('hashPin / pinMatches', () => {
  it('keeps a salted scrypt hash and never the PIN; the same PIN hashes differently each time', async () => {
    const a = await hashPin('48260193', FAST);
    const b = await hashPin('48260193', FAST);
    expect(a).toMatchObject({ v: 1, N: FAST.N, r: 8, p: 1 });
    expect(a.salt).not.toBe(b.salt);
    expect(a.hash).not.toBe(b.hash);
    expect(JSON.stringify(a)).not.toContain('48260193');
    expect(await pinMatches('48260193', a)).toBe(true);
    expect(await pinMatches('48260193', b)).toBe(true);
    expect(await pinMatches('48260194', a)).toBe(false);
    expect(await pinMatches('4826019', a)).toBe(false);
  });
});

describe('PinAttempts', () => {
  it('locks after FREE_ATTEMPTS wrong PINs in a row, each further lock twice as long, at most an hour', () => {
    let now = 0;
    const attempts = new PinAttempts(() => now);
    const locks: number[] = [];
    for (let round = 0; round < 9; round += 1) {
      for (let i = 1; i < FREE_ATTEMPTS; i += 1) expect(attempts.failed()).toBe(0);
      const lock = attempts.failed();
      locks.push(lock);
      expect(attempts.lockedForMs()).toBe(lock);
      now += lock;
      expect(attempts.lockedForMs()).toBe(0);
    }
    expect(FIRST_LOCK_MS).toBe(60_000);
    expect(locks).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60].map((m) => Math.min(MAX_LOCK_MS, m * 60_000)));
  });

  it('a right PIN starts the count and the lock length over', () => {
    let now = 0;
    const attempts = new PinAttempts(() => now);
    for (let i = 0; i < FREE_ATTEMPTS; i += 1) attempts.failed();
    now += FIRST_LOCK_MS;
    attempts.succeeded();
    for (let i = 1; i < FREE_ATTEMPTS; i += 1) expect(attempts.failed()).toBe(0);
    expect(attempts.failed()).toBe(FIRST_LOCK_MS);
  });
});

describe('StorePin', () => {
  it('without a PIN set, every check passes', async () => {
    const { pin } = setup();
    expect(pin.isSet()).toBe(false);
    await expect(pin.verify(undefined)).resolves.toBeUndefined();
    await expect(pin.verify('1234')).resolves.toBeUndefined();
  });

  it('with a PIN: none given is PIN_REQUIRED, a wrong one PIN_WRONG, the right one passes', async () => {
    const { pin, stored, warnings } = setup();
    await pin.change('48260193', undefined);
    expect(pin.isSet()).toBe(true);
    expect(stored()).not.toContain('48260193');
    expect(await refusal(pin.verify(undefined))).toMatchObject({
      code: 'PIN_REQUIRED',
      field: 'pin',
      message: 'This action needs the store PIN.',
    });
    expect(await refusal(pin.verify(''))).toMatchObject({ code: 'PIN_REQUIRED' });
    expect(await refusal(pin.verify('11112222'))).toMatchObject({ code: 'PIN_WRONG', field: 'pin', message: 'That is not the store PIN.' });
    expect(await refusal(pin.verify('not digits'))).toMatchObject({ code: 'PIN_WRONG' });
    await expect(pin.verify('48260193')).resolves.toBeUndefined();
    expect(warnings.map((w) => w.msg)).toEqual(['wrong store PIN', 'wrong store PIN']);
    expect(JSON.stringify(warnings)).not.toMatch(/48260193|11112222/);
  });

  it('locks after five wrong PINs: even the right one is not compared until the lock ends', async () => {
    const { pin, advance } = setup();
    await pin.change('48260193', undefined);
    for (let i = 1; i < FREE_ATTEMPTS; i += 1) expect((await refusal(pin.verify('00000000'))).code).toBe('PIN_WRONG');
    expect(await refusal(pin.verify('00000000'))).toEqual({
      code: 'PIN_LOCKED',
      field: 'pin',
      retryAfterMs: 60_000,
      message: 'Too many wrong PINs. Try again in 1 minute.',
    });
    advance(30_000);
    expect(await refusal(pin.verify('48260193'))).toMatchObject({ code: 'PIN_LOCKED', retryAfterMs: 30_000 });
    expect(await refusal(pin.verify(undefined))).toMatchObject({ code: 'PIN_LOCKED' });
    advance(30_000);
    await expect(pin.verify('48260193')).resolves.toBeUndefined();
  });

  it('a burst of guesses sent at once is checked one at a time: only five are ever compared', async () => {
    const { pin, warnings } = setup();
    await pin.change('48260193', undefined);
    const guesses = Array.from({ length: 40 }, (_, i) => String(10_000_000 + i));
    // The right PIN hides at the end of the burst.
    const results = await Promise.all(
      [...guesses, '48260193'].map((g) => refusal(pin.verify(g)).catch((e: Error) => ({ code: e.message }))),
    );
    expect(results.filter((r) => r.code === 'PIN_WRONG')).toHaveLength(FREE_ATTEMPTS - 1);
    expect(results.filter((r) => r.code === 'PIN_LOCKED')).toHaveLength(41 - (FREE_ATTEMPTS - 1));
    expect(warnings).toHaveLength(FREE_ATTEMPTS);
  });

  it('changing or removing the PIN from the screen needs the current one', async () => {
    const { pin } = setup();
    await pin.change('48260193', undefined);
    expect(await refusal(pin.change('55556666', undefined))).toMatchObject({ code: 'PIN_REQUIRED', field: 'currentPin' });
    expect(await refusal(pin.change(null, '11112222'))).toMatchObject({ code: 'PIN_WRONG', field: 'currentPin' });
    expect(pin.isSet()).toBe(true);
    await pin.change('55556666', '48260193');
    await expect(pin.verify('55556666')).resolves.toBeUndefined();
    expect((await refusal(pin.verify('48260193'))).code).toBe('PIN_WRONG');
    await pin.change(null, '55556666');
    expect(pin.isSet()).toBe(false);
  });

  it.each(['123', '1234567890123', '12a4', ' 1234', '١٢٣٤'])('refuses %j as a new PIN, and keeps the old one', async (bad) => {
    const { pin } = setup();
    await pin.change('48260193', undefined);
    expect(await refusal(pin.change(bad, '48260193'))).toMatchObject({ code: 'INVALID_PIN', message: 'A store PIN is 4 to 12 digits.' });
    await expect(pin.verify('48260193')).resolves.toBeUndefined();
  });

  it('reset (the admin CLI) sets or removes it without the current one, and lifts a lock', async () => {
    const { pin } = setup();
    await pin.change('48260193', undefined);
    for (let i = 0; i < FREE_ATTEMPTS; i += 1) await refusal(pin.verify('00000000'));
    await pin.reset('24681357');
    await expect(pin.verify('24681357')).resolves.toBeUndefined();
    await pin.reset(null);
    expect(pin.isSet()).toBe(false);
  });

  it('an unreadable stored record refuses (never lets through) and says how to reset it', async () => {
    const { pin, corrupt } = setup();
    corrupt('{"v":1,"hash":');
    expect(pin.isSet()).toBe(true);
    expect(await refusal(pin.verify('48260193'))).toMatchObject({
      code: 'PIN_UNREADABLE',
      message: expect.stringContaining('pos-companion config set storePin'),
    });
  });
});
