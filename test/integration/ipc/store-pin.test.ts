// The store PIN through the one door every screen uses (the router, as Electron's IPC and browser
// mode's WebSocket call it), on a real engine and database: once a PIN is set, exporting the
// orders and changing the Gameball keys need it; wrong PINs are rate-limited in main; only a
// salted hash is stored; neither the PIN nor its hash ever leaves main or reaches the log.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { routedTill } from '../../support/routed-till.ts';

const PIN = '48260193';
const OTHER = '11112222';

let cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function till() {
  const r = await routedTill('pos-store-pin-');
  cleanups.push(() => r.cleanup());
  r.engine.captureOrder({ mobile: '0500001234', name: 'Sara', totalPaidMinor: 1000 });
  return r;
}

describe('store PIN', () => {
  it('without a PIN, export and keys work as before, and settings say none is set', async () => {
    const { call } = await till();
    expect(await call('settings:get')).toMatchObject({ ok: true, value: { storePinSet: false } });
    expect(await call('orders:export', { state: 'all', format: 'csv' })).toMatchObject({
      ok: true,
      value: { content: expect.stringContaining('966500001234') },
    });
    expect(await call('settings:set-keys', { apiKey: 'key-without-pin-1' })).toMatchObject({ ok: true, value: { apiKeySet: true } });
  });

  it('once set, exporting every order needs it: none asks for it, a wrong one is refused, the right one exports', async () => {
    const { call } = await till();
    expect(await call('settings:set-store-pin', { pin: PIN })).toEqual({ ok: true, value: { storePinSet: true } });
    const none = await call('orders:export', { state: 'all', format: 'csv' });
    expect(none).toEqual({
      ok: false,
      error: { code: 'pin-required', message: 'This action needs the store PIN.', field: 'pin', reason: 'PIN_REQUIRED' },
    });
    const wrong = await call('orders:export', { state: 'all', format: 'csv', pin: OTHER });
    expect(wrong).toEqual({
      ok: false,
      error: { code: 'pin-wrong', message: 'That is not the store PIN.', field: 'pin', reason: 'PIN_WRONG' },
    });
    for (const r of [none, wrong]) expect(JSON.stringify(r)).not.toContain('966500001234');
    expect(await call('orders:export', { state: 'all', format: 'csv', pin: PIN })).toMatchObject({
      ok: true,
      value: { content: expect.stringContaining('966500001234') },
    });
    // A PIN that is not 4-12 digits never reaches the check.
    expect(await call('orders:export', { state: 'all', format: 'csv', pin: '12' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-request', field: 'pin' },
    });
  });

  it('once set, changing or removing the Gameball keys needs it, and nothing changes without it', async () => {
    const { call, engine } = await till();
    await call('settings:set-store-pin', { pin: PIN });
    expect(await call('settings:set-keys', { apiKey: 'attacker-api-key-1', secretKey: 'attacker-secret-1' })).toMatchObject({
      ok: false,
      error: { code: 'pin-required' },
    });
    expect(await call('settings:set-keys', { apiKey: null, secretKey: null, pin: OTHER })).toMatchObject({
      ok: false,
      error: { code: 'pin-wrong' },
    });
    expect(engine.getSettings().keys).toEqual({ apiKeySet: false, secretKeySet: false });
    expect(engine.training).toBe(true);
    expect(await call('settings:set-keys', { apiKey: 'store-api-key-1', secretKey: 'store-secret-key-1', pin: PIN })).toMatchObject({
      ok: true,
      value: { apiKeySet: true, secretKeySet: true },
    });
  });

  it('wrong PINs lock it in main: after five, even the right one waits a minute', async () => {
    const { call, clock } = await till();
    await call('settings:set-store-pin', { pin: PIN });
    for (let i = 0; i < 4; i += 1)
      expect(await call('orders:export', { pin: OTHER })).toMatchObject({ ok: false, error: { code: 'pin-wrong' } });
    expect(await call('orders:export', { pin: OTHER })).toEqual({
      ok: false,
      error: { code: 'pin-locked', message: 'Too many wrong PINs. Try again in 1 minute.', field: 'pin', reason: 'PIN_LOCKED' },
    });
    expect(await call('orders:export', { pin: PIN })).toMatchObject({ ok: false, error: { code: 'pin-locked' } });
    expect(await call('settings:set-keys', { apiKey: 'k-1234567', pin: PIN })).toMatchObject({ ok: false, error: { code: 'pin-locked' } });
    clock.advance(60_000);
    expect(await call('orders:export', { pin: PIN })).toMatchObject({ ok: true });
  });

  it('changing or removing the PIN from the screen needs the current one', async () => {
    const { call } = await till();
    await call('settings:set-store-pin', { pin: PIN });
    expect(await call('settings:set-store-pin', { pin: OTHER })).toMatchObject({
      ok: false,
      error: { code: 'pin-required', field: 'currentPin' },
    });
    expect(await call('settings:set-store-pin', { pin: null, currentPin: OTHER })).toMatchObject({
      ok: false,
      error: { code: 'pin-wrong', field: 'currentPin' },
    });
    expect(await call('settings:set-store-pin', { pin: OTHER, currentPin: PIN })).toEqual({ ok: true, value: { storePinSet: true } });
    expect(await call('orders:export', { pin: OTHER })).toMatchObject({ ok: true });
    expect(await call('settings:set-store-pin', { pin: null, currentPin: OTHER })).toEqual({ ok: true, value: { storePinSet: false } });
    expect(await call('orders:export', {})).toMatchObject({ ok: true });
  });

  it('stores only a salted scrypt hash; neither the PIN nor the hash crosses to the screen or reaches the log', async () => {
    const { call, dir, log, engine } = await till();
    await call('settings:set-store-pin', { pin: PIN });
    await call('orders:export', { pin: OTHER });
    await call('orders:export', { pin: PIN });
    await engine.close();
    const db = new BetterSqlite3(join(dir, 'pos-companion.db'), { readonly: true });
    const rows = db.prepare('SELECT key, value FROM settings').all() as Array<{ key: string; value: string }>;
    db.close();
    const record = JSON.parse(rows.find((r) => r.key === 'storePin')?.value ?? 'null') as Record<string, unknown>;
    expect(record).toMatchObject({ v: 1, N: 32768, r: 8, p: 1, salt: expect.any(String), hash: expect.any(String) });
    for (const name of ['pos-companion.db', 'pos-companion.db-wal']) {
      if (existsSync(join(dir, name))) expect(readFileSync(join(dir, name)).includes(Buffer.from(PIN)), name).toBe(false);
    }
    expect(JSON.stringify(rows)).not.toContain(PIN);
    expect(log()).toContain('wrong store PIN');
    expect(log()).not.toContain(PIN);
    expect(log()).not.toContain(OTHER);
    expect(log()).not.toContain(String(record.hash));
  });

  it('settings tell the screen only whether a PIN is set, never the hash, and no settings patch can touch it', async () => {
    const { call } = await till();
    await call('settings:set-store-pin', { pin: PIN });
    const settings = await call('settings:get');
    expect(settings).toMatchObject({ ok: true, value: { storePinSet: true } });
    expect(JSON.stringify(settings)).not.toMatch(/salt|hash|scrypt|48260193/);
    expect(await call('settings:update', { storePin: null })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(await call('orders:export', {})).toMatchObject({ ok: false, error: { code: 'pin-required' } });
  });
});
