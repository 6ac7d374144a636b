// From what the cashier typed or scanned to the referrer that is stored and sent: a bare code stays
// as it is, a referral link gives up the code in its parameter (the same rules as the scanner, via
// classifyScan), a bare customer id names the referrer by id (the POS referral guide allows it;
// its code is looked up online, see referral.ts and sync/flows/registration.ts), anything else is
// refused with what to do instead.
import { classifyScan } from '../../preload/scan-classify.ts';
import type { ClassifyOptions } from '../../preload/scan-classify.ts';
import { CaptureRefusedError } from './errors.ts';

const FIELD = 'referrerCode';

/** Who referred the customer: by referral code, or by the referrer's Gameball customer id. */
export type Referrer = { code: string; customerId?: undefined } | { customerId: string; code?: undefined };

export const SELF_REFERRAL_BY_ID_MESSAGE =
  'The referrer is this same customer: customers cannot refer themselves. Remove the referrer and capture again.';

/**
 * The referrer the text names: a code (bare or from a link) or a bare customer id (one of the
 * store's customer id prefixes, e.g. `mobile_966500001234`). A customer's Gameball QR (id + hash)
 * is never a referrer. Throws CaptureRefusedError (INVALID_REFERRAL_CODE,
 * REFERRAL_LINK_WITHOUT_CODE, SELF_REFERRAL when the id or QR is the customer's own).
 */
export function extractReferrer(raw: string, opts: ClassifyOptions, customerId: string): Referrer {
  const c = classifyScan(raw, opts);
  if (c.kind === 'referral' && c.referrerCode) return { code: c.referrerCode };
  if (c.kind === 'customer' && c.customerId !== undefined && c.hash === undefined) {
    if (c.customerId === customerId) throw new CaptureRefusedError('SELF_REFERRAL', SELF_REFERRAL_BY_ID_MESSAGE, FIELD);
    return { customerId: c.customerId };
  }
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
