import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEngine, noSync, STATUS_COALESCE_MS, withEngine } from '../../main/engine.ts';
import type { Engine, SyncContext, SyncFactory } from '../../main/engine.ts';
import { systemClock } from '../../main/clock.ts';
import { silentLogger } from '../../main/log.ts';
import { startSimulator } from '../../main/simulator/index.ts';
import { gameballSync } from '../../main/sync/wiring.ts';
import type { SyncStatus } from '../../main/orders/schemas.ts';
import { testCipher } from '../support/test-cipher.ts';
import { steppedClock, tempDir } from '../support/till-fixture.ts';

let cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});
function folder(): string {
  const t = tempDir('pos-engine-');
  cleanups.push(t.cleanup);
  return t.dir;
}
async function engineAt(dataDir: string, extra: Partial<Parameters<typeof createEngine>[0]> = {}): Promise<Engine> {
  // The facade alone: the sync part is stubbed (the Gameball sync has its own tests).
  const e = await createEngine({
    dataDir,
    clock: steppedClock(),
    logger: silentLogger(),
    secretCipher: null,
    env: {},
    sync: noSync,
    ...extra,
  });
  cleanups.push(() => e.close());
  return e;
}

describe('createEngine', () => {
  it('works on a fresh data folder with defaults; training when no keys are configured', async () => {
    const e = await engineAt(folder());
    expect(e.training).toBe(true);
    const s = e.getSettings();
    expect(s).toMatchObject({ currency: 'SAR', country: 'SA', keys: { apiKeySet: false, secretKeySet: false } });
    const o = e.captureOrder({ mobile: '0500001234', totalPaidMinor: 1000 });
    expect(o.training).toBe(true);
    expect(e.getOrder(o.orderId)?.state).toBe('pending');
    expect(e.status().counts.pending).toBe(1);
  });

  it('keys set through the engine are encrypted, never shown, and switch auto mode to live, now and on the next start', async () => {
    const dir = folder();
    const cipher = testCipher();
    const first = await engineAt(dir, { secretCipher: cipher });
    first.setKeys({ apiKey: 'live-api-key-0001', secretKey: 'live-secret-key-0002' });
    expect(first.training).toBe(false);
    const settings = first.getSettings();
    expect(settings.keys).toEqual({ apiKeySet: true, secretKeySet: true });
    expect(JSON.stringify(settings)).not.toMatch(/live-api-key|live-secret-key/);
    await first.close();
    const seen: SyncContext[] = [];
    const second = await engineAt(dir, { secretCipher: cipher, sync: (ctx) => (seen.push(ctx), noopSync()) });
    expect(second.training).toBe(false);
    expect(seen[0]?.gameball()).toEqual({
      baseUrl: 'https://api.gameball.co',
      apiVersion: 'v4.0',
      apiKey: 'live-api-key-0001',
      secretKey: 'live-secret-key-0002',
      unreadable: null,
    });
    const onDisk = Buffer.concat(
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => readFileSync(join(d.parentPath, d.name))),
    );
    expect(onDisk.includes(Buffer.from('live-secret-key-0002'))).toBe(false);
  });

  it('environment keys count as configured and win; the training option and setting override auto', async () => {
    const dir = folder();
    const env = { GAMEBALL_API_KEY: 'env-api-key-xyz', GAMEBALL_SECRET_KEY: 'env-secret-key-xyz' };
    expect((await engineAt(dir, { env })).training).toBe(false);
    expect((await engineAt(dir, { env, training: true })).training).toBe(true);
    const e = await engineAt(dir);
    e.updateSettings({ trainingMode: 'off' });
    expect((await engineAt(dir)).training).toBe(false);
  });

  it('stored keys this process cannot read keep the till live: sales are taken live and wait, and the status says why', async () => {
    // The desktop app stores the keys with safeStorage; the CLI (or browser mode) cannot read them.
    // Taking its sales as training would mean they are never sent.
    const dir = folder();
    const desktop = testCipher('electron-safestorage-v1');
    const app = await engineAt(dir, { secretCipher: desktop });
    app.setKeys({ apiKey: 'live-api-key-0001', secretKey: 'live-secret-key-0002' });
    expect(app.training).toBe(false);
    await app.close();
    for (const [what, reader] of [
      ['another scheme', testCipher('linux-secret-service')],
      ['the same scheme, another master key', testCipher('electron-safestorage-v1')],
      ['no key store at all', null],
    ] as const) {
      const cli = await engineAt(dir, { secretCipher: reader, sync: gameballSync(), startSync: false });
      expect(cli.training, what).toBe(false);
      const o = cli.captureOrder({ mobile: '0500001234', totalPaidMinor: 1000 });
      expect(o.training, what).toBe(false);
      expect(cli.getSettings().keys, what).toEqual({
        apiKeySet: false,
        secretKeySet: false,
        apiKeyUnreadable: true,
        secretKeyUnreadable: true,
      });
      const s = cli.status();
      expect(s.training, what).toBe(false);
      expect(s.lastError?.message, what).toMatch(/^The Gameball keys are stored on this till but cannot be read here \(/);
      expect(s.lastError?.message, what).toMatch(/set GAMEBALL_API_KEY and GAMEBALL_SECRET_KEY in the environment/);
      await cli.close();
    }
    // The app that stored the keys reads them and finds every sale waiting as live.
    const back = await engineAt(dir, { secretCipher: desktop });
    expect(back.training).toBe(false);
    expect(back.status().counts.pending).toBe(3);
  });

  it('a live till whose keys are missing or unreadable starts sending as soon as the keys are entered, without a restart', async () => {
    const sim = await startSimulator({ apiKey: 'sim-api-key-0001', secretKey: 'sim-secret-key-0002', rateLimit: false });
    cleanups.push(() => sim.close());
    const desktop = testCipher('electron-safestorage-v1');
    for (const [what, prepare] of [
      ['live mode set by hand, no keys', (e: Engine) => void e.updateSettings({ trainingMode: 'off' })],
      ['keys stored by the desktop app', (e: Engine) => e.setKeys({ apiKey: 'old-api-key-0001', secretKey: 'old-secret-key-0002' })],
    ] as const) {
      const dir = folder();
      const first = await engineAt(dir, { secretCipher: desktop });
      prepare(first);
      await first.close();
      const e = await engineAt(dir, {
        secretCipher: testCipher('master-key-file'),
        env: { GAMEBALL_BASE_URL: sim.url },
        clock: systemClock,
        startSync: true,
        sync: gameballSync({ idlePollMs: 20, backoff: { baseMs: 20, capMs: 100, minMs: 5 } }),
      });
      expect(e.training, what).toBe(false);
      const o = e.captureOrder({ mobile: '0500001234', totalPaidMinor: 1000 });
      expect(e.status().lastError?.message, what).toMatch(
        /^(Gameball keys are not set|The Gameball keys are stored on this till but cannot be read here)/,
      );
      e.setKeys({ apiKey: 'sim-api-key-0001', secretKey: 'sim-secret-key-0002' });
      await vi.waitFor(() => expect(e.getOrder(o.orderId)?.state, what).toBe('synced'), { timeout: 5_000, interval: 20 });
      expect(
        sim.control.ledger().orders.filter((x) => x.orderId === o.orderId),
        what,
      ).toHaveLength(1);
      // The reason it gave while it could not send is gone.
      expect(e.status().lastError, what).toBeNull();
    }
  });

  it('a key store that cannot decrypt at start (a keychain still locked) is asked again a minute later: the till then sends', async () => {
    const sim = await startSimulator({ apiKey: 'sim-api-key-0001', secretKey: 'sim-secret-key-0002', rateLimit: false });
    cleanups.push(() => sim.close());
    const dir = folder();
    const key = randomBytes(32);
    const first = await engineAt(dir, { secretCipher: testCipher('os-keystore', key) });
    first.setKeys({ apiKey: 'sim-api-key-0001', secretKey: 'sim-secret-key-0002' });
    await first.close();
    // Locked: every decrypt fails until it is unlocked.
    const store = testCipher('os-keystore', key);
    let locked = true;
    let decrypts = 0;
    const keychain = {
      ...store,
      decrypt: (b: Buffer) => {
        decrypts += 1;
        if (locked) throw new Error('the keychain is locked');
        return store.decrypt(b);
      },
    };
    const clock = steppedClock();
    const e = await engineAt(dir, {
      secretCipher: keychain,
      env: { GAMEBALL_BASE_URL: sim.url },
      clock,
      startSync: true,
      sync: gameballSync({ idlePollMs: 20, backoff: { baseMs: 20, capMs: 100, minMs: 5 }, configRetryMs: 20 }),
    });
    expect(e.training).toBe(false);
    const o = e.captureOrder({ mobile: '0500001234', totalPaidMinor: 1000 });
    expect(e.status().lastError?.message).toMatch(/cannot be read here \(the stored ciphertext could not be decrypted\)/);
    // Within the minute the key store is not asked again, however often the sync looks.
    await new Promise((r) => setTimeout(r, 100));
    const asked = decrypts;
    expect(e.getOrder(o.orderId)?.state).toBe('pending');
    locked = false;
    await new Promise((r) => setTimeout(r, 100));
    expect(decrypts).toBe(asked);
    clock.advance(60_000);
    await vi.waitFor(() => expect(e.getOrder(o.orderId)?.state).toBe('synced'), { timeout: 5_000, interval: 20 });
    expect(sim.control.ledger().orders.filter((x) => x.orderId === o.orderId)).toHaveLength(1);
    expect(e.status().lastError).toBeNull();
  });

  it('follows keys and the trainingMode setting while running: the old sync part stops before the new one starts', async () => {
    const events: string[] = [];
    const sync: SyncFactory = (ctx) => {
      events.push(`start training=${ctx.training}`);
      return {
        advisor: null,
        online: () => true,
        status: () => ({
          counts: { pending: 0, sending: 0, synced: 0, attention: 0, discarded: 0 },
          refundCounts: { pending: 0, sending: 0, synced: 0, attention: 0, discarded: 0 },
          oldestPendingAgeMs: null,
          lastSuccessAt: null,
          lastError: null,
          online: true,
          training: ctx.training,
        }),
        syncNow: () => {},
        testConnection: async () => ({ ok: true, message: `training=${ctx.training}` }),
        close: async () => {
          await new Promise((r) => setTimeout(r, 20));
          events.push(`close training=${ctx.training}`);
        },
      };
    };
    const e = await engineAt(folder(), { secretCipher: testCipher(), sync });
    const statuses: SyncStatus[] = [];
    e.onStatus((s) => statuses.push(s));
    expect(e.training).toBe(true);

    e.setKeys({ apiKey: 'live-api-key-0001' });
    expect(e.training).toBe(true); // one key is not enough
    e.setKeys({ secretKey: 'live-secret-key-0002' });
    // The next capture is live at once; the connection test waits for the live sync part.
    expect(e.training).toBe(false);
    expect(e.captureOrder({ mobile: '0500001234', totalPaidMinor: 1000 }).training).toBe(false);
    expect(await e.testConnection()).toEqual({ ok: true, message: 'training=false' });
    await vi.waitFor(() => expect(statuses.at(-1)?.training).toBe(false));

    e.updateSettings({ trainingMode: 'on' });
    expect(e.training).toBe(true);
    e.updateSettings({ trainingMode: 'auto' });
    expect(e.training).toBe(false);
    e.setKeys({ apiKey: null, secretKey: null });
    expect(e.training).toBe(true);
    await e.whenModeSettled();
    expect(e.status().training).toBe(true);
    await vi.waitFor(() => expect(statuses.at(-1)?.training).toBe(true));
    // One swap at a time, each part closed before the next is built; changes made while a swap
    // runs are taken together (on, auto, keys removed: one swap to training, not three).
    expect(events).toEqual([
      'start training=true',
      'close training=true',
      'start training=false',
      'close training=false',
      'start training=true',
    ]);
  });

  it('a mode fixed by the caller does not follow keys or settings', async () => {
    const e = await engineAt(folder(), { secretCipher: testCipher(), training: true });
    e.setKeys({ apiKey: 'live-api-key-0001', secretKey: 'live-secret-key-0002' });
    e.updateSettings({ trainingMode: 'off' });
    expect(e.training).toBe(true);
  });

  it('hands the sync part its context, pokes it on every change, and closes it before the database', async () => {
    const events: string[] = [];
    const sync: SyncFactory = (ctx) => {
      events.push(`start training=${ctx.training} startSync=${ctx.startSync}`);
      return {
        advisor: null,
        online: () => true,
        syncNow: () => events.push('syncNow'),
        testConnection: async () => ({ ok: true, message: 'fine' }),
        close: async () => {
          events.push('close');
          // The database is still open while the sync part stops.
          expect(ctx.db.open).toBe(true);
        },
      };
    };
    const e = await engineAt(folder(), { sync, startSync: false });
    const o = e.captureOrder({ customerId: 'c', totalPaidMinor: 100 });
    e.captureRefund({ orderId: o.orderId });
    expect(await e.testConnection()).toEqual({ ok: true, message: 'fine' });
    expect(e.status().online).toBe(true);
    await e.close();
    await e.close();
    expect(events).toEqual(['start training=true startSync=false', 'syncNow', 'syncNow', 'close']);
  });

  it('emits status to listeners after changes, coalesced, until unsubscribed', async () => {
    // The engine's own timer decides when a status goes out, so the test drives that timer: no
    // dependence on how busy the machine is.
    const e = await engineAt(folder());
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate'] });
    try {
      const got: SyncStatus[] = [];
      const off = e.onStatus((s) => got.push(s));
      e.captureOrder({ customerId: 'a', totalPaidMinor: 100 });
      e.captureOrder({ customerId: 'b', totalPaidMinor: 100 });
      // Nothing is computed on the capture path itself.
      expect(got).toHaveLength(0);
      vi.advanceTimersByTime(STATUS_COALESCE_MS);
      expect(got).toHaveLength(1);
      expect(got[0]?.counts.pending).toBe(2);
      e.captureOrder({ customerId: 'c', totalPaidMinor: 100 });
      vi.advanceTimersByTime(STATUS_COALESCE_MS);
      expect(got).toHaveLength(2);
      expect(got[1]?.counts.pending).toBe(3);
      off();
      e.captureOrder({ customerId: 'd', totalPaidMinor: 100 });
      vi.runAllTimers();
      expect(got).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('with the Gameball sync part, a change reaches listeners after one debounce, not two in series', async () => {
    // The sync engine tells the facade at once that something changed; the facade's timer is the
    // only wait between a capture and its status event.
    const e = await engineAt(folder(), { sync: gameballSync(), startSync: false });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate'] });
    try {
      const got: SyncStatus[] = [];
      e.onStatus((s) => got.push(s));
      e.captureOrder({ customerId: 'a', totalPaidMinor: 100 });
      expect(got).toHaveLength(0);
      vi.advanceTimersByTime(STATUS_COALESCE_MS);
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({ training: true, counts: { pending: 1 } });
      // Told only when the status changed: a change that leaves it as it was sends nothing.
      e.updateSettings({ currency: 'SAR' });
      vi.runAllTimers();
      expect(got).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('leaves status events to a sync part that keeps its own status', async () => {
    let notify: (() => void) | undefined;
    const e = await engineAt(folder(), {
      sync: (ctx) => {
        notify = ctx.notifyStatus;
        const empty = { pending: 0, sending: 0, synced: 0, attention: 0, discarded: 0 };
        return {
          ...noopSync(),
          status: () => ({
            counts: empty,
            refundCounts: empty,
            oldestPendingAgeMs: null,
            lastSuccessAt: null,
            lastError: null,
            online: true,
            training: true,
          }),
        };
      },
    });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate'] });
    try {
      const got: SyncStatus[] = [];
      e.onStatus((s) => got.push(s));
      e.captureOrder({ customerId: 'a', totalPaidMinor: 100 });
      vi.runAllTimers();
      expect(got).toHaveLength(0);
      notify?.();
      vi.runAllTimers();
      expect(got).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('reports a corrupt database moved aside as a notice and carries on with a fresh one', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'pos-companion.db'), 'garbage, not sqlite'.repeat(100));
    const e = await engineAt(dir);
    expect(e.notices).toHaveLength(1);
    expect(e.notices[0]?.code).toBe('DB_DAMAGED_UNRECOVERED');
    expect(e.notices[0]?.message).toMatch(/moved aside to .*pos-companion\.db\.corrupt-/);
    expect(e.captureOrder({ customerId: 'a', totalPaidMinor: 100 }).state).toBe('pending');
  });

  it('withEngine closes the engine even when the work throws', async () => {
    const dir = folder();
    let seen: Engine | undefined;
    await expect(
      withEngine({ dataDir: dir, logger: silentLogger(), secretCipher: null, env: {}, startSync: false, sync: noSync }, (e) => {
        seen = e;
        e.captureOrder({});
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(() => seen?.status()).toThrow(/database connection is not open/);
  });
});

function noopSync() {
  return {
    advisor: null,
    online: () => false,
    syncNow: () => {},
    testConnection: async () => ({ ok: false, message: '' }),
    close: async () => {},
  };
}
