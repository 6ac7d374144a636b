// A chain's tills on one Gameball account, as separate processes with their own data folders
// (test/support/fleet-till.ts, the real engine), against one simulator: the exactly-once checks of
// the fleet drain and takeover benchmarks at small sizes. Timing is only bounded generously (a
// loaded two-core machine); what must hold every time is each order in the ledger once, a bounded
// share of 429s, and a killed till's rows taken over long before its lease would end.
import { afterEach, expect, test } from 'vitest';
import { startSimulator } from '../../../main/simulator/index.ts';
import type { RunningSimulator } from '../../../main/simulator/index.ts';
import { drainFleet, fleetDir } from '../../support/fleet-run.ts';
import type { FleetDir } from '../../support/fleet-run.ts';

let fleet: FleetDir | undefined;
let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  fleet?.close();
  fleet = undefined;
});

function expectEachOnce(s: RunningSimulator, n: number): void {
  const ledger = s.control.ledger();
  const ids = ledger.orders.map((o) => o.orderId);
  expect(ids).toHaveLength(n);
  expect(new Set(ids).size).toBe(n);
  expect(ledger.counters.responses['422/9004']).toBeUndefined();
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('four tills with a backlog each come online together on one account: every order once, few 429s', async () => {
  fleet = await fleetDir();
  // 10 orders a second for the account: the four tills together want far more.
  sim = await startSimulator({ seed: 21, latencyMs: 10, jitterMs: 10, rateLimit: { perSecond: 10, per30s: 1_000 } });
  const run = await drainFleet(fleet, sim.url, 4, 40, '10/1000');
  expectEachOnce(sim, 160);
  const counters = sim.control.ledger().counters;
  const calls = Object.values(counters.requests).reduce((a, b) => a + b, 0);
  // Each till assuming the whole budget would meet a 429 on most of its first second's calls.
  expect(counters.rateLimited / calls).toBeLessThan(0.15);
  expect(run.perTillMs).toHaveLength(4);
}, 180_000);

test('a syncing till killed with SIGKILL: a new process on its folder sends again at once, not after the lease, each order once', async () => {
  fleet = await fleetDir();
  sim = await startSimulator({ seed: 22, latencyMs: 20, jitterMs: 10, rateLimit: false });
  const dir = fleet.tillDir(0);
  await fleet.spawnTill([dir, sim.url, 'capture', '80', '0']).exited;
  const victim = fleet.spawnTill([dir, sim.url, 'sync']);
  const s = sim;
  await until(() => s.control.ledger().orders.length >= 10, 60_000, 'the first orders');
  victim.child.kill('SIGKILL');
  const killedAt = Date.now();
  expect((await victim.exited).signal).toBe('SIGKILL');
  const requests = () => Object.values(s.control.ledger().counters.requests).reduce((a, b) => a + b, 0);
  const before = requests();
  const next = fleet.spawnTill([dir, sim.url, 'sync']);
  await until(() => requests() > before, 30_000, 'the new process to send');
  // The lease is 60 s: well under it means the rows were taken over, not waited out.
  expect(Date.now() - killedAt).toBeLessThan(30_000);
  await next.line('DONE', 120_000);
  expectEachOnce(sim, 80);
}, 180_000);
