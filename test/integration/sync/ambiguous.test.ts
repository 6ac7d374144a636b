// Answers lost after Gameball committed (commit-then-drop) and connections reset before it did:
// the engine cannot tell which, so it marks the outcome unknown and asks Gameball before any
// re-post. Every order and refund ends up recorded exactly once, and no blind second post ever
// meets a 9004.
import { afterEach, expect, test } from 'vitest';
import { formatMinor } from '../../../main/orders/money.ts';
import { createSyncFixture, mobile } from '../../support/sync-fixture.ts';
import type { SyncFixture } from '../../support/sync-fixture.ts';

let f: SyncFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

test('commit-then-drop and resets: each order exactly once in the ledger, no duplicate posts', async () => {
  f = await createSyncFixture({ sim: { dropRate: 0.4, resetRate: 0.2, seed: 11 } });
  const orders = Array.from({ length: 30 }, (_, i) => f!.capture({ mobile: mobile(), totalPaidMinor: (i + 1) * 100 + 50 }));
  // One by one: the single POST's lost answers are the point here (batches: batch.test.ts).
  const engine = f.engine({ batch: false });
  expect((await engine.drain({ untilEmpty: true, timeoutMs: 30_000 })).empty).toBe(true);

  const ledger = f.sim.control.ledger();
  expect(ledger.counters.drops).toBeGreaterThan(0);
  expect(ledger.counters.resets).toBeGreaterThan(0);
  const ids = ledger.orders.map((o) => o.orderId);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids.sort()).toEqual(orders.map((o) => o.orderId).sort());
  expect(ledger.counters.responses['422/9004']).toBeUndefined();
  for (const o of orders) {
    const row = f.order(o.orderId);
    expect(row.state).toBe('synced');
    // Points come from the answer or, when it was lost, from Gameball's transaction list.
    expect(row.rewarded_points).toBe(Math.floor(Number(formatMinor(o.totalPaidMinor, o.currency))));
    expect(f.outbox(o.orderId)[0]).toMatchObject({ state: 'done', unknown_outcome: 0 });
  }
  const outcomes = f.db.prepare('SELECT outcome, COUNT(*) AS n FROM sync_log GROUP BY outcome').all() as { outcome: string; n: number }[];
  const by = Object.fromEntries(outcomes.map((o) => [o.outcome, o.n]));
  expect(by.unknown).toBeGreaterThan(0);
  expect(by.reconciled).toBeGreaterThan(0);
});

test('refunds with lost answers are recorded exactly once', async () => {
  f = await createSyncFixture({ sim: { seed: 5 } });
  const orders = Array.from({ length: 10 }, () => f!.capture({ mobile: mobile(), totalPaidMinor: 10000 }));
  const engine = f.engine();
  await engine.drain({ untilEmpty: true, timeoutMs: 10_000 });
  f.sim.control.setFaults({ dropRate: 0.5 });
  const refunds = orders.map((o, i) =>
    f!.orders.captureRefund(i % 2 === 0 ? { orderId: o.orderId } : { orderId: o.orderId, amountMinor: 4000 }),
  );
  expect((await engine.drain({ untilEmpty: true, timeoutMs: 20_000 })).empty).toBe(true);
  const ledger = f.sim.control.ledger();
  expect(ledger.counters.drops).toBeGreaterThan(0);
  const ids = ledger.refunds.map((r) => r.refundTransactionId);
  expect(ids.sort()).toEqual(refunds.map((r) => r.refundId).sort());
  for (const r of refunds) {
    expect(f.db.prepare('SELECT state FROM refunds WHERE refund_id = ?').get(r.refundId)).toEqual({ state: 'synced' });
  }
  // Partial refunds reversed exactly 40 once, full ones everything once.
  for (const o of ledger.orders) expect([40, 100]).toContain(o.refundedAmount);
});

test('an engine that died mid-call: its expired lease is taken over and reconciled, not re-posted blindly', async () => {
  f = await createSyncFixture();
  const order = f.capture({ mobile: mobile(), totalPaidMinor: 1200 });
  // The dead engine claimed the row and its POST reached Gameball; then it vanished.
  const { OutboxStore } = await import('../../../main/sync/outbox-store.ts');
  const { buildTrackOrderBody, parseOrderRow } = await import('../../../main/gameball/mappers.ts');
  const dead = new OutboxStore(f.db, { training: false, ownerId: 'dead-engine', leaseMs: 300 });
  expect(dead.claim(Date.now(), 1)).toHaveLength(1);
  expect((await f.client.trackOrder(buildTrackOrderBody(parseOrderRow(f.order(order.orderId), order.orderId)))).kind).toBe('ok');

  const engine = f.engine({ separateConnection: true });
  expect((await engine.drain({ untilEmpty: true, timeoutMs: 10_000 })).empty).toBe(true);
  expect(f.order(order.orderId).state).toBe('synced');
  const counters = f.sim.control.ledger().counters;
  expect(counters.requests['POST /orders']).toBe(1);
  expect(f.db.prepare('SELECT method, path, outcome FROM sync_log WHERE entity_id = ?').all(order.orderId)).toEqual([
    { method: 'GET', path: `/orders/${order.orderId}/transactions`, outcome: 'reconciled' },
  ]);
});
