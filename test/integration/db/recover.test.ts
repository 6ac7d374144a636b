// Recovery from damaged database files, on real SQLite files damaged the way disks damage them (a
// page overwritten, the file cut short), then synced against the project's Gameball simulator over
// real HTTP. What must hold: every captured order ends up in the live queue or is named as
// unreadable; nothing Gameball already has is posted again; the damaged file is never changed;
// running recovery twice adds nothing.
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SettingsStore } from '../../../main/config/settings.ts';
import { openDatabase, openTillDatabase } from '../../../main/db/database.ts';
import type { Database } from '../../../main/db/database.ts';
import { capturedAtOf, recoverInto } from '../../../main/db/recover.ts';
import { salvageFile } from '../../../main/db/salvage.ts';
import { OrderStore } from '../../../main/orders/order-store.ts';
import { SyncEngine } from '../../../main/sync/sync-engine.ts';
import { checkpointFully, cutToPages, overwritePage, pageCount, pagesOf, sha256 } from '../../support/damage.ts';
import { createSyncFixture, mobile } from '../../support/sync-fixture.ts';
import type { SyncFixture } from '../../support/sync-fixture.ts';

const clock = { now: () => Date.now() };
let cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'pos-recover-'));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

function engineOn(f: SyncFixture, db: Database): SyncEngine {
  const e = new SyncEngine({ db, client: f.client, training: false, clock, idlePollMs: 50, backoff: { baseMs: 20, capMs: 200, minMs: 5 } });
  cleanups.push(() => e.stop());
  return e;
}

/** Ids of every order (and refund) row in a database. */
const idsIn = (db: Database, table: 'orders' | 'refunds' = 'orders') =>
  db
    .prepare<[], { id: string }>(`SELECT ${table === 'orders' ? 'order_id' : 'refund_id'} AS id FROM ${table}`)
    .all()
    .map((r) => r.id);

const longName = (i: number) => `Customer ${i} with a name long enough to fill the pages of the orders table quickly`;

interface Till {
  f: SyncFixture;
  /** A checkpointed copy of the till's file, taken after `atGameball` were posted and `alsoSyncedLater` captured. */
  copy: string;
  /** Synced in the copy. */
  synced: string[];
  /** Pending in the copy, but posted to Gameball afterwards (the copy never learned it). */
  postedAfterCopy: string[];
  /** Only in the copy: never reached Gameball. */
  onlyInCopy: string[];
  /** A refund pending in the copy (of a synced order). */
  refundId: string;
  tillId: string;
}

/**
 * A till whose file went through the usual life before the fault: orders synced, orders waiting,
 * a refund, then a copy that is behind what Gameball has (orders posted after the copy was made).
 */
async function tillBeforeTheFault(): Promise<Till> {
  const f = await createSyncFixture();
  cleanups.push(() => f.close());
  const synced = Array.from(
    { length: 40 },
    (_, i) => f.capture({ mobile: mobile(), totalPaidMinor: (i + 1) * 100 + 25, name: longName(i) }).orderId,
  );
  const live = engineOn(f, f.db);
  expect((await live.drain({ untilEmpty: true, timeoutMs: 20_000 })).empty).toBe(true);
  await live.stop();
  const postedAfterCopy = Array.from(
    { length: 40 },
    (_, i) => f.capture({ mobile: mobile(), totalPaidMinor: (i + 3) * 100 + 50, name: longName(100 + i) }).orderId,
  );
  const refundId = f.orders.captureRefund({ orderId: synced[0]!, amountMinor: 100 }).refundId;
  f.db.pragma('wal_checkpoint(TRUNCATE)');
  const dir = tempDir();
  const copy = join(dir, 'pos-companion.db');
  copyFileSync(f.file, copy);
  // The till carries on: the waiting orders reach Gameball; the copy never hears of it.
  const later = engineOn(f, f.db);
  expect((await later.drain({ untilEmpty: true, timeoutMs: 20_000 })).empty).toBe(true);
  await later.stop();
  // Orders only the copy has (captured on it), never sent anywhere.
  const cdb = openDatabase(copy);
  const settings = new SettingsStore(cdb);
  const store = new OrderStore({ db: cdb, clock, settings: () => settings.get(), training: () => false });
  const onlyInCopy = Array.from(
    { length: 10 },
    (_, i) =>
      store.captureOrder({ mobile: mobile(), totalPaidMinor: 900, name: longName(200 + i), referrerCode: i === 0 ? 'FRIEND1' : undefined })
        .orderId,
  );
  const tillId = settings.get().tillId;
  cdb.close();
  checkpointFully(copy);
  return { f, copy, synced, postedAfterCopy, onlyInCopy, refundId, tillId };
}

describe('recovery from a damaged database', () => {
  it('an overwritten page of the orders table: every order recovered or named, none posted twice, the damaged file untouched', async () => {
    const t = await tillBeforeTheFault();
    const leaves = pagesOf(t.copy, 'orders');
    expect(leaves.length).toBeGreaterThan(4);
    overwritePage(t.copy, leaves[2]!.pageno);

    const opened = openTillDatabase(t.copy, { clock });
    cleanups.push(() => void (opened.db.open && opened.db.close()));
    expect(opened.damage?.reason).toMatch(/damaged/);
    const moved = opened.damage!.movedTo[0]!;
    const before = sha256(moved);
    const report = recoverInto(opened.db, moved, { clock });
    expect(sha256(moved)).toBe(before);

    const all = [...t.synced, ...t.postedAfterCopy, ...t.onlyInCopy];
    const here = new Set(idsIn(opened.db));
    const named = new Set(report.unreadable.map((u) => u.id));
    // Nothing lost without a word: each order is back, or named as unreadable.
    for (const id of all) expect(here.has(id) || named.has(id), id).toBe(true);
    expect(report.unreadable.length).toBeGreaterThan(0);
    expect(report.incomplete).toBe(false); // the primary-key index still names every order
    expect(report.orders.recovered).toBe(here.size);
    for (const u of report.unreadable) {
      expect(u.kind).toBe('order');
      expect(u.customerId).toMatch(/^mobile_/);
      expect(u.capturedAt).toBe(capturedAtOf(u.id));
    }

    // Synced orders come back as history, with no call owed; the others owe theirs, to be looked up first.
    const row = (id: string) => opened.db.prepare<[string], { state: string }>('SELECT state FROM orders WHERE order_id = ?').get(id);
    const calls = (id: string) =>
      opened.db
        .prepare<[string], { kind: string; state: string; unknown_outcome: number }>(
          'SELECT kind, state, unknown_outcome FROM outbox WHERE entity_id = ? ORDER BY id',
        )
        .all(id);
    for (const id of t.synced.filter((x) => here.has(x))) {
      expect(row(id)?.state).toBe('synced');
      expect(calls(id)).toEqual([]);
    }
    for (const id of [...t.postedAfterCopy, ...t.onlyInCopy].filter((x) => here.has(x))) {
      expect(row(id)?.state).toBe('pending');
      expect(
        calls(id)
          .map((c) => [c.kind === 'register_customer' ? 'register_customer' : 'track_order', c.state, c.unknown_outcome])
          .at(-1),
      ).toEqual(['track_order', 'pending', 1]);
    }
    if (here.has(t.onlyInCopy[0]!)) expect(calls(t.onlyInCopy[0]!).map((c) => c.kind)).toEqual(['register_customer', 'track_order']);
    expect(opened.db.prepare('SELECT state FROM refunds WHERE refund_id = ?').get(t.refundId)).toEqual({ state: 'pending' });
    expect(calls(t.refundId)).toEqual([{ kind: 'refund', state: 'pending', unknown_outcome: 1 }]);

    // Twice is the same as once.
    const owedBefore = opened.db.prepare('SELECT COUNT(*) AS n FROM outbox').get();
    const again = recoverInto(opened.db, moved, { clock });
    expect(again.orders).toEqual({ recovered: 0, requeued: 0, alreadyHere: report.orders.recovered });
    expect(again.refunds.recovered).toBe(0);
    expect(opened.db.prepare('SELECT COUNT(*) AS n FROM outbox').get()).toEqual(owedBefore);

    // After recovery the queue drains, and Gameball sees each order once.
    const postsBefore = t.f.sim.control.ledger().counters.requests['POST /orders'] ?? 0;
    const after = engineOn(t.f, opened.db);
    expect((await after.drain({ untilEmpty: true, timeoutMs: 30_000 })).empty).toBe(true);
    const ledger = t.f.sim.control.ledger();
    const newToGameball = t.onlyInCopy.filter((id) => here.has(id));
    expect((ledger.counters.requests['POST /orders'] ?? 0) - postsBefore).toBe(newToGameball.length);
    // The refund's look-up cannot see it by id, so it is posted again with its own refund id: Gameball
    // answers 9004 (it has it), which settles it without a second refund.
    expect(ledger.counters.responses['422/9004'] ?? 0).toBeLessThanOrEqual(1);
    const atGameball = ledger.orders.map((o) => o.orderId);
    expect(new Set(atGameball).size).toBe(atGameball.length);
    for (const id of here) expect(atGameball).toContain(id);
    expect(ledger.refunds.filter((r) => r.refundTransactionId === t.refundId)).toHaveLength(1);
    expect(opened.db.prepare("SELECT COUNT(*) AS n FROM orders WHERE state != 'synced'").get()).toEqual({ n: 0 });
    expect(existsSync(moved)).toBe(true);
  }, 90_000);

  it('a file cut short: what is gone is named where an index still names it, and otherwise reported as incomplete', async () => {
    const t = await tillBeforeTheFault();
    const all = [...t.synced, ...t.postedAfterCopy, ...t.onlyInCopy];
    const pages = pageCount(t.copy);
    const half = join(tempDir(), 'pos-companion.db');
    copyFileSync(t.copy, half);

    // The last pages gone: the rows on them are named by the primary-key index, which survives.
    cutToPages(t.copy, pages - 4);
    const opened = openTillDatabase(t.copy, { clock });
    cleanups.push(() => void (opened.db.open && opened.db.close()));
    expect(opened.damage?.reason).toBe(`the file is cut short: ${pages - 4} of its ${pages} pages are there`);
    const report = recoverInto(opened.db, opened.damage!.movedTo[0]!, { clock });
    expect(report.readable).toBe(true);
    expect(report.cutShort).toEqual({ pages: pages - 4, expectedPages: pages });
    const here = new Set(idsIn(opened.db));
    const named = new Set(report.unreadable.map((u) => u.id));
    expect(named.size).toBeGreaterThan(0);
    expect(all.filter((id) => !here.has(id) && !named.has(id))).toEqual([]);
    expect(report.incomplete).toBe(false);

    // Cut in the middle of the orders table: the rows before the cut come back; the rest are named
    // or, where no surviving index names them either, the report says rows may be missing.
    const leaves = pagesOf(half, 'orders');
    cutToPages(half, leaves[Math.floor(leaves.length / 2)]!.pageno - 1);
    const openedHalf = openTillDatabase(half, { clock });
    cleanups.push(() => void (openedHalf.db.open && openedHalf.db.close()));
    const halfReport = recoverInto(openedHalf.db, openedHalf.damage!.movedTo[0]!, { clock });
    const hereHalf = new Set(idsIn(openedHalf.db));
    const namedHalf = new Set(halfReport.unreadable.map((u) => u.id));
    expect(hereHalf.size).toBeGreaterThan(0);
    expect(hereHalf.size).toBeLessThan(all.length);
    if (all.some((id) => !hereHalf.has(id) && !namedHalf.has(id))) expect(halfReport.incomplete).toBe(true);
  }, 90_000);

  it('rows no index names any more: the report says orders may be missing without a trace', async () => {
    const t = await tillBeforeTheFault();
    overwritePage(t.copy, pagesOf(t.copy, 'orders')[1]!.pageno);
    for (const index of ['sqlite_autoindex_orders_1', 'orders_created', 'orders_state_created']) {
      for (const p of pagesOf(t.copy, index, 'any')) overwritePage(t.copy, p.pageno, 8, 2000);
    }
    const opened = openTillDatabase(t.copy, { clock });
    cleanups.push(() => void (opened.db.open && opened.db.close()));
    const report = recoverInto(opened.db, opened.damage!.movedTo[0]!, { clock });
    expect(report.incomplete).toBe(true);
    expect(report.orders.recovered).toBeGreaterThan(0);
    // The outbox still names the pending ones among the lost rows.
    const here = new Set(idsIn(opened.db));
    const lostPending = [...t.postedAfterCopy, ...t.onlyInCopy].filter((id) => !here.has(id));
    for (const id of lostPending) expect(report.unreadable.map((u) => u.id)).toContain(id);
  }, 90_000);

  it('two bad stretches in one table cost exactly the rows stored on them', async () => {
    const t = await tillBeforeTheFault();
    const leaves = pagesOf(t.copy, 'orders');
    const bad = [leaves[1]!, leaves[leaves.length - 2]!];
    for (const p of bad) overwritePage(t.copy, p.pageno, 8, 3000);
    const salvaged = salvageFile(t.copy, [
      { table: 'orders', key: 'order_id', indexes: [{ name: 'sqlite_autoindex_orders_1', orderBy: ['order_id'] }] },
    ]);
    const orders = salvaged.tables.get('orders')!;
    const lost = bad[0]!.ncell + bad[1]!.ncell;
    expect(orders.rows).toHaveLength(90 - lost);
    expect(orders.unreadableKeys).toHaveLength(lost);
    expect(orders.damaged).toBe(true);
    expect(orders.indexed).toBe(true);
  }, 90_000);

  it('a damaged index alone loses nothing: every row is read from the table', async () => {
    const t = await tillBeforeTheFault();
    overwritePage(t.copy, pagesOf(t.copy, 'orders_customer')[0]!.pageno);
    const salvaged = salvageFile(t.copy, [
      { table: 'orders', key: 'order_id', indexes: [{ name: 'orders_created', orderBy: ['created_at', 'order_id'] }] },
    ]);
    expect(salvaged.tables.get('orders')?.rows).toHaveLength(90);
    expect(salvaged.tables.get('orders')?.damaged).toBe(false);
  }, 90_000);

  it('a file that is no database at all: nothing read, said so, the file kept', () => {
    const dir = tempDir();
    const file = join(dir, 'x.db');
    const live = openDatabase(join(dir, 'live.db'));
    cleanups.push(() => void live.close());
    copyFileSync(import.meta.filename, file);
    const report = recoverInto(live, file, { clock });
    expect(report.readable).toBe(false);
    expect(report.problems[0]).toMatch(/cannot be read as a database/);
    expect(existsSync(file)).toBe(true);
    expect(idsIn(live)).toEqual([]);
  });
});
