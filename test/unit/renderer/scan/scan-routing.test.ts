// Routing real classifications: the classifier decides what a text is, routing decides where it
// goes on the checkout screen.
import { describe, expect, it } from 'vitest';
import { classifyScan } from '../../../../preload/scan-classify.ts';
import { routeScan } from '../../../../renderer/scan/scan-routing.ts';

describe('routeScan', () => {
  it('puts a customer QR in the customer field, as the customer id, its hash carried beside it for a hold', () => {
    expect(routeScan(classifyScan('mobile_966500001234123456'))).toEqual({
      kind: 'fill',
      field: 'customer',
      value: 'mobile_966500001234',
      hash: '123456',
    });
  });

  it('a bare customer id fills the customer field with no hash', () => {
    expect(routeScan(classifyScan('mobile_966500001234'))).toEqual({ kind: 'fill', field: 'customer', value: 'mobile_966500001234' });
  });

  it('puts a referral link in the referral field as its code', () => {
    expect(routeScan(classifyScan('https://shop.example.com/invite?GBReferral=REF123456'))).toEqual({
      kind: 'fill',
      field: 'referral',
      value: 'REF123456',
    });
    expect(routeScan(classifyScan(']Q1https://shop.example.com/?ref=Vg6945F76CkP1B'))).toEqual({
      kind: 'fill',
      field: 'referral',
      value: 'Vg6945F76CkP1B',
    });
  });

  it('puts a bare code in the referral field', () => {
    expect(routeScan(classifyScan('REF123456'))).toEqual({ kind: 'fill', field: 'referral', value: 'REF123456' });
  });

  it('asks for a typed code when a link carries none', () => {
    expect(routeScan(classifyScan('https://gb.page.link/xYz12'))).toMatchObject({ kind: 'type-code' });
  });

  it('ignores product barcodes with a note, never as a referral', () => {
    expect(routeScan(classifyScan('4006381333931'))).toMatchObject({ kind: 'ignore', note: 'product' });
  });

  it('puts a receipt in the receipt field when the store pattern matches', () => {
    const opts = { customerIdPrefixes: ['mobile_'], referralParams: ['ref'], receiptPattern: '^R-\\d{6}$' };
    expect(routeScan(classifyScan('R-004211', opts))).toEqual({
      kind: 'receipt',
      receipt: { key: 'receipt:R-004211', receiptNo: 'R-004211' },
    });
  });

  it('takes the amount, time and seller of a ZATCA receipt QR, with the key that makes it capturable once', () => {
    const zatca = 'AQxCb2JzIFJlY29yZHMCDzMxMDEyMjM5MzUwMDAwMwMUMjAyMi0wNC0yNVQxNTozMDowMFoEBzEwMDAuMDAFBjE1MC4wMA==';
    expect(routeScan(classifyScan(zatca))).toEqual({
      kind: 'receipt',
      receipt: {
        key: 'zatca:310122393500003:2022-04-25T15:30:00Z:1000.00',
        total: '1000.00',
        time: '2022-04-25T15:30:00Z',
        sellerName: 'Bobs Records',
      },
    });
    expect(routeScan(classifyScan(zatca.slice(0, 60)))).toMatchObject({ kind: 'ignore', note: 'rejected', reason: 'receipt-tlv-overrun' });
  });

  it('refuses hostile scans without filling anything', () => {
    expect(routeScan(classifyScan('javascript:alert(1)'))).toMatchObject({
      kind: 'ignore',
      note: 'rejected',
      reason: 'scheme-not-allowed',
    });
    expect(routeScan(classifyScan('REF\u202e123'))).toMatchObject({ kind: 'ignore', note: 'rejected' });
  });
});
