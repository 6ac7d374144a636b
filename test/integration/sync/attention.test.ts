// Gameball refuses an order for a reason a person must fix: the order goes to needs-attention
// with Gameball's code and message; the corrected order is resent and synced, or discarded with
// its reason kept. Also: rows that no longer parse, and keys Gameball refuses.
import { afterEach, expect, test } from 'vitest';
import { OrderQueue } from '../../../main/orders/queue.ts';
import { createSyncFixture, mobile } from '../../support/sync-fixture.ts';
import type { SyncFixture } from '../../support/sync-fixture.ts';
import { simulatorClient } from '../../support/simulator-client.ts';

let f: SyncFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

test("needs attention with Gameball's code and message; edit and resend syncs it", async () => {
  // Gameball refuses the first of two sales for a rule of its own (3003, the simulator's fault).
  f = await createSyncFixture();
  const typo = mobile(501);
  const refusedOne = f.capture({ mobile: typo, totalPaidMinor: 2500, receiptNo: 'R-2' });
  const fine = f.capture({ mobile: mobile(503), totalPaidMinor: 1000 });
  f.sim.control.setFaults({ refuseOrders: 1 });
  const engine = f.engine();
  const statuses: number[] = [];
  engine.onStatus((s) => statuses.push(s.counts.attention));
  await engine.drain({ untilEmpty: true, timeoutMs: 10_000 });

  expect(f.order(fine.orderId).state).toBe('synced');
  const refused = f.order(refusedOne.orderId);
  expect(refused).toMatchObject({ state: 'attention', attention_code: '3003' });
  expect(refused.attention_message).toMatch(/refused by the simulator/i);
  expect(f.outbox(refusedOne.orderId)[0]).toMatchObject({ state: 'attention', last_error_code: '3003' });
  engine.emitStatus();
  expect(engine.status().counts).toMatchObject({ synced: 1, attention: 1 });
  expect(statuses).toContain(1);

  // The cashier corrects the customer's number and resends.
  const queue = new OrderQueue({ db: f.db, clock: { now: () => Date.now() }, settings: () => f!.settings.get(), rules: f.orders.rules });
  queue.editAndResend(refusedOne.orderId, { mobile: mobile(502) });
  engine.notify();
  expect((await engine.drain({ untilEmpty: true, timeoutMs: 10_000 })).empty).toBe(true);
  expect(f.order(refusedOne.orderId)).toMatchObject({ state: 'synced', rewarded_points: 25, attention_code: null });
  const ledger = f.sim.control.ledger();
  expect(ledger.orders.find((o) => o.orderId === refusedOne.orderId)).toMatchObject({ customerId: 'mobile_966500000502', totalPaid: 25 });
  expect(ledger.orders).toHaveLength(2);
});

test('two sales of one customer at the very same time (9003): the second goes a second earlier, no person needed', async () => {
  // A POS's sale times are whole seconds: two sales to one customer in one second share it.
  const frozen = Date.parse('2026-02-01T10:00:00.000Z');
  f = await createSyncFixture({ clock: { now: () => frozen } });
  const m = mobile(504);
  const first = f.capture({ mobile: m, totalPaidMinor: 1000 });
  const second = f.capture({ mobile: m, totalPaidMinor: 2500, receiptNo: 'R-2' });
  const engine = f.engine({ clock: { now: () => Date.now() } });
  expect((await engine.drain({ untilEmpty: true, timeoutMs: 10_000 })).empty).toBe(true);

  expect(f.order(first.orderId).state).toBe('synced');
  expect(f.order(second.orderId)).toMatchObject({ state: 'synced', rewarded_points: 25, attention_code: null });
  const ledger = f.sim.control.ledger();
  expect(ledger.orders).toHaveLength(2);
  const sent = ledger.orders.find((o) => o.orderId === second.orderId);
  expect(sent?.request.orderDate).toBe('2026-02-01T09:59:59.000Z');
  // The till keeps the time it captured, and Gameball's record carries it too.
  expect(f.order(second.orderId).order_date).toBe('2026-02-01T10:00:00.000Z');
  expect((sent?.request.extra as Record<string, unknown> | undefined)?.tillOrderDate).toBe('2026-02-01T10:00:00.000Z');
  // Gameball's refusal and the second try are both in the call log.
  const calls = f.db
    .prepare<[string], { gameball_code: number | null; outcome: string }>(
      'SELECT gameball_code, outcome FROM sync_log WHERE entity_id = ? ORDER BY id',
    )
    .all(second.orderId);
  expect(calls.map((c) => c.gameball_code)).toEqual([9003, null]);
});

test('discarded with a reason: never sent, reason kept', async () => {
  f = await createSyncFixture();
  const dup = f.capture({ mobile: mobile(601), totalPaidMinor: 1100 });
  f.sim.control.setFaults({ refuseOrders: 1 });
  const engine = f.engine();
  await engine.drain({ untilEmpty: true, timeoutMs: 10_000 });
  expect(f.order(dup.orderId).state).toBe('attention');
  const queue = new OrderQueue({ db: f.db, clock: { now: () => Date.now() }, settings: () => f!.settings.get(), rules: f.orders.rules });
  queue.discard(dup.orderId, 'rung up twice by mistake');
  engine.syncNow();
  await engine.drain({ untilEmpty: true, timeoutMs: 5_000 });
  expect(f.order(dup.orderId)).toMatchObject({ state: 'discarded', discard_reason: 'rung up twice by mistake' });
  expect(f.sim.control.ledger().orders.map((o) => o.orderId)).not.toContain(dup.orderId);
});

test('a stored row that no longer parses goes to needs attention; the loop goes on', async () => {
  f = await createSyncFixture();
  const broken = f.capture({ mobile: mobile(), totalPaidMinor: 500 });
  const fine = f.capture({ mobile: mobile(), totalPaidMinor: 600 });
  f.db.prepare(`UPDATE orders SET line_items_json = '{oops' WHERE order_id = ?`).run(broken.orderId);
  const engine = f.engine();
  await engine.drain({ untilEmpty: true, timeoutMs: 10_000 });
  expect(f.order(broken.orderId)).toMatchObject({ state: 'attention', attention_code: 'LOCAL_UNREADABLE' });
  expect(f.order(broken.orderId).attention_message).toMatch(/cannot be read.*Edit it and resend, or discard it/);
  expect(f.order(fine.orderId).state).toBe('synced');
});

test('keys refused (401): sync pauses, orders stay pending (not needs-attention), a clear last error', async () => {
  f = await createSyncFixture();
  const order = f.capture({ mobile: mobile(), totalPaidMinor: 500 });
  const other = f.capture({ mobile: mobile(), totalPaidMinor: 600 });
  const wrongSecret = 'not-the-secret-key-123';
  const client = simulatorClient({ baseUrl: f.sim.url, secretKey: wrongSecret, timeoutMs: 2_000 });
  const engine = f.engine({ client, concurrency: 1 });
  await engine.drain({ untilEmpty: false, timeoutMs: 5_000 });
  expect(f.order(order.orderId).state).toBe('pending');
  expect(f.order(other.orderId).state).toBe('pending');
  expect(engine.status().lastError?.message).toMatch(/Unauthorized/);
  expect(f.outbox(order.orderId)[0]?.last_error_message).toMatch(/refused the keys/);
  // One refused call, then the pause: not one refusal per order.
  expect(f.sim.control.ledger().counters.responses['401/1001']).toBe(1);
  // The audit trail and the status never carry the key.
  expect(JSON.stringify(f.db.prepare('SELECT * FROM sync_log').all())).not.toContain(wrongSecret);
  expect(JSON.stringify(engine.status())).not.toContain(wrongSecret);
});
