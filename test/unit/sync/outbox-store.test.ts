// Claiming rules over a real SQLite file: leases, one call at a time per customer in id order,
// registration before the order, refunds after their order, training rows kept apart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { openDatabase } from '../../../main/db/index.ts';
import type { Database } from '../../../main/db/index.ts';
import { OutboxStore } from '../../../main/sync/outbox-store.ts';

let dir: string;
let db: Database;
const T0 = 1_750_000_000_000;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pos-outbox-'));
  db = openDatabase(join(dir, 'pos-companion.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function addOrder(orderId: string, customerId: string, opts: { training?: 0 | 1; state?: string; calls?: string[] } = {}): number[] {
  const iso = new Date(T0).toISOString();
  db.prepare(
    `INSERT INTO orders (order_id, customer_id, currency, total_paid_minor, order_date, till_id, training, state, created_at, updated_at)
     VALUES (?, ?, 'SAR', 1000, ?, 'till-1', ?, ?, ?, ?)`,
  ).run(orderId, customerId, iso, opts.training ?? 0, opts.state ?? 'pending', iso, iso);
  return (opts.calls ?? ['track_order']).map((kind) =>
    Number(
      db
        .prepare(
          `INSERT INTO outbox (kind, entity_id, customer_id, state, next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, 'pending', ?, ?, ?)`,
        )
        .run(kind, orderId, customerId, T0, iso, iso).lastInsertRowid,
    ),
  );
}

function addRefund(refundId: string, orderId: string, customerId: string): number {
  const iso = new Date(T0).toISOString();
  db.prepare(
    `INSERT INTO refunds (refund_id, order_id, customer_id, currency, transaction_time, training, state, created_at, updated_at)
     VALUES (?, ?, ?, 'SAR', ?, 0, 'pending', ?, ?)`,
  ).run(refundId, orderId, customerId, iso, iso, iso);
  return Number(
    db
      .prepare(
        `INSERT INTO outbox (kind, entity_id, customer_id, state, next_attempt_at, created_at, updated_at) VALUES ('refund', ?, ?, 'pending', ?, ?, ?)`,
      )
      .run(refundId, customerId, T0, iso, iso).lastInsertRowid,
  );
}

const store = (owner: string, opts: { training?: boolean; leaseMs?: number; db?: Database } = {}) =>
  new OutboxStore(opts.db ?? db, { training: opts.training ?? false, ownerId: owner, leaseMs: opts.leaseMs ?? 10_000 });
const ids = (rows: { id: number }[]) => rows.map((r) => r.id);
const outboxState = (id: number) => db.prepare('SELECT state, lease_owner, unknown_outcome FROM outbox WHERE id = ?').get(id);
const done = (s: OutboxStore, id: number, now = T0) => {
  const row = db
    .prepare<[number], { entity_id: string; customer_id: string }>('SELECT entity_id, customer_id FROM outbox WHERE id = ?')
    .get(id)!;
  return s.finish(
    {
      id,
      kind: 'track_order',
      entityId: row.entity_id,
      customerId: row.customer_id,
      attempts: 0,
      unknownOutcome: false,
      takenOver: false,
      leaseUntil: 0,
    },
    { type: 'done' },
    [],
    now,
  );
};

describe('claim', () => {
  test('oldest first, one row per customer, different customers in parallel', () => {
    const [a1] = addOrder('a1', 'cust-a');
    const [a2] = addOrder('a2', 'cust-a');
    const [b1] = addOrder('b1', 'cust-b');
    const s = store('e1');
    expect(ids(s.claim(T0, 10))).toEqual([a1, b1]);
    expect(db.prepare('SELECT state FROM orders WHERE order_id = ?').get('a1')).toEqual({ state: 'sending' });
    // a2 waits for a1, even when asked again.
    expect(s.claim(T0, 10)).toEqual([]);
    done(s, a1 as number);
    expect(ids(s.claim(T0, 10))).toEqual([a2]);
  });

  test("a row not yet due is not claimed, and holds back the customer's later rows", () => {
    const [a1] = addOrder('a1', 'cust-a');
    addOrder('a2', 'cust-a');
    db.prepare('UPDATE outbox SET next_attempt_at = ? WHERE id = ?').run(T0 + 5_000, a1);
    const s = store('e1');
    expect(s.claim(T0, 10)).toEqual([]);
    expect(ids(s.claim(T0 + 5_000, 10))).toEqual([a1]);
  });

  test('registration goes before the order; registration stuck in attention holds the order', () => {
    const [reg, track] = addOrder('a1', 'cust-a', { calls: ['register_customer', 'track_order'] });
    const s = store('e1');
    const [claimed] = s.claim(T0, 10);
    expect(claimed?.id).toBe(reg);
    s.finish(claimed!, { type: 'attention', code: '3000', message: 'bad' }, [], T0);
    expect(s.claim(T0, 10)).toEqual([]);
    expect(db.prepare('SELECT state, attention_code FROM orders WHERE order_id = ?').get('a1')).toEqual({
      state: 'attention',
      attention_code: '3000',
    });
    db.prepare(`UPDATE outbox SET state = 'done' WHERE id = ?`).run(reg);
    expect(ids(s.claim(T0, 10))).toEqual([track]);
  });

  test("an order in attention does not hold back the same customer's later orders", () => {
    const [a1] = addOrder('a1', 'cust-a');
    const [a2] = addOrder('a2', 'cust-a');
    const s = store('e1');
    const [c] = s.claim(T0, 10);
    s.finish(c!, { type: 'attention', code: '9003', message: 'time exists' }, [], T0);
    expect(ids(s.claim(T0, 10))).toEqual([a2]);
    expect(outboxState(a1 as number)).toMatchObject({ state: 'attention', lease_owner: null });
  });

  test('a refund waits until its order is synced', () => {
    const [o] = addOrder('a1', 'cust-a');
    const r = addRefund('rf1', 'a1', 'cust-a');
    const s = store('e1');
    const [c] = s.claim(T0, 10);
    expect(c?.id).toBe(o);
    s.finish(c!, { type: 'attention', code: '3000', message: 'bad' }, [], T0);
    // Order in attention: the refund may not go before it.
    expect(s.claim(T0, 10)).toEqual([]);
    db.prepare(`UPDATE orders SET state = 'synced' WHERE order_id = 'a1'`).run();
    expect(ids(s.claim(T0, 10))).toEqual([r]);
  });

  test('training rows only for a training engine, real rows only for a real one', () => {
    const [real] = addOrder('r1', 'cust-a');
    const [training] = addOrder('t1', 'cust-b', { training: 1 });
    const [trainingSameCustomer] = addOrder('t2', 'cust-a', { training: 1 });
    expect(ids(store('real').claim(T0, 10))).toEqual([real]);
    // The two worlds talk to different servers (Gameball, the simulator): a real call in flight
    // for cust-a does not hold back cust-a's training order.
    expect(ids(store('sim', { training: true }).claim(T0, 10))).toEqual([training, trainingSameCustomer]);
    expect(store('real').claim(T0, 10)).toEqual([]);
  });
});

describe('leases', () => {
  test('a live lease is never taken; an expired one is, as an unknown outcome', () => {
    const [a1] = addOrder('a1', 'cust-a');
    const first = store('engine-1', { leaseMs: 1_000 });
    const second = store('engine-2', { leaseMs: 1_000 });
    expect(ids(first.claim(T0, 10))).toEqual([a1]);
    expect(second.claim(T0 + 999, 10)).toEqual([]);
    const [taken] = second.claim(T0 + 1_000, 10);
    expect(taken).toMatchObject({ id: a1, takenOver: true, unknownOutcome: true });
    expect(outboxState(a1 as number)).toMatchObject({ state: 'in_flight', lease_owner: 'engine-2', unknown_outcome: 1 });
    // The first engine's late answer is not written over the new holder's claim.
    expect(done(first, a1 as number, T0 + 1_001)).toBe(false);
    expect(outboxState(a1 as number)).toMatchObject({ state: 'in_flight', lease_owner: 'engine-2' });
    expect(db.prepare('SELECT state FROM orders WHERE order_id = ?').get('a1')).toEqual({ state: 'sending' });
    expect(done(second, a1 as number, T0 + 1_002)).toBe(true);
    expect(db.prepare('SELECT state FROM orders WHERE order_id = ?').get('a1')).toEqual({ state: 'synced' });
  });

  test('renew keeps a row; a lost lease cannot be renewed', () => {
    const [a1] = addOrder('a1', 'cust-a');
    const first = store('engine-1', { leaseMs: 1_000 });
    const [mine] = first.claim(T0, 1);
    expect(first.renew(mine!, T0 + 900)).toBe(true);
    expect(mine?.leaseUntil).toBe(T0 + 1_900);
    expect(store('engine-2', { leaseMs: 1_000 }).claim(T0 + 1_500, 10)).toEqual([]);
    const [taken] = store('engine-2', { leaseMs: 1_000 }).claim(T0 + 1_900, 10);
    expect(taken?.id).toBe(a1);
    expect(first.renew(mine!, T0 + 1_950)).toBe(false);
  });

  test('two connections claiming at once never share a row', () => {
    for (let i = 0; i < 200; i += 1) addOrder(`o${i}`, `cust-${i % 50}`);
    const other = openDatabase(join(dir, 'pos-companion.db'));
    try {
      const a = store('engine-a');
      const b = store('engine-b', { db: other });
      const seen = new Map<number, string>();
      let now = T0;
      for (let round = 0; round < 20; round += 1) {
        for (const [s, name] of [
          [a, 'a'],
          [b, 'b'],
        ] as const) {
          for (const row of s.claim(now, 7)) {
            expect(seen.has(row.id), `row ${row.id} claimed twice`).toBe(false);
            seen.set(row.id, name);
            s.finish(row, { type: 'done' }, [], now);
          }
        }
        now += 1;
      }
      expect(seen.size).toBe(200);
      expect(new Set(seen.values())).toEqual(new Set(['a', 'b']));
    } finally {
      other.close();
    }
  });
});

describe('the till clock', () => {
  const DAY = 86_400_000;
  const iso = (ms: number) => new Date(ms).toISOString();

  test('rows captured while the clock was two days ahead are due as soon as the clock is corrected', () => {
    const [a1] = addOrder('a1', 'cust-a');
    const [b1] = addOrder('b1', 'cust-b');
    // Captured by a clock two days ahead: next_attempt_at and updated_at both say so.
    db.prepare('UPDATE outbox SET next_attempt_at = ?, updated_at = ?').run(T0 + 2 * DAY, iso(T0 + 2 * DAY));
    const s = store('e1');
    expect(s.nextDueAt(T0)).toBe(T0);
    expect(ids(s.claim(T0, 10))).toEqual([a1, b1]);
  });

  test('a retry is due at once when the clock went back after it was scheduled, and waits its backoff otherwise', () => {
    const [a1] = addOrder('a1', 'cust-a');
    const s = store('e1');
    const [c] = s.claim(T0, 10);
    s.finish(
      c!,
      { type: 'retry', nextAttemptAt: T0 + 3_000, code: 'HTTP_503', message: 'unavailable', unknownOutcome: false, countAttempt: true },
      [],
      T0,
    );
    // The clock moves on normally: the backoff holds.
    expect(s.claim(T0 + 1_000, 10)).toEqual([]);
    expect(s.nextDueAt(T0 + 1_000)).toBe(T0 + 3_000);
    // Set back by a few hundred ms (within tolerance): still the same wait, not an early retry.
    expect(s.claim(T0 - 500, 10)).toEqual([]);
    // Set back by an hour: the wait cannot be measured any more; it does not grow by the jump.
    expect(s.nextDueAt(T0 - 3_600_000)).toBe(T0 - 3_600_000);
    expect(ids(s.claim(T0 - 3_600_000, 10))).toEqual([a1]);
  });

  test('a lease written before the clock went back has expired for other engines, never for its own', () => {
    const [a1] = addOrder('a1', 'cust-a');
    const [a2] = addOrder('a2', 'cust-a');
    const dead = store('dead');
    expect(ids(dead.claim(T0, 10))).toEqual([a1]);
    const later = T0 - DAY;
    // Its own lease: this engine is alive and finishes the row itself.
    expect(dead.claim(later, 10)).toEqual([]);
    // Without the jump the lease holds; after it, another engine takes the row over (unknown outcome).
    const other = store('other');
    expect(other.claim(T0 + 1_000, 10)).toEqual([]);
    const [taken] = other.claim(later, 10);
    expect(taken).toMatchObject({ id: a1, takenOver: true, unknownOutcome: true });
    // The customer's next order still waits for that one.
    expect(other.claim(later, 10)).toEqual([]);
    expect(a2).toBeGreaterThan(a1 as number);
  });

  test('recentCalls: the audited calls of this world in the window, and rows another engine holds in flight', () => {
    const T1 = T0 + 100_000;
    addOrder('a1', 'cust-a');
    addOrder('b1', 'cust-b');
    addOrder('t1', 'cust-t', { training: 1 });
    const s = store('e1');
    const log = (method: string, path: string) => ({
      method,
      path,
      httpStatus: 200,
      code: null,
      message: 'OK',
      requestId: null,
      outcome: 'ok' as const,
      durationMs: 5,
    });
    const [a] = s.claim(T1 - 40_000, 1);
    s.finish(a!, { type: 'done' }, [log('POST', '/orders')], T1 - 40_000);
    const [b] = s.claim(T1 - 5_000, 1);
    s.finish(b!, { type: 'done' }, [log('GET', '/orders/b1/transactions'), log('POST', '/orders')], T1 - 5_000);
    const sim = store('sim', { training: true });
    const [t] = sim.claim(T1 - 1_000, 1);
    sim.finish(t!, { type: 'done' }, [log('POST', '/orders')], T1 - 1_000);
    expect(s.recentCalls(T1, 30_000).audited).toEqual([
      { method: 'POST', path: '/orders', at: T1 - 5_000 },
      { method: 'GET', path: '/orders/b1/transactions', at: T1 - 5_000 },
    ]);
    // A row in flight under another engine's lease: not audited yet, reported so it is counted.
    addOrder('c1', 'cust-c');
    store('killed').claim(T1 - 2_000, 1);
    expect(s.recentCalls(T1, 30_000).inFlight).toEqual([{ kind: 'track_order', unknownOutcome: false }]);
    expect(store('killed').recentCalls(T1, 30_000).inFlight).toEqual([]);
  });
});

describe('scale', () => {
  // The cost of a claim is a property of its query plan, checked here; the timing at 20,000 owed
  // calls is in test/bench/sync-drain.bench.ts.
  const claimPlan = (s: OutboxStore) => {
    const sql = (s as unknown as { selectClaimable: { source: string } }).selectClaimable.source;
    const clock = { now: T0, late: new Date(T0 + 1_000).toISOString(), owner: 'e1' };
    return db
      .prepare<typeof clock & { training: number; limit: number }, { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
      .all({ ...clock, training: 0, limit: 1 })
      .map((r) => r.detail);
  };

  test('a claim walks only owed rows in id order and checks each candidate with index searches, never a pass over all owed rows', () => {
    const plan = claimPlan(store('e1'));
    // The outer loop: the partial index of owed rows, already in id order, so LIMIT stops it early.
    expect(plan[0]).toBe('SCAN o USING INDEX outbox_owed');
    // No sort or grouping of the whole owed set before the limit applies.
    expect(plan.filter((d) => /TEMP B-TREE|MATERIALIZE|CO-ROUTINE/.test(d))).toEqual([]);
    // Every other read is a search on an index: per candidate, a few lookups.
    expect(plan.filter((d) => d.startsWith('SCAN') && d !== 'SCAN o USING INDEX outbox_owed')).toEqual([]);
    expect(plan).toContain('SEARCH e USING INDEX outbox_customer (customer_id=? AND state=? AND id<?)');
    expect(plan).toContain('SEARCH b USING INDEX outbox_customer (customer_id=? AND state=?)');
  });

  test('a look-up claim reads only the calls of unknown outcome or in flight (their own index), never the backlog', () => {
    const s = store('e1') as unknown as { selectLookUpCandidates: { source: string } };
    const clock = { now: T0, late: new Date(T0 + 1_000).toISOString(), owner: 'e1' };
    const plan = db
      .prepare<typeof clock & { training: number; failed: string }, { detail: string }>(
        `EXPLAIN QUERY PLAN ${s.selectLookUpCandidates.source}`,
      )
      .all({ ...clock, training: 0, failed: 'X' })
      .map((r) => r.detail);
    expect(plan[0]).toBe('SCAN o USING INDEX outbox_unsure');
    expect(plan.filter((d) => d.startsWith('SCAN') && d !== 'SCAN o USING INDEX outbox_unsure')).toEqual([]);
    expect(plan.filter((d) => /TEMP B-TREE/.test(d))).toEqual([]);
  });

  test("over a 5,000-call backlog, claims take each customer's first call in id order and hold back the rest", () => {
    const iso = new Date(T0).toISOString();
    const order = db.prepare(
      `INSERT INTO orders (order_id, customer_id, currency, total_paid_minor, order_date, till_id, training, state, created_at, updated_at)
       VALUES (?, ?, 'SAR', 1000, ?, 'till-1', 0, 'pending', ?, ?)`,
    );
    const call = db.prepare(
      `INSERT INTO outbox (kind, entity_id, customer_id, state, next_attempt_at, created_at, updated_at) VALUES ('track_order', ?, ?, 'pending', ?, ?, ?)`,
    );
    db.transaction(() => {
      for (let i = 0; i < 5_000; i += 1) {
        // Two orders per customer: half the backlog is held back behind the other half.
        order.run(`o${i}`, `c${i % 2_500}`, iso, iso, iso);
        call.run(`o${i}`, `c${i % 2_500}`, T0, iso, iso);
      }
    })();
    const s = store('e1');
    // The first 2,500 rows are each customer's first; held in flight, they hold back the second half.
    const first = s.claim(T0, 2_600);
    expect(first.map((r) => r.entityId)).toEqual(Array.from({ length: 2_500 }, (_, i) => `o${i}`));
    expect(s.claim(T0, 10)).toEqual([]);
    for (const row of first.slice(0, 3)) s.finish(row, { type: 'done' }, [], T0);
    expect(s.claim(T0, 10).map((r) => r.entityId)).toEqual(['o2500', 'o2501', 'o2502']);
  });
});

describe('finish', () => {
  test('retry keeps the row pending with its error and the unknown flag; the audit row is written with it', () => {
    const [a1] = addOrder('a1', 'cust-a');
    const s = store('e1');
    const [c] = s.claim(T0, 1);
    s.finish(
      c!,
      { type: 'retry', nextAttemptAt: T0 + 3_000, code: 'LOST', message: 'connection broke', unknownOutcome: true, countAttempt: true },
      [
        {
          method: 'POST',
          path: '/orders',
          httpStatus: null,
          code: null,
          message: 'connection broke',
          requestId: null,
          outcome: 'unknown',
          durationMs: 12,
        },
      ],
      T0,
    );
    expect(
      db.prepare('SELECT state, attempts, unknown_outcome, next_attempt_at, last_error_code FROM outbox WHERE id = ?').get(a1),
    ).toEqual({
      state: 'pending',
      attempts: 1,
      unknown_outcome: 1,
      next_attempt_at: T0 + 3_000,
      last_error_code: 'LOST',
    });
    expect(db.prepare('SELECT state FROM orders').get()).toEqual({ state: 'pending' });
    expect(db.prepare('SELECT outbox_id, entity_id, method, path, outcome, duration_ms FROM sync_log').all()).toEqual([
      { outbox_id: a1, entity_id: 'a1', method: 'POST', path: '/orders', outcome: 'unknown', duration_ms: 12 },
    ]);
  });

  test('done records rewardedPoints and the sync time', () => {
    addOrder('a1', 'cust-a');
    const s = store('e1');
    const [c] = s.claim(T0, 1);
    s.finish(c!, { type: 'done', rewardedPoints: 77 }, [], T0 + 10);
    expect(db.prepare('SELECT state, rewarded_points, synced_at FROM orders').get()).toEqual({
      state: 'synced',
      rewarded_points: 77,
      synced_at: new Date(T0 + 10).toISOString(),
    });
    expect(s.activeCount()).toBe(0);
  });
});

describe('look-up jobs', () => {
  const set = (id: number, fields: string) => db.prepare(`UPDATE outbox SET ${fields} WHERE id = ?`).run(id);

  test('claimLookUps takes due orders of unknown outcome and taken-over rows, never a referral, a redemption or a row a look-up job failed', () => {
    const [unknown] = addOrder('u1', 'cust-u');
    const [dead] = addOrder('d1', 'cust-d');
    const [live] = addOrder('l1', 'cust-l');
    const [failed] = addOrder('f1', 'cust-f');
    const [referred] = addOrder('r1', 'cust-r');
    const [redeeming] = addOrder('h1', 'cust-h');
    const [fresh] = addOrder('n1', 'cust-n');
    const [later] = addOrder('w1', 'cust-w');
    set(unknown!, "unknown_outcome = 1, attempts = 1, last_error_code = 'BATCH_UNKNOWN'");
    set(dead!, `state = 'in_flight', lease_owner = 'dead', lease_expires_at = ${T0 - 1}`);
    set(live!, `state = 'in_flight', lease_owner = 'other', lease_expires_at = ${T0 + 700}`);
    set(failed!, "unknown_outcome = 1, last_error_code = 'BATCH_LOOKUP_FAILED'");
    set(referred!, 'unknown_outcome = 1');
    db.prepare("UPDATE orders SET referrer_code = 'REF1' WHERE order_id = 'r1'").run();
    set(redeeming!, 'unknown_outcome = 1');
    db.prepare("UPDATE orders SET points_hold_reference = 'hold-1' WHERE order_id = 'h1'").run();
    set(later!, `unknown_outcome = 1, next_attempt_at = ${T0 + 500}`);
    expect(fresh).toBeDefined();

    const s = store('engine-1');
    // Fewer than min due: nothing taken, and the next candidate's due time to look again.
    expect(s.claimLookUps(T0, 3, 100)).toEqual({ rows: [], nextAt: T0 + 500 });
    expect(outboxState(dead!)).toMatchObject({ state: 'in_flight', lease_owner: 'dead', unknown_outcome: 0 });
    const { rows } = s.claimLookUps(T0, 2, 100);
    expect(rows).toEqual([
      expect.objectContaining({ id: unknown, unknownOutcome: true, takenOver: false }),
      expect.objectContaining({ id: dead, unknownOutcome: true, takenOver: true }),
    ]);
    // A taken-over row is unknown in the file too (a crash now still looks it up first).
    expect(outboxState(dead!)).toMatchObject({ state: 'in_flight', lease_owner: 'engine-1', unknown_outcome: 1 });
    expect(db.prepare("SELECT state FROM orders WHERE order_id = 'd1'").get()).toEqual({ state: 'sending' });
    expect(ids(s.claimLookUps(T0 + 700, 1, 100).rows)).toEqual([live, later]);
  });

  test('an order a look-up found Gameball does not have may go in a batch again; one Gameball refused for a reason may not', () => {
    const made = Array.from({ length: 4 }, (_, i) => addOrder(`o${i}`, `cust-${i}`)[0]!);
    const [notThere, refused, unknown, fresh] = made;
    set(notThere!, "attempts = 2, last_error_code = 'NOT_AT_GAMEBALL'");
    set(refused!, "attempts = 1, last_error_code = '9003'");
    set(unknown!, "attempts = 1, unknown_outcome = 1, last_error_code = 'BATCH_UNKNOWN'");
    expect(ids(store('engine-1').claimBatch(T0, 1, 100).rows)).toEqual([notThere, fresh]);
  });
});
