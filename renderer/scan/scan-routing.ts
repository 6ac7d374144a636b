// Where a scan goes on the checkout screen, whatever field has focus. Pure: the classification
// comes from classifyScan (preload/scan-classify.ts), the screen applies the decision.
import type { ScanClassification } from '../../preload/scan-classify.ts';

export type ScanField = 'customer' | 'referral' | 'receipt';

/** What a receipt's barcode says of the sale (see ReceiptFieldsSchema in scan-classify.ts). */
export interface ReceiptScan {
  /** Makes the receipt capturable once: sent with the order, looked up before the form is filled. */
  key: string;
  receiptNo?: string;
  /** Decimal text as printed: fills the amount. */
  total?: string;
  /** ZATCA: the invoice time as printed, and the seller. */
  time?: string;
  sellerName?: string;
}

export type ScanRoute =
  /** `hash`: a customer's own Gameball QR only, its 6-digit rotating hash (absent for a bare id). */
  | { kind: 'fill'; field: ScanField; value: string; hash?: string }
  /** A receipt's barcode: the receipt number, the amount and the receipt's key at once. */
  | { kind: 'receipt'; receipt: ReceiptScan }
  /** A referral link whose code cannot be read offline: the cashier must type the code. */
  | { kind: 'type-code'; reason: string | undefined }
  /** Nothing to fill: product barcodes, unreadable, refused or broken-off (`incomplete`) scans. `note` names why. */
  | { kind: 'ignore'; note: 'product' | 'unknown' | 'rejected' | 'incomplete'; reason: string | undefined };

/** Reasons (see ScanReasonSchema) that mean "a referral link, but no usable code in it". */
const NEEDS_TYPED_CODE = new Set(['link-without-referral-code', 'referral-code-invalid']);

/** Accepts the contract's wire shape too: any object with the classification's fields. */
export type ClassificationLike = Pick<ScanClassification, 'text'> & {
  kind: string;
  referrerCode?: string | undefined;
  customerId?: string | undefined;
  hash?: string | undefined;
  reason?: string | undefined;
  receiptKey?: string | undefined;
  receiptNo?: string | undefined;
  total?: string | undefined;
  time?: string | undefined;
  sellerName?: string | undefined;
};

export function routeScan(c: ClassificationLike): ScanRoute {
  switch (c.kind) {
    case 'customer':
      if (!c.customerId) return { kind: 'ignore', note: 'unknown', reason: c.reason };
      return c.hash
        ? { kind: 'fill', field: 'customer', value: c.customerId, hash: c.hash }
        : { kind: 'fill', field: 'customer', value: c.customerId };
    case 'referral':
      return c.referrerCode ? { kind: 'fill', field: 'referral', value: c.referrerCode } : { kind: 'type-code', reason: c.reason };
    case 'receipt':
      return c.receiptKey
        ? { kind: 'receipt', receipt: receiptOf(c, c.receiptKey) }
        : { kind: 'ignore', note: 'unknown', reason: c.reason };
    case 'product':
      return { kind: 'ignore', note: 'product', reason: c.reason };
    case 'rejected':
      return { kind: 'ignore', note: 'rejected', reason: c.reason };
    default:
      if (c.reason !== undefined && NEEDS_TYPED_CODE.has(c.reason)) return { kind: 'type-code', reason: c.reason };
      return { kind: 'ignore', note: 'unknown', reason: c.reason };
  }
}

function receiptOf(c: ClassificationLike, key: string): ReceiptScan {
  const r: ReceiptScan = { key };
  if (c.receiptNo !== undefined) r.receiptNo = c.receiptNo;
  if (c.total !== undefined) r.total = c.total;
  if (c.time !== undefined) r.time = c.time;
  if (c.sellerName !== undefined) r.sellerName = c.sellerName;
  return r;
}
