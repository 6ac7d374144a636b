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
import { openDatabase } from '../../main/db/index.ts';
import { GAMEBALL_RATE_LIMITS, startSimulator } from '../../main/simulator/index.ts';
import { SyncEngine } from '../../main/sync/sync-engine.ts';
import { floorMs } from '../support/fleet-model.ts';
import { captureBacklog } from './backlog.ts';
import { simulatorClient } from '../support/simulator-client.ts';

const N = Number(process.env.BATCH_DRAIN_ORDERS ?? 10_000);
const LATENCY_MS = 40;
const JITTER_MS = 20;
const CONCURRENCY = 8;
const TARGET = 20;
const limit = GAMEBALL_RATE_LIMITS.orders;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pos-bench-batch-'));
  const sim = await startSimulator({ latencyMs: LATENCY_MS, jitterMs: JITTER_MS, seed: 1 });
  const db = openDatabase(join(dir, 'pos-companion.db'));
  try {
    const { clock, ids } = captureBacklog(db, N);

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
