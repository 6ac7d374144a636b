// The full referral flow against the simulator over real HTTP: the referrer is known to Gameball,
// a new customer's first order is captured with the referrer's code, and at sync time the new
// customer is registered with referrerCode immediately before that first order is posted.
import { afterEach, expect, test } from 'vitest';
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
