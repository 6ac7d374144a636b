// What a scanned text is: a customer's own Gameball QR, a referral link or code, a product
// barcode, a receipt number, something unknown, or something refused. One pure function used by
// both scanner paths (HID POS in main, keyboard wedge in the renderer) and by the screen's
// manual entry, so the three can never disagree. Imports zod and the pure receipt-pattern check
// only: both sides load this file.
import { z } from 'zod';
import { MAX_RECEIPT_TEXT_LENGTH, receiptPatternProblem } from './receipt-pattern.ts';
import { RECEIPT_AMOUNT, looksLikeZatca, patternReceiptKey, readZatcaQr, zatcaReceiptKey } from './receipt-qr.ts';

export const ScanKindSchema = z.enum(['customer', 'referral', 'product', 'receipt', 'unknown', 'rejected']);
export type ScanKind = z.infer<typeof ScanKindSchema>;

/**
 * Why a scan is `unknown` or `rejected`. Stable codes: the screen translates them.
 * - rejected: `not-text`, `too-long`, `control-characters`, `scheme-not-allowed`, `overflow`
 *   (a decoder gave up on a scan larger than its buffer), `incomplete` (a scan cut off by an
 *   unplug or a stall between reports).
 * - unknown: `empty`, `malformed-link`, `link-without-referral-code` (e.g. a short dynamic link:
 *   the cashier must type the code), `referral-code-invalid` (the link's parameter holds no
 *   usable code), `bad-check-digit` (looks like EAN/UPC but the check digit is wrong),
 *   `unrecognised`.
 * - rejected receipts (see receipt-qr.ts): `receipt-not-base64`, `receipt-tlv-overrun` (a length
 *   past the end), `receipt-missing-field` (one of ZATCA tags 1-5), `receipt-bad-value` (a field
 *   that is not what ZATCA prescribes; a pattern's `total` group that is not an amount).
 */
export const ScanReasonSchema = z.enum([
  'not-text',
  'too-long',
  'control-characters',
  'scheme-not-allowed',
  'overflow',
  'incomplete',
  'empty',
  'malformed-link',
  'link-without-referral-code',
  'referral-code-invalid',
  'bad-check-digit',
  'unrecognised',
  'receipt-not-base64',
  'receipt-tlv-overrun',
  'receipt-missing-field',
  'receipt-bad-value',
]);
export type ScanReason = z.infer<typeof ScanReasonSchema>;

export const BarcodeFormatSchema = z.enum(['ean13', 'ean8', 'upca']);
export type BarcodeFormat = z.infer<typeof BarcodeFormatSchema>;

/**
 * `text` is the scanned data without its AIM identifier and surrounding whitespace/terminators.
 * For `rejected` scans it is a display-safe preview instead (control characters escaped as
 * `\xNN`/`\uNNNN`, cut to 256 characters), never the raw hostile input.
 */
/**
 * receipt: what the receipt's barcode says of the sale. `receiptKey` makes the receipt
 * capturable once (ZATCA: VAT number, time and total; a pattern: the receipt number). `total` and
 * `vatTotal` are decimal text as printed. ZATCA QR: all but `receiptNo`; a pattern: `receiptNo`
 * (the whole text without a named group) and `total` when the pattern names one.
 */
export const ReceiptFieldsSchema = z.object({
  receiptKey: z.string().optional(),
  receiptNo: z.string().optional(),
  total: z.string().optional(),
  vatTotal: z.string().optional(),
  sellerName: z.string().optional(),
  vatNumber: z.string().optional(),
  /** The invoice time as printed (ISO 8601). */
  time: z.string().optional(),
});

export const ScanClassificationSchema = z.object({
  kind: ScanKindSchema,
  text: z.string(),
  /** AIM symbology identifier as scanned, e.g. `]Q1` (QR), `]E0` (EAN-13), `]C0` (Code 128). */
  symbology: z.string().optional(),
  /** referral: the code, taken from the link's parameter or the bare code itself. */
  referrerCode: z.string().optional(),
  /** referral from a link: the query parameter that held the code, as written in the link. */
  referralParam: z.string().optional(),
  /** customer: the Gameball customer id (`mobile_966500001234`). */
  customerId: z.string().optional(),
  /** customer from a Gameball QR: the 6-digit rotating hash that followed the id; absent for a bare id. */
  hash: z.string().optional(),
  /** product: which GTIN family the digits and check digit fit. */
  format: BarcodeFormatSchema.optional(),
  reason: ScanReasonSchema.optional(),
  ...ReceiptFieldsSchema.shape,
});
export type ScanClassification = z.infer<typeof ScanClassificationSchema>;

export const ClassifyOptionsSchema = z.object({
  /** Customer id prefixes of the store's Gameball QR codes (`mobile_` by default). */
  customerIdPrefixes: z.array(z.string().min(1).max(64)).max(32),
  /** Query parameter names that carry a referral code, matched case-insensitively. */
  referralParams: z.array(z.string().min(1).max(64)).max(64),
  /**
   * A regular expression the whole text must match to be a receipt number; null: none. Only a
   * pattern that cannot backtrack for long is accepted (see receipt-pattern.ts).
   */
  receiptPattern: z
    .string()
    .superRefine((p, ctx) => {
      const problem = receiptPatternProblem(p);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: `The receipt pattern is refused: ${problem}.` });
    })
    .nullable()
    .optional(),
});
export type ClassifyOptions = z.infer<typeof ClassifyOptionsSchema>;

export const DEFAULT_CLASSIFY_OPTIONS: ClassifyOptions = Object.freeze({
  customerIdPrefixes: Object.freeze(['mobile_']) as string[],
  referralParams: Object.freeze(['GBReferral', 'GbReferral', 'ReferralCode', 'referralCode', 'referrerCode', 'ref']) as string[],
  receiptPattern: null,
});

export const ScanSourceSchema = z.enum(['hidpos', 'keyboard', 'hid-keyboard', 'manual']);
export type ScanSource = z.infer<typeof ScanSourceSchema>;

/** A scan as the rest of the app sees it, whichever path it came through. `at` is epoch ms. */
export const ScanEventSchema = z.object({
  source: ScanSourceSchema,
  classification: ScanClassificationSchema,
  at: z.number(),
  deviceId: z.string().optional(),
});
export type ScanEvent = z.infer<typeof ScanEventSchema>;

/** Longest text classified at all; longer scans are rejected (`too-long`). */
export const MAX_SCAN_TEXT_LENGTH = 2048;
const PREVIEW_LENGTH = 256;
const BARE_CODE = /^[A-Za-z0-9_-]{4,32}$/;
const HAS_LETTER = /[A-Za-z]/;
const LINK_CODE = /^[A-Za-z0-9_-]{1,64}$/;
const CUSTOMER_BODY = /^[A-Za-z0-9_.@+-]{1,120}$/;
const HASH_LENGTH = 6;
/** After the prefix, a QR holds an id of 10-15 digits (E.164 without `+`) and the 6-digit hash. */
const QR_DIGITS = /^[0-9]{16,21}$/;
const AIM_ID = /^\][A-Za-z][0-9A-Za-z]/;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
const ACTIVE_SCHEMES = new Set(['javascript', 'vbscript', 'data', 'file', 'blob', 'filesystem', 'about', 'view-source', 'jar']);
/*
 * C0 and C1 controls, DEL, and invisible or direction-changing characters: soft hyphen, the
 * Arabic letter mark, the Mongolian vowel separator, zero-width characters and marks, line and
 * paragraph separators, bidi embeddings/overrides/isolates, word joiner and invisible operators,
 * BOM, interlinear annotation marks. They can hide what a code really says on screen (an Arabic
 * till shows right-to-left text, so direction marks matter there most).
 */
const FORBIDDEN_SET =
  '\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2069\\ufeff\\ufff9-\\ufffb';
const FORBIDDEN_CHARS = new RegExp(`[${FORBIDDEN_SET}]`);
const FORBIDDEN_CHARS_GLOBAL = new RegExp(`[${FORBIDDEN_SET}]`, 'g');
/** What scanners append after the data (CR, LF, Tab) and stray spaces around it. */
const EDGE_WHITESPACE = /^[ \t\r\n]+|[ \t\r\n]+$/g;

/**
 * Classifies one scanned text. Total: any input (even a non-string at run time) gives one of
 * the six kinds and never throws. Rules, in order:
 * 1. rejected: not a string, more than 2,048 characters, control, invisible or bidi characters, or a
 *    URL scheme other than http/https (`javascript:`, `data:`, `file:` ...). Only a configured
 *    receipt pattern can accept other `word:` texts (`POS:1234`), never the active schemes.
 * 2. an AIM identifier (`]Q1`) is stripped and kept as `symbology`.
 * 3. http(s) link: `referral` when a referral parameter (case-insensitive, in the query or in a
 *    `#/path?query` fragment) holds a code, else `unknown`.
 * 4. customer: a configured prefix then a customer id. A Gameball QR (`hash` set) only when 16-21
 *    digits follow the prefix (an id of 10-15 digits + a 6-digit hash); any other id after the
 *    prefix is a bare customer id, kept whole (`mobile_966500001234`), never split.
 * 5. receipt: a ZATCA e-invoice QR (Base64 of TLV, at least 40 characters, first tag 1), with its
 *    fields; one that does not read is rejected with the reason (see receipt-qr.ts). Or the
 *    configured pattern matches the whole text (of at most 100 characters; a pattern that could
 *    backtrack for long is never run, see receipt-pattern.ts), read through its named groups.
 * 6. product: 8, 12 or 13 digits with a valid GTIN check digit (EAN-8, UPC-A, EAN-13).
 * 7. referral: a bare code of 4-32 letters, digits, `-` or `_` with at least one letter.
 * 8. unknown.
 */
export function classifyScan(raw: string, opts: ClassifyOptions = DEFAULT_CLASSIFY_OPTIONS): ScanClassification {
  try {
    return classify(raw, opts);
  } catch {
    // Unreachable by design; kept so a bad options object can never break a till.
    return { kind: 'rejected', text: typeof raw === 'string' ? preview(raw) : '', reason: 'not-text' };
  }
}

function classify(raw: unknown, opts: ClassifyOptions): ScanClassification {
  if (typeof raw !== 'string') return { kind: 'rejected', text: '', reason: 'not-text' };
  const trimmed = raw.replace(EDGE_WHITESPACE, '');
  if (trimmed.length > MAX_SCAN_TEXT_LENGTH) return { kind: 'rejected', text: preview(trimmed), reason: 'too-long' };
  if (FORBIDDEN_CHARS.test(trimmed)) return { kind: 'rejected', text: preview(trimmed), reason: 'control-characters' };

  const { symbology, data } = stripAim(trimmed);
  const base: { text: string; symbology?: string } = symbology === undefined ? { text: data } : { text: data, symbology };
  if (data.length === 0) return { kind: 'unknown', ...base, reason: 'empty' };

  const scheme = SCHEME.exec(data)?.[1]?.toLowerCase();
  if (scheme !== undefined) {
    if (scheme === 'http' || scheme === 'https') return classifyLink(data, base, opts);
    // A receipt pattern may legitimately contain a colon (`POS:1234`); only the store can say
    // so, and never for the schemes a browser would run or read (javascript:, data:, file: ...).
    if (ACTIVE_SCHEMES.has(scheme) || matchReceipt(data, opts) === undefined)
      return { kind: 'rejected', text: preview(data), ...symbologyOf(base), reason: 'scheme-not-allowed' };
  }

  if (looksLikeZatca(data)) {
    const read = readZatcaQr(data);
    if (!read.ok) return { kind: 'rejected', text: preview(data), ...symbologyOf(base), reason: read.problem };
    const { sellerName, vatNumber, time, total, vatTotal } = read.value;
    return { kind: 'receipt', ...base, receiptKey: zatcaReceiptKey(read.value), total, vatTotal, sellerName, vatNumber, time };
  }
  const customer = matchCustomer(data, opts);
  if (customer) return { kind: 'customer', ...base, ...customer };
  const receipt = matchReceipt(data, opts);
  if (receipt !== undefined) return receiptFromPattern(receipt, data, base);

  if (/^[0-9]+$/.test(data)) {
    const format = gtinFormat(data);
    if (format === undefined) return { kind: 'unknown', ...base, reason: 'unrecognised' };
    return isValidGtin(data) ? { kind: 'product', ...base, format } : { kind: 'unknown', ...base, reason: 'bad-check-digit' };
  }
  if (BARE_CODE.test(data) && HAS_LETTER.test(data)) return { kind: 'referral', ...base, referrerCode: data };
  return { kind: 'unknown', ...base, reason: 'unrecognised' };
}

function symbologyOf(base: { symbology?: string }): { symbology?: string } {
  return base.symbology === undefined ? {} : { symbology: base.symbology };
}

/** Splits a leading AIM identifier (`]` + symbology letter + modifier) from the data. */
export function stripAim(text: string): { symbology?: string; data: string } {
  if (!AIM_ID.test(text)) return { data: text };
  return { symbology: text.slice(0, 3), data: text.slice(3) };
}

function classifyLink(data: string, base: { text: string; symbology?: string }, opts: ClassifyOptions): ScanClassification {
  let url: URL;
  try {
    url = new URL(data);
  } catch {
    return { kind: 'unknown', ...base, reason: 'malformed-link' };
  }
  if (url.hostname === '') return { kind: 'unknown', ...base, reason: 'malformed-link' };
  const found = findReferralParam(url, opts.referralParams);
  if (found === undefined) return { kind: 'unknown', ...base, reason: 'link-without-referral-code' };
  if (!LINK_CODE.test(found.value)) return { kind: 'unknown', ...base, reason: 'referral-code-invalid' };
  return { kind: 'referral', ...base, referrerCode: found.value, referralParam: found.name };
}

/**
 * The first referral parameter in the order the options list them (so a store's preferred name
 * wins over a generic `ref`), looking in the query first, then in a query inside the fragment
 * (`https://shop.example/#/join?ref=AB12`, common in single-page shops).
 */
function findReferralParam(url: URL, names: readonly string[]): { name: string; value: string } | undefined {
  const sources: URLSearchParams[] = [url.searchParams];
  const q = url.hash.indexOf('?');
  if (q >= 0) sources.push(new URLSearchParams(url.hash.slice(q + 1)));
  const wanted = names.map((n) => n.toLowerCase());
  for (const params of sources) {
    const entries = [...params.entries()];
    for (const name of wanted) {
      const hit = entries.find(([k]) => k.toLowerCase() === name);
      if (hit) return { name: hit[0], value: hit[1].trim() };
    }
  }
  return undefined;
}

/**
 * Gameball's customer QR is the customer id immediately followed by a 6-digit rotating hash, and
 * the POS guide's id is `mobile_` + the E.164 number (country code + national number, digits only:
 * at most 15). Text alone cannot always tell `id + hash` from a longer id, so the hash is taken
 * only where no bare id can be meant: everything after the prefix is 16-21 digits (an id of 10-15
 * digits, then the hash). Any other text after a configured prefix is a bare customer id, whole.
 * The price: the QR of an id of 9 digits or fewer (a few island numbering plans) reads as a bare id.
 */
function matchCustomer(data: string, opts: ClassifyOptions): { customerId: string; hash?: string } | undefined {
  for (const prefix of opts.customerIdPrefixes) {
    if (prefix.length === 0 || !data.startsWith(prefix)) continue;
    const rest = data.slice(prefix.length);
    if (QR_DIGITS.test(rest)) return { customerId: prefix + rest.slice(0, -HASH_LENGTH), hash: rest.slice(-HASH_LENGTH) };
    if (CUSTOMER_BODY.test(rest)) return { customerId: data };
  }
  return undefined;
}

/** The pattern's named groups when the configured receipt pattern matches the whole text; else undefined. */
function matchReceipt(data: string, opts: ClassifyOptions): Record<string, string | undefined> | undefined {
  const pattern = opts.receiptPattern;
  if (pattern === null || pattern === undefined || pattern === '') return undefined;
  // The bound on the pattern's work is per character: a text longer than any receipt number is
  // never handed to it (and could not be saved as one).
  if (data.length > MAX_RECEIPT_TEXT_LENGTH) return undefined;
  const re = compileReceiptPattern(pattern);
  const m = re?.exec(data);
  return m ? { ...m.groups } : undefined;
}

/**
 * A receipt read through the store's pattern: `receiptNo` is its group (the whole text without
 * one, or when the group matched nothing), `total` its group when the pattern names one; a total
 * that is not an amount refuses the scan, since filling it would charge a wrong amount.
 */
function receiptFromPattern(
  groups: Record<string, string | undefined>,
  data: string,
  base: { text: string; symbology?: string },
): ScanClassification {
  const receiptNo = groups['receiptNo'] !== undefined && groups['receiptNo'] !== '' ? groups['receiptNo'] : data;
  const total = groups['total'];
  if (total !== undefined && !RECEIPT_AMOUNT.test(total))
    return { kind: 'rejected', text: preview(data), ...symbologyOf(base), reason: 'receipt-bad-value' };
  return { kind: 'receipt', ...base, receiptNo, receiptKey: patternReceiptKey(receiptNo), ...(total === undefined ? {} : { total }) };
}

const receiptCache = new Map<string, RegExp | null>();
/**
 * Anchored (whole text) and cached. An invalid pattern, or one the safety check refuses (it could
 * freeze the till), matches nothing instead of throwing: settings already refuse both, this is
 * the last guard for options that came another way.
 */
function compileReceiptPattern(pattern: string): RegExp | null {
  const cached = receiptCache.get(pattern);
  if (cached !== undefined) return cached;
  let re: RegExp | null = null;
  if (receiptPatternProblem(pattern) === null) {
    try {
      re = new RegExp(`^(?:${pattern})$`);
    } catch {
      re = null;
    }
  }
  if (receiptCache.size > 16) receiptCache.clear();
  receiptCache.set(pattern, re);
  return re;
}

function gtinFormat(digits: string): BarcodeFormat | undefined {
  if (digits.length === 13) return 'ean13';
  if (digits.length === 12) return 'upca';
  if (digits.length === 8) return 'ean8';
  return undefined;
}

/** GS1 check digit: weights 3,1,3,1... from the digit left of the check digit. */
export function isValidGtin(digits: string): boolean {
  if (!/^[0-9]{8,14}$/.test(digits)) return false;
  let sum = 0;
  for (let i = digits.length - 2, w = 3; i >= 0; i -= 1, w = 4 - w) sum += (digits.charCodeAt(i) - 48) * w;
  return (10 - (sum % 10)) % 10 === digits.charCodeAt(digits.length - 1) - 48;
}

/** A display-safe, bounded rendering of hostile text: invisible characters become escapes. */
function preview(text: string): string {
  const cut = text.length > PREVIEW_LENGTH ? text.slice(0, PREVIEW_LENGTH) : text;
  const escaped = cut.replace(FORBIDDEN_CHARS_GLOBAL, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return text.length > PREVIEW_LENGTH ? `${escaped}…` : escaped;
}
