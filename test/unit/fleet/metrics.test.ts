// The till's health as metrics (pure: no gateway): names, labels, and what is left out when unknown.
import { expect, it } from 'vitest';
import { register } from 'prom-client';
import { appVersion, healthRegistry } from '../../../main/fleet/metrics.ts';
import type { TillHealth } from '../../../main/fleet/metrics.ts';

const zero = { pending: 0, sending: 0, synced: 0, attention: 0, discarded: 0 };
const base: TillHealth = {
  status: {
    counts: { ...zero, pending: 4, attention: 2 },
    refundCounts: { ...zero, attention: 1 },
    oldestPendingAgeMs: 90_500,
    lastSuccessAt: '2025-03-01T09:30:00.000Z',
    lastError: null,
    online: true,
    training: true,
    clockSkewMs: -2_500,
  },
  storeId: 'riyadh-01',
  tillId: 'till-7',
  version: '1.2.3',
};

it('labels every series with store and till, and counts refunds in needs attention', async () => {
  const text = await healthRegistry(base).metrics();
  const samples = text.split('\n').filter((l) => l && !l.startsWith('#'));
  expect(samples.length).toBeGreaterThan(10);
  for (const s of samples) expect(s).toMatch(/^pos_companion_[a-z_]+\{.*store="riyadh-01",till="till-7".*\} /);
  expect(samples).toEqual(
    expect.arrayContaining([
      'pos_companion_orders{state="pending",store="riyadh-01",till="till-7"} 4',
      'pos_companion_needs_attention{store="riyadh-01",till="till-7"} 3',
      'pos_companion_oldest_pending_age_seconds{store="riyadh-01",till="till-7"} 90.5',
      `pos_companion_last_sync_success_timestamp_seconds{store="riyadh-01",till="till-7"} ${Date.parse('2025-03-01T09:30:00.000Z') / 1000}`,
      'pos_companion_clock_skew_seconds{store="riyadh-01",till="till-7"} -2.5',
      'pos_companion_online{store="riyadh-01",till="till-7"} 1',
      'pos_companion_training{store="riyadh-01",till="till-7"} 1',
      'pos_companion_app_info{version="1.2.3",store="riyadh-01",till="till-7"} 1',
    ]),
  );
  // A fresh registry per push: nothing lands in prom-client's global one.
  expect(await register.metrics()).not.toContain('pos_companion_');
});

it('leaves out what is unknown (no last success, no clock check, online unknown) and says "unset" for a till without a store', async () => {
  const text = await healthRegistry({
    ...base,
    storeId: null,
    status: { ...base.status, lastSuccessAt: null, clockSkewMs: null, online: null, oldestPendingAgeMs: null },
  }).metrics();
  expect(text).not.toContain('pos_companion_last_sync_success_timestamp_seconds');
  expect(text).not.toContain('pos_companion_clock_skew_seconds');
  expect(text).not.toContain('pos_companion_online');
  expect(text).toContain('pos_companion_oldest_pending_age_seconds{store="unset",till="till-7"} 0');
});

it("reads the app's version from package.json", () => {
  expect(appVersion()).toMatch(/^\d+\.\d+\.\d+/);
});
