// Backlog drain: how fast a till empties a backlog of orders into Gameball, against the floor
// set by Gameball's rate limits and the simulator's latency. The floor is computed in this run:
// the earliest schedule the two sliding windows (per second, per 30 s) allow for N requests, plus
// one round trip. Prints the ratio (target >= 0.90) and the count of 429 answers (target 0).
//
// Runs at Gameball's default limits (30/s and 360 per 30 s for orders), so the default 600
// orders cross one 30 s window and take about 40 s. SYNC_DRAIN_ORDERS=1500 runs the larger
// backlog (about 2 minutes at these limits).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettingsStore } from '../../main/config/settings.ts';
import { openDatabase } from '../../main/db/index.ts';
import { createGameballClient } from '../../main/gameball/client.ts';
import { OrderStore } from '../../main/orders/order-store.ts';
import { GAMEBALL_RATE_LIMITS, startSimulator } from '../../main/simulator/index.ts';
import { SyncEngine } from '../../main/sync/sync-engine.ts';

const N = Number(process.env.SYNC_DRAIN_ORDERS ?? 600);
const LATENCY_MS = 40;
const JITTER_MS = 20;
const CONCURRENCY = 8;
const limit = GAMEBALL_RATE_LIMITS.orders;

/** Earliest finish for n requests under both windows (Gameball's rule: sliding, per arrival). */
function floorMs(n: number, perSecond: number, per30s: number, latencyMs: number): number {
  const sent: number[] = [];
  let t = 0;
  for (let i = 0; i < n; i += 1) {
    if (i >= per30s) t = Math.max(t, (sent[i - per30s] as number) + 30_000);
    if (i >= perSecond) t = Math.max(t, (sent[i - perSecond] as number) + 1_000);
    sent.push(t);
  }
  return t + latencyMs;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pos-bench-drain-'));
  const sim = await startSimulator({ latencyMs: LATENCY_MS, jitterMs: JITTER_MS, seed: 1 });
  const db = openDatabase(join(dir, 'pos-companion.db'));
  try {
    let last = 0;
    const clock = { now: () => (last = Math.max(Date.now(), last + 1)) };
    const settings = new SettingsStore(db);
    const orders = new OrderStore({ db, clock, settings: () => settings.get(), training: () => false });
    for (let i = 0; i < N; i += 1) orders.captureOrder({ mobile: `+96650${String(i + 1).padStart(7, '0')}`, totalPaid: `${(i % 90) + 10}.00` });

    const engine = new SyncEngine({
      db,
      client: createGameballClient({
        config: { baseUrl: sim.url, apiVersion: 'v4.0', apiKey: 'sim-api-key', secretKey: 'sim-secret-key', timeoutMs: 10_000 },
        fetch: globalThis.fetch,
      }),
      training: false,
      clock,
      concurrency: CONCURRENCY,
    });
    const started = performance.now();
    const result = await engine.drain({ untilEmpty: true, timeoutMs: 300_000 });
    const elapsed = performance.now() - started;
    await engine.stop();

    const ledger = sim.control.ledger();
    const floor = floorMs(N, limit.perSecond, limit.per30s, LATENCY_MS + JITTER_MS / 2);
    const rate = (N / elapsed) * 1000;
    const floorRate = (N / floor) * 1000;
    const ratio = floor / elapsed;
    const sustained = (limit.per30s / 30).toFixed(1);
    const okDrain = result.empty && ledger.orders.length === N && ratio >= 0.9;
    const ok429 = ledger.counters.rateLimited === 0;
    process.stdout.write(
      `backlog ${N} orders, Gameball default limits ${limit.perSecond}/s and ${limit.per30s}/30 s (${sustained}/s sustained), ` +
        `simulator latency ${LATENCY_MS}±${JITTER_MS / 2} ms, concurrency ${CONCURRENCY}\n`,
    );
    process.stdout.write(
      `drain ${(elapsed / 1000).toFixed(1)} s = ${rate.toFixed(2)} orders/s vs floor ${(floor / 1000).toFixed(1)} s = ${floorRate.toFixed(2)} orders/s: ` +
        `${ratio.toFixed(2)}x (target >= 0.90) ${okDrain ? 'PASS' : 'FAIL'}\n`,
    );
    process.stdout.write(`429 answers: ${ledger.counters.rateLimited} (target 0) ${ok429 ? 'PASS' : 'FAIL'}\n`);
    process.stdout.write(`ledger: ${ledger.orders.length} orders recorded, ${new Set(ledger.orders.map((o) => o.orderId)).size} distinct\n`);
    if (!okDrain || !ok429) process.exitCode = 1;
  } finally {
    db.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
