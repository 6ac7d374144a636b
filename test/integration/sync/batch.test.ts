// Batches of orders against the simulator over real HTTP: a backlog goes through
// `POST /batch/orders`, each item's result settles its own order, and every order reaches
// Gameball exactly once whatever fails (a lost answer, a job failing midway, items refused one by
// one, a crash between the POST and the poll, a batch endpoint that keeps failing), while a
// referred customer's registration and first order still go singly and in order.
import { afterEach, expect, test } from 'vitest';
import { buildTrackOrderBody, parseOrderRow } from '../../../main/gameball/mappers.ts';
import type { GameballClient } from '../../../main/gameball/client.ts';
import type { FaultSettings, SimulatorLedger } from '../../../main/simulator/index.ts';
import { createSyncFixture, mobile } from '../../support/sync-fixture.ts';
import type { SyncFixture } from '../../support/sync-fixture.ts';

let f: SyncFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

function backlog(fx: SyncFixture, n: number): string[] {
  return Array.from({ length: n }, (_, i) => fx.capture({ mobile: mobile(), totalPaidMinor: (i + 1) * 100 }).orderId);
}

/** Every order recorded exactly once by Gameball, and synced on the till. */
function expectExactlyOnce(fx: SyncFixture, ids: readonly string[], ledger: SimulatorLedger = fx.sim.control.ledger()): void {
  const recorded = ledger.orders.map((o) => o.orderId);
  expect(new Set(recorded).size).toBe(recorded.length);
  expect([...recorded].sort()).toEqual([...ids].sort());
  for (const id of ids) expect(fx.order(id).state, id).toBe('synced');
  for (const id of ids) expect(ledger.transactions[id]?.filter((t) => t.transactionType === 'PaymentReward')).toHaveLength(1);
}

/** A backlog of 30 orders drained with the simulator's `faults` on: every order reaches Gameball once (checked). */
async function drainThrough(fx: SyncFixture, faults: FaultSettings): Promise<{ ids: string[]; ledger: SimulatorLedger }> {
  fx.sim.control.setFaults(faults);
  const ids = backlog(fx, 30);
  expect((await fx.engine().drain({ untilEmpty: true, timeoutMs: 15_000 })).empty).toBe(true);
  const ledger = fx.sim.control.ledger();
  expectExactlyOnce(fx, ids, ledger);
  return { ids, ledger };
}

function logsOf(fx: SyncFixture, id: string): Array<{ method: string; path: string; outcome: string; gameball_code: number | null }> {
  return fx.db.prepare('SELECT method, path, outcome, gameball_code FROM sync_log WHERE entity_id = ? ORDER BY id').all(id) as never;
}

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('a backlog goes in batches of up to maxRows, each order settled by its own item, exactly once', async () => {
  f = await createSyncFixture({ sim: { latencyMs: 2 } });
  const ids = backlog(f, 120);
  const engine = f.engine({ batch: { maxRows: 50 } });
  expect((await engine.drain({ untilEmpty: true, timeoutMs: 20_000 })).empty).toBe(true);
  const ledger = f.sim.control.ledger();
  expectExactlyOnce(f, ids, ledger);
  expect(ledger.batches.length).toBeGreaterThanOrEqual(2);
  expect(ledger.batches.every((b) => b.totalItems <= 50 && b.status === 'completed')).toBe(true);
  // Most went in batches (single claims may take a few while a batch is polled).
  expect(ledger.orders.filter((o) => o.via === 'batch').length).toBeGreaterThanOrEqual(100);
  const batched = ledger.orders.find((o) => o.via === 'batch');
  expect(batched?.request).toMatchObject({ channel: 'pos', merchant: { uniqueId: 'store-1' } });
  expect(f.order(batched?.orderId ?? '').rewarded_points).toBe(batched?.rewardedPoints);
  const logs = logsOf(f, batched?.orderId ?? '');
  expect(logs.at(-1)).toMatchObject({ method: 'BATCH', outcome: 'ok' });
  expect(engine.status().counts).toMatchObject({ pending: 0, sending: 0, synced: 120 });
});

test('below the threshold every order goes one by one, as before', async () => {
  f = await createSyncFixture();
  const ids = backlog(f, 19);
  const engine = f.engine();
  expect((await engine.drain({ untilEmpty: true, timeoutMs: 10_000 })).empty).toBe(true);
  const ledger = f.sim.control.ledger();
  expectExactlyOnce(f, ids, ledger);
  expect(ledger.batches).toEqual([]);
  expect(ledger.counters.requests['POST /orders']).toBe(19);
});

test('while a batch job runs, its orders show as sending in the queue and the status', async () => {
  f = await createSyncFixture({ sim: { batchDelayMs: 600 } });
  const ids = backlog(f, 25);
  const engine = f.engine();
  const drained = engine.drain({ untilEmpty: true, timeoutMs: 10_000 });
  await until('the batch to be accepted', () => (f?.sim.control.ledger().batches.length ?? 0) > 0);
  expect(f.sim.control.ledger().batches[0]?.status).toBe('pending');
  expect(engine.status().counts).toMatchObject({ pending: 0, sending: 25 });
  for (const id of ids) expect(f.order(id).state).toBe('sending');
  expect(f.db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE state = 'in_flight'").get()).toEqual({ n: 25 });
  expect((await drained).empty).toBe(true);
  expect(engine.status().counts).toMatchObject({ sending: 0, synced: 25 });
  expectExactlyOnce(f, ids);
});

// With look-up jobs off (as when fewer than 20 are unknown, or look-up jobs are paused), the single look-up.
const NO_LOOKUP_JOBS = { lookUpMinRows: Infinity };

test('a lost batch answer, look-up jobs off: every order is looked up at Gameball before anything is posted again', async () => {
  f = await createSyncFixture();
  f.sim.control.setFaults({ dropBatchAnswers: 1 });
  const ids = backlog(f, 30);
  const engine = f.engine({ batch: NO_LOOKUP_JOBS });
  expect((await engine.drain({ untilEmpty: true, timeoutMs: 15_000 })).empty).toBe(true);
  const ledger = f.sim.control.ledger();
  expectExactlyOnce(f, ids, ledger);
  expect(ledger.counters.drops).toBe(1);
  expect(ledger.counters.requests['POST /batch/orders']).toBe(1);
  // Nothing was posted again: the job had recorded them, the look-ups confirmed it.
  expect(ledger.counters.requests['POST /orders'] ?? 0).toBe(0);
  for (const id of ids) {
    const logs = logsOf(f, id);
    const lookup = logs.findIndex((l) => l.method === 'GET' && l.path === `/orders/${id}/transactions`);
    expect(lookup, JSON.stringify(logs)).toBeGreaterThanOrEqual(0);
    expect(logs[lookup]?.outcome).toBe('reconciled');
    expect(logs.slice(lookup).some((l) => l.method === 'POST')).toBe(false);
  }
});

test('a job that fails midway, look-up jobs off: answered items settle, the rest are looked up and then sent once', async () => {
  f = await createSyncFixture();
  f.sim.control.setFaults({ failBatchAfter: 10 });
  const ids = backlog(f, 30);
  const engine = f.engine({ batch: NO_LOOKUP_JOBS });
  expect((await engine.drain({ untilEmpty: true, timeoutMs: 15_000 })).empty).toBe(true);
  const ledger = f.sim.control.ledger();
  expectExactlyOnce(f, ids, ledger);
  expect(ledger.batches[0]).toMatchObject({ status: 'failed', processedItems: 10 });
  expect(ledger.orders.filter((o) => o.via === 'batch')).toHaveLength(10);
  expect(ledger.orders.filter((o) => o.via === 'orders')).toHaveLength(20);
  // The 20 without a result were looked up (nothing there) before their single POST.
  const unanswered = ids.filter((id) => ledger.orders.find((o) => o.orderId === id)?.via === 'orders');
  for (const id of unanswered) {
    const logs = logsOf(f, id);
    expect(logs.findIndex((l) => l.method === 'GET')).toBeLessThan(logs.findIndex((l) => l.method === 'POST' && l.path === '/orders'));
    expect(logs.find((l) => l.method === 'BATCH')?.outcome).toBe('unknown');
  }
});

test('items refused one by one: duplicates are done, a refused item needs attention with Gameball’s reason, a taken time goes a second earlier, the rest are synced', async () => {
  let frozen: number | null = null;
  const clock = { now: () => frozen ?? Date.now() };
  f = await createSyncFixture({ clock });
  const ids = backlog(f, 22);
  // Two orders of one customer at the same instant: Gameball refuses the second's time (9003).
  frozen = Date.now() - 1_000;
  const twin = mobile();
  const first = f.capture({ mobile: twin, totalPaidMinor: 700 });
  const second = f.capture({ mobile: twin, totalPaidMinor: 800 });
  frozen = null;
  // Three orders Gameball already has (sent by another path): their items are 9004.
  const already = ids.slice(1, 4);
  for (const id of already) {
    const res = await f.client.trackOrder(buildTrackOrderBody(parseOrderRow(f.order(id), id)));
    expect(res.kind).toBe('ok');
  }
  // And Gameball refuses the first item of the batch for a reason of its own (3003).
  const refused = ids[0]!;
  f.sim.control.setFaults({ refuseOrders: 1 });
  const engine = f.engine();
  await engine.drain({ untilEmpty: false, timeoutMs: 10_000 });
  await until('the queue to settle', () => engine.status().counts.sending === 0 && engine.status().counts.pending === 0);
  const ledger = f.sim.control.ledger();
  expect(ledger.batches).toHaveLength(1);
  const results = ledger.batches[0]?.results ?? [];
  expect(
    results
      .filter((r) => r.code === 9004)
      .map((r) => r.orderId)
      .sort(),
  ).toEqual([...already].sort());
  expect(results.find((r) => r.orderId === refused)).toMatchObject({ status: 'failed', code: 3003 });
  expect(results.find((r) => r.orderId === second.orderId)).toMatchObject({ status: 'failed', code: 9003 });
  expectExactlyOnce(f, [...ids.slice(1), first.orderId, second.orderId], ledger);
  for (const id of already) expect(logsOf(f, id).at(-1)).toMatchObject({ method: 'BATCH', outcome: 'reconciled', gameball_code: 9004 });
  expect(f.order(refused)).toMatchObject({ state: 'attention', attention_code: '3003' });
  expect(String(f.order(refused).attention_message)).toMatch(/refused by the simulator/);
  expect(f.outbox(refused)).toEqual([expect.objectContaining({ state: 'attention', last_error_code: '3003' })]);
  // The 9003 item went singly, a second earlier, with the till's own time kept in `extra`.
  const sent = ledger.orders.find((o) => o.orderId === second.orderId);
  expect(sent?.via).toBe('orders');
  expect(Date.parse(String(sent?.request.orderDate))).toBe(Date.parse(String(f.order(second.orderId).order_date)) - 1_000);
  expect((sent?.request.extra as Record<string, unknown> | undefined)?.tillOrderDate).toBe(f.order(second.orderId).order_date);
});

test('a referral mixed into a backlog: registration and first order go singly and in order; the rest in a batch', async () => {
  f = await createSyncFixture({ sim: { latencyMs: 2 } });
  const engine = f.engine();
  const referrer = f.capture({ mobile: mobile(), totalPaidMinor: 5000 });
  expect((await engine.drain({ untilEmpty: true, timeoutMs: 10_000 })).empty).toBe(true);
  const code = (await f.client.getCustomer(referrer.customerId)).value?.referralCode ?? '';
  expect(code).toMatch(/^SIM/);

  const before = backlog(f, 12);
  const friendMobile = mobile();
  const friendFirst = f.capture({ mobile: friendMobile, totalPaidMinor: 20000, referrerCode: code });
  expect(friendFirst.calls).toEqual(['register_customer', 'track_order']);
  const friendSecond = f.capture({ mobile: friendMobile, totalPaidMinor: 3000 });
  const after = backlog(f, 12);
  expect((await engine.drain({ untilEmpty: true, timeoutMs: 15_000 })).empty).toBe(true);

  const ledger = f.sim.control.ledger();
  expectExactlyOnce(f, [referrer.orderId, ...before, friendFirst.orderId, friendSecond.orderId, ...after], ledger);
  expect(ledger.referrals).toEqual([
    expect.objectContaining({
      referredCustomerId: friendFirst.customerId,
      referrerCustomerId: referrer.customerId,
      rewardedOrderId: friendFirst.orderId,
    }),
  ]);
  expect(ledger.orders.find((o) => o.orderId === friendFirst.orderId)).toMatchObject({
    via: 'orders',
    request: expect.objectContaining({ referrerCode: code }),
  });
  expect(ledger.orders.filter((o) => o.via === 'batch').length).toBeGreaterThanOrEqual(20);
  const calls = f.db
    .prepare("SELECT entity_id, method, path FROM sync_log WHERE entity_id IN (?, ?) AND method <> 'GET' ORDER BY id")
    .all(friendFirst.orderId, friendSecond.orderId) as Array<{ entity_id: string; method: string; path: string }>;
  expect(calls.slice(0, 2)).toEqual([
    { entity_id: friendFirst.orderId, method: 'POST', path: '/customers' },
    { entity_id: friendFirst.orderId, method: 'POST', path: '/orders' },
  ]);
  expect(calls.slice(2).every((c) => c.entity_id === friendSecond.orderId)).toBe(true);
  const registered = ledger.customers.find((c) => c.customerId === friendFirst.customerId);
  expect(registered).toMatchObject({ createdBy: 'customers', referredBy: referrer.customerId });
});

test('a crash between the batch POST and its poll, look-up jobs off: the next engine confirms every order before posting, none twice', async () => {
  f = await createSyncFixture({ sim: { batchDelayMs: 400 } });
  const ids = backlog(f, 30);
  // The first engine's process "dies" right after Gameball took the batch: its polls never return.
  const base = f.client;
  const dying: GameballClient = {
    ...base,
    request: (req) =>
      req.path.startsWith('/batches/')
        ? new Promise((resolve) =>
            req.signal?.addEventListener('abort', () => resolve(base.request({ ...req, signal: AbortSignal.abort() }))),
          )
        : base.request(req),
  };
  const a = f.engine({ client: dying, ownerId: 'till-a:1:dead' });
  a.start();
  await until('the batch to be accepted', () => (f?.sim.control.ledger().batches.length ?? 0) > 0);
  expect(f.db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE state = 'in_flight' AND lease_owner = 'till-a:1:dead'").get()).toEqual({
    n: 30,
  });

  const b = f.engine({ separateConnection: true, isOwnerGone: (owner) => owner === 'till-a:1:dead', batch: NO_LOOKUP_JOBS });
  expect((await b.drain({ untilEmpty: true, timeoutMs: 15_000 })).empty).toBe(true);
  await until('the first job to run', () => f?.sim.control.ledger().batches[0]?.status === 'completed');
  const ledger = f.sim.control.ledger();
  expectExactlyOnce(f, ids, ledger);
  // Every order was confirmed by a look-up first (taken over: unknown outcome), never blindly re-sent.
  for (const id of ids) {
    const logs = logsOf(f, id);
    expect(logs[0], JSON.stringify(logs)).toMatchObject({ method: 'GET', path: `/orders/${id}/transactions` });
  }
  // Whatever went singly while the job waited, the job then found already there (9004), and the reverse.
  const results = ledger.batches[0]?.results ?? [];
  expect(results).toHaveLength(30);
  expect(results.filter((r) => r.status === 'success').length).toBe(ledger.orders.filter((o) => o.via === 'batch').length);
  expect(results.filter((r) => r.status === 'failed').every((r) => r.code === 9004)).toBe(true);
});

/** A client whose batch polls never return until the engine stops: its process "died" after Gameball took the batch. */
function dyingClient(base: GameballClient): GameballClient {
  return {
    ...base,
    request: (req) =>
      req.path.startsWith('/batches/')
        ? new Promise((resolve) =>
            req.signal?.addEventListener('abort', () => resolve(base.request({ ...req, signal: AbortSignal.abort() }))),
          )
        : base.request(req),
  };
}

test('rows taken over from an engine that died mid-batch are confirmed in one look-up job: those Gameball has are settled, the rest go in one batch, each once', async () => {
  f = await createSyncFixture();
  // The dead engine's job recorded only its first 10 orders.
  f.sim.control.setFaults({ failBatchAfter: 10 });
  const ids = backlog(f, 30);
  const a = f.engine({ client: dyingClient(f.client), ownerId: 'till-a:1:dead' });
  a.start();
  await until('the first job to stop midway', () => f?.sim.control.ledger().batches[0]?.status === 'failed');
  expect(f.db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE state = 'in_flight' AND lease_owner = 'till-a:1:dead'").get()).toEqual({
    n: 30,
  });

  const b = f.engine({ separateConnection: true, isOwnerGone: (owner) => owner === 'till-a:1:dead' });
  expect((await b.drain({ untilEmpty: true, timeoutMs: 15_000 })).empty).toBe(true);
  const ledger = f.sim.control.ledger();
  expectExactlyOnce(f, ids, ledger);
  // One look-up job for the 30 rows, no single look-up, nothing posted singly.
  expect(ledger.counters.requests['POST /batch/orders/transactions']).toBe(1);
  expect(ledger.counters.requests['GET /orders/{orderId}/transactions']).toBeUndefined();
  expect(ledger.counters.requests['POST /orders']).toBeUndefined();
  expect(ledger.counters.requests['POST /batch/orders']).toBe(2);
  expect(ledger.batches.map((j) => [j.kind, j.status, j.totalItems])).toEqual([
    ['orders', 'failed', 30],
    ['orderTransactions', 'completed', 30],
    ['orders', 'completed', 20],
  ]);
  // The second batch met none of the first's orders (no 9004): only what Gameball lacked went again.
  expect(ledger.batches[2]?.results.every((r) => r.status === 'success')).toBe(true);
  const recorded = new Set((ledger.batches[0]?.results ?? []).map((r) => r.orderId));
  expect(recorded.size).toBe(10);
  const lookUpJob = ledger.batches[1]?.jobId;
  for (const id of ids) {
    const logs = logsOf(f, id);
    expect(logs.some((l) => l.path === `/orders/${id}/transactions`)).toBe(false);
    if (recorded.has(id)) {
      // Settled by the look-up, with the points Gameball gave.
      expect(logs.at(-1), JSON.stringify(logs)).toMatchObject({
        method: 'BATCH',
        path: `/batches/${lookUpJob}/status`,
        outcome: 'reconciled',
      });
      const points = ledger.orders.find((o) => o.orderId === id)?.rewardedPoints;
      expect(points).toBeGreaterThan(0);
      expect(f.order(id).rewarded_points).toBe(points);
    } else {
      // Known not sent (9005), then in the next batch.
      const at = logs.findIndex((l) => l.path === `/batches/${lookUpJob}/status` && l.method === 'BATCH');
      expect(logs[at], JSON.stringify(logs)).toMatchObject({ outcome: 'retry', gameball_code: 9005 });
      expect(logs.at(-1)).toMatchObject({ method: 'BATCH', outcome: 'ok' });
      expect(ledger.orders.find((o) => o.orderId === id)?.via).toBe('batch');
    }
    expect(f.outbox(id)[0]).toMatchObject({ state: 'done', unknown_outcome: 0 });
  }
});

test('a lost batch answer: the orders are confirmed in one look-up job, nothing posted again', async () => {
  f = await createSyncFixture();
  const { ids, ledger } = await drainThrough(f, { dropBatchAnswers: 1 });
  expect(ledger.counters.drops).toBe(1);
  expect(ledger.counters.requests['POST /batch/orders']).toBe(1);
  expect(ledger.counters.requests['POST /batch/orders/transactions']).toBe(1);
  expect(ledger.counters.requests['GET /orders/{orderId}/transactions']).toBeUndefined();
  expect(ledger.counters.requests['POST /orders']).toBeUndefined();
  const lookUpJob = ledger.batches.find((j) => j.kind === 'orderTransactions');
  expect(lookUpJob).toMatchObject({ status: 'completed', totalItems: 30, failedItems: 0 });
  for (const id of ids) {
    const logs = logsOf(f, id);
    const lost = logs.findIndex((l) => l.path === '/batch/orders');
    expect(
      logs.find((l) => l.method === 'BATCH' && l.path === `/batches/${lookUpJob?.jobId}/status`),
      JSON.stringify(logs),
    ).toMatchObject({ outcome: 'reconciled' });
    expect(logs.at(-1)?.outcome).toBe('reconciled');
    expect(logs.slice(lost + 1).some((l) => l.method === 'POST' && l.path !== '/batch/orders/transactions')).toBe(false);
    expect(f.order(id).rewarded_points).toBe(ledger.orders.find((o) => o.orderId === id)?.rewardedPoints);
  }
});

test('a look-up job refused for now (503, no job started): its orders wait for the next look-up job, still unknown, none posted twice', async () => {
  f = await createSyncFixture();
  const { ids, ledger } = await drainThrough(f, { dropBatchAnswers: 1, lookUpErrors: 1 });
  expect(ledger.counters.responses['503/5003']).toBe(1);
  // The refused POST started no job; the next look-up job confirmed all 30, and nothing went singly.
  expect(ledger.counters.requests['POST /batch/orders/transactions']).toBe(2);
  expect(ledger.batches.filter((j) => j.kind === 'orderTransactions')).toHaveLength(1);
  expect(ledger.counters.requests['GET /orders/{orderId}/transactions']).toBeUndefined();
  expect(ledger.counters.requests['POST /orders']).toBeUndefined();
  expect(ledger.counters.requests['POST /batch/orders']).toBe(1);
  for (const id of ids) expect(logsOf(f, id).at(-1)).toMatchObject({ method: 'BATCH', outcome: 'reconciled' });
});

test('look-up jobs refused twice in a row pause: the orders are confirmed one by one meanwhile, none posted twice', async () => {
  f = await createSyncFixture();
  const { ids, ledger } = await drainThrough(f, { dropBatchAnswers: 1, lookUpErrors: 2 });
  expect(ledger.counters.responses['503/5003']).toBe(2);
  expect(ledger.counters.requests['POST /batch/orders/transactions']).toBe(2);
  expect(ledger.batches.filter((j) => j.kind === 'orderTransactions')).toEqual([]);
  // Every order was confirmed by its own look-up before anything could be posted: Gameball had them all.
  expect(ledger.counters.requests['GET /orders/{orderId}/transactions']).toBe(30);
  expect(ledger.counters.requests['POST /orders']).toBeUndefined();
  for (const id of ids)
    expect(logsOf(f, id).at(-1)).toMatchObject({ method: 'GET', path: `/orders/${id}/transactions`, outcome: 'reconciled' });
});

test('a look-up job whose answer is lost: its orders are confirmed one by one, none posted twice', async () => {
  f = await createSyncFixture();
  const { ids, ledger } = await drainThrough(f, { dropBatchAnswers: 1, dropLookUpAnswers: 1 });
  expect(ledger.counters.drops).toBe(2);
  // The look-up job ran but nobody heard: each order then had its own look-up, and none was posted again.
  expect(ledger.counters.requests['POST /batch/orders/transactions']).toBe(1);
  expect(ledger.counters.requests['GET /orders/{orderId}/transactions']).toBe(30);
  expect(ledger.counters.requests['POST /orders']).toBeUndefined();
  expect(ledger.counters.requests['POST /batch/orders']).toBe(1);
  for (const id of ids) {
    const logs = logsOf(f, id);
    expect(logs.at(-1), JSON.stringify(logs)).toMatchObject({ method: 'GET', path: `/orders/${id}/transactions`, outcome: 'reconciled' });
  }
});

test('a look-up job that fails midway: answered orders settle, the rest are confirmed one by one, and only those Gameball lacks are posted, once', async () => {
  f = await createSyncFixture();
  // The batch recorded 15 of its 30 orders and its answer was lost; the look-up job answers for 10, then fails.
  f.sim.control.setFaults({ dropBatchAnswers: 1, failBatchAfter: 15, failLookUpAfter: 10 });
  const ids = backlog(f, 30);
  const engine = f.engine();
  expect((await engine.drain({ untilEmpty: true, timeoutMs: 15_000 })).empty).toBe(true);
  const ledger = f.sim.control.ledger();
  expectExactlyOnce(f, ids, ledger);
  expect(ledger.batches.map((j) => [j.kind, j.status, j.processedItems])).toEqual([
    ['orders', 'failed', 15],
    ['orderTransactions', 'failed', 10],
  ]);
  expect(ledger.counters.requests['POST /batch/orders/transactions']).toBe(1);
  expect(ledger.counters.requests['GET /orders/{orderId}/transactions']).toBe(20);
  // Only the 15 Gameball never had were posted, each after its own look-up said so.
  expect(ledger.counters.requests['POST /orders']).toBe(15);
  expect(ledger.counters.responses['422/9004']).toBeUndefined();
  const recorded = new Set((ledger.batches[0]?.results ?? []).map((r) => r.orderId));
  const answered = new Set((ledger.batches[1]?.results ?? []).map((r) => r.orderId));
  expect([...answered].every((id) => recorded.has(id))).toBe(true);
  for (const id of ids) {
    const logs = logsOf(f, id);
    if (answered.has(id)) expect(logs.at(-1), JSON.stringify(logs)).toMatchObject({ method: 'BATCH', outcome: 'reconciled' });
    else {
      const lookup = logs.findIndex((l) => l.method === 'GET' && l.path === `/orders/${id}/transactions`);
      expect(lookup, JSON.stringify(logs)).toBeGreaterThan(0);
      expect(logs[lookup - 1]).toMatchObject({ method: 'BATCH', outcome: 'unknown' });
      const posted = logs.findIndex((l) => l.method === 'POST' && l.path === '/orders');
      expect(posted === -1 ? recorded.has(id) : posted > lookup && !recorded.has(id), JSON.stringify(logs)).toBe(true);
    }
  }
});

test('batches that keep failing fall back to single posts', async () => {
  f = await createSyncFixture();
  const { ledger } = await drainThrough(f, { batchErrors: 5 });
  // Two failures in a row pause batches; the single path sends everything meanwhile.
  expect(ledger.counters.requests['POST /batch/orders']).toBe(2);
  expect(ledger.batches).toEqual([]);
  expect(ledger.orders.every((o) => o.via === 'orders')).toBe(true);
});

test('two engines on one folder with batches: every order once, no customer in two calls at a time', async () => {
  f = await createSyncFixture({ sim: { latencyMs: 4, jitterMs: 4 } });
  const customers = Array.from({ length: 30 }, () => mobile());
  const orders = Array.from({ length: 90 }, (_, i) => f!.capture({ mobile: customers[i % 30], totalPaidMinor: ((i % 9) + 1) * 100 }));
  const a = f.engine({ separateConnection: true, ownerId: 'engine-a', concurrency: 4, batch: { maxRows: 25 } });
  const b = f.engine({ separateConnection: true, ownerId: 'engine-b', concurrency: 4, batch: { maxRows: 25 } });
  const [ra, rb] = await Promise.all([a.drain({ untilEmpty: true, timeoutMs: 30_000 }), b.drain({ untilEmpty: true, timeoutMs: 30_000 })]);
  expect(ra.empty && rb.empty).toBe(true);
  const ledger = f.sim.control.ledger();
  expectExactlyOnce(
    f,
    orders.map((o) => o.orderId),
    ledger,
  );
  expect(ledger.counters.responses['422/2001']).toBeUndefined();
  expect(ledger.counters.responses['422/9004']).toBeUndefined();
  expect(ledger.batches.length).toBeGreaterThan(0);
  // Each customer's orders reached Gameball in the order they were rung up.
  for (const c of customers) {
    const mine = orders.filter((o) => o.mobile === c).map((o) => o.orderId);
    expect(ledger.orders.filter((o) => mine.includes(o.orderId)).map((o) => o.orderId)).toEqual(mine);
  }
});

test('answers lost and connections reset at random during batches: each order exactly once', async () => {
  f = await createSyncFixture({ sim: { dropRate: 0.3, resetRate: 0.2, seed: 13 } });
  const ids = backlog(f, 60);
  const engine = f.engine({ batch: { maxRows: 20 } });
  expect((await engine.drain({ untilEmpty: true, timeoutMs: 30_000 })).empty).toBe(true);
  const ledger = f.sim.control.ledger();
  expect(ledger.counters.drops + ledger.counters.resets).toBeGreaterThan(0);
  expectExactlyOnce(f, ids, ledger);
  for (const id of ids) expect(f.outbox(id)[0]).toMatchObject({ state: 'done', unknown_outcome: 0 });
});

/** A till clock `aheadMs` ahead of Gameball's: the simulator reads Date.now(), the till Date.now() + aheadMs. */
async function tillAhead(aheadMs: number): Promise<SyncFixture> {
  return createSyncFixture({ clock: { now: () => Date.now() + aheadMs }, sim: { latencyMs: 2 } });
}

/** Every order reached Gameball dated no later than its arrival, and the till kept the captured date. */
function expectDatedForGameball(fx: SyncFixture, ids: readonly string[], ledger: SimulatorLedger): void {
  for (const id of ids) {
    const sent = ledger.orders.find((o) => o.orderId === id);
    expect(Date.parse(sent?.orderDate ?? ''), id).toBeLessThanOrEqual(sent?.receivedAt ?? Number.NaN);
    const captured = fx.order(id).order_date as string;
    if (sent?.orderDate !== captured) expect(sent?.request.extra).toMatchObject({ tillOrderDate: captured });
  }
}

/**
 * A backlog of 100 orders on a till whose clock is `aheadMs` ahead, drained in batches of 25: each
 * order exactly once, most in batches (a few go singly while a job is followed, and a tail under
 * BATCH_MIN_ROWS does), every date one Gameball accepts.
 */
async function drainAhead(aheadMs: number) {
  f = await tillAhead(aheadMs);
  const ids = backlog(f, 100);
  const engine = f.engine({ batch: { maxRows: 25 } });
  expect((await engine.drain({ untilEmpty: true, timeoutMs: 20_000 })).empty).toBe(true);
  const ledger = f.sim.control.ledger();
  expectExactlyOnce(f, ids, ledger);
  expect(ledger.orders.filter((o) => o.via === 'batch').length).toBeGreaterThanOrEqual(70);
  expect(ledger.orders.filter((o) => o.via === 'orders').length).toBeLessThanOrEqual(30);
  expectDatedForGameball(f, ids, ledger);
  return { fx: f, ids, ledger, engine };
}

test('a till clock a few seconds ahead: a backlog of several batches still goes in batches, re-dated, each order once', async () => {
  // Within the clock measurement's noise, so nothing is re-dated up front: Gameball refuses the
  // fresh orders of each batch as dated in its future (9007), and they go once more in a batch
  // dated by Gameball's clock instead of falling back to one post each.
  const { fx, ids, ledger, engine } = await drainAhead(3_000);
  expect(ledger.batches.filter((b) => b.failedItems > 0).length).toBeGreaterThan(0);
  expect(engine.status().counts).toMatchObject({ pending: 0, sending: 0, attention: 0, synced: 100 });
  // A re-dated order's audit shows both rounds: refused as future-dated, then accepted.
  const redated = ids.find((id) => logsOf(fx, id).some((l) => l.method === 'BATCH' && l.gameball_code === 9007));
  expect(redated).toBeDefined();
  expect(logsOf(fx, redated ?? '').at(-1)).toMatchObject({ method: 'BATCH', outcome: 'ok' });
});

test("a till clock an hour ahead: once measured, batch items are dated by Gameball's clock before they go", async () => {
  const { ledger, engine } = await drainAhead(60 * 60_000);
  // Only a batch sent before the first answer measured the clock meets a 9007.
  expect(ledger.batches.filter((b) => b.failedItems > 0).length).toBeLessThanOrEqual(1);
  expect(engine.status().counts).toMatchObject({ attention: 0, synced: 100 });
});
