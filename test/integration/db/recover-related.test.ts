// Recovery keeps what stops a sale from being taken twice: a sale the POS sends again after the
// till recovered from a damaged database answers with the order it already made; a receipt
// scanned again is refused with its order; a sale that waited for its customer still waits; a
// points hold of an order comes back for "hold again". Real engines on real SQLite files.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { createEngine, noSync } from '../../../main/engine.ts';
import type { Engine } from '../../../main/engine.ts';
import { silentLogger } from '../../../main/log.ts';

let cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

function folder(): string {
  const d = mkdtempSync(join(tmpdir(), 'pos-recover-related-'));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

async function engineAt(dataDir: string): Promise<Engine> {
  const e = await createEngine({ dataDir, logger: silentLogger(), secretCipher: null, env: {}, sync: noSync, startSync: false });
  cleanups.push(() => e.close());
  return e;
}

/** A sale's time as a POS sends it: now, with its offset. */
const soldAt = `${new Date().toISOString().slice(0, 19)}+00:00`;

const orderCount = (e: Engine) => e.listOrders({ offset: 0, limit: 100 }).rows.length;

it('a recovered till answers a POS sale sent again with its order, refuses a receipt again, and keeps the waiting sale and the holds', async () => {
  const oldDir = folder();
  const old = await engineAt(oldDir);
  const sale = {
    posSaleId: 'S-2001',
    totalPaid: '40.00',
    currency: 'SAR',
    receiptNo: 'R-2001',
    soldAt,
    mobile: '0500002001',
  };
  const sold = old.sales.intakeSale(sale);
  const orderId = sold.sale.orderId!;
  const receipt = old.captureOrder({ mobile: '0500002002', totalPaidMinor: 5000, receiptKey: 'zatca:recovered-receipt' });
  const waiting = old.sales.intakeSale({ posSaleId: 'S-2003', totalPaid: '7.25', currency: 'SAR', receiptNo: 'R-2003', soldAt });
  expect(waiting.sale.state).toBe('pending');
  await old.close();
  // A hold of points this till took for an order (as the points desk writes it), expired since.
  const file = join(oldDir, 'pos-companion.db');
  const raw = new BetterSqlite3(file);
  raw
    .prepare(
      `INSERT INTO point_holds (hold_reference, customer_id, points, amount_minor, currency, training, state, order_id, expires_at, created_at, updated_at)
       VALUES ('hold-recovered-1', 'c1', 100, 1000, 'SAR', 1, 'expired', ?, NULL, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
    )
    .run(orderId);
  raw.pragma('wal_checkpoint(TRUNCATE)');
  raw.close();
  const damaged = join(folder(), 'pos-companion.db.corrupt');
  copyFileSync(file, damaged);

  const fresh = await engineAt(folder());
  const report = fresh.recoverFrom(damaged);
  expect(report.orders.recovered).toBe(2);
  expect(report.related).toMatchObject({ posSales: 2, receiptKeys: 1, pointHolds: 1 });
  expect(orderCount(fresh)).toBe(2);

  // The POS sends its sale again (it never heard the answer): the same order, no second one.
  const again = fresh.sales.intakeSale(sale);
  expect(again.replayed).toBe(true);
  expect(again.sale.orderId).toBe(orderId);
  // The receipt scanned again: refused, naming its order.
  expect(() => fresh.captureOrder({ mobile: '0500002002', totalPaidMinor: 5000, receiptKey: 'zatca:recovered-receipt' })).toThrow(
    expect.objectContaining({ code: 'RECEIPT_ALREADY_CAPTURED', message: expect.stringContaining(receipt.orderId) }),
  );
  expect(orderCount(fresh)).toBe(2);
  // The sale that waited for its customer still waits on the checkout.
  expect(fresh.sales.pendingSale()?.posSaleId).toBe('S-2003');
  // The hold is back with its order.
  const hold = new BetterSqlite3(join(fresh.dataDir, 'pos-companion.db'), { readonly: true });
  cleanups.push(() => {
    hold.close();
  });
  expect(hold.prepare('SELECT order_id, state FROM point_holds WHERE hold_reference = ?').get('hold-recovered-1')).toEqual({
    order_id: orderId,
    state: 'expired',
  });

  // Recovering again adds nothing.
  expect(fresh.recoverFrom(damaged).related).toEqual({ posSales: 0, receiptKeys: 0, importedFiles: 0, pointHolds: 0, loyaltyCache: 0 });
});
