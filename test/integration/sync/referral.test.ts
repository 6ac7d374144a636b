// The full referral flow against the simulator over real HTTP: the referrer is known to Gameball,
// a new customer's first order is captured with the referrer's code, and at sync time the new
// customer is registered with referrerCode immediately before that first order is posted.
import { afterEach, expect, test } from 'vitest';
import { ReferralChecker } from '../../../main/orders/referral.ts';
import type { ReferralAdvisor } from '../../../main/orders/referral.ts';
import { createSyncFixture, mobile } from '../../support/sync-fixture.ts';
import type { SyncFixture } from '../../support/sync-fixture.ts';

let f: SyncFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

test('a referred new customer is registered with the code right before the first order; both are rewarded', async () => {
  f = await createSyncFixture({ sim: { latencyMs: 5 } });
  const engine = f.engine();

  // The referrer: an existing customer whose order reached Gameball.
  const referrer = f.capture({ mobile: mobile(1), totalPaidMinor: 5000 });
  expect((await engine.drain({ untilEmpty: true, timeoutMs: 10_000 })).empty).toBe(true);
  const profile = await f.client.getCustomer(referrer.customerId);
  const code = profile.value?.referralCode;
  expect(code).toMatch(/^SIM/);

  // The friend: new to the till, scans the referral link.
  const first = f.capture({ mobile: mobile(2), totalPaidMinor: 20000, referrerCode: `https://shop.example/?GBReferral=${code}` });
  expect(first.calls).toEqual(['register_customer', 'track_order']);
  expect(first.referrerCode).toBe(code);
  // A second order of the same friend, captured before anything synced, must come after.
  const second = f.capture({ mobile: mobile(2), totalPaidMinor: 3000 });

  expect((await engine.drain({ untilEmpty: true, timeoutMs: 10_000 })).empty).toBe(true);

  const ledger = f.sim.control.ledger();
  expect(ledger.referrals).toEqual([
    expect.objectContaining({
      referrerCustomerId: referrer.customerId,
      referredCustomerId: first.customerId,
      linkedBy: 'customers',
      rewardedOrderId: first.orderId,
      referrerPoints: 100,
      referredPoints: 50,
    }),
  ]);
  const friend = ledger.customers.find((c) => c.customerId === first.customerId);
  expect(friend).toMatchObject({ createdBy: 'customers', referredBy: referrer.customerId, mobile: '+966500000002' });
  const posted = ledger.orders.find((o) => o.orderId === first.orderId);
  expect(posted?.request).toMatchObject({
    referrerCode: code,
    channel: 'pos',
    merchant: { uniqueId: 'store-1', branch: { uniqueId: 'branch-7' } },
    totalPaid: 200,
  });
  // Rewards on the first order: the order's own points plus both referral rewards.
  expect(ledger.transactions[first.orderId]?.map((t) => t.transactionType).sort()).toEqual([
    'AchievementReward',
    'AchievementReward',
    'PaymentReward',
  ]);
  expect(f.order(first.orderId)).toMatchObject({ state: 'synced', rewarded_points: 200 });
  expect(f.order(second.orderId)).toMatchObject({ state: 'synced', rewarded_points: 30 });

  // Registration immediately before the first order, and the later order after both.
  const calls = f.db
    .prepare(`SELECT entity_id, method, path FROM sync_log WHERE entity_id IN (?, ?) ORDER BY id`)
    .all(first.orderId, second.orderId);
  expect(calls).toEqual([
    { entity_id: first.orderId, method: 'POST', path: '/customers' },
    { entity_id: first.orderId, method: 'POST', path: '/orders' },
    { entity_id: second.orderId, method: 'POST', path: '/orders' },
  ]);
  const registered = friend?.registeredAt ?? 0;
  expect((posted?.receivedAt ?? Infinity) - registered).toBeLessThan(5 * 60_000);
});

test('a referral captured offline for hours still counts: registration happens at sync time', async () => {
  let now = Date.parse('2026-03-01T08:00:00.000Z');
  const clock = { now: () => now };
  f = await createSyncFixture({ clock, sim: { now: clock.now } });
  const engine = f.engine();
  const referrer = f.capture({ mobile: mobile(11), totalPaidMinor: 1000 });
  await engine.drain({ untilEmpty: true, timeoutMs: 10_000 });
  const code = (await f.client.getCustomer(referrer.customerId)).value?.referralCode ?? '';
  await engine.stop();

  f.sim.control.setOutage(true);
  const friend = f.capture({ mobile: mobile(12), totalPaidMinor: 8000, referrerCode: code });
  now += 6 * 60 * 60_000; // six hours later the store is back online
  f.sim.control.setOutage(false);
  const again = f.engine();
  expect((await again.drain({ untilEmpty: true, timeoutMs: 10_000 })).empty).toBe(true);
  expect(f.sim.control.ledger().referrals).toEqual([
    expect.objectContaining({
      referredCustomerId: friend.customerId,
      referrerCustomerId: referrer.customerId,
      rewardedOrderId: friend.orderId,
    }),
  ]);
});

// The POS referral guide names the referrer by referral code OR by customer id.

/** Gameball as the screen's referral check asks it: the fixture's client over real HTTP. */
function httpAdvisor(fx: SyncFixture): ReferralAdvisor {
  return {
    async validateReferral(referrerCode, forCustomerId, signal) {
      const r = await fx.client.validateReferral(referrerCode, forCustomerId, signal);
      if (r.kind !== 'ok' || !r.value) throw new Error(r.message);
      return { isValid: r.value.isValid };
    },
    async getCustomer(customerId, signal) {
      const r = await fx.client.getCustomer(customerId, signal);
      if (r.kind === 'ok' && r.value) return { referralCode: r.value.referralCode ?? null };
      if (r.httpStatus === 404) return null;
      throw new Error(r.message);
    },
  };
}

function referralChecker(fx: SyncFixture, online: boolean): ReferralChecker {
  return new ReferralChecker({
    db: fx.db,
    clock: { now: () => Date.now() },
    settings: () => fx.settings.get(),
    rules: fx.orders.rules,
    training: () => false,
    advisor: () => (online ? httpAdvisor(fx) : null),
  });
}

test('a referrer named by customer id, captured offline: its code is looked up at sync, right before the registration', async () => {
  f = await createSyncFixture({ sim: { latencyMs: 2 } });
  const engine = f.engine();
  const referrer = f.capture({ mobile: mobile(21), totalPaidMinor: 5000 });
  expect((await engine.drain({ untilEmpty: true, timeoutMs: 10_000 })).empty).toBe(true);
  const code = (await f.client.getCustomer(referrer.customerId)).value?.referralCode;
  expect(code).toMatch(/^SIM/);

  // Offline: the screen's check cannot ask Gameball; the order keeps the referrer's id.
  expect(await referralChecker(f, false).check({ customer: { mobile: mobile(22) }, referrerCode: referrer.customerId })).toMatchObject({
    status: 'offline',
  });
  const friend = f.capture({ mobile: mobile(22), totalPaidMinor: 12000, referrerCode: referrer.customerId });
  expect(friend).toMatchObject({
    calls: ['register_customer', 'track_order'],
    referrerCode: null,
    referrerCustomerId: referrer.customerId,
  });
  expect(f.order(friend.orderId)).toMatchObject({ referrer_customer_id: referrer.customerId, referrer_code: null });

  expect((await engine.drain({ untilEmpty: true, timeoutMs: 10_000 })).empty).toBe(true);
  expect(f.order(friend.orderId)).toMatchObject({ state: 'synced', referrer_code: code, referrer_customer_id: referrer.customerId });
  const ledger = f.sim.control.ledger();
  expect(ledger.referrals).toEqual([
    expect.objectContaining({
      referrerCustomerId: referrer.customerId,
      referredCustomerId: friend.customerId,
      rewardedOrderId: friend.orderId,
    }),
  ]);
  expect(ledger.customers.find((c) => c.customerId === friend.customerId)).toMatchObject({ referredBy: referrer.customerId });
  expect(ledger.orders.find((o) => o.orderId === friend.orderId)?.request).toMatchObject({ referrerCode: code });
  expect(f.db.prepare('SELECT method, path FROM sync_log WHERE entity_id = ? ORDER BY id').all(friend.orderId)).toEqual([
    { method: 'GET', path: `/customers/${referrer.customerId}` },
    { method: 'POST', path: '/customers' },
    { method: 'POST', path: '/orders' },
  ]);
});

test('a referrer id Gameball does not know: the order needs attention, and the customer is not registered without the referral', async () => {
  f = await createSyncFixture();
  const engine = f.engine();
  const friend = f.capture({ mobile: mobile(31), totalPaidMinor: 4000, referrerCode: 'mobile_966599999999' });
  // Never empty: the first order waits behind its registration, which needs a person.
  await engine.drain({ untilEmpty: true, timeoutMs: 1_500 });
  expect(f.outbox(friend.orderId).map((r) => [r.kind, r.state])).toEqual([
    ['register_customer', 'attention'],
    ['track_order', 'pending'],
  ]);
  expect(f.order(friend.orderId)).toMatchObject({ state: 'attention', attention_code: 'REFERRER_NOT_FOUND', referrer_code: null });
  expect(String(f.order(friend.orderId).attention_message)).toMatch(/Gameball has no customer mobile_966599999999.*not registered.*Edit/);
  const ledger = f.sim.control.ledger();
  expect(ledger.customers.find((c) => c.customerId === friend.customerId)).toBeUndefined();
  expect(ledger.orders.find((o) => o.orderId === friend.orderId)).toBeUndefined();
});

test("online, the screen's check looks the referrer's code up at once, and the capture stores that code", async () => {
  f = await createSyncFixture();
  const engine = f.engine();
  const referrer = f.capture({ mobile: mobile(41), totalPaidMinor: 5000 });
  expect((await engine.drain({ untilEmpty: true, timeoutMs: 10_000 })).empty).toBe(true);
  const code = (await f.client.getCustomer(referrer.customerId)).value?.referralCode ?? '';

  const check = referralChecker(f, true);
  expect(await check.check({ customer: { mobile: mobile(42) }, referrerCode: referrer.customerId })).toMatchObject({
    status: 'ok',
    referrerCode: code,
  });
  expect(await check.check({ customer: { mobile: mobile(42) }, referrerCode: 'mobile_966588888888' })).toMatchObject({
    status: 'invalid',
    message: expect.stringMatching(/no customer mobile_966588888888/),
  });
  expect(await check.check({ customer: { mobile: mobile(42) }, referrerCode: 'mobile_966500000042' })).toMatchObject({ status: 'self' });

  const friend = f.capture({ mobile: mobile(42), totalPaidMinor: 9000, referrerCode: referrer.customerId });
  expect(friend).toMatchObject({ referrerCode: code, referrerCustomerId: referrer.customerId });
  expect((await engine.drain({ untilEmpty: true, timeoutMs: 10_000 })).empty).toBe(true);
  // Already looked up: no second look-up at sync.
  expect(f.db.prepare('SELECT method, path FROM sync_log WHERE entity_id = ? ORDER BY id').all(friend.orderId)).toEqual([
    { method: 'POST', path: '/customers' },
    { method: 'POST', path: '/orders' },
  ]);
  expect(f.sim.control.ledger().referrals).toEqual([
    expect.objectContaining({ referrerCustomerId: referrer.customerId, referredCustomerId: friend.customerId }),
  ]);
});

test('self-referral by customer id is refused at capture, like a own code', async () => {
  f = await createSyncFixture();
  expect(() => f?.capture({ mobile: '+966500000051', totalPaidMinor: 500, referrerCode: 'mobile_966500000051' })).toThrow(
    expect.objectContaining({ code: 'SELF_REFERRAL' }),
  );
  expect(() => f?.capture({ customerId: 'mobile_966500000052', totalPaidMinor: 500, referrerCode: ' mobile_966500000052 ' })).toThrow(
    expect.objectContaining({ code: 'SELF_REFERRAL' }),
  );
  expect(f.db.prepare('SELECT COUNT(*) AS n FROM orders').get()).toEqual({ n: 0 });
});
