// The fleet view against a real Prometheus Pushgateway: a real engine on a real SQLite data
// folder pushes its health, and the gateway's /metrics shows each series with the till's labels;
// the running engine pushes by itself once fleet.pushUrl is set; `metrics push` as an admin runs
// it (exit codes, one line on failure); basic auth is sent and never shown.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createEngine, noSync } from '../../../main/engine.ts';
import type { Engine } from '../../../main/engine.ts';
import { appVersion, pushHealth } from '../../../main/fleet/metrics.ts';
import { silentLogger } from '../../../main/log.ts';
import { ClockCheckStore } from '../../../main/sync/clock-check-store.ts';
import { freePort, hasPushgateway, NO_PUSHGATEWAY, sampleValue, startPushgateway } from '../../support/pushgateway.ts';
import type { RunningPushgateway } from '../../support/pushgateway.ts';
import { gameballRefuses, synced, tempDir, tillFixture } from '../../support/till-fixture.ts';

const repoRoot = resolve(import.meta.dirname, '../../..');
const bin = join(repoRoot, 'main/bin/pos-companion.mjs');
const CAPTURED_AT = Date.parse('2025-03-01T09:00:00.000Z');
const NOW = CAPTURED_AT + 3_600_000;
const SYNCED_AT = '2025-03-01T09:30:00.000Z';
const PASSWORD = 'push-pass-Zq81xv';
const FLEET = { pushUrl: null, pushIntervalSeconds: 60, pushUser: null };

if (!hasPushgateway) console.warn(NO_PUSHGATEWAY);

let folder: { dir: string; cleanup(): void };
let gateway: RunningPushgateway | undefined;
beforeEach(() => {
  folder = tempDir('pos-fleet-');
});
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  folder.cleanup();
});

/** Three live orders in the data folder: one pending, one Gameball refused (attention), one synced. */
function seedOrders(settings: Record<string, unknown> = {}): void {
  // Live mode (no keys here, so auto would be training): the live orders are the ones counted.
  const t = tillFixture({ dir: folder.dir, settings: { storeId: 'store-7', tillId: 'till-3', trainingMode: 'off', ...settings } });
  try {
    const ids = [1, 2, 3].map((i) => t.orders.captureOrder({ mobile: `+96650000${1230 + i}`, totalPaidMinor: i * 100 }).orderId);
    gameballRefuses(t, ids[1]!);
    synced(t, ids[2]!, SYNCED_AT);
    new ClockCheckStore(t.db).save(false, 90_000, NOW - 60_000);
  } finally {
    t.close();
  }
}

function openEngine(opts: { startSync?: boolean; env?: NodeJS.ProcessEnv; now?: () => number } = {}): Promise<Engine> {
  return createEngine({
    dataDir: folder.dir,
    clock: { now: opts.now ?? (() => NOW) },
    training: false,
    sync: noSync,
    secretCipher: null,
    env: opts.env ?? {},
    logger: silentLogger(),
    startSync: opts.startSync ?? false,
  });
}

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [bin, ...args, '--data-dir', folder.dir], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, HOME: folder.dir, XDG_CONFIG_HOME: folder.dir, NODE_ENV: 'test', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** Everything the data folder's logs hold. */
function logs(): string {
  const dir = join(folder.dir, 'logs');
  try {
    return readdirSync(dir)
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('');
  } catch {
    return '';
  }
}

describe.skipIf(!hasPushgateway)('with a real Pushgateway', () => {
  test("a real engine's push shows on the gateway: counts, attention, ages, last success, skew, version, labels", async () => {
    seedOrders();
    gateway = await startPushgateway();
    const engine = await openEngine();
    try {
      const s = engine.getSettings();
      const result = await pushHealth(
        { status: engine.status(), storeId: s.storeId, tillId: s.tillId, version: appVersion() },
        { url: gateway.url, user: null, password: null },
      );
      expect(result.grouping).toEqual({ store: 'store-7', till: 'till-3' });
      expect(result.metricCount).toBe(9);
    } finally {
      await engine.close();
    }
    const text = await gateway.metrics();
    const till = { job: 'pos_companion', store: 'store-7', till: 'till-3' };
    expect(sampleValue(text, 'pos_companion_orders', { ...till, state: 'pending' })).toBe(1);
    expect(sampleValue(text, 'pos_companion_orders', { ...till, state: 'attention' })).toBe(1);
    expect(sampleValue(text, 'pos_companion_orders', { ...till, state: 'synced' })).toBe(1);
    expect(sampleValue(text, 'pos_companion_orders', { ...till, state: 'discarded' })).toBe(0);
    expect(sampleValue(text, 'pos_companion_refunds', { ...till, state: 'pending' })).toBe(0);
    expect(sampleValue(text, 'pos_companion_needs_attention', till)).toBe(1);
    // The pending order was captured an hour before NOW (the fixture's clock).
    expect(sampleValue(text, 'pos_companion_oldest_pending_age_seconds', till)).toBe(3600);
    expect(sampleValue(text, 'pos_companion_last_sync_success_timestamp_seconds', till)).toBe(Date.parse(SYNCED_AT) / 1000);
    expect(sampleValue(text, 'pos_companion_clock_skew_seconds', till)).toBe(90);
    expect(sampleValue(text, 'pos_companion_online', till)).toBe(0);
    expect(sampleValue(text, 'pos_companion_training', till)).toBe(0);
    const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
    expect(sampleValue(text, 'pos_companion_app_info', { ...till, version })).toBe(1);
  }, 30_000);

  test('a till without a store id is labelled store="unset"; a second push replaces the group (PUT)', async () => {
    const t = tillFixture({ dir: folder.dir, settings: { tillId: 'till-9' } });
    t.orders.captureOrder({ mobile: '+966500001240', totalPaidMinor: 100 });
    synced(t, t.rows<{ order_id: string }>('SELECT order_id FROM orders')[0]!.order_id, SYNCED_AT);
    t.close();
    gateway = await startPushgateway();
    const push = async () => {
      const engine = await openEngine();
      try {
        const s = engine.getSettings();
        await pushHealth(
          { status: engine.status(), storeId: s.storeId, tillId: s.tillId, version: '9.9.9' },
          { url: gateway!.url, user: null, password: null },
        );
      } finally {
        await engine.close();
      }
    };
    await push();
    const till = { job: 'pos_companion', store: 'unset', till: 'till-9' };
    expect(sampleValue(await gateway.metrics(), 'pos_companion_last_sync_success_timestamp_seconds', till)).toBe(
      Date.parse(SYNCED_AT) / 1000,
    );
    // The till forgets its last success (its audit log pruned): the next push leaves no stale series.
    const t2 = tillFixture({ dir: folder.dir });
    t2.db.prepare('DELETE FROM sync_log').run();
    t2.close();
    await push();
    const text = await gateway.metrics();
    expect(sampleValue(text, 'pos_companion_last_sync_success_timestamp_seconds', till)).toBeUndefined();
    expect(sampleValue(text, 'pos_companion_orders', { ...till, state: 'synced' })).toBe(1);
  }, 30_000);

  test('the running engine pushes by itself once fleet.pushUrl is set, and not before', async () => {
    seedOrders();
    gateway = await startPushgateway();
    const engine = await openEngine({ startSync: true, now: () => Date.now() });
    try {
      // Unset: the first tick (5 s after start) pushes nothing.
      await new Promise((r) => setTimeout(r, 5_500));
      expect(await gateway.metrics()).not.toContain('pos_companion_');
      engine.updateSettings({ fleet: { ...FLEET, pushUrl: gateway.url, pushIntervalSeconds: 15 } });
      const deadline = Date.now() + 10_000;
      let text = '';
      while (Date.now() < deadline && !(text = await gateway.metrics()).includes('pos_companion_needs_attention')) {
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(sampleValue(text, 'pos_companion_needs_attention', { store: 'store-7', till: 'till-3' })).toBe(1);
      expect(sampleValue(text, 'pos_companion_orders', { store: 'store-7', till: 'till-3', state: 'pending' })).toBe(1);
    } finally {
      await engine.close();
    }
  }, 45_000);

  test('`metrics push` pushes once and says what: exit 0', async () => {
    seedOrders();
    gateway = await startPushgateway();
    const r = await cli(['metrics', 'push', '--url', gateway.url]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // 9: all but online and scanner_connected (unknown to a one-shot command), scanner_info included.
    expect(r.stdout).toBe(`Pushed 9 metrics to ${gateway.url} as job=pos_companion store=store-7 till=till-3.\n`);
    const text = await gateway.metrics();
    expect(sampleValue(text, 'pos_companion_needs_attention', { store: 'store-7', till: 'till-3' })).toBe(1);
    // A one-shot command runs no sync: whether the till is online is unknown, so not claimed.
    expect(sampleValue(text, 'pos_companion_online', { store: 'store-7', till: 'till-3' })).toBeUndefined();
    // Nor does it run the scanner: its mode is sent, its state is unknown, "connected" is not claimed.
    expect(sampleValue(text, 'pos_companion_scanner_info', { store: 'store-7', till: 'till-3', mode: 'auto', state: 'unknown' })).toBe(1);
    expect(sampleValue(text, 'pos_companion_scanner_connected', { store: 'store-7', till: 'till-3' })).toBeUndefined();
  }, 30_000);

  test('a store id with a slash, a space or a percent sign keeps its grouping (label@base64 in the path); the scanner state is pushed', async () => {
    seedOrders({ storeId: 'riyadh/north 1%' });
    gateway = await startPushgateway();
    const engine = await openEngine();
    try {
      const s = engine.getSettings();
      const result = await pushHealth(
        {
          status: engine.status(),
          storeId: s.storeId,
          tillId: s.tillId,
          version: appVersion(),
          scanner: { mode: 'hidpos', state: 'connected' },
        },
        { url: gateway.url, user: null, password: null },
      );
      expect(result.grouping).toEqual({ store: 'riyadh/north 1%', till: 'till-3' });
    } finally {
      await engine.close();
    }
    const text = await gateway.metrics();
    const till = { job: 'pos_companion', store: 'riyadh/north 1%', till: 'till-3' };
    expect(sampleValue(text, 'pos_companion_orders', { ...till, state: 'pending' })).toBe(1);
    expect(sampleValue(text, 'pos_companion_scanner_connected', till)).toBe(1);
    expect(sampleValue(text, 'pos_companion_scanner_info', { ...till, mode: 'hidpos', state: 'connected' })).toBe(1);
    // One group, under the store's real name: nothing under a piece of it.
    expect(text).not.toMatch(/store="riyadh"/);
    expect(text).not.toMatch(/store="riyadh%2F/i);
  }, 30_000);

  test('`metrics push` uses the fleet.pushUrl setting when no --url is given', async () => {
    gateway = await startPushgateway();
    seedOrders({ fleet: { ...FLEET, pushUrl: gateway.url } });
    const r = await cli(['metrics', 'push']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`to ${gateway.url} as job=pos_companion store=store-7 till=till-3`);
    expect(await gateway.metrics()).toContain('pos_companion_orders{');
  }, 30_000);
});

describe('`metrics push` failures and credentials', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
    server = undefined;
  });

  /** A tiny HTTP server that records each request's method, path and headers, and answers `status`. */
  async function recorder(
    status: number,
  ): Promise<{ url: string; seen: { method?: string; url?: string; headers: IncomingHttpHeaders }[] }> {
    const seen: { method?: string; url?: string; headers: IncomingHttpHeaders }[] = [];
    server = createServer((req, res) => {
      seen.push({ method: req.method, url: req.url, headers: req.headers });
      req.resume();
      req.on('end', () => res.writeHead(status).end(status >= 400 ? 'denied' : ''));
    });
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
  }

  test('sends basic auth (user from fleet.pushUser, password from the environment) and never prints or logs it', async () => {
    seedOrders({ fleet: { ...FLEET, pushUser: 'office' } });
    const rec = await recorder(200);
    const r = await cli(['metrics', 'push', '--url', rec.url], { POS_COMPANION_PUSH_PASSWORD: PASSWORD });
    expect(r.code, r.stderr).toBe(0);
    expect(rec.seen).toHaveLength(1);
    expect(rec.seen[0]!.method).toBe('PUT');
    expect(rec.seen[0]!.url).toBe('/metrics/job/pos_companion/store/store-7/till/till-3');
    expect(rec.seen[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`office:${PASSWORD}`).toString('base64')}`);
    expect(r.stdout + r.stderr + logs()).not.toContain(PASSWORD);
  }, 30_000);

  test('a gateway that refuses (4xx/5xx) is exit 1 and one line, without the password', async () => {
    seedOrders({ fleet: { ...FLEET, pushUser: 'office' } });
    const rec = await recorder(401);
    const r = await cli(['metrics', 'push', '--url', rec.url], { POS_COMPANION_PUSH_PASSWORD: PASSWORD });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`pos-companion: the Pushgateway at ${rec.url} answered HTTP 401\n`);
    expect(r.stderr + logs()).not.toContain(PASSWORD);
  }, 30_000);

  test('a gateway that is down is exit 1 and one line', async () => {
    seedOrders();
    const url = `http://127.0.0.1:${await freePort()}`;
    const r = await cli(['metrics', 'push', '--url', url]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`pos-companion: the Pushgateway at ${url} could not be reached (ECONNREFUSED)\n`);
  }, 30_000);

  test('bad input is exit 2: a plain-http URL off this computer, a non-URL, no URL at all', async () => {
    seedOrders();
    const offBox = await cli(['metrics', 'push', '--url', 'http://pushgateway.example.com']);
    expect(offBox.code).toBe(2);
    expect(offBox.stderr).toMatch(/^pos-companion: --url must be https:\/\/, or http:\/\/ only to this computer .*\n$/);
    const garbage = await cli(['metrics', 'push', '--url', 'not a url']);
    expect(garbage.code).toBe(2);
    expect(garbage.stderr.split('\n')).toHaveLength(2);
    const none = await cli(['metrics', 'push']);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe('pos-companion: no Pushgateway: give --url, or set one with `pos-companion config set fleet.pushUrl URL`.\n');
  }, 30_000);
});
