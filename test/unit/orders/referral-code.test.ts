import { describe, expect, it } from 'vitest';
import { extractReferrer } from '../../../main/orders/referral-code.ts';
import { CaptureRefusedError } from '../../../main/orders/errors.ts';

const opts = { customerIdPrefixes: ['mobile_'], referralParams: ['GBReferral', 'ref'], receiptPattern: null };
const me = 'mobile_966500001234';

describe('extractReferrer', () => {
  it.each([
    ['REF123456', 'REF123456'],
    ['  Vg6945F76CkP1B  ', 'Vg6945F76CkP1B'],
    ['https://shop.example/join?gbreferral=AB12CD', 'AB12CD'],
    ['https://shop.example/#/join?ref=XY99', 'XY99'],
    [']Q1https://shop.example/?GBReferral=QR7788', 'QR7788'],
  ])('%j -> %s', (raw, code) => {
    expect(extractReferrer(raw, opts, me)).toEqual({ code });
  });

  // The POS referral guide names a referrer by code or by customer id.
  it.each([
    ['mobile_966511112222', 'mobile_966511112222'],
    ['  mobile_966511112222\r\n', 'mobile_966511112222'],
    [']Q1mobile_96551112222', 'mobile_96551112222'],
  ])('the bare customer id %j names the referrer %s', (raw, customerId) => {
    expect(extractReferrer(raw, opts, me)).toEqual({ customerId });
  });

  it.each([
    ['mobile_966500001234', 'SELF_REFERRAL'],
    ['mobile_966500001234123456', 'SELF_REFERRAL'],
    ['mobile_966511112222123456', 'INVALID_REFERRAL_CODE'],
    ['https://sh.rt/abc', 'REFERRAL_LINK_WITHOUT_CODE'],
    ['javascript:alert(1)', 'INVALID_REFERRAL_CODE'],
    ['4006381333931', 'INVALID_REFERRAL_CODE'],
    ['has spaces in it', 'INVALID_REFERRAL_CODE'],
  ])('%j is refused with %s', (raw, code) => {
    try {
      extractReferrer(raw, opts, me);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(CaptureRefusedError);
      expect((err as CaptureRefusedError).code).toBe(code);
      expect((err as CaptureRefusedError).field).toBe('referrerCode');
    }
  });
});
