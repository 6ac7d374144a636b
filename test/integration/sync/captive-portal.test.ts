// A till on a network that answers in Gameball's place (a hotel or mall Wi-Fi captive portal, a
// proxy) or not at all: a real SQLite till, the real client and sync engine, a fake network over
// real HTTP on 127.0.0.1 in front of the project's simulator. An answer that is not Gameball's never
// marks an order synced; the status says what arrived; once the network passes requests through,
// every order reaches Gameball exactly once, confirmed with Gameball before any second post.
import { afterEach, expect, test } from 'vitest';
import { startFakeNetwork } from '../../support/fake-network.ts';
import type { FakeNetwork, NetworkBehaviour } from '../../support/fake-network.ts';
import { createSyncFixture, mobile } from '../../support/sync-fixture.ts';
import type { SyncFixture } from '../../support/sync-fixture.ts';

let f: SyncFixture | undefined;
let net: FakeNetwork | undefined;
afterEach(async () => {
  await f?.close();
  await net?.close();
  f = undefined;
  net = undefined;
});

const ORDERS = 'POST /api/v4.0/integrations/orders';

async function until(cond: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`not reached in time: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A till pointed at the fake network, which passes requests to the fixture's simulator. */
async function tillBehindNetwork(timeoutMs = 3_000): Promise<{ f: SyncFixture; net: FakeNetwork }> {
  net = await startFakeNetwork();
  f = await createSyncFixture({ baseUrl: net.url, timeoutMs });
  net.upstream = f.sim.url;
  return { f, net };
}

function failures(fx: SyncFixture) {
  return fx.db
    .prepare(
      "SELECT method, path, http_status, gameball_code, outcome FROM sync_log WHERE outcome IN ('retry', 'attention', 'unknown') ORDER BY id",
    )
    .all() as Array<{
    method: string;
    path: string;
    http_status: number | null;
    gameball_code: number | null;
    outcome: string;
  }>;
}

const PORTAL_SENTENCE =
  'The network answered with a web page instead of Gameball (HTTP 200, text/html): a captive portal or proxy? Sign the till in to the network or ask IT.';

const cases: Array<[NetworkBehaviour, number, RegExp]> = [
  ['portal', 3_000, new RegExp(`^${PORTAL_SENTENCE.replace(/[.?()]/g, '\\$&')}$`)],
  [
    'truncated',
    3_000,
    /^Gameball's answer was cut short \(HTTP 200, application\/json, only \d+ bytes arrived\): the connection or a proxy broke it off\. The till will check with Gameball and try again; ask IT if this keeps happening\.$/,
  ],
  [
    'empty',
    3_000,
    /^The network gave an empty answer instead of Gameball's \(HTTP 200, application\/json\): a captive portal or proxy\? Sign the till in to the network or ask IT\.$/,
  ],
  [
    'huge',
    3_000,
    /^The network sent an answer larger than 1048576 bytes instead of Gameball's \(HTTP 200, application\/json\): a proxy, or a wrong Gameball address\? The till stopped reading it\./,
  ],
  ['silent', 400, /^Gameball did not answer in time \(no answer within 0\.4 s\)$/],
];

test.each(cases)(
  'network answers %s: not synced, the status says why; network fixed: in Gameball exactly once',
  async (behaviour, timeoutMs, sentence) => {
    const { f, net } = await tillBehindNetwork(timeoutMs);
    net.rule = () => ({ answer: behaviour });
    const order = f.capture({ mobile: mobile(), totalPaidMinor: 2500 });
    const engine = f.engine();
    engine.start();

    // The post, then at least one reconcile read: both met by the network, never by Gameball.
    await until(() => (f.outbox(order.orderId)[0]?.attempts ?? 0) >= 2 && engine.status().lastError !== null, 'two attempts');
    expect(['pending', 'sending']).toContain(f.order(order.orderId).state);
    expect(f.outbox(order.orderId)[0]).toMatchObject({ unknown_outcome: 1 });
    const status = engine.status();
    expect(status.lastError?.message).toMatch(sentence);
    expect(status.lastSuccessAt).toBeNull();
    expect(status.online).toBe(false);
    expect(status.counts.synced).toBe(0);
    expect(f.sim.control.ledger().orders).toEqual([]);
    expect(net.seen.filter((s) => s === ORDERS)).toHaveLength(1);
    expect(net.seen.some((s) => s.startsWith('GET ') && s.endsWith(`/orders/${order.orderId}/transactions`))).toBe(true);
    if (behaviour === 'huge') {
      // Each answer was dropped after about 1 MiB: the 50 MB never crossed. The network gets further
      // than 1 MiB only by filling socket buffers (6-8 MB measured on loopback).
      expect(net.hugeBytesWritten).toBeLessThan(net.seen.length * 16 * 1024 * 1024);
    }

    net.rule = () => ({ answer: 'pass' });
    expect((await engine.drain({ untilEmpty: true, timeoutMs: 15_000 })).empty).toBe(true);
    expect(f.order(order.orderId)).toMatchObject({ state: 'synced', rewarded_points: 25 });
    const ledger = f.sim.control.ledger();
    expect(ledger.orders.map((o) => o.orderId)).toEqual([order.orderId]);
    expect(ledger.counters.requests['POST /orders']).toBe(1);
    const after = engine.status();
    expect(after.online).toBe(true);
    expect(after.lastSuccessAt).not.toBeNull();
    // The reconcile read that found nothing (Gameball's 404/9005) is an answer, never the "last error".
    expect(after.lastError?.message).toMatch(sentence);
    expect(failures(f).some((l) => l.gameball_code === 9005)).toBe(false);
  },
);

test.each(['truncated', 'portal'] as const)(
  'a proxy forwards POST /orders to Gameball but hands the till a %s answer: reconciled, marked synced, never posted twice',
  async (mangled) => {
    const { f, net } = await tillBehindNetwork();
    net.rule = (method, path) =>
      method === 'POST' && path.endsWith('/orders') ? { answer: mangled, forwardFirst: true } : { answer: 'pass' };
    const order = f.capture({ mobile: mobile(), totalPaidMinor: 4000 });
    const engine = f.engine();
    expect((await engine.drain({ untilEmpty: true, timeoutMs: 15_000 })).empty).toBe(true);

    expect(f.order(order.orderId)).toMatchObject({ state: 'synced', rewarded_points: 40 });
    expect(f.outbox(order.orderId)[0]).toMatchObject({ state: 'done', unknown_outcome: 0 });
    const ledger = f.sim.control.ledger();
    expect(ledger.orders.map((o) => o.orderId)).toEqual([order.orderId]);
    expect(ledger.counters.requests['POST /orders']).toBe(1);
    expect(ledger.counters.responses['422/9004']).toBeUndefined();
    expect(net.seen.filter((s) => s === ORDERS)).toHaveLength(1);
    expect(f.db.prepare('SELECT method, http_status, outcome FROM sync_log WHERE entity_id = ? ORDER BY id').all(order.orderId)).toEqual([
      { method: 'POST', http_status: 200, outcome: 'unknown' },
      { method: 'GET', http_status: 200, outcome: 'reconciled' },
    ]);
  },
);

test('a refund whose answer a proxy mangled: re-posted with the same id, Gameball 9004 confirms, recorded once', async () => {
  const { f, net } = await tillBehindNetwork();
  const order = f.capture({ mobile: mobile(), totalPaidMinor: 3000 });
  const engine = f.engine();
  expect((await engine.drain({ untilEmpty: true, timeoutMs: 10_000 })).empty).toBe(true);

  let mangledOnce = false;
  net.rule = (method, path) => {
    if (method === 'POST' && path.endsWith('/transactions/refund') && !mangledOnce) {
      mangledOnce = true;
      return { answer: 'portal', forwardFirst: true };
    }
    return { answer: 'pass' };
  };
  const refund = f.orders.captureRefund({ orderId: order.orderId, amountMinor: 1000 });
  expect((await engine.drain({ untilEmpty: true, timeoutMs: 10_000 })).empty).toBe(true);

  expect(f.db.prepare('SELECT state FROM refunds WHERE refund_id = ?').get(refund.refundId)).toEqual({ state: 'synced' });
  const ledger = f.sim.control.ledger();
  expect(ledger.refunds.map((r) => r.refundTransactionId)).toEqual([refund.refundId]);
  expect(ledger.orders[0]?.refundedAmount).toBe(10);
  expect(ledger.counters.responses['422/9004']).toBe(1);
});

test('a captive portal is not hammered: offline, one probe at a time with backoff, not every order on its own', async () => {
  const { f, net } = await tillBehindNetwork();
  net.rule = () => ({ answer: 'portal' });
  const orders = Array.from({ length: 12 }, (_, i) => f.capture({ mobile: mobile(), totalPaidMinor: (i + 1) * 100 }));
  const engine = f.engine({ backoff: { baseMs: 100, capMs: 400, minMs: 50 }, random: () => 0.5 });
  engine.start();
  await new Promise((r) => setTimeout(r, 2_000));
  const hits = net.seen.length;
  const status = engine.status();
  expect(status.online).toBe(false);
  expect(status.counts.synced).toBe(0);
  expect(status.lastError?.message).toBe(PORTAL_SENTENCE);
  // The first wave (up to 6 customers at once), then one probe per backoff step (about 200 ms):
  // about 16. Every order retrying on its own schedule would be over 100.
  expect(hits).toBeGreaterThanOrEqual(6);
  expect(hits).toBeLessThan(30);
  const attempts = f.db.prepare('SELECT SUM(attempts) AS n FROM outbox').get() as { n: number };
  expect(attempts.n).toBeLessThanOrEqual(hits);

  net.rule = () => ({ answer: 'pass' });
  engine.syncNow();
  expect((await engine.drain({ untilEmpty: true, timeoutMs: 15_000 })).empty).toBe(true);
  expect(
    f.sim.control
      .ledger()
      .orders.map((o) => o.orderId)
      .sort(),
  ).toEqual(orders.map((o) => o.orderId).sort());
  expect(f.sim.control.ledger().counters.requests['POST /orders']).toBe(12);
});

test("an idle till's connection check reads a portal as offline, with the reason, and Gameball back as online", async () => {
  const { f, net } = await tillBehindNetwork();
  const engine = f.engine({ probeEveryMs: 50, idlePollMs: 20 });
  engine.start();
  await until(() => engine.status().online, 'online through a working network');
  net.rule = () => ({ answer: 'portal' });
  await until(() => !engine.status().online, 'offline behind the portal');
  expect(engine.status().lastError?.message).toBe(PORTAL_SENTENCE);
  net.rule = () => ({ answer: 'pass' });
  await until(() => engine.status().online, 'online again');
  expect(f.db.prepare('SELECT COUNT(*) AS n FROM sync_log').get()).toEqual({ n: 0 });
});
