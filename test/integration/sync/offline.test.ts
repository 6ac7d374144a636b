// Offline for a long stretch, on a simulated clock: Gameball down for six hours, then back. While
// down, the engine probes one request at a time with backoff up to its cap (not one request per
// order per retry); when back, every order goes exactly once.
import { afterEach, expect, test } from 'vitest';
import { DEFAULT_BACKOFF } from '../../../main/sync/backoff.ts';
import type { Sleep } from '../../../main/sync/sync-engine.ts';
import { createSyncFixture, mobile } from '../../support/sync-fixture.ts';
import type { SyncFixture } from '../../support/sync-fixture.ts';

let f: SyncFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

const HOUR = 3_600_000;

async function until(cond: () => boolean, realTimeoutMs = 20_000): Promise<void> {
  const end = Date.now() + realTimeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('six hours offline, then back: bounded probing, then every order once', async () => {
  const t0 = Date.parse('2026-04-01T06:00:00.000Z');
  let now = t0;
  let last = t0;
  // Strictly increasing, so two captures for one customer never share a millisecond.
  const clock = { now: () => (last = Math.max(now, last + 1)) };
  // Simulated time: a wait that is not cut short by a wake-up moves the clock by its length.
  const sleep: Sleep = (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const t = setTimeout(() => {
        now = last + ms;
        resolve();
      }, 1);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(t);
          resolve();
        },
        { once: true },
      );
    });
  f = await createSyncFixture({ clock, sim: { now: clock.now, rateLimit: false } });
  const customers = Array.from({ length: 8 }, () => mobile());
  const orders = Array.from({ length: 24 }, (_, i) => f!.capture({ mobile: customers[i % 8], totalPaidMinor: (i + 1) * 100 }));

  f.sim.control.setOutage(true);
  const engine = f.engine({ sleep, backoff: DEFAULT_BACKOFF, idlePollMs: 2_000, leaseMs: 24 * HOUR, random: () => 0.5 });
  engine.start();
  await until(() => now >= t0 + 6 * HOUR);

  const status = engine.status();
  expect(status.online).toBe(false);
  expect(status.counts.pending + status.counts.sending).toBe(24);
  expect(status.oldestPendingAgeMs).toBeGreaterThanOrEqual(6 * HOUR);
  expect(status.lastError?.message).toMatch(/unavailable/i);
  const probes = f.sim.control.ledger().counters.outageRejections;
  // Half the 5 min cap on average: about 6 h / 2.5 min = 144 probes, plus the ramp-up. Retrying
  // every order on its own schedule would have been 24 times that.
  expect(probes).toBeGreaterThan(100);
  expect(probes).toBeLessThan(200);
  // The attempts were spent by the probes, not by every row.
  const attempts = f.db.prepare('SELECT SUM(attempts) AS n FROM outbox').get() as { n: number };
  expect(attempts.n).toBeLessThanOrEqual(probes);

  f.sim.control.setOutage(false);
  const backAt = now;
  await until(() => engine.status().counts.synced === 24);
  expect(engine.status().online).toBe(true);
  const ids = f.sim.control.ledger().orders.map((o) => o.orderId);
  expect(ids.sort()).toEqual(orders.map((o) => o.orderId).sort());
  // The first order went in within one backoff cap of Gameball coming back.
  const firstIn = Math.min(...f.sim.control.ledger().orders.map((o) => o.receivedAt));
  expect(firstIn - backAt).toBeLessThanOrEqual(DEFAULT_BACKOFF.capMs + 5_000);
});

test('an idle till still knows whether Gameball is reachable (probe, no order data)', async () => {
  f = await createSyncFixture();
  const engine = f.engine({ probeEveryMs: 50, idlePollMs: 20 });
  engine.start();
  await until(() => engine.status().online);
  f.sim.control.setOutage(true);
  await until(() => !engine.status().online);
  expect(engine.status().lastError?.message).toMatch(/unavailable/i);
  f.sim.control.setOutage(false);
  await until(() => engine.status().online);
  // Probes ask about an order id that no till uses, and leave no audit rows.
  expect(f.db.prepare('SELECT COUNT(*) AS n FROM sync_log').get()).toEqual({ n: 0 });
  expect(f.sim.control.ledger().orders).toHaveLength(0);
});
