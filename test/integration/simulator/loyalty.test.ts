// The loyalty reads and coupons of the simulator over real HTTP: the balance follows earning,
// referral rewards and refunds; points of an order inside its return window are pending; tiers
// follow lifetime points; coupon locks are exclusive, released by DELETE, burned once by the order
// that carries them, and a lost answer to a lock never leaves two locks.
import { describe, expect, it } from 'vitest';
import { api, order, outcome, simulatorsPerTest } from './sim-client.ts';

const sim = simulatorsPerTest({ seed: 21, rateLimit: false });

describe('customer balance, tier and referrals', () => {
  it('balance: earned points are available, refunds take them back, values follow pointValue', async () => {
    const s = await sim({ pointValue: 0.05, currency: 'SAR' });
    const first = order({ customerId: 'bal-1', totalPaid: 250 });
    expect((await api(s, 'POST', '/orders', first)).body.rewardedPoints).toBe(250);
    await api(s, 'POST', '/orders', order({ customerId: 'bal-1', totalPaid: 100 }));
    let b = await api(s, 'GET', '/customers/bal-1/balance');
    expect(b.body).toMatchObject({
      totalPointsBalance: 350,
      availablePointsBalance: 350,
      availablePointsValue: 17.5,
      pendingPoints: 0,
      currency: 'SAR',
      totalEarnedPoints: 350,
    });
    await api(s, 'POST', '/transactions/refund', {
      customerId: 'bal-1',
      refundTransactionId: 'RF-bal-1',
      reverseTransactionId: first.orderId,
      transactionTime: '2026-01-02T00:00:00.000Z',
      refundAmount: 50,
    });
    b = await api(s, 'GET', '/customers/bal-1/balance');
    expect(b.body).toMatchObject({
      totalPointsBalance: 300,
      availablePointsBalance: 300,
      availablePointsValue: 15,
      totalEarnedPoints: 350,
    });
  });

  it('points of an order inside its return window are pending, then available', async () => {
    let now = Date.UTC(2026, 0, 10);
    const s = await sim({ now: () => now });
    await api(s, 'POST', '/orders', order({ customerId: 'pend-1', totalPaid: 40 }));
    await api(s, 'POST', '/orders', order({ customerId: 'pend-1', totalPaid: 60, cashbackConfigurations: { returnWindow: 14 } }));
    expect((await api(s, 'GET', '/customers/pend-1/balance')).body).toMatchObject({
      totalPointsBalance: 100,
      availablePointsBalance: 40,
      pendingPoints: 60,
    });
    now += 15 * 86_400_000;
    expect((await api(s, 'GET', '/customers/pend-1/balance')).body).toMatchObject({ availablePointsBalance: 100, pendingPoints: 0 });
  });

  it('tier progress counts lifetime points; referral counts follow the referred friends', async () => {
    const s = await sim();
    await api(s, 'POST', '/customers', { customerId: 'owner' });
    const code = (await api(s, 'GET', '/customers/owner')).body.referralCode as string;
    await api(s, 'POST', '/orders', order({ customerId: 'owner', totalPaid: 600 }));
    expect((await api(s, 'GET', '/customers/owner/tier-progress')).body).toMatchObject({
      current: { name: 'Silver', order: 2 },
      next: { name: 'Gold', minProgress: 2000 },
      progress: 600,
    });
    await api(s, 'POST', '/customers', { customerId: 'friend-1', referrerCode: code });
    await api(s, 'POST', '/customers', { customerId: 'friend-2', referrerCode: code });
    await api(s, 'POST', '/orders', order({ customerId: 'friend-1', totalPaid: 10 }));
    expect((await api(s, 'GET', '/customers/owner/referrals/count')).body).toEqual({ count: 2, totalPending: 1, totalActive: 1 });
    // The referrer's reward (100) counts in their balance and their progress.
    expect((await api(s, 'GET', '/customers/owner/balance')).body.availablePointsBalance).toBe(700);
    expect((await api(s, 'GET', '/customers/owner/tier-progress')).body.progress).toBe(700);
  });

  it('an unknown customer is 404 on every read; the preview still quotes (customerFound false)', async () => {
    const s = await sim();
    for (const path of ['/customers/nobody/balance', '/customers/nobody/tier-progress', '/customers/nobody/referrals/count']) {
      expect((await api(s, 'GET', path)).status).toBe(404);
    }
    const p = await api(s, 'POST', '/orders/reward-preview', { customerId: 'nobody', totalPaid: 99.99 });
    expect(p.body).toMatchObject({ customerFound: false, totalPoints: 99 });
    // A preview records nothing.
    expect(s.control.ledger().customers).toEqual([]);
  });
});

describe('coupons', () => {
  it('a lock is exclusive, released by DELETE, and can then be locked by another customer', async () => {
    const s = await sim();
    s.control.putCoupon({ code: 'ONE-TIME', type: 'fixed', value: 5 });
    const a = await api(s, 'POST', '/coupons/validate', { customerId: 'cust-a', coupons: ['one-time'], lock: true });
    expect(a.body).toMatchObject({ valid: true, coupons: [{ code: 'ONE-TIME', type: 'fixed', value: 5 }] });
    const ref = a.body.lockReference as string;
    const b = await api(s, 'POST', '/coupons/validate', { customerId: 'cust-b', coupons: ['ONE-TIME'], lock: true });
    expect(b.body).toEqual({ valid: false, coupons: [] });
    const released = await api(s, 'DELETE', `/coupons/${ref}`);
    expect(released.body).toMatchObject({ success: true, releasedCoupons: ['ONE-TIME'] });
    // A second release (a lost answer retried) releases nothing more and still succeeds.
    expect((await api(s, 'DELETE', `/coupons/${ref}`)).body).toMatchObject({ success: true, releasedCoupons: [] });
    const b2 = await api(s, 'POST', '/coupons/validate', { customerId: 'cust-b', coupons: ['ONE-TIME'], lock: true });
    expect(b2.body.valid).toBe(true);
    expect(b2.body.lockReference).not.toBe(ref);
  });

  it('the order carrying the lock burns it once; a repeated order (9004) burns nothing more', async () => {
    const s = await sim();
    s.control.putCoupon({ code: 'TWICE', type: 'percentage', value: 10, usageLimit: 2 });
    const lock = await api(s, 'POST', '/coupons/validate', { customerId: 'burner', coupons: ['TWICE'], lock: true });
    const body = order({ customerId: 'burner', redemption: { couponsLockReference: lock.body.lockReference as string } });
    expect((await api(s, 'POST', '/orders', body)).status).toBe(200);
    expect((await api(s, 'POST', '/orders', body)).body.code).toBe(9004);
    const coupon = s.control.ledger().coupons.find((c) => c.code === 'TWICE');
    expect(coupon?.used).toBe(1);
    // The used lock cannot be released, nor carried by another order.
    expect((await api(s, 'DELETE', `/coupons/${lock.body.lockReference as string}`)).status).toBe(422);
    const again = await api(s, 'POST', '/orders', order({ customerId: 'burner', redemption: body.redemption }));
    expect([again.status, again.body.code]).toEqual([422, 3003]);
  });

  it('an order whose coupon lock was released is refused and records nothing', async () => {
    const s = await sim();
    const lock = await api(s, 'POST', '/coupons/validate', { customerId: 'rel', coupons: ['WELCOME10'], lock: true });
    await api(s, 'DELETE', `/coupons/${lock.body.lockReference as string}`);
    const answer = await api(
      s,
      'POST',
      '/orders',
      order({ customerId: 'rel', redemption: { couponsLockReference: lock.body.lockReference } }),
    );
    expect(answer.status).toBe(422);
    expect(s.control.ledger().orders).toEqual([]);
  });

  it('a lost answer to a lock, asked again, gives the same lock: never two locks', async () => {
    const s = await sim({ dropRate: 1 });
    const req = { customerId: 'lost', coupons: ['WELCOME10'], lock: true };
    expect(await outcome(api(s, 'POST', '/coupons/validate', req))).toBe('failed');
    s.control.setFaults({ dropRate: 0 });
    const again = await api(s, 'POST', '/coupons/validate', req);
    expect(again.body.valid).toBe(true);
    const locks = s.control.ledger().couponLocks.filter((l) => l.customerId === 'lost');
    expect(locks.map((l) => l.lockReference)).toEqual([again.body.lockReference]);
  });

  it('minimum order value and expiry are enforced', async () => {
    const s = await sim({ now: () => Date.UTC(2026, 5, 1) });
    s.control.putCoupon({ code: 'OLD', type: 'fixed', value: 1, expiryDate: '2026-01-01T00:00:00Z' });
    expect((await api(s, 'POST', '/coupons/validate', { customerId: 'x', coupons: ['OLD'] })).body.valid).toBe(false);
    expect((await api(s, 'POST', '/coupons/validate', { customerId: 'x', coupons: ['SAVE15'], totalPurchaseAmount: 20 })).body.valid).toBe(
      false,
    );
    expect((await api(s, 'POST', '/coupons/validate', { customerId: 'x', coupons: ['SAVE15'], totalPurchaseAmount: 80 })).body.valid).toBe(
      true,
    );
  });
});
