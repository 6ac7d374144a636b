// The till's health as metrics (pure: no gateway): names, labels, and what is left out when unknown.
import { expect, it } from 'vitest';
import { register } from 'prom-client';
import { appVersion, groupingPathLabels, healthRegistry } from '../../../main/fleet/metrics.ts';
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

it('sends the scanner: its mode and state always, "connected" only where the state is known', async () => {
  const known = await healthRegistry({ ...base, scanner: { mode: 'hidpos', state: 'device-lost' } }).metrics();
  expect(known).toContain('pos_companion_scanner_info{mode="hidpos",state="device-lost",store="riyadh-01",till="till-7"} 1');
  expect(known).toContain('pos_companion_scanner_connected{store="riyadh-01",till="till-7"} 0');
  const connected = await healthRegistry({ ...base, scanner: { mode: 'auto', state: 'connected' } }).metrics();
  expect(connected).toContain('pos_companion_scanner_connected{store="riyadh-01",till="till-7"} 1');
  const unknown = await healthRegistry({ ...base, scanner: { mode: 'keyboard', state: 'unknown' } }).metrics();
  expect(unknown).toContain('pos_companion_scanner_info{mode="keyboard",state="unknown",store="riyadh-01",till="till-7"} 1');
  expect(unknown).not.toContain('pos_companion_scanner_connected');
  expect(await healthRegistry(base).metrics()).not.toContain('pos_companion_scanner');
});

it.each([
  [
    { store: 'riyadh-01', till: 'till-7' },
    { store: 'riyadh-01', till: 'till-7' },
  ],
  [
    { store: 'riyadh/north', till: 'till-7' },
    { 'store@base64': Buffer.from('riyadh/north').toString('base64url'), till: 'till-7' },
  ],
  [
    { store: 'a b%c', till: 't' },
    { 'store@base64': 'YSBiJWM', till: 't' },
  ],
  [
    { store: 'متجر', till: 't' },
    { 'store@base64': Buffer.from('متجر').toString('base64url'), till: 't' },
  ],
  [
    { store: '', till: 't' },
    { 'store@base64': '=', till: 't' },
  ],
])('grouping %j goes in the URL path as %j', (grouping, path) => {
  expect(groupingPathLabels(grouping)).toEqual(path);
  for (const [k, v] of Object.entries(path)) {
    if (k.endsWith('@base64') && v !== '=')
      expect(Buffer.from(v, 'base64url').toString('utf8')).toBe(grouping[k.replace('@base64', '') as 'store']);
    expect(v).not.toMatch(/[/%\s]/);
  }
});
