// A till for store tests: a real SQLite file in a temp folder, a clock the test steps by hand,
// and the real settings, capture and queue on top. Nothing is faked but time.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettingsStore } from '../../main/config/settings.ts';
import type { SettingsPatch } from '../../main/config/settings.ts';
import { openDatabase } from '../../main/db/database.ts';
import type { Database } from '../../main/db/database.ts';
import { CaptureRefusedError } from '../../main/orders/errors.ts';
import { OrderStore } from '../../main/orders/order-store.ts';
import { OrderQueue } from '../../main/orders/queue.ts';

export interface SteppedClock {
  now(): number;
  advance(ms: number): void;
  set(ms: number): void;
}

export function steppedClock(start = Date.parse('2025-03-01T09:00:00.000Z')): SteppedClock {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
    set: (ms) => {
      t = ms;
    },
  };
}

export function tempDir(prefix = 'pos-till-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TillFixture {
  dir: string;
  file: string;
  db: Database;
  clock: SteppedClock;
  settings: SettingsStore;
  orders: OrderStore;
  queue: OrderQueue;
  training: { on: boolean };
  changes: { n: number };
  /** Rows of a table, for assertions on what is really stored. */
  rows<T = Record<string, unknown>>(sql: string, ...params: unknown[]): T[];
  /** Closes and reopens the file, as a restarted till would. */
  reopen(): TillFixture;
  close(): void;
}

export function tillFixture(opts: { settings?: SettingsPatch; training?: boolean; dir?: string } = {}): TillFixture {
  const { dir, cleanup } = opts.dir ? { dir: opts.dir, cleanup: () => {} } : tempDir();
  const file = join(dir, 'pos-companion.db');
  const clock = steppedClock();
  const build = (): TillFixture => {
    const db = openDatabase(file, { clock });
    const settings = new SettingsStore(db);
    if (opts.settings) settings.update(opts.settings);
    const training = { on: opts.training ?? false };
    const changes = { n: 0 };
    const deps = { db, clock, settings: () => settings.get(), onChange: () => void (changes.n += 1) };
    const orders = new OrderStore({ ...deps, training: () => training.on });
    const queue = new OrderQueue({ ...deps, rules: orders.rules });
    const f: TillFixture = {
      dir,
      file,
      db,
      clock,
      settings,
      orders,
      queue,
      training,
      changes,
      rows: <T>(sql: string, ...params: unknown[]) => db.prepare(sql).all(...params) as T[],
      reopen: () => {
        db.close();
        return build();
      },
      close: () => {
        if (db.open) db.close();
        cleanup();
      },
    };
    return f;
  };
  return build();
}

/** The CaptureRefusedError `fn` throws; fails the test when it throws nothing or something else. */
export function refusal(fn: () => unknown): CaptureRefusedError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CaptureRefusedError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

/** What the sync engine does when Gameball refuses an order with a 4xx: attention, with its code and message. */
export function gameballRefuses(t: TillFixture, orderId: string, code = '3016', message = 'Invalid mobile'): void {
  t.db
    .prepare("UPDATE orders SET state = 'attention', attention_code = ?, attention_message = ? WHERE order_id = ?")
    .run(code, message, orderId);
  t.db
    .prepare(
      "UPDATE outbox SET state = 'attention', attempts = attempts + 1, last_error_code = ?, last_error_message = ?, next_attempt_at = 0 WHERE entity_id = ? AND state = 'pending'",
    )
    .run(code, message, orderId);
}
/** What the sync engine does when Gameball accepts an order: synced, its call done and audited. */
export function synced(t: TillFixture, orderId: string, at: string): void {
  t.db.prepare("UPDATE orders SET state = 'synced', synced_at = ?, rewarded_points = 10 WHERE order_id = ?").run(at, orderId);
  t.db.prepare("UPDATE outbox SET state = 'done' WHERE entity_id = ?").run(orderId);
  t.db
    .prepare(
      "INSERT INTO sync_log (outbox_id, entity_id, method, path, http_status, outcome, at) VALUES (1, ?, 'POST', '/orders', 200, 'ok', ?)",
    )
    .run(orderId, at);
}
