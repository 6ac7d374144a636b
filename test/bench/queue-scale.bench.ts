// Queue listing and status at scale: 100,000 orders (QUEUE_BENCH_ORDERS) on a real file, in the
// states a busy till accumulates (mostly synced, a pending backlog, some in needs-attention and
// discarded, a share in training), with refunds, outbox rows and the call log. Times what the
// screen asks for: a page of the queue (all, or one state, newest first, with the total count), a
// deep page, and the status (counts per state, the oldest unsynced age, last success and error).
// Targets: a page < 10 ms and the status < 5 ms (medians). Each query's plan is printed, so an
// index that stopped being used shows up here.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettingsStore } from '../../main/config/settings.ts';
import { openDatabase } from '../../main/db/index.ts';
import { ReferralRules } from '../../main/orders/order-store.ts';
import { OrderQueue } from '../../main/orders/queue.ts';
import { StatusReader } from '../../main/sync/status.ts';

const N = Number(process.env.QUEUE_BENCH_ORDERS ?? 100_000);
const PAGE_TARGET_MS = 10;
const STATUS_TARGET_MS = 5;
const RUNS = 40;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

function time(fn: () => unknown): number {
  fn(); // prepare and warm the cache
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const t = performance.now();
    fn();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

const dir = mkdtempSync(join(tmpdir(), 'pos-bench-queue-'));
const db = openDatabase(join(dir, 'pos-companion.db'));
try {
  const t0 = Date.parse('2025-01-01T00:00:00.000Z');
  const order = db.prepare(
    `INSERT INTO orders (order_id, customer_id, mobile, currency, total_paid_minor, receipt_no, order_date, till_id, training, state,
       created_at, updated_at, synced_at)
     VALUES (?, ?, ?, 'SAR', ?, ?, ?, 'till-bench', ?, ?, ?, ?, ?)`,
  );
  const refund = db.prepare(
    `INSERT INTO refunds (refund_id, order_id, customer_id, amount_minor, currency, transaction_time, training, state, created_at, updated_at)
     VALUES (?, ?, ?, 100, 'SAR', ?, ?, ?, ?, ?)`,
  );
  const call = db.prepare(
    `INSERT INTO outbox (kind, entity_id, customer_id, state, attempts, next_attempt_at, created_at, updated_at) VALUES ('track_order', ?, ?, ?, 1, ?, ?, ?)`,
  );
  const log = db.prepare(
    `INSERT INTO sync_log (outbox_id, entity_id, method, path, http_status, outcome, at) VALUES (?, ?, 'POST', '/orders', ?, ?, ?)`,
  );
  const stateOf = (i: number): string => {
    const r = i % 100;
    if (i >= N - 3_000) return r < 90 ? 'pending' : 'sending'; // the newest: a backlog not yet sent
    if (r < 2) return 'attention';
    if (r < 4) return 'discarded';
    return 'synced';
  };
  db.transaction(() => {
    for (let i = 0; i < N; i += 1) {
      const iso = new Date(t0 + i * 60_000).toISOString();
      const id = `till-bench-${String(i).padStart(8, '0')}`;
      const customer = `mobile_9665${String(i % 20_000).padStart(8, '0')}`;
      const state = stateOf(i);
      const training = i % 10 === 0 ? 1 : 0;
      order.run(
        id,
        customer,
        `+9665${String(i % 20_000).padStart(8, '0')}`,
        1000 + (i % 5000),
        `R-${i}`,
        iso,
        training,
        state,
        iso,
        iso,
        state === 'synced' ? iso : null,
      );
      const outboxState =
        state === 'synced'
          ? 'done'
          : state === 'sending'
            ? 'in_flight'
            : state === 'attention'
              ? 'attention'
              : state === 'discarded'
                ? 'discarded'
                : 'pending';
      const outboxId = Number(call.run(id, customer, outboxState, t0 + i * 60_000, iso, iso).lastInsertRowid);
      if (state !== 'pending' && state !== 'discarded')
        log.run(outboxId, id, state === 'attention' ? 422 : 200, state === 'attention' ? 'attention' : 'ok', iso);
      if (i % 20 === 0) refund.run(`${id}-r`, id, customer, iso, training, state === 'synced' ? 'synced' : 'pending', iso, iso);
    }
  })();
  db.pragma('optimize');

  const settings = new SettingsStore(db);
  const clock = { now: () => t0 + N * 60_000 };
  const queue = new OrderQueue({ db, clock, settings: () => settings.get(), rules: new ReferralRules(db) });
  const reader = new StatusReader(db);
  const live = { ...reader.seed(), online: true };

  const cases: Array<[string, number, () => unknown]> = [
    ['list: first page, all states (50 of 100k, with the total)', PAGE_TARGET_MS, () => queue.list({ limit: 50 })],
    ['list: first page, pending', PAGE_TARGET_MS, () => queue.list({ state: 'pending', limit: 50 })],
    ['list: first page, synced', PAGE_TARGET_MS, () => queue.list({ state: 'synced', limit: 50 })],
    ['list: first page, needs attention', PAGE_TARGET_MS, () => queue.list({ state: 'attention', limit: 50 })],
    ['list: page 40 (offset 2,000), all states', PAGE_TARGET_MS, () => queue.list({ offset: 2_000, limit: 50 })],
    ['status (sync engine: counts, oldest unsynced)', STATUS_TARGET_MS, () => reader.read(false, clock.now(), live)],
    ['status (training counts)', STATUS_TARGET_MS, () => reader.read(true, clock.now(), live)],
    [
      'status (no engine: counts, oldest, last success and error from the log)',
      STATUS_TARGET_MS,
      () => reader.readStored(false, clock.now(), true),
    ],
    ['status seed (last success and error from the log)', STATUS_TARGET_MS, () => reader.seed()],
  ];
  process.stdout.write(`${N} orders, ${Math.ceil(N / 20)} refunds, ${N} outbox rows; medians of ${RUNS} runs\n`);
  let failed = 0;
  for (const [label, target, fn] of cases) {
    const ms = time(fn);
    const ok = ms < target;
    if (!ok) failed += 1;
    process.stdout.write(`${label}: ${ms.toFixed(2)} ms (target < ${target} ms) ${ok ? 'PASS' : 'FAIL'}\n`);
  }
  if (process.env.QUEUE_BENCH_PLANS === '1') {
    const plans: Array<[string, string, unknown[]]> = [
      ['list all: count', 'SELECT COUNT(*) AS n FROM orders', []],
      ['list all: page', 'SELECT * FROM orders ORDER BY created_at DESC, order_id DESC LIMIT 50 OFFSET 0', []],
      ['list state: count', "SELECT COUNT(*) AS n FROM orders WHERE state = 'pending'", []],
      ['list state: page', "SELECT * FROM orders WHERE state = 'pending' ORDER BY created_at DESC, order_id DESC LIMIT 50 OFFSET 0", []],
      ['status: counts', 'SELECT state, COUNT(*) AS n FROM orders WHERE training = 0 GROUP BY state', []],
      ['status: oldest', "SELECT MIN(created_at) AS at FROM orders WHERE state IN ('pending', 'sending') AND training = 0", []],
    ];
    for (const [label, sql, params] of plans) {
      const detail = db
        .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...params)
        .map((r) => r.detail)
        .join(' | ');
      process.stdout.write(`  plan ${label}: ${detail}\n`);
    }
  }
  if (failed > 0) process.exitCode = 1;
} finally {
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
