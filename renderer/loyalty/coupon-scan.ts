// A scan while the coupon field has focus is a coupon, not a referral code or a product: the
// coupon field claims it here before the checkout routes the scan (renderer/app.tsx).
import type { ScanEventWire } from '../../preload/api.ts';

let claim: ((code: string) => void) | null = null;

/** The focused coupon field registers itself; returns the function that unregisters it. */
export function claimCouponScans(fill: (code: string) => void): () => void {
  claim = fill;
  return () => {
    if (claim === fill) claim = null;
  };
}

/** true when the scan went to the coupon field (a customer's own QR never does). */
export function couponTookScan(event: ScanEventWire): boolean {
  const kind = event.classification.kind;
  if (claim === null || kind === 'customer' || kind === 'rejected') return false;
  const text = event.classification.text.trim();
  if (text === '') return false;
  claim(text);
  return true;
}
