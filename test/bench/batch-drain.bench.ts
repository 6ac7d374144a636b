// Batch drain: one till with a large backlog of orders (no referrals) against the simulator at
// Gameball's default limits, drained by the sync engine with batches (`POST /batch/orders`, up to
// 1,000 orders a call, polled until done). Its time is compared with the single-order floor of the
// same backlog computed in this run: the earliest schedule Gameball's order limits (30/s and 360
// per 30 s) allow for N `POST /orders`, plus one round trip. Target: at least 20x faster.
// The exactly-once check (every order once in Gameball's ledger, synced on the till) is also an
// integration test at a small size (test/integration/sync/batch.test.ts).
//
// BATCH_DRAIN_ORDERS=2000 runs a smaller backlog.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettingsStore } from '../../main/config/settings.ts';
import { openDatabase } from '../../main/db/index.ts';
import { OrderStore } from '../../main/orders/order-store.ts';
import { GAMEBALL_RATE_LIMITS, startSimulator } from '../../main/simulator/index.ts';
import { SyncEngine } from '../../main/sync/sync-engine.ts';
import { simulatorClient } from '../support/simulator-client.ts';

const N = Number(process.env.BATCH_DRAIN_ORDERS ?? 10_000);
const LATENCY_MS = 40;
const JITTER_MS = 20;
const CONCURRENCY = 8;
const TARGET = 20;
const limit = GAMEBALL_RATE_LIMITS.orders;

/** Earliest finish for n single requests under both windows (Gameball's rule: sliding, per arrival). */
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
  const dir = mkdtempSync(join(tmpdir(), 'pos-bench-batch-'));
  const sim = await startSimulator({ latencyMs: LATENCY_MS, jitterMs: JITTER_MS, seed: 1 });
  const db = openDatabase(join(dir, 'pos-companion.db'));
  try {
    let last = 0;
    const clock = { now: () => (last = Math.max(Date.now(), last + 1)) };
    const settings = new SettingsStore(db);
    const orders = new OrderStore({ db, clock, settings: () => settings.get(), training: () => false });
    const ids: string[] = [];
    db.transaction(() => {
      for (let i = 0; i < N; i += 1)
        ids.push(orders.captureOrder({ mobile: `+96650${String(i + 1).padStart(7, '0')}`, totalPaidMinor: ((i % 90) + 10) * 100 }).orderId);
    })();

    const engine = new SyncEngine({
      db,
      client: simulatorClient({ baseUrl: sim.url, timeoutMs: 10_000 }),
      training: false,
      clock,
      concurrency: CONCURRENCY,
    });
    const started = performance.now();
    const result = await engine.drain({ untilEmpty: true, timeoutMs: 600_000 });
    const elapsed = performance.now() - started;
    await engine.stop();

    const ledger = sim.control.ledger();
    const floor = floorMs(N, limit.perSecond, limit.per30s, LATENCY_MS + JITTER_MS / 2);
    const ratio = floor / elapsed;
    const recorded = ledger.orders.map((o) => o.orderId);
    const distinct = new Set(recorded);
    const synced = (db.prepare("SELECT COUNT(*) AS n FROM orders WHERE state = 'synced'").get() as { n: number }).n;
    const exactlyOnce = result.empty && recorded.length === N && distinct.size === N && ids.every((id) => distinct.has(id)) && synced === N;
    const viaBatch = ledger.orders.filter((o) => o.via === 'batch').length;
    const ok = exactlyOnce && ratio >= TARGET;
    process.stdout.write(
      `backlog ${N} orders (no referrals), Gameball default limits ${limit.perSecond}/s and ${limit.per30s}/30 s, ` +
        `simulator latency ${LATENCY_MS}±${JITTER_MS / 2} ms, concurrency ${CONCURRENCY}\n`,
    );
    process.stdout.write(
      `batch drain ${(elapsed / 1000).toFixed(1)} s = ${((N / elapsed) * 1000).toFixed(0)} orders/s vs single-order floor ` +
        `${(floor / 1000).toFixed(1)} s = ${((N / floor) * 1000).toFixed(2)} orders/s: ${ratio.toFixed(1)}x (target >= ${TARGET}x) ${ok ? 'PASS' : 'FAIL'}\n`,
    );
    process.stdout.write(
      `calls: ${ledger.counters.requests['POST /batch/orders'] ?? 0} batch posts, ${ledger.counters.requests['GET /batches/{batchId}/status'] ?? 0} status polls, ` +
        `${ledger.counters.requests['POST /orders'] ?? 0} single posts; ${viaBatch} orders via batches; 429 answers: ${ledger.counters.rateLimited}\n`,
    );
    process.stdout.write(
      `exactly once: ${recorded.length} recorded, ${distinct.size} distinct, ${synced} synced on the till ${exactlyOnce ? 'PASS' : 'FAIL'}\n`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    db.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
