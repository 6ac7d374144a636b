// Spending points at the till, end to end over HTTP against the simulator: the engine facade with
// the real Gameball sync (main/sync/wiring.ts) pointed at a simulator standing in for Gameball.
// Hold, release on cancel, a redemption spent exactly once (also when the answer to the hold or to
// the redemption order is lost), an expired hold ending in needs-attention with both choices, and
// a redemption order sent ahead of the backlog.
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { Engine } from '../../../main/engine.ts';
import { CaptureRefusedError } from '../../../main/orders/errors.ts';
import type { RunningSimulator } from '../../../main/simulator/index.ts';
import type { GameballSyncPart } from '../../../main/sync/wiring.ts';
import { liveEngine } from '../../support/live-engine.ts';
import type { LiveEngine } from '../../support/live-engine.ts';

let live: LiveEngine;
let sim: RunningSimulator;
let engine: Engine;
let part: GameballSyncPart;

beforeEach(async () => {
  live = await liveEngine('pos-redeem-');
  ({ sim, engine } = live);
  part = live.part();
});
afterEach(() => live.close());

const MOBILE = '+966500000301';
const CUSTOMER = 'mobile_966500000301';

async function drain(): Promise<void> {
  expect((await part.drain({ untilEmpty: true, timeoutMs: 15_000 })).empty).toBe(true);
}

/** The customer earns 500 points (an order of 500.00 SAR, 1 point per unit). */
async function customerWith500(): Promise<void> {
  engine.captureOrder({ mobile: MOBILE, totalPaidMinor: 50_000 });
  await drain();
  expect(sim.control.ledger().customers.find((c) => c.customerId === CUSTOMER)?.points).toBe(500);
}

function points(): number | undefined {
  return sim.control.ledger().customers.find((c) => c.customerId === CUSTOMER)?.points;
}

async function refusalOf(p: Promise<unknown>): Promise<CaptureRefusedError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CaptureRefusedError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

test('redeeming: the hold becomes the discount, the order carries it, and the points are spent once', async () => {
  await customerWith500();
  const hold = await engine.points.hold({ customer: { mobile: MOBILE }, points: 200, hash: '123456' });
  // 200 points at the simulator's 0.1 per point: 20.00 SAR off.
  expect(hold).toMatchObject({ customerId: CUSTOMER, points: 200, amountMinor: 2000, currency: 'SAR', state: 'held' });
  expect(sim.control.ledger().holds[0]).toMatchObject({ hash: '123456', state: 'active', points: 200 });

  const order = engine.captureOrder({ mobile: MOBILE, totalPaidMinor: 8000, pointsHoldReference: hold.holdReference });
  expect(engine.getOrder(order.orderId)).toMatchObject({
    totalDiscountMinor: 2000,
    redemption: { holdReference: hold.holdReference, points: 200, amountMinor: 2000 },
  });
  // The same hold cannot be used by a second sale.
  expect(() => engine.captureOrder({ mobile: MOBILE, totalPaidMinor: 100, pointsHoldReference: hold.holdReference })).toThrow(
    expect.objectContaining({ code: 'HOLD_NOT_USABLE' }),
  );
  await drain();

  const ledger = sim.control.ledger();
  const posted = ledger.orders.find((o) => o.orderId === order.orderId);
  expect(posted?.request).toMatchObject({ totalPaid: 80, totalDiscount: 20, redemption: { pointsHoldReference: hold.holdReference } });
  expect(ledger.holds.find((h) => h.holdReference === hold.holdReference)).toMatchObject({ state: 'used', orderId: order.orderId });
  // 500 earned, +80 for this order, -200 redeemed: exactly once.
  expect(points()).toBe(380);
  expect(ledger.transactions[order.orderId]?.filter((t) => t.transactionType === 'Redemption')).toHaveLength(1);
  expect(engine.getOrder(order.orderId)?.state).toBe('synced');
});

test('a cancelled sale releases its hold: the points are available again at Gameball', async () => {
  await customerWith500();
  const hold = await engine.points.hold({ customer: { customerId: CUSTOMER }, points: 450 });
  // Another hold beyond what is left is refused by Gameball, said as such.
  expect((await refusalOf(engine.points.hold({ customer: { customerId: CUSTOMER }, points: 100 }))).code).toBe('REDEEM_REFUSED');
  const released = await engine.points.release(hold.holdReference);
  expect(released.state).toBe('released');
  expect(sim.control.ledger().holds.find((h) => h.holdReference === hold.holdReference)?.state).toBe('released');
  // Now the whole balance can be held again.
  expect((await engine.points.hold({ customer: { customerId: CUSTOMER }, points: 500 })).points).toBe(500);
  // A released hold cannot be put on a sale.
  expect(() => engine.captureOrder({ mobile: MOBILE, totalPaidMinor: 100, pointsHoldReference: hold.holdReference })).toThrow(
    expect.objectContaining({ code: 'HOLD_NOT_USABLE' }),
  );
});

test('discarding an unsent redemption order releases its hold', async () => {
  await customerWith500();
  const hold = await engine.points.hold({ customer: { mobile: MOBILE }, points: 100 });
  const order = engine.captureOrder({ mobile: MOBILE, totalPaidMinor: 1000, pointsHoldReference: hold.holdReference });
  engine.discard(order.orderId, 'customer left');
  await expect.poll(() => sim.control.ledger().holds[0]?.state, { timeout: 5_000 }).toBe('released');
  expect(points()).toBe(500);
});

test('a lost answer to the hold spends nothing: the cashier holds again and the sale spends exactly those points once', async () => {
  await customerWith500();
  sim.control.setFaults({ dropHolds: 1 });
  const lost = await refusalOf(engine.points.hold({ customer: { mobile: MOBILE }, points: 100 }));
  expect(lost.code).toBe('REDEEM_UNCONFIRMED');
  expect(lost.message).toMatch(/nothing was spent/);
  const hold = await engine.points.hold({ customer: { mobile: MOBILE }, points: 100 });
  const order = engine.captureOrder({ mobile: MOBILE, totalPaidMinor: 1000, pointsHoldReference: hold.holdReference });
  await drain();
  const ledger = sim.control.ledger();
  // Two holds at Gameball (the lost one never used), one spent.
  expect(ledger.holds.map((h) => h.state).sort()).toEqual(['active', 'used']);
  expect(points()).toBe(500 + 10 - 100);
  expect(engine.getOrder(order.orderId)?.state).toBe('synced');
});

test('a lost answer to the redemption order is confirmed by a look-up, never posted again: points spent once', async () => {
  await customerWith500();
  const hold = await engine.points.hold({ customer: { mobile: MOBILE }, points: 150 });
  const order = engine.captureOrder({ mobile: MOBILE, totalPaidMinor: 3000, pointsHoldReference: hold.holdReference });
  sim.control.setFaults({ dropRedemptionOrders: 1 });
  await drain();
  const ledger = sim.control.ledger();
  expect(ledger.orders.filter((o) => o.orderId === order.orderId)).toHaveLength(1);
  expect(ledger.counters.requests['POST /orders']).toBe(2); // the earning order and this one, once
  expect(points()).toBe(500 + 30 - 150);
  expect(engine.getOrder(order.orderId)?.state).toBe('synced');
  const outcomes = engine.getOrder(order.orderId)?.syncLog.map((l) => `${l.method} ${l.path} ${l.outcome}`);
  expect(outcomes).toContain(`GET /orders/${order.orderId}/transactions reconciled`);
});

test('an expired hold stops its order in needs-attention; "hold again" spends the same points once', async () => {
  await customerWith500();
  const hold = await engine.points.hold({ customer: { mobile: MOBILE }, points: 120 });
  const order = engine.captureOrder({ mobile: MOBILE, totalPaidMinor: 2000, pointsHoldReference: hold.holdReference });
  expect(sim.control.expireHolds()).toBe(1);
  await drain();
  const stopped = engine.getOrder(order.orderId);
  expect(stopped).toMatchObject({ state: 'attention', attentionCode: 'HOLD_EXPIRED' });
  expect(stopped?.attentionMessage).toMatch(/120 points .* expired before this order reached Gameball, so no points were spent/);
  expect(sim.control.ledger().orders.some((o) => o.orderId === order.orderId)).toBe(false);
  expect(points()).toBe(500);
  // Only an order stopped this way takes the choice.
  const other = engine.captureOrder({ mobile: MOBILE, totalPaidMinor: 100 });
  expect(() => engine.points.sendWithoutRedemption(other.orderId)).toThrow(expect.objectContaining({ code: 'NOT_IN_ATTENTION' }));

  const again = await engine.points.holdAgain(order.orderId);
  expect(again.state).toBe('pending');
  const newRef = engine.getOrder(order.orderId)?.redemption?.holdReference;
  expect(newRef).toBeDefined();
  expect(newRef).not.toBe(hold.holdReference);
  await drain();
  expect(engine.getOrder(order.orderId)?.state).toBe('synced');
  const posted = sim.control.ledger().orders.find((o) => o.orderId === order.orderId);
  expect(posted?.request).toMatchObject({ redemption: { pointsHoldReference: newRef } });
  expect(points()).toBe(500 + 20 + 1 - 120);
});

test('an expired hold: "send without redemption" sends the order and spends no points', async () => {
  await customerWith500();
  const hold = await engine.points.hold({ customer: { mobile: MOBILE }, points: 120 });
  const order = engine.captureOrder({ mobile: MOBILE, totalPaidMinor: 2000, pointsHoldReference: hold.holdReference });
  sim.control.expireHolds();
  await drain();
  expect(engine.getOrder(order.orderId)?.attentionCode).toBe('HOLD_EXPIRED');
  expect(engine.points.sendWithoutRedemption(order.orderId).state).toBe('pending');
  expect(engine.getOrder(order.orderId)?.redemption).toBeNull();
  await drain();
  const posted = sim.control.ledger().orders.find((o) => o.orderId === order.orderId);
  expect(posted?.request.redemption).toBeUndefined();
  expect(points()).toBe(520);
  // The choice was made: the order no longer offers it.
  expect(() => engine.points.sendWithoutRedemption(order.orderId)).toThrow(expect.objectContaining({ code: 'NOT_IN_ATTENTION' }));
});

test('a redemption order is sent ahead of the backlog', async () => {
  await customerWith500();
  // The hold first (the cashier presses Redeem), then the backlog and the sale are saved at once,
  // so the sync sees them all owed together.
  const hold = await engine.points.hold({ customer: { mobile: MOBILE }, points: 50 });
  const backlog = Array.from({ length: 12 }, (_, i) =>
    engine.captureOrder({ mobile: `+9665000004${String(i).padStart(2, '0')}`, totalPaidMinor: 1000 + i }),
  );
  // An older order of the same customer is in the backlog too.
  const older = engine.captureOrder({ mobile: MOBILE, totalPaidMinor: 500 });
  const redemption = engine.captureOrder({ mobile: MOBILE, totalPaidMinor: 700, pointsHoldReference: hold.holdReference });
  await drain();
  const received = sim.control
    .ledger()
    .orders.sort((a, b) => a.receivedAt - b.receivedAt || 0)
    .map((o) => o.orderId);
  // The earning order first (before all this), then the redemption, then the backlog.
  expect(received.indexOf(redemption.orderId)).toBe(1);
  expect(backlog.every((b) => received.indexOf(b.orderId) > 1)).toBe(true);
  expect(received.indexOf(redemption.orderId)).toBeLessThan(received.indexOf(older.orderId));
  expect(received).toHaveLength(15);
  expect(points()).toBe(500 + 5 + 7 - 50);
});

test('offline: Redeem is off with the reason, and a hold fails clearly', async () => {
  sim.control.setOutage(true, 'error');
  const e = await refusalOf(engine.points.hold({ customer: { mobile: MOBILE }, points: 10 }));
  expect(e.code).toBe('REDEEM_OFFLINE');
  expect(e.message).toMatch(/cannot be reached/);
});
