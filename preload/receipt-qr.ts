// Reading a sale from the receipt's own barcode: the ZATCA e-invoice QR every Saudi simplified
// tax invoice prints, and a store's own receipt barcode through its receipt pattern's named
// groups. Pure and total: every function returns a result or a stable refusal code and never
// throws. No imports: the screen, the preload and main all load it (via scan-classify.ts).
//
// ZATCA QR (E-invoicing Detailed Technical Guideline, "QR code"): the QR holds Base64 of a list of
// TLV fields, each a tag byte, a length byte and that many bytes of UTF-8 value:
//   1 seller name, 2 seller VAT registration number, 3 invoice time (ISO 8601),
//   4 invoice total with VAT, 5 VAT total;
//   phase 2 adds 6 invoice hash, 7 ECDSA signature, 8 public key, 9 ZATCA's stamp signature
//   (values that may be binary: read past, never decoded as text).
// The length is the value's length in BYTES (an Arabic letter is two). A value of 128-255 bytes
// has a plain length byte in the guideline; some generators write it the ASN.1 way instead
// (0x81 then the length, 0x82 then two bytes): when the plain reading does not end exactly at the
// end of the data, that reading is tried before the QR is refused.

/** Why a receipt barcode could not be read. Stable codes: the screen translates them. */
export type ReceiptProblem =
  /** Base64 was expected (the text looks like a ZATCA QR) but the characters or padding are wrong. */
  | 'receipt-not-base64'
  /** A TLV length runs past the end of the data, or bytes are left over. */
  | 'receipt-tlv-overrun'
  /** One of tags 1-5 is absent, or given twice. */
  | 'receipt-missing-field'
  /** A field is there but unusable: text that is not UTF-8, an empty seller, a VAT number that is
   *  not 15 digits, a time that is not ISO 8601, a total that is not a decimal amount. */
  | 'receipt-bad-value';

export interface ZatcaReceipt {
  sellerName: string;
  vatNumber: string;
  /** As printed on the invoice (ISO 8601; a time without zone is the seller's local time). */
  time: string;
  /** Decimal text as printed, e.g. `1150.00`. */
  total: string;
  vatTotal: string;
  /** True when phase 2 fields (tags 6-9) are present. */
  phase2: boolean;
}

export type ReceiptRead<T> = { ok: true; value: T } | { ok: false; problem: ReceiptProblem };

/**
 * A text is taken for a ZATCA QR (and refused with a reason if it does not read) only when it
 * could not be anything else: Base64 characters only, at least this long (the five required
 * fields with their headers never fit in fewer bytes; a referral code is at most 32 characters),
 * and its first byte is tag 1 (Base64 `AQ`..`Af`).
 */
export const MIN_ZATCA_TEXT_LENGTH = 40;
const BASE64_TEXT = /^[A-Za-z0-9+/]+={0,2}$/;
const ZATCA_HEAD = /^A[Q-Za-f]/;
/** ZATCA VAT registration numbers: 15 digits. */
const VAT_NUMBER = /^[0-9]{15}$/;
/** 2021-12-04T14:25:09Z, 2021-12-04T14:25:09.123+03:00, 2021-12-04T14:25:09 (seller's local time). */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?$/;
/** A receipt amount: digits, optionally a point and up to three decimals (KWD has three). */
export const RECEIPT_AMOUNT = /^[0-9]{1,13}(?:\.[0-9]{1,3})?$/;
const MAX_TEXT_FIELD_BYTES = 1000;

/** True when `text` has the shape of a ZATCA QR (see MIN_ZATCA_TEXT_LENGTH); it may still fail to read. */
export function looksLikeZatca(text: string): boolean {
  return text.length >= MIN_ZATCA_TEXT_LENGTH && ZATCA_HEAD.test(text) && BASE64_TEXT.test(text);
}

/** Reads a ZATCA QR text (Base64 of TLV). Total: a malformed QR gives its problem, never a throw. */
export function readZatcaQr(text: string): ReceiptRead<ZatcaReceipt> {
  const bytes = decodeBase64(text);
  if (bytes === null) return { ok: false, problem: 'receipt-not-base64' };
  const fields = readTlv(bytes, false) ?? readTlv(bytes, true);
  if (fields === null) return { ok: false, problem: 'receipt-tlv-overrun' };
  const text5: string[] = [];
  for (let tag = 1; tag <= 5; tag += 1) {
    const found = fields.filter((f) => f.tag === tag);
    if (found.length !== 1) return { ok: false, problem: 'receipt-missing-field' };
    const value = utf8(found[0]!.value);
    if (value === null) return { ok: false, problem: 'receipt-bad-value' };
    text5.push(value);
  }
  const [sellerName, vatNumber, time, total, vatTotal] = text5 as [string, string, string, string, string];
  if (sellerName.trim() === '' || hasControl(sellerName)) return { ok: false, problem: 'receipt-bad-value' };
  if (!VAT_NUMBER.test(vatNumber) || !isIsoTime(time)) return { ok: false, problem: 'receipt-bad-value' };
  if (!RECEIPT_AMOUNT.test(total) || !RECEIPT_AMOUNT.test(vatTotal)) return { ok: false, problem: 'receipt-bad-value' };
  const phase2 = fields.some((f) => f.tag >= 6 && f.tag <= 9);
  return { ok: true, value: { sellerName: sellerName.trim(), vatNumber, time, total, vatTotal, phase2 } };
}

/**
 * The key that makes a receipt capturable once: the seller, the invoice time and the total
 * identify one simplified invoice. Plain text (bounded: 15 + at most 35 + at most 17 characters),
 * so a refusal can be traced back to the receipt by eye.
 */
export function zatcaReceiptKey(r: Pick<ZatcaReceipt, 'vatNumber' | 'time' | 'total'>): string {
  return `zatca:${r.vatNumber}:${r.time}:${r.total}`;
}

/** The key of a receipt read through the store's pattern: its receipt number. */
export function patternReceiptKey(receiptNo: string): string {
  return `receipt:${receiptNo}`;
}

interface TlvField {
  tag: number;
  value: Uint8Array;
}

/**
 * The TLV list, or null when a length runs past the end or the last field does not end exactly
 * at the end of the data. `asn1Lengths`: 0x81 and 0x82 introduce one- and two-byte lengths.
 */
function readTlv(bytes: Uint8Array, asn1Lengths: boolean): TlvField[] | null {
  const fields: TlvField[] = [];
  let i = 0;
  while (i < bytes.length) {
    if (i + 2 > bytes.length) return null;
    const tag = bytes[i]!;
    let length = bytes[i + 1]!;
    i += 2;
    if (asn1Lengths && (length === 0x81 || length === 0x82)) {
      const extra = length === 0x81 ? 1 : 2;
      if (i + extra > bytes.length) return null;
      length = extra === 1 ? bytes[i]! : bytes[i]! * 256 + bytes[i + 1]!;
      i += extra;
    }
    if (i + length > bytes.length) return null;
    fields.push({ tag, value: bytes.subarray(i, i + length) });
    i += length;
  }
  return fields;
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_VALUE = new Map([...BASE64_ALPHABET].map((c, i) => [c, i] as const));

/** Strict Base64 (standard alphabet; padding optional but never wrong). Null when it is not Base64. */
export function decodeBase64(text: string): Uint8Array | null {
  if (!BASE64_TEXT.test(text)) return null;
  const body = text.replace(/=+$/, '');
  const padded = text.length - body.length;
  if (body.length % 4 === 1) return null;
  if (padded > 0 && text.length % 4 !== 0) return null;
  const out = new Uint8Array(Math.floor((body.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (const c of body) {
    acc = (acc << 6) | BASE64_VALUE.get(c)!;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o] = (acc >> bits) & 0xff;
      o += 1;
    }
  }
  return out;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function utf8(bytes: Uint8Array): string | null {
  if (bytes.length > MAX_TEXT_FIELD_BYTES) return null;
  try {
    return UTF8.decode(bytes);
  } catch {
    return null;
  }
}

/** Control, invisible and direction-changing characters (as the scan classifier refuses in a scan). */
const INVISIBLE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x00, 0x1f],
  [0x7f, 0x9f],
  [0x61c, 0x61c],
  [0x200b, 0x200f],
  [0x2028, 0x202e],
  [0x2060, 0x2069],
  [0xfeff, 0xfeff],
];
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (INVISIBLE_RANGES.some(([lo, hi]) => c >= lo && c <= hi)) return true;
  }
  return false;
}

function isIsoTime(text: string): boolean {
  if (!ISO_TIME.test(text)) return false;
  const [y, mo, d, h, mi] = text.split(/[-T:]/).map((p) => Number.parseInt(p, 10));
  if (y === undefined || mo === undefined || d === undefined || h === undefined || mi === undefined) return false;
  return mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59;
}

/**
 * Builds a ZATCA QR text from its fields (tests, the simulator and docs' examples): the plain
 * one-byte lengths of the guideline; a value longer than 255 bytes is refused with a throw
 * (a caller's mistake, not a scan).
 */
export function encodeZatcaQr(fields: ReadonlyArray<{ tag: number; value: string | Uint8Array }>): string {
  const parts: number[] = [];
  for (const { tag, value } of fields) {
    const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
    if (bytes.length > 255) throw new RangeError(`TLV value of tag ${tag} is ${bytes.length} bytes; at most 255 fit a length byte`);
    parts.push(tag, bytes.length, ...bytes);
  }
  return encodeBase64(Uint8Array.from(parts));
}

/** Standard Base64 with padding. */
export function encodeBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = i + 1 >= bytes.length ? 2 : i + 2 >= bytes.length ? 3 : 4;
    for (let k = 0; k < 4; k += 1) out += k < chars ? BASE64_ALPHABET[(n >> (18 - 6 * k)) & 63] : '=';
  }
  return out;
}
