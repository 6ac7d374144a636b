// Sales from the POS into the till (main/integration/intake.ts) on a real SQLite file: one order
// per posSaleId however often it is sent, pending sales completed by the cashier, nothing written
// for a bad body.
import { afterEach, describe, expect, it } from 'vitest';
import { CaptureRefusedError } from '../../../main/orders/errors.ts';
import { SaleConflictError, SaleIntake, SaleRejectedError } from '../../../main/integration/intake.ts';
import type { SaleRecord } from '../../../main/integration/intake.ts';
import { tillFixture } from '../../support/till-fixture.ts';
import type { TillFixture } from '../../support/till-fixture.ts';

const SALE = { posSaleId: 'S-1043', totalPaid: '125.50', currency: 'SAR', receiptNo: 'R-1043', soldAt: '2025-03-01T11:32:00+03:00' };

let till: TillFixture | undefined;
afterEach(() => till?.close());

function intake(t: TillFixture): SaleIntake {
  return new SaleIntake({ db: t.db, clock: t.clock, capture: (i) => t.orders.captureOrder(i) });
}

const count = (t: TillFixture, table: string) => t.rows<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`)[0]?.n;

describe('intakeSale', () => {
  it('captures a sale with a customer at once, in minor units, and answers the same order when it comes again', () => {
    till = tillFixture();
    const sales = intake(till);
    const first = sales.intakeSale({ ...SALE, mobile: '0500000001' });
    expect(first.replayed).toBe(false);
    expect(first.sale).toMatchObject({ state: 'captured', posSaleId: 'S-1043', totalPaid: '125.50', totalPaidMinor: 12550 });
    expect(first.order?.totalPaidMinor).toBe(12550);
    expect(first.order?.receiptNo).toBe('R-1043');
    const again = sales.intakeSale({ ...SALE, totalPaid: '125.5', mobile: '0500000001' });
    expect(again.replayed).toBe(true);
    expect(again.sale.orderId).toBe(first.sale.orderId);
    expect(count(till, 'orders')).toBe(1);
    expect(count(till, 'pos_sales')).toBe(1);
    // And after a restart: the mapping is on disk.
    till = till.reopen();
    expect(intake(till).intakeSale({ ...SALE, mobile: '0500000001' }).sale.orderId).toBe(first.sale.orderId);
    expect(count(till, 'orders')).toBe(1);
  });

  it('keeps a sale without a customer pending until the cashier completes it, once', () => {
    till = tillFixture();
    const sales = intake(till);
    const seen: (SaleRecord | null)[] = [];
    sales.onPending((p) => seen.push(p));
    const pending = sales.intakeSale(SALE);
    expect(pending.sale).toMatchObject({ state: 'pending', orderId: null });
    expect(sales.pendingSale()?.posSaleId).toBe('S-1043');
    expect(seen.map((p) => p?.posSaleId)).toEqual(['S-1043']);
    expect(count(till, 'orders')).toBe(0);
    const done = sales.completeSale('S-1043', { mobile: '0500000002' });
    expect(done.sale.state).toBe('captured');
    expect(done.order?.customerId).toBe('mobile_966500000002');
    expect(sales.pendingSale()).toBeNull();
    expect(seen.at(-1)).toBeNull();
    // Repeated for the same customer: the same order; for another: refused.
    expect(sales.completeSale('S-1043', { mobile: '0500000002' }).sale.orderId).toBe(done.sale.orderId);
    expect(() => sales.completeSale('S-1043', { mobile: '0500000003' })).toThrow(SaleConflictError);
    // The POS sending it again answers the order.
    expect(sales.intakeSale(SALE).sale.orderId).toBe(done.sale.orderId);
    expect(count(till, 'orders')).toBe(1);
  });

  it('completes a pending sale sent again with its customer', () => {
    till = tillFixture();
    const sales = intake(till);
    sales.intakeSale(SALE);
    const done = sales.intakeSale({ ...SALE, mobile: '0500000004' });
    expect(done.sale.state).toBe('captured');
    expect(count(till, 'orders')).toBe(1);
  });

  it('refuses a bad body with every field at fault, and writes nothing', () => {
    till = tillFixture();
    const sales = intake(till);
    let err: unknown;
    try {
      sales.intakeSale({ posSaleId: '', totalPaid: '12.345', currency: 'SAR', soldAt: 'yesterday', extra: 1 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SaleRejectedError);
    const fields = (err as SaleRejectedError).errors.map((e) => e.field).sort();
    expect(fields).toEqual(['extra', 'posSaleId', 'receiptNo', 'soldAt', 'totalPaid']);
    expect(count(till, 'pos_sales')).toBe(0);
  });

  it('writes nothing when the capture is refused (a bad mobile)', () => {
    till = tillFixture();
    expect(() => intake(till!).intakeSale({ ...SALE, mobile: '12' })).toThrow(CaptureRefusedError);
    expect(count(till, 'pos_sales')).toBe(0);
    expect(count(till, 'orders')).toBe(0);
  });

  it('refuses the same posSaleId for another sale', () => {
    till = tillFixture();
    const sales = intake(till);
    sales.intakeSale(SALE);
    expect(() => sales.intakeSale({ ...SALE, totalPaid: '99.00' })).toThrow(SaleConflictError);
    expect(count(till, 'pos_sales')).toBe(1);
  });

  it('lets a skipped sale leave the screen', () => {
    till = tillFixture();
    const sales = intake(till);
    sales.intakeSale(SALE);
    expect(sales.skipSale('S-1043').state).toBe('skipped');
    expect(sales.pendingSale()).toBeNull();
    expect(() => sales.completeSale('S-1043', { mobile: '0500000002' })).toThrow(SaleConflictError);
  });
});
