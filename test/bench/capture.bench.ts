// Capture latency: `engine.captureOrder` (validation, mobile normalisation, referral rules, the
// order row and its outbox rows in one immediate transaction, one log line) on a real file with
// WAL + synchronous=FULL, against a bare better-sqlite3 INSERT of the same order row into a
// database with the same schema and pragmas, in the same run. Both commit one transaction per
// order, so both pay one fsync of the WAL: the ratio says what capture adds on top of the disk.
// The two are interleaved call by call so a noisy neighbour on the shared machine hits both alike.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { createEngine, noSync } from '../../main/engine.ts';
import { openDatabase } from '../../main/db/database.ts';

const TARGET = 1.3;
const WARMUP = 100;
const N = Number(process.env.CAPTURE_BENCH_N ?? 1500);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const dir = mkdtempSync(join(tmpdir(), 'pos-bench-capture-'));
try {
  const engine = await createEngine({ dataDir: join(dir, 'till'), secretCipher: null, env: {}, startSync: false, sync: noSync });
  const bare = openDatabase(join(dir, 'bare', 'pos-companion.db'));
  const insert = bare.prepare(
    `INSERT INTO orders (order_id, customer_id, mobile, name, email, currency, total_paid_minor, total_price_minor, line_items_json,
       receipt_no, referrer_code, order_date, store_id, branch_id, till_id, training, state, created_at, updated_at)
     VALUES (?, ?, ?, NULL, NULL, 'SAR', ?, ?, NULL, ?, ?, ?, NULL, NULL, 'till-bench', 0, 'pending', ?, ?)`,
  );

  // The baseline writes exactly the rows a capture writes (the order and its outbox rows), bare:
  // one transaction, no validation, no rules, no logging. A single-row insert is timed too, for reference.
  const insertOutbox = bare.prepare(
    `INSERT INTO outbox (kind, entity_id, customer_id, state, attempts, next_attempt_at, created_at, updated_at)
     VALUES (?, ?, ?, 'pending', 0, ?, ?, ?)`,
  );
  // The same ids too: `<tillId>-<uuid v7>` (made before the clock starts), so both write index
  // keys of the same size.
  const tillId = engine.getSettings().tillId;
  const bareRows = bare.transaction((id: string, i: number, mobile: string, referred: boolean, now: string) => {
    const customer = `mobile_9665${mobile.slice(2)}`;
    insert.run(id, customer, `+9665${mobile.slice(2)}`, ((i % 500) + 1) * 100 + 50, ((i % 500) + 2) * 100, `R-${i}`, referred ? 'FRIEND42' : null, now, now, now);
    if (referred) insertOutbox.run('register_customer', id, customer, Date.now(), now, now);
    insertOutbox.run('track_order', id, customer, Date.now(), now, now);
  }).immediate;
  const captureMs: number[] = [];
  const bareMs: number[] = [];
  const singleMs: number[] = [];
  for (let i = 0; i < WARMUP + N; i += 1) {
    const mobile = `05${String(10_000_000 + i).slice(-8)}`;
    const referred = i % 10 === 0;
    const input = { mobile, totalPaid: `${(i % 500) + 1}.50`, totalPrice: `${(i % 500) + 2}.00`, receiptNo: `R-${i}`, ...(referred ? { referrerCode: 'FRIEND42' } : {}) };

    let t = performance.now();
    engine.captureOrder(input);
    const c = performance.now() - t;

    const bareId = `${tillId}-${uuidv7()}`;
    let now = new Date().toISOString();
    t = performance.now();
    bareRows(bareId, i, mobile, referred, now);
    const b = performance.now() - t;

    const singleId = `${tillId}-${uuidv7()}`;
    now = new Date().toISOString();
    t = performance.now();
    insert.run(singleId, `mobile_9665${mobile.slice(2)}`, `+9665${mobile.slice(2)}`, ((i % 500) + 1) * 100 + 50, ((i % 500) + 2) * 100, `R-${i}`, referred ? 'FRIEND42' : null, now, now, now);
    const single = performance.now() - t;

    if (i >= WARMUP) {
      captureMs.push(c);
      bareMs.push(b);
      singleMs.push(single);
    }
  }
  await engine.close();
  bare.close();

  captureMs.sort((a, b) => a - b);
  bareMs.sort((a, b) => a - b);
  singleMs.sort((a, b) => a - b);
  const line = (label: string, p: number) => {
    const c = percentile(captureMs, p);
    const b = percentile(bareMs, p);
    const ratio = c / b;
    const s1 = percentile(singleMs, p);
    process.stdout.write(
      `capture ${label} ${c.toFixed(3)} ms vs bare insert of the same rows ${b.toFixed(3)} ms: ${ratio.toFixed(2)}x (target <= ${TARGET}x) ${ratio <= TARGET ? 'PASS' : 'FAIL'}` +
        ` (a single-row insert: ${s1.toFixed(3)} ms, ${(c / s1).toFixed(2)}x)\n`,
    );
  };
  process.stdout.write(`${N} orders each (after ${WARMUP} warm-up), WAL + synchronous=FULL, one transaction per order, on ${tmpdir()}\n`);
  line('p50', 50);
  line('p99', 99);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  process.stdout.write(
    `capture adds ${(percentile(captureMs, 50) - percentile(bareMs, 50)).toFixed(3)} ms at p50 (validation, referral rules, the outbox rows); ` +
      `mean ${mean(captureMs).toFixed(3)} ms vs ${mean(bareMs).toFixed(3)} ms\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
