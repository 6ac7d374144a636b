// Two engines on one data folder (the app and an admin's `sync`, or two app instances): each
// on its own SQLite connection, both draining the same backlog at once. No row is posted twice,
// no customer ever has two requests in flight (Gameball would answer 2001), both engines work.
import { afterEach, expect, test } from 'vitest';
import { createSyncFixture, mobile } from '../../support/sync-fixture.ts';
import type { SyncFixture } from '../../support/sync-fixture.ts';
import { simulatorClient } from '../../support/simulator-client.ts';

let f: SyncFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

test('two engines, one folder: every order once, never two calls for one customer at a time', async () => {
  let last = 0;
  const clock = { now: () => (last = Math.max(Date.now(), last + 1)) };
  f = await createSyncFixture({ clock, sim: { latencyMs: 8, jitterMs: 8 } });
  const customers = Array.from({ length: 20 }, () => mobile());
  const orders = Array.from({ length: 80 }, (_, i) => f!.capture({ mobile: customers[i % 20], totalPaidMinor: ((i % 9) + 1) * 100 }));

  const calls = { a: 0, b: 0 };
  const clientFor = (name: 'a' | 'b') =>
    simulatorClient({ baseUrl: f!.sim.url, timeoutMs: 5_000 }, (input, init) => {
      calls[name] += 1;
      return globalThis.fetch(input, init);
    });
  // One by one: this counts single calls per customer (two engines with batches: batch.test.ts).
  const a = f.engine({ separateConnection: true, client: clientFor('a'), ownerId: 'engine-a', concurrency: 4, batch: false });
  const b = f.engine({ separateConnection: true, client: clientFor('b'), ownerId: 'engine-b', concurrency: 4, batch: false });
  const [ra, rb] = await Promise.all([a.drain({ untilEmpty: true, timeoutMs: 30_000 }), b.drain({ untilEmpty: true, timeoutMs: 30_000 })]);
  expect(ra.empty && rb.empty).toBe(true);

  const ledger = f.sim.control.ledger();
  const ids = ledger.orders.map((o) => o.orderId);
  expect(ids.sort()).toEqual(orders.map((o) => o.orderId).sort());
  expect(ledger.counters.responses['422/2001']).toBeUndefined();
  expect(ledger.counters.responses['422/9004']).toBeUndefined();
  expect(ledger.counters.requests['POST /orders']).toBe(80);
  expect(calls.a).toBeGreaterThan(0);
  expect(calls.b).toBeGreaterThan(0);
  expect(calls.a + calls.b).toBe(80);
  // Each customer's orders reached Gameball in the order they were rung up.
  for (const c of customers) {
    const mine = orders.filter((o) => o.mobile === c).map((o) => o.orderId);
    expect(ledger.orders.filter((o) => mine.includes(o.orderId)).map((o) => o.orderId)).toEqual(mine);
  }
});
