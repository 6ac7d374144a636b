// The one-line JSON shape `replay`, `listen` and `scan-parse` print: exactly the fields the
// scanner issue lists (text, kind, symbology when present, referrerCode for referrals,
// customerId and hash for customer codes, reason for unknown or rejected), in that order.
import { describe, expect, it } from 'vitest';
import { classifyDecoded, toScanLine } from '../../../main/scanner/scan-result.ts';
import { classifyScan } from '../../../preload/scan-classify.ts';

describe('toScanLine', () => {
  it.each([
    [
      'customer',
      ']Q1mobile_966500001234123456',
      { text: 'mobile_966500001234123456', kind: 'customer', symbology: ']Q1', customerId: 'mobile_966500001234', hash: '123456' },
    ],
    // No referralParam: not one of the printed fields.
    [
      'referral link',
      'https://shop.example/?GBReferral=Vg6945F76CkP1B',
      { text: 'https://shop.example/?GBReferral=Vg6945F76CkP1B', kind: 'referral', referrerCode: 'Vg6945F76CkP1B' },
    ],
    ['bare referral code', 'REF123456', { text: 'REF123456', kind: 'referral', referrerCode: 'REF123456' }],
    // No format: not one of the printed fields.
    ['product', ']E04006381333931', { text: '4006381333931', kind: 'product', symbology: ']E0' }],
    ['unknown', 'https://gb.page.link/AbCd', { text: 'https://gb.page.link/AbCd', kind: 'unknown', reason: 'link-without-referral-code' }],
    ['rejected', 'javascript:alert(1)', { text: 'javascript:alert(1)', kind: 'rejected', reason: 'scheme-not-allowed' }],
  ])('%s', (_name, input, expected) => {
    const line = toScanLine(classifyScan(input));
    expect(line).toEqual(expected);
    expect(Object.keys(line)).toEqual(Object.keys(expected));
  });

  it('a receipt prints text and kind only', () => {
    expect(
      toScanLine(classifyScan('R-000123', { customerIdPrefixes: ['mobile_'], referralParams: [], receiptPattern: 'R-\\d{6}' })),
    ).toEqual({ text: 'R-000123', kind: 'receipt' });
  });
});

describe('classifyDecoded', () => {
  it('a decoder refusal keeps its own reason; malformed reports are not scans', () => {
    expect(classifyDecoded({ type: 'rejected', reason: 'incomplete', text: 'https://shop.example/?ref=AB' })).toEqual({
      kind: 'rejected',
      text: 'https://shop.example/?ref=AB',
      reason: 'incomplete',
    });
    expect(classifyDecoded({ type: 'rejected', reason: 'overflow', text: 'a\u0000b' })).toMatchObject({
      kind: 'rejected',
      reason: 'overflow',
      text: 'a\\x00b',
    });
    expect(classifyDecoded({ type: 'malformed', detail: 'x' })).toBeUndefined();
  });

  it("the report's symbology applies when the text has none; an AIM id in the text wins", () => {
    expect(classifyDecoded({ type: 'scan', text: '4006381333931', symbology: ']E0' })).toMatchObject({ kind: 'product', symbology: ']E0' });
    expect(classifyDecoded({ type: 'scan', text: ']Q1REF1234', symbology: ']E0' })).toMatchObject({ kind: 'referral', symbology: ']Q1' });
  });
});
