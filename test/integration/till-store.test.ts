// The engine's store while it runs: a statement that meets a damaged database becomes a clear
// condition (a sentence, a notice, a flag for the next start), never a bare SQLite error; the sync
// stops on it; and the main file is kept complete on its own shortly after every change.
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { readIdentity } from '../../main/config/identity.ts';
import { DatabaseDamagedError } from '../../main/db/database.ts';
import { createEngine, noSync } from '../../main/engine.ts';
import type { Engine, EngineOptions } from '../../main/engine.ts';
import { silentLogger } from '../../main/log.ts';
import { startSimulator } from '../../main/simulator/index.ts';
import { gameballSync } from '../../main/sync/wiring.ts';
import type { GameballSyncPart } from '../../main/sync/wiring.ts';
import { overwritePage, pagesOf } from '../support/damage.ts';

let cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

function folder(): string {
  const d = mkdtempSync(join(tmpdir(), 'pos-store-'));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

async function engineAt(dataDir: string, extra: Partial<EngineOptions> = {}): Promise<Engine> {
  const e = await createEngine({ dataDir, logger: silentLogger(), secretCipher: null, env: {}, sync: noSync, ...extra });
  cleanups.push(() => e.close());
  return e;
}

/** Copies the -wal into the main file from another connection, then damages a page of `table` behind the engine's back. */
function damageUnderneath(dir: string, table: string): void {
  const file = join(dir, 'pos-companion.db');
  const other = new BetterSqlite3(file);
  other.pragma('wal_checkpoint(TRUNCATE)');
  other.close();
  overwritePage(file, pagesOf(file, table)[0]!.pageno, 8, 3000);
}

const longName = (i: number) => `Customer ${i} with a name long enough to fill several pages of the orders table`;

describe('a database damaged while the till runs', () => {
  it('a failing statement becomes DatabaseDamagedError with a sentence, a notice and a flag; the next start recovers the orders', async () => {
    const dir = folder();
    const e = await engineAt(dir, { startSync: false, onDatabaseProblem: 'continue' });
    const ids = Array.from(
      { length: 60 },
      (_, i) => e.captureOrder({ mobile: `+96650${String(1000 + i).padStart(7, '0')}`, totalPaidMinor: 300, name: longName(i) }).orderId,
    );
    damageUnderneath(dir, 'orders');

    let err: unknown;
    try {
      e.exportOrders({ state: 'all', format: 'json' });
    } catch (x) {
      err = x;
    }
    expect(err).toBeInstanceOf(DatabaseDamagedError);
    expect((err as Error).message).toMatch(
      /^The till's database is damaged \(exporting orders failed: database disk image is malformed\)\. Orders cannot be saved safely until POS Companion is started again/,
    );
    expect(e.notices.map((n) => n.code)).toEqual(['DB_DAMAGED_RUNNING']);
    // The same condition, not a second report, for whatever fails next.
    expect(() => e.exportOrders({ state: 'all', format: 'csv' })).toThrow(DatabaseDamagedError);
    expect(e.notices).toHaveLength(1);
    const flagged = readIdentity(dir);
    expect(flagged.kind === 'ok' && flagged.identity.damaged?.reason).toMatch(/exporting orders failed/);
    await e.close();

    const next = await engineAt(dir);
    expect(next.notices.map((n) => n.code)).toEqual(['DB_DAMAGED_PARTIAL']);
    const back = new Set(next.listOrders({ offset: 0, limit: 500 }).rows.map((o) => o.orderId));
    expect(back.size).toBeGreaterThan(0);
    // Asking again (idempotent: nothing is added) lists what could not be read.
    const moved = readdirSync(dir).find((f) => /^pos-companion\.db\.corrupt-[0-9TZ-]+$/.test(f));
    const again = next.recoverFrom(join(dir, moved!));
    expect(again.orders.recovered).toBe(0);
    const named = new Set(again.unreadable.map((u) => u.id));
    expect(named.size).toBe(ids.length - back.size);
    for (const id of ids) expect(back.has(id) || named.has(id), id).toBe(true);
    for (const id of named) expect(next.notices[0]!.message.includes(id) || /and \d+ more/.test(next.notices[0]!.message)).toBe(true);
  });

  it('a sale from the POS meets it as the same condition, not a bare SQLite error', async () => {
    const dir = folder();
    const e = await engineAt(dir, { startSync: false, onDatabaseProblem: 'continue' });
    const soldAt = `${new Date().toISOString().slice(0, 19)}+00:00`;
    e.sales.intakeSale({ posSaleId: 'S-8', totalPaid: '2.00', currency: 'SAR', receiptNo: 'R-8', soldAt, mobile: '0500003998' });
    // The sales' table and its key index, headers and all (a sale's look-up and its insert both meet it).
    damageUnderneath(dir, 'pos_sales');
    const file = join(dir, 'pos-companion.db');
    for (const name of ['pos_sales', 'sqlite_autoindex_pos_sales_1'])
      for (const page of pagesOf(file, name, 'any')) overwritePage(file, page.pageno, 0, 100);
    let err: unknown;
    try {
      e.sales.intakeSale({ posSaleId: 'S-9', totalPaid: '3.00', currency: 'SAR', receiptNo: 'R-9', soldAt, mobile: '0500003999' });
    } catch (x) {
      err = x;
    }
    expect(err).toBeInstanceOf(DatabaseDamagedError);
    expect((err as Error).message).toMatch(/saving a sale from the POS failed/);
    expect(e.notices.map((n) => n.code)).toEqual(['DB_DAMAGED_RUNNING']);
  });

  it('the sync stops on it and `drain` rejects with the same condition', async () => {
    const dir = folder();
    const sim = await startSimulator({ rateLimit: false });
    cleanups.push(() => sim.close());
    let part: GameballSyncPart | undefined;
    const e = await engineAt(dir, {
      startSync: false,
      onDatabaseProblem: 'continue',
      training: false,
      env: { GAMEBALL_API_KEY: 'sim-api-key', GAMEBALL_SECRET_KEY: 'sim-secret-key', GAMEBALL_BASE_URL: sim.url },
      sync: async (ctx) => (part = await gameballSync({ idlePollMs: 50 })(ctx)),
    });
    for (let i = 0; i < 60; i++)
      e.captureOrder({ mobile: `+96650${String(2000 + i).padStart(7, '0')}`, totalPaidMinor: 300, name: longName(i) });
    damageUnderneath(dir, 'outbox');
    await expect(part!.drain({ untilEmpty: true, timeoutMs: 10_000 })).rejects.toBeInstanceOf(DatabaseDamagedError);
    expect(e.notices.map((n) => n.code)).toEqual(['DB_DAMAGED_RUNNING']);
    expect(e.notices[0]?.message).toMatch(/the sync \(claiming calls to send\) failed/);
    expect(sim.control.ledger().orders).toHaveLength(0);
  });
});

describe('checkpoints', () => {
  it('a copy of the main file alone holds an order a moment after it was captured', async () => {
    const dir = folder();
    const e = await engineAt(dir, { checkpointDelayMs: 20 });
    const id = e.captureOrder({ mobile: '0500001234', totalPaidMinor: 300 }).orderId;
    const copyAlone = async () => {
      const to = join(folder(), 'copy.db');
      copyFileSync(join(dir, 'pos-companion.db'), to);
      const c = new BetterSqlite3(to);
      try {
        return c.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'orders'").get() as { n: number };
      } finally {
        c.close();
      }
    };
    const readOrder = (file: string) => {
      const c = new BetterSqlite3(file);
      try {
        return c.prepare('SELECT order_id FROM orders').all();
      } finally {
        c.close();
      }
    };
    // Right after the capture, nothing of it is in the main file yet (it is all in the -wal)...
    expect((await copyAlone()).n).toBe(0);
    // ...and a moment later in the main file too.
    await new Promise((r) => setTimeout(r, 300));
    const to = join(folder(), 'later.db');
    copyFileSync(join(dir, 'pos-companion.db'), to);
    expect(readOrder(to)).toEqual([{ order_id: id }]);
  });
});
