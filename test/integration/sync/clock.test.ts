// The till's clock is wrong, or changes, while orders wait: a real SQLite file, the real engine and
// client, the simulator over real HTTP. The till's clock is the real one plus an offset the test
// moves (the engine takes its Clock from outside); the simulator keeps the real clock unless told.
// Every test ends with each order (and refund) in the simulator's ledger exactly once.
import { afterEach, expect, test } from 'vitest';
import { createSyncFixture, mobile } from '../../support/sync-fixture.ts';
import type { SyncFixture } from '../../support/sync-fixture.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let f: SyncFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

async function until(cond: () => boolean, realTimeoutMs = 15_000): Promise<void> {
  const end = Date.now() + realTimeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A till clock the test can move: the real clock plus `offset`. */
function movableClock() {
  const c = { offset: 0, now: () => Date.now() + c.offset };
  return c;
}

function ledgerOnce(fx: SyncFixture, orderIds: string[]): void {
  const ids = fx.sim.control.ledger().orders.map((o) => o.orderId);
  expect(ids.sort()).toEqual([...orderIds].sort());
}

test('orders captured with the clock two days ahead go as soon as the clock is corrected, each once', async () => {
  const clock = movableClock();
  clock.offset = 2 * DAY;
  f = await createSyncFixture({ clock });
  const a = f.capture({ mobile: mobile(), totalPaidMinor: 1000 });
  const b = f.capture({ mobile: mobile(), totalPaidMinor: 2000 });
  clock.offset = 0;

  const engine = f.engine();
  const started = Date.now();
  const result = await engine.drain({ untilEmpty: true, timeoutMs: 10_000 });
  expect(result).toMatchObject({ empty: true, timedOut: false });
  expect(Date.now() - started).toBeLessThan(5_000);
  ledgerOnce(f, [a.orderId, b.orderId]);
  // Gameball got dates it accepts (not in its future); the till keeps what it captured.
  for (const o of f.sim.control.ledger().orders) expect(Date.parse(o.orderDate)).toBeLessThanOrEqual(o.receivedAt);
  expect(f.order(a.orderId).order_date).toBe(a.orderDate);
  expect(Date.parse(a.orderDate)).toBeGreaterThan(Date.now() + DAY);
  // The check made after the correction says the clock is right now: no warning left over.
  const status = engine.status();
  expect(Math.abs(status.clockSkewMs ?? Number.NaN)).toBeLessThan(2_000);
  expect(status.clockWentBackMs).toBe(0);
});

test('clock set back after a failed attempt: the retry goes within its backoff, not when the clock catches up', async () => {
  const clock = movableClock();
  f = await createSyncFixture({ clock });
  const a = f.capture({ mobile: mobile(), totalPaidMinor: 1000 });
  const backoff = { baseMs: 1_500, capMs: 1_500, minMs: 1_500 };
  f.sim.control.setFaults({ errorRate: 1 });
  const first = f.engine({ backoff });
  await first.drain({ untilEmpty: false, timeoutMs: 5_000 });
  await first.stop();
  expect(f.outbox(a.orderId)).toEqual([expect.objectContaining({ state: 'pending', attempts: 1, next_attempt_at: expect.any(Number) })]);

  f.sim.control.setFaults({ errorRate: 0 });
  clock.offset = -HOUR;
  const second = f.engine({ backoff });
  const started = Date.now();
  expect((await second.drain({ untilEmpty: true, timeoutMs: 10_000 })).empty).toBe(true);
  expect(Date.now() - started).toBeLessThan(backoff.capMs + 1_000);
  ledgerOnce(f, [a.orderId]);
});

test('the clock set back while the engine waits out trouble: the pause keeps its length', async () => {
  const clock = movableClock();
  f = await createSyncFixture({ clock });
  const a = f.capture({ mobile: mobile(), totalPaidMinor: 1000 });
  f.sim.control.setOutage(true);
  const engine = f.engine({ backoff: { baseMs: 1_000, capMs: 1_000, minMs: 1_000 }, idlePollMs: 50 });
  engine.start();
  await until(() => f!.sim.control.ledger().counters.outageRejections >= 2);
  clock.offset = -DAY;
  f.sim.control.setOutage(false);
  const backAt = Date.now();
  await until(() => engine.status().counts.synced === 1);
  expect(Date.now() - backAt).toBeLessThan(3_000);
  ledgerOnce(f, [a.orderId]);
  // The engine saw the clock go back and kept its measurement in step: Gameball's clock did not move.
  await until(() => (engine.status().clockSkewMs ?? 0) < -DAY + 5_000);
});

test("Gameball's clock an hour behind the till's: orders and refunds still go, dated by Gameball's clock; the skew is measured", async () => {
  f = await createSyncFixture({ sim: { now: () => Date.now() - HOUR } });
  const customer = mobile();
  const a = f.capture({ mobile: customer, totalPaidMinor: 5000 });
  const b = f.capture({ mobile: customer, totalPaidMinor: 3000 });
  const refund = f.orders.captureRefund({ orderId: a.orderId, amountMinor: 1000 });
  const engine = f.engine();
  expect((await engine.drain({ untilEmpty: true, timeoutMs: 15_000 })).empty).toBe(true);

  ledgerOnce(f, [a.orderId, b.orderId]);
  const ledger = f.sim.control.ledger();
  expect(ledger.refunds.map((r) => r.refundTransactionId)).toEqual([refund.refundId]);
  for (const o of ledger.orders) expect(Date.parse(o.orderDate)).toBeLessThanOrEqual(o.receivedAt);
  expect(Date.parse(ledger.refunds[0]!.transactionTime)).toBeLessThanOrEqual(ledger.refunds[0]!.receivedAt);
  // The first order met Gameball before any measurement: refused as future-dated (nothing
  // recorded), then sent again at once with Gameball's own time. Later calls were dated right.
  const log = f.db.prepare(`SELECT entity_id, http_status, gameball_code FROM sync_log WHERE method = 'POST' ORDER BY id`).all();
  expect(log).toEqual([
    { entity_id: a.orderId, http_status: 422, gameball_code: 9007 },
    { entity_id: a.orderId, http_status: 200, gameball_code: null },
    { entity_id: b.orderId, http_status: 200, gameball_code: null },
    { entity_id: refund.refundId, http_status: 200, gameball_code: null },
  ]);
  expect(ledger.counters.responses['422/9004']).toBeUndefined();
  const status = engine.status();
  expect(status.clockSkewMs).toBeGreaterThan(HOUR - 2_000);
  expect(status.clockSkewMs).toBeLessThan(HOUR + 2_000);
  expect(status.clockWentBackMs).toBe(0);
});

test("the till's clock an hour ahead: its orders go without a person, dated by Gameball's clock, the till's time kept in extra", async () => {
  const clock = movableClock();
  clock.offset = HOUR;
  f = await createSyncFixture({ clock });
  const captured = [f.capture({ mobile: mobile(), totalPaidMinor: 1000 }), f.capture({ mobile: mobile(), totalPaidMinor: 2500 })];
  const engine = f.engine();
  expect((await engine.drain({ untilEmpty: true, timeoutMs: 15_000 })).empty).toBe(true);

  ledgerOnce(
    f,
    captured.map((o) => o.orderId),
  );
  for (const o of captured) expect(f.order(o.orderId).state).toBe('synced');
  const ledger = f.sim.control.ledger();
  for (const o of captured) {
    const sent = ledger.orders.find((l) => l.orderId === o.orderId)!;
    expect(Date.parse(sent.orderDate)).toBeLessThanOrEqual(sent.receivedAt);
    expect(sent.request.extra).toMatchObject({ tillOrderDate: o.orderDate });
    expect(f.order(o.orderId).order_date).toBe(o.orderDate);
  }
  expect(engine.status().counts.attention).toBe(0);
  const skew = engine.status().clockSkewMs ?? Number.NaN;
  expect(skew).toBeGreaterThan(HOUR - 2_000);
  expect(skew).toBeLessThan(HOUR + 2_000);
});
