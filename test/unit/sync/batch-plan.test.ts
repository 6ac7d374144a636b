// Which rows go in a batch, what each item's result does to its row, and when batches pause:
// the pure rules of batch-plan.ts as tables; claimBatch over a real SQLite file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { openDatabase } from '../../../main/db/index.ts';
import { BatchGate, itemSettlement, pickBatch } from '../../../main/sync/batch-plan.ts';
import type { BatchCandidate } from '../../../main/sync/batch-plan.ts';
import { OutboxStore } from '../../../main/sync/outbox-store.ts';

const c = (id: number, customerId: string, batchable = true): BatchCandidate<number> => ({ row: id, customerId, batchable });

describe('pickBatch', () => {
  test.each<[string, Array<BatchCandidate<number>>, number, number[]]>([
    ['batchable rows in outbox order', [c(1, 'a'), c(2, 'b'), c(3, 'c')], 10, [1, 2, 3]],
    ['no more than max', [c(1, 'a'), c(2, 'b'), c(3, 'c')], 2, [1, 2]],
    ['consecutive orders of one customer share a batch', [c(1, 'a'), c(2, 'a'), c(3, 'b')], 10, [1, 2, 3]],
    [
      'a customer whose first call is not batchable holds back all its later calls',
      [c(1, 'a', false), c(2, 'a'), c(3, 'b'), c(4, 'a')],
      10,
      [3],
    ],
    [
      'a non-batchable call after a batched one holds back what follows it',
      [c(1, 'a'), c(2, 'a', false), c(3, 'a'), c(4, 'b')],
      10,
      [1, 4],
    ],
    ['nothing batchable', [c(1, 'a', false), c(2, 'b', false)], 10, []],
  ])('%s', (_name, candidates, max, expected) => {
    expect(pickBatch(candidates, max).map((p) => p.row)).toEqual(expected);
  });

  test('reads no further than it needs', () => {
    let read = 0;
    function* endless(): Generator<BatchCandidate<number>> {
      for (let i = 1; ; i += 1) {
        read += 1;
        yield c(i, `c${i}`);
      }
    }
    expect(pickBatch(endless(), 5)).toHaveLength(5);
    expect(read).toBe(6);
  });
});

describe('itemSettlement', () => {
  test.each<[string, Parameters<typeof itemSettlement>[0], ReturnType<typeof itemSettlement>]>([
    ['success: done with its points', { status: 'success', rewardedPoints: 12.4 }, { type: 'done', rewardedPoints: 12, reconciled: false }],
    ['success without points', { status: 'success' }, { type: 'done', rewardedPoints: null, reconciled: false }],
    [
      '9004: already recorded, done',
      { status: 'failed', code: 9004, message: 'exists' },
      { type: 'done', rewardedPoints: null, reconciled: true },
    ],
    ['2001: later', { status: 'failed', code: 2001, message: 'busy' }, { type: 'later', code: '2001', message: 'busy' }],
    [
      '9007 (future date): later, re-dated by the single flow',
      { status: 'failed', code: 9007, message: 'future' },
      { type: 'later', code: '9007', message: 'future' },
    ],
    ['5xxx: later', { status: 'failed', code: 5003, message: 'down' }, { type: 'later', code: '5003', message: 'down' }],
    [
      'failed without a code: later',
      { status: 'failed' },
      { type: 'later', code: 'BATCH_ITEM_FAILED', message: 'Batch job 7 refused this order without a reason.' },
    ],
    [
      '3003: refused, with the reason',
      { status: 'failed', code: 3003, message: 'bad total' },
      { type: 'refused', code: '3003', message: 'bad total' },
    ],
    [
      '9003 (the customer has another transaction at that time): later, re-dated by the single flow',
      { status: 'failed', code: 9003, message: 'same time' },
      { type: 'later', code: '9003', message: 'same time' },
    ],
    [
      '7006: refused, with the reason',
      { status: 'failed', code: 7006, message: 'invalid referral' },
      { type: 'refused', code: '7006', message: 'invalid referral' },
    ],
  ])('%s', (_name, result, expected) => {
    expect(itemSettlement(result, '7')).toEqual(expected);
  });

  test('no result for the item: unknown (looked up before any re-send)', () => {
    expect(itemSettlement(undefined, '7')).toMatchObject({ type: 'unknown', message: expect.stringContaining('Batch job 7') });
  });
});

describe('BatchGate', () => {
  test('two failures in a row pause batches for PAUSE_MS; a success in between resets the count', () => {
    const gate = new BatchGate();
    expect(gate.open(0)).toBe(true);
    expect(gate.failed(0)).toBe(false);
    gate.succeeded();
    expect(gate.failed(10)).toBe(false);
    expect(gate.open(10)).toBe(true);
    expect(gate.failed(20)).toBe(true);
    expect(gate.open(21)).toBe(false);
    expect(gate.open(20 + BatchGate.PAUSE_MS)).toBe(true);
  });
});

describe('OutboxStore.claimBatch', () => {
  const T0 = 1_750_000_000_000;
  interface Opts {
    calls?: string[];
    referrer?: string;
    attempts?: number;
    unknown?: number;
    next?: number;
  }

  test('takes only due, never-tried orders without a referrer, nothing owed before them left out; none below min', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pos-batch-claim-'));
    const db = openDatabase(join(dir, 'pos-companion.db'));
    try {
      const iso = new Date(T0).toISOString();
      const add = (orderId: string, customerId: string, o: Opts = {}): number[] => {
        db.prepare(
          `INSERT INTO orders (order_id, customer_id, currency, total_paid_minor, order_date, till_id, training, state, referrer_code, created_at, updated_at)
           VALUES (?, ?, 'SAR', 1000, ?, 'till-1', 0, 'pending', ?, ?, ?)`,
        ).run(orderId, customerId, iso, o.referrer ?? null, iso, iso);
        return (o.calls ?? ['track_order']).map((kind) =>
          Number(
            db
              .prepare(
                `INSERT INTO outbox (kind, entity_id, customer_id, state, attempts, unknown_outcome, next_attempt_at, created_at, updated_at)
                 VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?)`,
              )
              .run(kind, orderId, customerId, o.attempts ?? 0, o.unknown ?? 0, o.next ?? T0, iso, iso).lastInsertRowid,
          ),
        );
      };
      const s = new OutboxStore(db, { training: false, ownerId: 'me', leaseMs: 10_000 });
      const [plain1] = add('o1', 'a');
      const [reg] = add('o2', 'b', { calls: ['register_customer', 'track_order'], referrer: 'SIMX' });
      add('o3', 'b'); // behind b's registration and first order
      const [retried] = add('o4', 'c', { attempts: 1 }); // failed once: singly
      const [unknown] = add('o5', 'd', { unknown: 1 }); // outcome unknown: looked up singly
      add('o6', 'e', { next: T0 + 60_000 }); // not due
      const [referred] = add('o7', 'f', { referrer: 'SIMY' }); // names a referrer
      const [plain2] = add('o8', 'g');
      const [plain3] = add('o9', 'g'); // the same customer right after: same batch

      expect(s.claimBatch(T0, 4, 100).rows).toEqual([]);
      expect(db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE state = 'in_flight'").get()).toEqual({ n: 0 });
      const { rows, read } = s.claimBatch(T0, 3, 100);
      expect(rows.map((r) => r.id)).toEqual([plain1, plain2, plain3]);
      expect(read).toBe(10);
      expect(rows[0]).toMatchObject({
        kind: 'track_order',
        entityId: 'o1',
        unknownOutcome: false,
        takenOver: false,
        leaseUntil: T0 + 10_000,
      });
      expect(db.prepare("SELECT entity_id, state, lease_owner FROM outbox WHERE state = 'in_flight' ORDER BY id").all()).toEqual([
        { entity_id: 'o1', state: 'in_flight', lease_owner: 'me' },
        { entity_id: 'o8', state: 'in_flight', lease_owner: 'me' },
        { entity_id: 'o9', state: 'in_flight', lease_owner: 'me' },
      ]);
      expect(db.prepare("SELECT order_id FROM orders WHERE state = 'sending' ORDER BY order_id").all()).toEqual([
        { order_id: 'o1' },
        { order_id: 'o8' },
        { order_id: 'o9' },
      ]);
      // What is left goes one by one: the single claim never takes a batched row or its customer.
      expect(s.claim(T0, 100).map((r) => r.id)).toEqual([reg, retried, unknown, referred]);
      expect(s.claimBatch(T0, 1, 100).rows).toEqual([]);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
