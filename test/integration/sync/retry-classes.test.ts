// Every retry class against the simulator over real HTTP: network error (nothing listening),
// timeout, 429, 5xx and 2001. Each ends with every order synced and recorded once in the ledger.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { startSimulator } from '../../../main/simulator/index.ts';
import type { RunningSimulator } from '../../../main/simulator/index.ts';
import { createSyncFixture, mobile } from '../../support/sync-fixture.ts';
import type { SyncFixture } from '../../support/sync-fixture.ts';
import { simulatorClient } from '../../support/simulator-client.ts';

let f: SyncFixture | undefined;
let extraSim: RunningSimulator | undefined;
afterEach(async () => {
  await f?.close();
  await extraSim?.close();
  f = undefined;
  extraSim = undefined;
});

function expectOnceEach(sim: RunningSimulator, orderIds: string[]) {
  const ids = sim.control.ledger().orders.map((o) => o.orderId);
  expect(ids.sort()).toEqual([...orderIds].sort());
}

function log(fx: SyncFixture) {
  return fx.db.prepare('SELECT method, path, http_status, gameball_code, outcome FROM sync_log ORDER BY id').all() as Array<{
    method: string;
    path: string;
    http_status: number | null;
    gameball_code: number | null;
    outcome: string;
  }>;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

test('network error: nothing listening -> offline, rows wait; Gameball back -> synced', async () => {
  f = await createSyncFixture();
  const port = await freePort();
  const client = simulatorClient({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 2_000 });
  const orders = Array.from({ length: 10 }, (_, i) => f!.capture({ mobile: mobile(), totalPaidMinor: (10 + i) * 100 }));
  // A long backoff keeps this first pass to the requests that start before the first failure is
  // known, however slow the machine: the count below then depends on the rule, not on timing.
  // syncNow() later brings every waiting call forward.
  const engine = f.engine({ client, concurrency: 2, backoff: { baseMs: 60_000, capMs: 60_000, minMs: 60_000 } });
  const pass = await engine.drain({ untilEmpty: false, timeoutMs: 5_000 });
  expect(pass.remaining).toBe(10);
  const status = engine.status();
  expect(status.online).toBe(false);
  expect(status.counts.pending).toBe(10);
  expect(status.lastError?.message).toMatch(/Cannot reach Gameball/);
  expect(f.outbox(orders[0]!.orderId)[0]).toMatchObject({ state: 'pending', unknown_outcome: 0, last_error_code: 'NETWORK' });
  // Once Gameball is known to be unreachable, probes go out one at a time, not one per row.
  const failures = log(f).filter((l) => l.outcome === 'retry');
  expect(failures.length).toBeGreaterThan(0);
  expect(failures.length).toBeLessThanOrEqual(2);

  extraSim = await startSimulator({ port, rateLimit: false });
  engine.syncNow();
  expect((await engine.drain({ untilEmpty: true, timeoutMs: 10_000 })).empty).toBe(true);
  expect(engine.status().online).toBe(true);
  expectOnceEach(
    extraSim,
    orders.map((o) => o.orderId),
  );
});

test('timeout after sending: the order is reconciled, never posted twice', async () => {
  f = await createSyncFixture({ sim: { latencyMs: 400 }, timeoutMs: 150 });
  const order = f.capture({ mobile: mobile(), totalPaidMinor: 4200 });
  const engine = f.engine();
  await engine.drain({ untilEmpty: false, timeoutMs: 5_000 });
  expect(f.outbox(order.orderId)[0]).toMatchObject({ state: 'pending', unknown_outcome: 1 });
  // Gameball committed it after our timer fired.
  await new Promise((r) => setTimeout(r, 450));
  expect(f.sim.control.ledger().orders).toHaveLength(1);
  f.sim.control.setFaults({ latencyMs: 0 });
  engine.syncNow();
  expect((await engine.drain({ untilEmpty: true, timeoutMs: 10_000 })).empty).toBe(true);
  expect(f.order(order.orderId)).toMatchObject({ state: 'synced', rewarded_points: 42 });
  const counters = f.sim.control.ledger().counters;
  expect(counters.requests['POST /orders']).toBe(1);
  expect(counters.responses['422/9004']).toBeUndefined();
  expect(log(f).map((l) => `${l.method} ${l.outcome}`)).toEqual(expect.arrayContaining(['POST unknown', 'GET reconciled']));
  expectOnceEach(f.sim, [order.orderId]);
});

test("429: a limiter set above Gameball's limits meets 429s, backs off and gets everything through", async () => {
  f = await createSyncFixture({ sim: { rateLimit: { perSecond: 5, per30s: 1_000 } } });
  const orders = Array.from({ length: 12 }, () => f!.capture({ mobile: mobile(), totalPaidMinor: 500 }));
  const engine = f.engine({ rateLimits: { orders: { perSecond: 1_000, per30s: 100_000 } }, concurrency: 6 });
  expect((await engine.drain({ untilEmpty: true, timeoutMs: 20_000 })).empty).toBe(true);
  expect(f.sim.control.ledger().counters.rateLimited).toBeGreaterThan(0);
  expect(log(f).some((l) => l.http_status === 429 && l.outcome === 'retry')).toBe(true);
  expectOnceEach(
    f.sim,
    orders.map((o) => o.orderId),
  );
});

test("429 never happens when the limiter matches Gameball's limits", async () => {
  f = await createSyncFixture({ sim: { rateLimit: { perSecond: 8, per30s: 1_000 } } });
  const orders = Array.from({ length: 20 }, () => f!.capture({ mobile: mobile(), totalPaidMinor: 500 }));
  const engine = f.engine({ rateLimits: { orders: { perSecond: 8, per30s: 1_000 } }, concurrency: 6 });
  expect((await engine.drain({ untilEmpty: true, timeoutMs: 20_000 })).empty).toBe(true);
  expect(f.sim.control.ledger().counters.rateLimited).toBe(0);
  expectOnceEach(
    f.sim,
    orders.map((o) => o.orderId),
  );
});

test('5xx: injected 500/503 answers are retried until every order is in', async () => {
  f = await createSyncFixture({ sim: { errorRate: 0.5 } });
  const orders = Array.from({ length: 15 }, () => f!.capture({ mobile: mobile(), totalPaidMinor: 725 }));
  const engine = f.engine();
  expect((await engine.drain({ untilEmpty: true, timeoutMs: 20_000 })).empty).toBe(true);
  expect(f.sim.control.ledger().counters.injectedErrors).toBeGreaterThan(0);
  expect(log(f).some((l) => (l.gameball_code === 5000 || l.gameball_code === 5003) && l.outcome === 'retry')).toBe(true);
  expectOnceEach(
    f.sim,
    orders.map((o) => o.orderId),
  );
});

test('2001: another write for the same customer in progress -> retried later', async () => {
  f = await createSyncFixture({ sim: { latencyMs: 300 } });
  const order = f.capture({ mobile: mobile(), totalPaidMinor: 1500 });
  // Someone else (another system of the merchant) writes this customer at the same moment.
  const other = f.client.upsertCustomer({ customerId: order.customerId, customerAttributes: { displayName: 'Elsewhere' } });
  await new Promise((r) => setTimeout(r, 50));
  const engine = f.engine();
  expect((await engine.drain({ untilEmpty: true, timeoutMs: 10_000 })).empty).toBe(true);
  expect((await other).kind).toBe('ok');
  expect(log(f).some((l) => l.gameball_code === 2001 && l.outcome === 'retry')).toBe(true);
  expect(f.order(order.orderId).state).toBe('synced');
  expectOnceEach(f.sim, [order.orderId]);
});
