// The queue listing and the status stay cheap at 100,000 orders because of their indexes
// (migration 0003). Their cost is a property of the query plan, checked here on a real file;
// the timings are in test/bench/queue-scale.bench.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { openDatabase } from '../../../main/db/index.ts';
import type { Database } from '../../../main/db/index.ts';

let dir: string;
let db: Database;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pos-plans-'));
  db = openDatabase(join(dir, 'pos-companion.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const plan = (sql: string, ...params: unknown[]) =>
  db
    .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
    .all(...params)
    .map((r) => r.detail);

describe('query plans at scale', () => {
  test('a queue page, newest first, reads the page from an index instead of sorting every order', () => {
    // The statements OrderQueue.list builds (without and with a state filter).
    expect(plan('SELECT * FROM orders ORDER BY created_at DESC, order_id DESC LIMIT ? OFFSET ?', 50, 0)).toEqual([
      'SCAN orders USING INDEX orders_created',
    ]);
    expect(plan('SELECT * FROM orders WHERE state = ? ORDER BY created_at DESC, order_id DESC LIMIT ? OFFSET ?', 'pending', 50, 0)).toEqual(
      ['SEARCH orders USING INDEX orders_state_created (state=?)'],
    );
    expect(plan('SELECT COUNT(*) AS n FROM orders WHERE state = ?', 'pending')).toEqual([
      'SEARCH orders USING COVERING INDEX orders_state_created (state=?)',
    ]);
  });

  test('status counts and the oldest unsynced age read only their index (covering), never the order rows', () => {
    expect(plan('SELECT state, COUNT(*) AS n FROM orders WHERE training = ? GROUP BY state', 0)).toEqual([
      'SEARCH orders USING COVERING INDEX orders_training_state (training=?)',
    ]);
    expect(plan('SELECT state, COUNT(*) AS n FROM refunds WHERE training = ? GROUP BY state', 0)).toEqual([
      'SEARCH refunds USING COVERING INDEX refunds_training_state (training=?)',
    ]);
    expect(plan("SELECT MIN(created_at) AS at FROM orders WHERE state IN ('pending', 'sending') AND training = ?", 0)).toEqual([
      'SEARCH orders USING COVERING INDEX orders_training_state (training=? AND state=?)',
    ]);
    expect(plan("SELECT MIN(created_at) AS at FROM refunds WHERE state IN ('pending', 'sending') AND training = ?", 0)).toEqual([
      'SEARCH refunds USING COVERING INDEX refunds_training_state (training=? AND state=?)',
    ]);
  });
});
