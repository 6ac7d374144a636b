// Fleet drain: a chain's tills back online together after an outage, all on one Gameball account.
// 8 till processes (test/support/fleet-till.ts, separate data folders, the real engine) each
// capture 150 orders offline, then all start draining at once into ONE simulator with Gameball's
// default limits (orders 30/s and 360 per 30 s, per account) and 40±10 ms latency. The floor is
// computed in this run as in sync-drain: the earliest schedule the account's two windows allow for
// all the orders, plus one round trip. Prints the aggregate goodput against it (target >= 0.90),
// the 429 answers as a share of all calls (target <= 2 %), and checks every order is in the
// simulator's ledger exactly once. FLEET_TILLS and FLEET_ORDERS change the sizes.
import { GAMEBALL_RATE_LIMITS, startSimulator } from '../../main/simulator/index.ts';
import { floorMs } from '../support/fleet-model.ts';
import { drainFleet, fleetDir } from '../support/fleet-run.ts';

const TILLS = Number(process.env.FLEET_TILLS ?? 8);
const PER_TILL = Number(process.env.FLEET_ORDERS ?? 150);
const LATENCY_MS = 30;
const JITTER_MS = 20;
const GOODPUT_TARGET = 0.9;
const RATE_LIMITED_TARGET = 0.02;
const limit = GAMEBALL_RATE_LIMITS.orders;

async function main(): Promise<void> {
  const fleet = await fleetDir();
  const sim = await startSimulator({ latencyMs: LATENCY_MS, jitterMs: JITTER_MS, seed: 12 });
  try {
    const n = TILLS * PER_TILL;
    const run = await drainFleet(fleet, sim.url, TILLS, PER_TILL);
    const ledger = sim.control.ledger();
    const calls = Object.values(ledger.counters.requests).reduce((a, b) => a + b, 0);
    const rateLimited = ledger.counters.rateLimited;
    const ids = ledger.orders.map((o) => o.orderId);
    const once = ids.length === n && new Set(ids).size === n;
    const floor = floorMs(n, limit.perSecond, limit.per30s, LATENCY_MS + JITTER_MS / 2);
    const ratio = floor / run.elapsedMs;
    const share = rateLimited / calls;
    const sustained = limit.per30s / 30;
    process.stdout.write(
      `${TILLS} till processes x ${PER_TILL} orders on one account, Gameball default limits ${limit.perSecond}/s and ${limit.per30s}/30 s ` +
        `(${sustained}/s sustained), simulator latency ${LATENCY_MS + JITTER_MS / 2}±${JITTER_MS / 2} ms\n`,
    );
    process.stdout.write(
      `drain ${(run.elapsedMs / 1000).toFixed(1)} s = ${((n / run.elapsedMs) * 1000).toFixed(2)} orders/s ` +
        `(${(((n / run.elapsedMs) * 1000) / sustained).toFixed(2)}x the sustained limit) vs floor ${(floor / 1000).toFixed(1)} s = ` +
        `${((n / floor) * 1000).toFixed(2)} orders/s: ${ratio.toFixed(2)}x (target >= ${GOODPUT_TARGET.toFixed(2)}) ${ratio >= GOODPUT_TARGET ? 'PASS' : 'FAIL'}\n`,
    );
    process.stdout.write(
      `429 answers: ${rateLimited} of ${calls} calls = ${(share * 100).toFixed(2)} % (target <= ${RATE_LIMITED_TARGET * 100} %) ` +
        `${share <= RATE_LIMITED_TARGET ? 'PASS' : 'FAIL'}\n`,
    );
    process.stdout.write(
      `per till: ${run.perTillMs.map((ms) => (ms / 1000).toFixed(0)).join(', ')} s; ledger: ${ids.length} orders, ` +
        `${new Set(ids).size} distinct (expected ${n}) ${once ? 'PASS' : 'FAIL'}\n`,
    );
    if (!(ratio >= GOODPUT_TARGET) || !(share <= RATE_LIMITED_TARGET) || !once) process.exitCode = 1;
  } finally {
    await sim.close();
    fleet.close();
  }
}

await main();
