import { describe, expect, it } from 'vitest';
import { applyScan, CheckoutFormStore, EMPTY_FORM, receiptSaleTime } from '../../../../renderer/state/checkout-form.ts';
import type { OrderView } from '../../../../preload/api.ts';

describe('applyScan', () => {
  it('a customer QR replaces the typed mobile and moves focus to the amount', () => {
    const form = { ...EMPTY_FORM, mobile: '0500', amount: '' };
    const next = applyScan(form, { kind: 'fill', field: 'customer', value: 'mobile_966500001234' }, 1);
    expect(next.customerId).toBe('mobile_966500001234');
    expect(next.mobile).toBe('');
    expect(next.focus).toEqual({ field: 'amount', seq: 1 });
  });

  it('a referral replaces the field whatever was typed, and keeps the rest of the order', () => {
    const form = { ...EMPTY_FORM, mobile: '0500001234', amount: '12.50', referral: 'OLD' };
    const next = applyScan(form, { kind: 'fill', field: 'referral', value: 'REF123456' }, 2);
    expect(next).toMatchObject({ referral: 'REF123456', mobile: '0500001234', amount: '12.50', note: { key: 'scan.filledReferral' } });
    expect(next.focus).toEqual({ field: 'referral', seq: 2 });
  });

  it('a referral scanned first sends focus to the missing customer', () => {
    const next = applyScan(EMPTY_FORM, { kind: 'fill', field: 'referral', value: 'REF123456' }, 3);
    expect(next.focus?.field).toBe('mobile');
  });

  it('an ignored scan changes no field and explains why', () => {
    const form = { ...EMPTY_FORM, mobile: '0500001234', referral: 'REF1' };
    const next = applyScan(form, { kind: 'ignore', note: 'product', reason: undefined }, 4);
    expect({ ...next, note: null }).toEqual({ ...form, note: null });
    expect(next.note?.key).toBe('scan.product');
  });

  it('a scan that broke off changes no field and asks for a rescan', () => {
    const form = { ...EMPTY_FORM, mobile: '0500001234', referral: 'REF1' };
    const next = applyScan(form, { kind: 'ignore', note: 'incomplete', reason: undefined }, 4);
    expect({ ...next, note: null }).toEqual({ ...form, note: null });
    expect(next.note).toMatchObject({ key: 'scan.incomplete', tone: 'warn' });
  });

  it('a receipt QR fills the amount, keeps the typed receipt number and holds the key for the save', () => {
    const form = { ...EMPTY_FORM, mobile: '0500001234', amount: '9', receipt: 'R-1' };
    const receipt = { key: 'zatca:310122393500003:2022-04-25T15:30:00Z:1000.00', total: '1000.00', time: '2022-04-25T15:30:00Z' };
    const next = applyScan(form, { kind: 'receipt', receipt }, 5);
    expect(next).toMatchObject({ amount: '1000.00', receipt: 'R-1', mobile: '0500001234', receiptScan: receipt });
    expect(next.note).toMatchObject({ key: 'scan.filledReceiptSale', tone: 'info' });
  });

  it('a pattern receipt fills the receipt number, and the amount only when the pattern reads one', () => {
    const next = applyScan({ ...EMPTY_FORM, amount: '12.50' }, { kind: 'receipt', receipt: { key: 'receipt:1043', receiptNo: '1043' } }, 6);
    expect(next).toMatchObject({ receipt: '1043', amount: '12.50', note: { key: 'scan.filledReceipt' } });
    expect(next.focus?.field).toBe('mobile');
  });

  it('a receipt captured already fills nothing and names the order', () => {
    const store = new CheckoutFormStore(() => 'c_0123456789abcdef');
    store.update({ amount: '5' });
    store.refuseReceipt('till-1-abc');
    expect(store.getSnapshot()).toMatchObject({
      amount: '5',
      receiptScan: null,
      note: { key: 'scan.receiptCaptured', params: { orderId: 'till-1-abc' }, tone: 'warn' },
    });
  });

  it('a link without a code empties the referral and asks for the code', () => {
    const next = applyScan({ ...EMPTY_FORM, referral: 'X' }, { kind: 'type-code', reason: 'link-without-referral-code' }, 5);
    expect(next).toMatchObject({ referral: '', note: { key: 'referral.typeCode', tone: 'warn' }, focus: { field: 'referral', seq: 5 } });
  });
});

describe('CheckoutFormStore', () => {
  const order = (id: string, state: OrderView['state']): OrderView => ({
    orderId: id,
    customerId: 'mobile_1',
    mobile: null,
    name: null,
    email: null,
    currency: 'SAR',
    totalPaidMinor: 100,
    receiptNo: null,
    referrerCode: null,
    orderDate: '',
    tillId: 't',
    storeId: null,
    branchId: null,
    training: true,
    state,
    rewardedPoints: null,
    attentionCode: null,
    attentionMessage: null,
    discardReason: null,
    createdAt: '',
    updatedAt: '',
    syncedAt: null,
  });

  it('keeps recent orders newest first, updates in place and caps the list', () => {
    const store = new CheckoutFormStore();
    let notified = 0;
    store.subscribe(() => (notified += 1));
    for (let i = 0; i < 8; i += 1) store.putRecent(order(`o${i}`, 'pending'));
    expect(store.getRecent().map((o) => o.orderId)).toEqual(['o7', 'o6', 'o5', 'o4', 'o3', 'o2']);
    store.putRecent({ ...order('o5', 'synced'), rewardedPoints: 12 });
    expect(store.getRecent().map((o) => o.orderId)).toEqual(['o7', 'o6', 'o5', 'o4', 'o3', 'o2']);
    expect(store.getRecent()[2]).toMatchObject({ state: 'synced', rewardedPoints: 12 });
    expect(notified).toBe(9);
  });

  it('reset clears the order but keeps the recent list', () => {
    const store = new CheckoutFormStore();
    store.putRecent(order('a', 'pending'));
    store.update({ mobile: '0500', amount: '5' });
    store.reset();
    expect(store.getSnapshot()).toMatchObject({ mobile: '', amount: '', focus: { field: 'mobile' } });
    expect(store.getRecent()).toHaveLength(1);
  });
});

describe('receiptSaleTime', () => {
  it('gives the scanned receipt time as the sale time in UTC, and nothing without one', () => {
    expect(receiptSaleTime({ key: 'zatca:1', time: '2026-12-03T13:15:00+03:00', total: '12.50' })).toBe('2026-12-03T10:15:00.000Z');
    expect(receiptSaleTime({ key: 'zatca:1', time: '2026-12-03T10:15:00Z' })).toBe('2026-12-03T10:15:00.000Z');
    // Without a zone: the seller's local time, read in the till's zone.
    expect(receiptSaleTime({ key: 'zatca:1', time: '2026-12-03T10:15:00' })).toBe(new Date(2026, 11, 3, 10, 15, 0).toISOString());
    expect(receiptSaleTime({ key: 'pattern:R-1', receiptNo: 'R-1' })).toBeUndefined();
    expect(receiptSaleTime(null)).toBeUndefined();
  });
});
