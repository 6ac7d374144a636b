// A customer QR's rotating hash stays with the customer it came with: it goes with a points hold
// for that customer and is dropped when the customer changes, is cleared, or the sale is reset.
import { describe, expect, it } from 'vitest';
import { classifyScan } from '../../../../preload/scan-classify.ts';
import { routeScan } from '../../../../renderer/scan/scan-routing.ts';
import { applyScan, CheckoutFormStore, customerQrHash, EMPTY_FORM } from '../../../../renderer/state/checkout-form.ts';

const scanned = (store: CheckoutFormStore, text: string) => store.scan(routeScan(classifyScan(text)));

describe('the customer QR hash in the checkout form', () => {
  it('a scanned QR keeps its hash with the customer id', () => {
    const store = new CheckoutFormStore(() => 'ref');
    scanned(store, 'mobile_966500001234123456');
    expect(store.getSnapshot()).toMatchObject({
      customerId: 'mobile_966500001234',
      customerQr: { customerId: 'mobile_966500001234', hash: '123456' },
    });
    expect(customerQrHash(store.getSnapshot())).toBe('123456');
    // Other fields typed afterwards leave it with its customer.
    store.update({ amount: '12.50', referral: 'REF1' });
    expect(customerQrHash(store.getSnapshot())).toBe('123456');
  });

  it('a typed mobile or a bare customer id has no hash', () => {
    expect(customerQrHash({ ...EMPTY_FORM, mobile: '0500001234' })).toBeNull();
    const next = applyScan(EMPTY_FORM, routeScan(classifyScan('mobile_966500001234')), 1);
    expect(next.customerId).toBe('mobile_966500001234');
    expect(next.customerQr).toBeNull();
    expect(customerQrHash(next)).toBeNull();
  });

  it("another customer's QR replaces the hash; a bare id scanned after a QR drops it", () => {
    const store = new CheckoutFormStore(() => 'ref');
    scanned(store, 'mobile_966500001234123456');
    scanned(store, 'mobile_966500005678654321');
    expect(store.getSnapshot().customerQr).toEqual({ customerId: 'mobile_966500005678', hash: '654321' });
    scanned(store, 'mobile_966500005678');
    expect(store.getSnapshot().customerId).toBe('mobile_966500005678');
    expect(store.getSnapshot().customerQr).toBeNull();
    expect(customerQrHash(store.getSnapshot())).toBeNull();
  });

  it('clearing the customer (the field edited) drops the hash, and a mobile typed next has none', () => {
    const store = new CheckoutFormStore(() => 'ref');
    scanned(store, 'mobile_966500001234123456');
    store.update({ customerId: null });
    expect(store.getSnapshot().customerQr).toBeNull();
    store.update({ mobile: '0500001234' });
    expect(customerQrHash(store.getSnapshot())).toBeNull();
  });

  it('a customer set another way than the scan never takes over the old hash', () => {
    const store = new CheckoutFormStore(() => 'ref');
    scanned(store, 'mobile_966500001234123456');
    store.update((f) => ({ ...f, customerId: 'mobile_966500009999' }));
    expect(store.getSnapshot().customerQr).toBeNull();
    expect(customerQrHash(store.getSnapshot())).toBeNull();
    // Even a form built by hand with a mismatched pair gives no hash.
    expect(customerQrHash({ ...EMPTY_FORM, customerId: 'b', customerQr: { customerId: 'a', hash: '123456' } })).toBeNull();
  });

  it('a reset (new sale) drops the hash with the customer', () => {
    const store = new CheckoutFormStore(() => 'ref');
    scanned(store, 'mobile_966500001234123456');
    store.reset();
    expect(store.getSnapshot().customerId).toBeNull();
    expect(store.getSnapshot().customerQr).toBeNull();
    expect(customerQrHash(store.getSnapshot())).toBeNull();
  });
});
