// From what the cashier typed or scanned to the referral code that is stored and sent: a bare
// code stays as it is, a referral link gives up the code in its parameter (the same rules as the
// scanner, via classifyScan), anything else is refused with what to do instead.
import { classifyScan } from '../../preload/scan-classify.ts';
import type { ClassifyOptions } from '../../preload/scan-classify.ts';
import { CaptureRefusedError } from './errors.ts';

const FIELD = 'referrerCode';

/** Throws CaptureRefusedError (INVALID_REFERRAL_CODE, REFERRAL_LINK_WITHOUT_CODE, SELF_REFERRAL). */
export function extractReferralCode(raw: string, opts: ClassifyOptions, customerId: string): string {
  const c = classifyScan(raw, opts);
  if (c.kind === 'referral' && c.referrerCode) return c.referrerCode;
  if (c.kind === 'customer') {
    if (c.customerId === customerId) {
      throw new CaptureRefusedError(
        'SELF_REFERRAL',
        "This is the customer's own Gameball QR: customers cannot refer themselves. Remove the referral code and capture again.",
        FIELD,
      );
    }
    throw new CaptureRefusedError(
      'INVALID_REFERRAL_CODE',
      "This is a customer's Gameball QR, not a referral code. Scan the friend's referral QR or type their code.",
      FIELD,
    );
  }
  if (c.kind === 'unknown' && c.reason === 'link-without-referral-code') {
    throw new CaptureRefusedError(
      'REFERRAL_LINK_WITHOUT_CODE',
      'This link carries no referral code the till can read (short links need the internet to open). Type the referral code instead.',
      FIELD,
    );
  }
  throw new CaptureRefusedError(
    'INVALID_REFERRAL_CODE',
    'This is not a referral code or referral link. Check it, or remove it and capture again.',
    FIELD,
  );
}
