// The ledger's rules without HTTP: earning arithmetic, refund arithmetic, referral window
// edges, and a snapshot that restores the same rules.
import { describe, expect, it } from 'vitest';
import { SimError } from '../../../main/simulator/errors.ts';
import { createRandom } from '../../../main/simulator/prng.ts';
import { SimulatorState } from '../../../main/simulator/state.ts';
import type { StateConfig } from '../../../main/simulator/state.ts';

function state(over: Partial<StateConfig> = {}): { s: SimulatorState; clock: { now: number } } {
  const clock = { now: Date.UTC(2026, 0, 1) };
  const s = new SimulatorState({
    now: () => clock.now,
    random: createRandom(1),
    referralWindowMs: 300_000,
    pointsPerUnit: 1,
    referralRewardPoints: { referrer: 100, referred: 50 },
    ...over,
  });
  return { s, clock };
}

let n = 0;
function trackOrder(s: SimulatorState, customerId: string, totalPaid: number): ReturnType<SimulatorState['trackOrder']> {
  n += 1;
  return s.trackOrder(
    { customerId, orderId: `o${n}`, orderDate: new Date(Date.UTC(2025, 0, 1) + n).toISOString(), totalPaid },
    'orders',
    'v4.0',
  );
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

describe('earning rule', () => {
  it.each([
    [1, 0.29, 0],
    [100, 0.29, 29], // 0.29 * 100 = 28.999999999999996 in binary
    [1, 12.999, 12],
    [10, 1.1, 11],
    [0.5, 3, 1],
    [1, 0, 0],
  ])('pointsPerUnit %d, totalPaid %d -> %d points', (pointsPerUnit, totalPaid, points) => {
    const { s } = state({ pointsPerUnit });
    expect(trackOrder(s, 'c', totalPaid).rewardedPoints).toBe(points);
  });
});

describe('refund arithmetic', () => {
  it('partials add up in decimals without drift and the last one is full', () => {
    const { s } = state({ pointsPerUnit: 10 });
    trackOrder(s, 'c', 0.3);
    const orderId = `o${n}`;
    const a = s.refund({
      customerId: 'c',
      refundTransactionId: 'r1',
      reverseTransactionId: orderId,
      transactionTime: '2025-02-01T00:00:00Z',
      refundAmount: 0.1,
    });
    const b = s.refund({
      customerId: 'c',
      refundTransactionId: 'r2',
      reverseTransactionId: orderId,
      transactionTime: '2025-02-01T00:00:00Z',
      refundAmount: 0.2,
    });
    expect([a.refundEquivalentPoints, b.refundEquivalentPoints]).toEqual([1, 2]);
    const ledger = s.ledger();
    expect(ledger.refunds.map((r) => r.full)).toEqual([false, true]);
    expect(ledger.orders[0]).toMatchObject({ refundedAmount: 0.3, refundedPoints: 3 });
    expect(
      codeOf(() =>
        s.refund({ customerId: 'c', refundTransactionId: 'r3', reverseTransactionId: orderId, transactionTime: '2025-02-01T00:00:00Z' }),
      ),
    ).toBe(3003);
  });

  it('a future transactionTime is 9007', () => {
    const { s, clock } = state();
    trackOrder(s, 'c', 5);
    expect(
      codeOf(() =>
        s.refund({
          customerId: 'c',
          refundTransactionId: 'r',
          reverseTransactionId: `o${n}`,
          transactionTime: new Date(clock.now + 1).toISOString(),
        }),
      ),
    ).toBe(9007);
  });
});

describe('referral window', () => {
  it('a code exactly at the window end links; one millisecond later does not', () => {
    const { s, clock } = state({ referralWindowMs: 1000 });
    s.upsertCustomer({ customerId: 'owner' });
    const code = s.getCustomer('owner')?.referralCode as string;
    s.upsertCustomer({ customerId: 'on-time' });
    s.upsertCustomer({ customerId: 'late' });
    clock.now += 1000;
    s.upsertCustomer({ customerId: 'on-time', referrerCode: code });
    clock.now += 1;
    s.upsertCustomer({ customerId: 'late', referrerCode: code });
    expect(s.ledger().referrals.map((r) => r.referredCustomerId)).toEqual(['on-time']);
  });

  it('a customer with an order can no longer be referred', () => {
    const { s } = state();
    s.upsertCustomer({ customerId: 'owner' });
    const code = s.getCustomer('owner')?.referralCode as string;
    s.upsertCustomer({ customerId: 'buyer' });
    trackOrder(s, 'buyer', 1);
    s.upsertCustomer({ customerId: 'buyer', referrerCode: code });
    expect(s.ledger().referrals).toEqual([]);
  });

  it('referral codes are unique and stable per seed', () => {
    const a = state().s;
    const b = state().s;
    const codes = new Set<string>();
    for (let i = 0; i < 500; i += 1) {
      a.upsertCustomer({ customerId: `c${i}` });
      b.upsertCustomer({ customerId: `c${i}` });
      codes.add(a.getCustomer(`c${i}`)?.referralCode as string);
    }
    expect(codes.size).toBe(500);
    expect(a.getCustomer('c499')?.referralCode).toBe(b.getCustomer('c499')?.referralCode);
  });
});

describe('snapshot', () => {
  it('restores data and the indexes the rules use (9003, 9004, codes)', () => {
    const { s } = state();
    s.upsertCustomer({ customerId: 'owner' });
    const order = { customerId: 'c', orderId: 'X', orderDate: '2025-01-01T00:00:00.000Z', totalPaid: 3 };
    s.trackOrder(order, 'orders', 'v4.0');
    const copy = state().s;
    copy.restore(JSON.parse(JSON.stringify(s.snapshot())));
    expect(codeOf(() => copy.trackOrder(order, 'orders', 'v4.0'))).toBe(9004);
    expect(codeOf(() => copy.trackOrder({ ...order, orderId: 'Y' }, 'orders', 'v4.0'))).toBe(9003);
    expect(copy.validateReferral(s.getCustomer('owner')?.referralCode as string, 'new')).toBe(true);
    expect(copy.ledger().orders).toEqual(s.ledger().orders);
  });
});

describe('batch jobs', () => {
  const item = (i: number) => ({
    customerId: `b${i}`,
    orderId: `batch-${i}`,
    orderDate: new Date(Date.UTC(2025, 0, 1) + i).toISOString(),
    totalPaid: 10,
  });
  const run = (s: SimulatorState, jobId: number, slice?: number) =>
    s.runBatch(
      jobId,
      (_batch, it) => ({ rewardedPoints: s.trackOrder(it as ReturnType<typeof item>, 'batch', 'v4.0').rewardedPoints }),
      slice,
    );

  it('pending, then processing with the results so far, then completed', () => {
    const { s } = state();
    const job = s.createBatch('orders', [item(1), item(2), item(3)], 'v4.0');
    expect(s.getBatch(job.jobId)).toMatchObject({ status: 'pending', processedItems: 0, results: [] });
    expect(run(s, job.jobId, 2)).toBe(true);
    expect(s.getBatch(job.jobId)).toMatchObject({ status: 'processing', processedItems: 2 });
    expect(s.getBatch(job.jobId)?.results.map((r) => r.orderId)).toEqual(['batch-1', 'batch-2']);
    expect(s.pendingBatches().map((b) => b.jobId)).toEqual([job.jobId]);
    expect(run(s, job.jobId, 2)).toBe(false);
    expect(s.getBatch(job.jobId)).toMatchObject({ status: 'completed', processedItems: 3, failedItems: 0 });
    expect(s.pendingBatches()).toEqual([]);
    expect(s.ledger().orders.map((o) => o.via)).toEqual(['batch', 'batch', 'batch']);
  });

  it('failAfter: the job stops as failed; items after it never run and get no result', () => {
    const { s } = state();
    const job = s.createBatch('orders', [item(11), item(12), item(13)], 'v4.0', 1);
    expect(run(s, job.jobId)).toBe(false);
    expect(s.getBatch(job.jobId)).toMatchObject({ status: 'failed', processedItems: 1 });
    expect(s.getBatch(job.jobId)?.results).toEqual([expect.objectContaining({ index: 0, orderId: 'batch-11', status: 'success' })]);
    expect(s.ledger().orders.map((o) => o.orderId)).toEqual(['batch-11']);
  });
});
