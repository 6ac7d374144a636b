// Holds of points in the simulated ledger, without HTTP: what is available, what a hold takes,
// expiry from the clock, release, and an order that spends a hold exactly once.
import { describe, expect, it } from 'vitest';
import { SimError } from '../../../main/simulator/errors.ts';
import { createRandom } from '../../../main/simulator/prng.ts';
import { DEFAULT_HOLD_TTL_MS, SimulatorState } from '../../../main/simulator/state.ts';

function setup(): { s: SimulatorState; clock: { now: number } } {
  const clock = { now: Date.UTC(2026, 0, 1) };
  const s = new SimulatorState({
    now: () => clock.now,
    random: createRandom(1),
    referralWindowMs: 300_000,
    pointsPerUnit: 1,
    referralRewardPoints: { referrer: 100, referred: 50 },
  });
  // 500 points earned.
  s.trackOrder(
    { customerId: 'c1', orderId: 'earn', orderDate: new Date(clock.now - 60_000).toISOString(), totalPaid: 500 },
    'orders',
    'v4.0',
  );
  return { s, clock };
}

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof SimError) return err.code;
    throw err;
  }
  return undefined;
}

const at = (ms: number) => new Date(ms).toISOString();

describe('holds of points', () => {
  it('a hold makes its points unavailable, and refuses more than what is available', () => {
    const { s, clock } = setup();
    const h = s.holdPoints({ customerId: 'c1', transactionTime: at(clock.now), pointsToHold: 200, hash: '123456' });
    expect(h).toMatchObject({ customerId: 'c1', holdEquivalentPoints: 200, holdAmount: 20 });
    expect(s.pointsOf('c1')).toEqual({ total: 500, held: 200, available: 300 });
    expect(codeOf(() => s.holdPoints({ customerId: 'c1', transactionTime: at(clock.now), pointsToHold: 301 }))).toBe(6001);
    expect(codeOf(() => s.holdPoints({ customerId: 'nobody', transactionTime: at(clock.now), pointsToHold: 1 }))).toBe(4004);
    expect(codeOf(() => s.holdPoints({ customerId: 'c1', transactionTime: at(clock.now), pointsToHold: 1, amountToHold: 1 }))).toBe(3000);
    expect(codeOf(() => s.holdPoints({ customerId: 'c1', transactionTime: at(clock.now), pointsToHold: 1, hash: '12ab' }))).toBe(3003);
    // By amount: 5.05 units at 0.1 per point is 51 points (rounded up).
    expect(s.holdPoints({ customerId: 'c1', transactionTime: at(clock.now), amountToHold: 5.05 }).holdEquivalentPoints).toBe(51);
  });

  it('expires after the default ten minutes and gives its points back', () => {
    const { s, clock } = setup();
    const { holdReference } = s.holdPoints({ customerId: 'c1', transactionTime: at(clock.now), pointsToHold: 100 });
    clock.now += DEFAULT_HOLD_TTL_MS - 1;
    expect(s.getHold(holdReference)?.state).toBe('active');
    clock.now += 1;
    expect(s.getHold(holdReference)?.state).toBe('expired');
    expect(s.pointsOf('c1').available).toBe(500);
  });

  it('release gives the points back; the hold is then gone', () => {
    const { s, clock } = setup();
    const { holdReference } = s.holdPoints({ customerId: 'c1', transactionTime: at(clock.now), pointsToHold: 100 });
    expect(s.releaseHold(holdReference).success).toBe(true);
    expect(s.getHold(holdReference)).toBeUndefined();
    expect(s.pointsOf('c1').available).toBe(500);
    expect(codeOf(() => s.releaseHold(holdReference))).toBe(4004);
  });

  it('an order with the hold spends its points once; a second use or a duplicate order is refused', () => {
    const { s, clock } = setup();
    const { holdReference } = s.holdPoints({ customerId: 'c1', transactionTime: at(clock.now), pointsToHold: 100 });
    const order = {
      customerId: 'c1',
      orderId: 'r1',
      orderDate: at(clock.now - 1000),
      totalPaid: 40,
      redemption: { pointsHoldReference: holdReference },
    };
    const res = s.trackOrder(order, 'orders', 'v4.0');
    expect(res.redeemedPoints).toBe(100);
    expect(s.pointsOf('c1')).toEqual({ total: 500 + 40 - 100, held: 0, available: 440 });
    expect(s.getHold(holdReference)?.state).toBe('used');
    expect(codeOf(() => s.trackOrder(order, 'orders', 'v4.0'))).toBe(9004);
    expect(codeOf(() => s.trackOrder({ ...order, orderId: 'r2', orderDate: at(clock.now - 2000) }, 'orders', 'v4.0'))).toBe(6004);
    expect(codeOf(() => s.releaseHold(holdReference))).toBe(6004);
    expect(s.pointsOf('c1').total).toBe(440);
    expect(s.ledger().transactions.r1?.map((t) => t.transactionType)).toEqual(['PaymentReward', 'Redemption']);
  });

  it('an order with an expired hold is refused and changes nothing', () => {
    const { s, clock } = setup();
    const { holdReference } = s.holdPoints({ customerId: 'c1', transactionTime: at(clock.now), pointsToHold: 100 });
    expect(s.expireHolds()).toBe(1);
    const order = {
      customerId: 'c1',
      orderId: 'r1',
      orderDate: at(clock.now - 1000),
      totalPaid: 40,
      redemption: { pointsHoldReference: holdReference },
    };
    expect(codeOf(() => s.trackOrder(order, 'orders', 'v4.0'))).toBe(6003);
    expect(s.ledger().orders.map((o) => o.orderId)).toEqual(['earn']);
    expect(s.pointsOf('c1').total).toBe(500);
  });

  it('a snapshot keeps the holds', () => {
    const { s, clock } = setup();
    const { holdReference } = s.holdPoints({ customerId: 'c1', transactionTime: at(clock.now), pointsToHold: 100 });
    const copy = setup().s;
    copy.restore(s.snapshot());
    expect(copy.getHold(holdReference)?.state).toBe('active');
    expect(copy.pointsOf('c1').available).toBe(400);
  });
});
