// The checkout's loyalty service over real HTTP against the simulator, on a real SQLite file:
// the panel matches the simulator's ledger after earning, a customer unknown to Gameball is 'new',
// offline the last answer comes back with its age (and training answers never stand in for live
// ones), a coupon locked for a sale is burned once by the synced order, a cancelled sale's lock is
// released, a lost answer to the lock never leaves two locks, and the reward preview quotes the
// earning rule.
import { afterEach, describe, expect, it } from 'vitest';
import { LoyaltyService } from '../../../main/loyalty/customer-service.ts';
import type { LoyaltyPort } from '../../../main/loyalty/port.ts';
import { loyaltyLink } from '../../../main/sync/loyalty-link.ts';
import { createSyncFixture, mobile } from '../../support/sync-fixture.ts';
import type { SyncFixture } from '../../support/sync-fixture.ts';

let f: SyncFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

async function till(opts: { now?: () => number } = {}) {
  const clock = { now: opts.now ?? (() => Date.now()) };
  f = await createSyncFixture({ clock, sim: { pointValue: 0.1, currency: 'SAR' }, settings: { storeName: 'Olaya', branchName: 'Main' } });
  const fixture = f;
  let connected = true;
  let training = false;
  const link = loyaltyLink(async () => fixture.client);
  const service = new LoyaltyService({
    db: fixture.db,
    clock,
    settings: () => fixture.settings.get(),
    training: () => training,
    port: (): LoyaltyPort | null => (connected ? link : null),
    timeoutMs: 3000,
  });
  return {
    f: fixture,
    service,
    disconnect: () => (connected = false),
    setTraining: (t: boolean) => (training = t),
  };
}

describe('customer panel', () => {
  it('shows the simulator balance, tier and referrals after earning; a new customer says so', async () => {
    const { f, service } = await till();
    const m = mobile();
    const first = await service.customer({ customer: { mobile: m } });
    expect(first).toMatchObject({ status: 'new', customerId: `mobile_${m.slice(1)}` });

    const order = f.capture({ mobile: m, totalPaidMinor: 60_000, currency: 'SAR' });
    expect((await f.engine().drain({ untilEmpty: true, timeoutMs: 10_000 })).empty).toBe(true);
    expect(f.order(order.orderId).rewarded_points).toBe(600);

    const panel = await service.customer({ customer: { mobile: m } });
    expect(panel.status).toBe('live');
    if (panel.status !== 'live') return;
    const balance = (await f.client.customerBalance(panel.customerId)).value;
    expect(panel.profile).toMatchObject({
      // An order creates the customer at Gameball without a name.
      name: null,
      availablePoints: balance?.availablePointsBalance,
      availableValueMinor: 6000,
      pendingPoints: 0,
      currency: 'SAR',
      tier: { name: 'Silver' },
      nextTier: { name: 'Gold', minProgress: 2000 },
      tierProgress: 600,
      referredCount: 0,
    });
    expect(panel.profile.referralCode).toBe(f.sim.control.ledger().customers.find((c) => c.customerId === panel.customerId)?.referralCode);
  });

  it('offline: the last answer with its age; none kept: unavailable with the reason', async () => {
    let now = Date.UTC(2026, 2, 1, 9);
    const { f, service, disconnect, setTraining } = await till({ now: () => now });
    const m = mobile();
    await f.client.upsertCustomer({ customerId: `mobile_${m.slice(1)}`, customerAttributes: { displayName: 'Omar' } });
    expect((await service.customer({ customer: { mobile: m } })).status).toBe('live');

    now += 3 * 60_000;
    f.sim.control.setOutage(true, 'refuse');
    const cached = await service.customer({ customer: { mobile: m } });
    expect(cached).toMatchObject({ status: 'cached', reason: 'offline', ageMs: 180_000, profile: { name: 'Omar' } });
    // Another customer never looked up: nothing to show, and why.
    expect(await service.customer({ customer: { mobile: mobile() } })).toMatchObject({ status: 'unavailable', reason: 'offline' });
    // Training keeps its own answers: the live one never stands in for it.
    setTraining(true);
    expect(await service.customer({ customer: { mobile: m } })).toMatchObject({ status: 'unavailable' });
    setTraining(false);
    disconnect();
    expect(await service.customer({ customer: { mobile: m } })).toMatchObject({ status: 'cached', reason: 'not-connected' });
  });
});

describe('coupons', () => {
  it('a coupon locked for a sale travels with the order and is burned once when Gameball gets it', async () => {
    const { f, service } = await till();
    f.sim.control.putCoupon({ code: 'TILL5', type: 'fixed', value: 5, usageLimit: 10 });
    const m = mobile();
    const lock = await service.lockCoupon({ customer: { mobile: m }, code: 'till5', currency: 'SAR', totalMinor: 10_000 });
    expect(lock).toMatchObject({ status: 'locked', code: 'TILL5', kind: 'fixed', valueMinor: 500 });
    if (lock.status !== 'locked') return;
    const order = f.capture({
      mobile: m,
      totalPaidMinor: 9_500,
      totalPriceMinor: 10_000,
      currency: 'SAR',
      coupon: { code: lock.code, lockReference: lock.lockReference },
    });
    expect((await f.engine().drain({ untilEmpty: true, timeoutMs: 10_000 })).empty).toBe(true);
    const sent = f.sim.control.ledger().orders.find((o) => o.orderId === order.orderId);
    expect(sent?.request).toMatchObject({
      totalPaid: 95,
      totalPrice: 100,
      redemption: { couponsLockReference: lock.lockReference },
      merchant: { uniqueId: 'store-1', name: 'Olaya', branch: { uniqueId: 'branch-7', name: 'Main' } },
    });
    const ledger = f.sim.control.ledger();
    expect(ledger.coupons.find((c) => c.code === 'TILL5')?.used).toBe(1);
    expect(ledger.couponLocks.find((l) => l.lockReference === lock.lockReference)).toMatchObject({
      state: 'burned',
      burnedBy: order.orderId,
    });
  });

  it('a cancelled sale releases its lock; the coupon can then be locked by someone else', async () => {
    const { f, service } = await till();
    f.sim.control.putCoupon({ code: 'SOLO', type: 'percentage', value: 20 });
    const a = await service.lockCoupon({ customer: { mobile: mobile() }, code: 'SOLO', currency: 'SAR' });
    expect(a).toMatchObject({ status: 'locked', kind: 'percentage', percent: 20 });
    expect(await service.lockCoupon({ customer: { mobile: mobile() }, code: 'SOLO', currency: 'SAR' })).toMatchObject({
      status: 'invalid',
    });
    if (a.status !== 'locked') return;
    expect(await service.unlockCoupon({ lockReference: a.lockReference })).toEqual({ status: 'released' });
    expect((await service.lockCoupon({ customer: { mobile: mobile() }, code: 'SOLO', currency: 'SAR' })).status).toBe('locked');
  });

  it('a lost answer to the lock is unknown; asked again it is the same single lock, burned once', async () => {
    const { f, service } = await till();
    const m = mobile();
    f.sim.control.setFaults({ dropRate: 1 });
    expect(await service.lockCoupon({ customer: { mobile: m }, code: 'WELCOME10', currency: 'SAR' })).toMatchObject({ status: 'unknown' });
    f.sim.control.setFaults({ dropRate: 0 });
    const again = await service.lockCoupon({ customer: { mobile: m }, code: 'WELCOME10', currency: 'SAR' });
    expect(again.status).toBe('locked');
    if (again.status !== 'locked') return;
    const customerId = `mobile_${m.slice(1)}`;
    expect(f.sim.control.ledger().couponLocks.filter((l) => l.customerId === customerId)).toHaveLength(1);
    const before = f.sim.control.ledger().coupons.find((c) => c.code === 'WELCOME10')?.used ?? 0;
    f.capture({ mobile: m, totalPaidMinor: 5_000, currency: 'SAR', coupon: { code: 'WELCOME10', lockReference: again.lockReference } });
    // The order's answer is lost too: the sync confirms it instead of posting it twice.
    f.sim.control.setFaults({ dropRate: 1 });
    const engine = f.engine();
    await engine.drain({ untilEmpty: false, timeoutMs: 1_000 });
    f.sim.control.setFaults({ dropRate: 0 });
    expect((await engine.drain({ untilEmpty: true, timeoutMs: 20_000 })).empty).toBe(true);
    expect(f.sim.control.ledger().coupons.find((c) => c.code === 'WELCOME10')?.used).toBe(before + 1);
  });

  it('offline or not connected: no lock, and why', async () => {
    const { f, service, disconnect } = await till();
    f.sim.control.setOutage(true);
    expect(await service.lockCoupon({ customer: { mobile: mobile() }, code: 'WELCOME10', currency: 'SAR' })).toMatchObject({
      status: 'unavailable',
      reason: 'offline',
    });
    disconnect();
    expect(await service.lockCoupon({ customer: { mobile: mobile() }, code: 'WELCOME10', currency: 'SAR' })).toMatchObject({
      status: 'unavailable',
      reason: 'not-connected',
    });
  });
});

describe('reward preview', () => {
  it('quotes the points the sale earns before it is saved, and says why when it cannot', async () => {
    const { f, service } = await till();
    expect(await service.preview({ customer: { mobile: mobile() }, currency: 'SAR', totalPaidMinor: 12_345 })).toEqual({
      status: 'ok',
      points: 123,
      customerFound: false,
    });
    expect(f.sim.control.ledger().orders).toEqual([]);
    f.sim.control.setOutage(true);
    expect(await service.preview({ customer: { mobile: mobile() }, currency: 'SAR', totalPaidMinor: 100 })).toEqual({
      status: 'unavailable',
      reason: 'offline',
    });
  });
});
