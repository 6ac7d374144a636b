// A sale as the store's POS sends it (the local API's `POST /v1/sales` body, one file of the folder
// import): amounts as decimal strings in the currency's units ("125.50" SAR), as a POS prints
// them. This is the one edge where they become the minor units the engine takes (main/orders/money.ts).
//
// `parsePosSale` promises: on success, a sale whose every amount converts exactly in its currency;
// on failure, every field at fault with a sentence for the person wiring the POS, and nothing else
// done. A sale names its customer (mobile or customerId) or none: without one it waits on the
// checkout screen for the cashier's scan (see intake.ts).
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { formatMinor, MoneyError, isKnownCurrency, toMinorUnits } from '../orders/money.ts';

/** One field the POS got wrong: its path in the body (`totalPaid`, `mobile`) and what to do. */
export interface SaleFieldError {
  field: string;
  message: string;
}

/** A POS writes `null` or "" for a field it has no value for: both read as absent. */
const absentIfBlank = (v: unknown) => (v === null || (typeof v === 'string' && v.trim() === '') ? undefined : v);
const optionalText = (max: number, what: string) =>
  z.preprocess(
    absentIfBlank,
    z
      .string({ error: `${what} is text` })
      .trim()
      .max(max, `${what} is at most ${max} characters`)
      .optional(),
  );

/** A decimal amount as text ("125.50"): checked against the currency once the whole body is read. */
const decimalText = (what: string) =>
  z
    .string({ error: `${what} is a decimal amount in text, e.g. "125.50"` })
    .trim()
    .min(1, `${what} is required, e.g. "125.50"`)
    .max(32, `${what} is too long`);

/** A POS's own id for a sale or refund: what makes sending it again safe. Printable text, no spaces. */
export const posIdSchema = (field: string, example: string) =>
  z
    .string({ error: `${field} is required: the POS's own id, e.g. "${example}"` })
    .trim()
    .min(1, `${field} is required: the POS's own id, e.g. "${example}"`)
    .max(100, `${field} is at most 100 characters`)
    .regex(/^[\x21-\x7E]+$/, `${field} is printable ASCII without spaces, e.g. "${example}"`);

export const PosSaleIdSchema = posIdSchema('posSaleId', 'S-1043');

const AMOUNT_FIELDS = ['totalPaid', 'totalPrice', 'totalDiscount', 'totalTax'] as const;
type AmountField = (typeof AMOUNT_FIELDS)[number];

export const PosSaleSchema = z
  .object({
    posSaleId: PosSaleIdSchema,
    /** What the customer paid, VAT included: the amount rewards are computed from. */
    totalPaid: decimalText('totalPaid'),
    currency: z
      .string({ error: 'currency is an ISO 4217 code, e.g. "SAR"' })
      .trim()
      .regex(/^[A-Z]{3}$/, 'currency is an ISO 4217 code in capitals, e.g. "SAR"')
      .refine(isKnownCurrency, 'currency is not an ISO 4217 code this till knows'),
    receiptNo: z
      .string({ error: 'receiptNo is required: the number printed on the receipt' })
      .trim()
      .min(1, 'receiptNo is required: the number printed on the receipt')
      .max(100, 'receiptNo is at most 100 characters'),
    soldAt: z.iso.datetime({ offset: true, error: 'soldAt is an ISO 8601 time with its offset, e.g. "2026-12-03T11:32:00+03:00"' }),
    mobile: optionalText(40, 'mobile'),
    customerId: optionalText(128, 'customerId'),
    /** A referral code, or the text of a referral link or QR: the code is taken from it. */
    referrerCode: optionalText(2000, 'referrerCode'),
    totalPrice: z.preprocess(absentIfBlank, decimalText('totalPrice').optional()),
    totalDiscount: z.preprocess(absentIfBlank, decimalText('totalDiscount').optional()),
    totalTax: z.preprocess(absentIfBlank, decimalText('totalTax').optional()),
  })
  .strict()
  .superRefine((sale, ctx) => {
    for (const e of amountErrors(sale, sale.currency)) ctx.addIssue({ code: 'custom', path: [e.field], message: e.message });
  });

/** Each amount that does not convert exactly in `currency` (too many decimals, negative, not a number...). */
function amountErrors(body: Record<string, unknown>, currency: string): SaleFieldError[] {
  const out: SaleFieldError[] = [];
  for (const field of AMOUNT_FIELDS) {
    const value = body[field];
    if (typeof value !== 'string' || value.trim() === '') continue;
    try {
      toMinorUnits(value, currency);
    } catch (err) {
      if (!(err instanceof MoneyError)) throw err;
      out.push({ field, message: `${field}: ${err.message}` });
    }
  }
  return out;
}

/** The body as the POS may send it (nulls and blanks for absent fields). */
export type PosSaleInput = z.input<typeof PosSaleSchema>;
/** A sale that parsed: trimmed, absent fields undefined, every amount convertible in its currency. */
export type PosSale = z.output<typeof PosSaleSchema>;

export type ParsedSale = { ok: true; sale: PosSale } | { ok: false; errors: SaleFieldError[] };

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Every problem of a body, one per field (the first said of each), in the order of the body's fields. */
export function parsePosSale(body: unknown): ParsedSale {
  const parsed = PosSaleSchema.safeParse(body);
  if (parsed.success) return { ok: true, sale: parsed.data };
  const errors = fieldErrors(parsed.error);
  // zod skips the whole-sale check when a field failed: the amounts are still checked, so the POS
  // hears of every field at fault at once.
  const currency = isRecord(body) && typeof body.currency === 'string' ? body.currency.trim() : '';
  if (isKnownCurrency(currency) && isRecord(body)) {
    for (const e of amountErrors(body, currency)) if (!errors.some((x) => x.field === e.field)) errors.push(e);
  }
  return { ok: false, errors };
}

/** zod issues as {field, message}: an unknown field is named itself; one entry per field. */
export function fieldErrors(error: z.ZodError): SaleFieldError[] {
  const out: SaleFieldError[] = [];
  const seen = new Set<string>();
  const add = (field: string, message: string) => {
    if (seen.has(field)) return;
    seen.add(field);
    out.push({ field, message });
  };
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add(key, `${key} is not a field of a sale (see docs/local-api.md)`);
      continue;
    }
    const field = issue.path.map(String).join('.');
    if (field === '' && issue.code === 'invalid_type') add('', 'the body is a JSON object: a sale, see docs/local-api.md');
    else add(field, issue.message);
  }
  return out;
}

/** The customer a sale names, if any. */
export interface SaleCustomer {
  mobile?: string | undefined;
  customerId?: string | undefined;
  referrerCode?: string | undefined;
}

export function saleCustomer(sale: PosSale): SaleCustomer | null {
  if (sale.mobile === undefined && sale.customerId === undefined) return null;
  return { mobile: sale.mobile, customerId: sale.customerId, referrerCode: sale.referrerCode };
}

/**
 * The engine's capture reference for a POS sale: the same sale always gets the same one, so the
 * engine's own idempotence (a UNIQUE index on `orders.client_ref`) makes a second order impossible,
 * from any process, even if the sale's mapping row were lost. A hash, since a posSaleId may hold
 * characters a client reference cannot.
 */
export function clientRefForSale(posSaleId: string): string {
  return `pos_${createHash('sha256').update(posSaleId, 'utf8').digest('base64url').slice(0, 40)}`;
}

/** The amount fields in minor units of the sale's currency (`totalPaid` -> `totalPaidMinor`). */
export function saleAmountsMinor(sale: PosSale): { [K in AmountField as `${K}Minor`]?: number } & { totalPaidMinor: number } {
  const out: Record<string, number> = {};
  for (const field of AMOUNT_FIELDS) {
    const value = sale[field];
    if (value !== undefined) out[`${field}Minor`] = toMinorUnits(value, sale.currency);
  }
  return out as { totalPaidMinor: number };
}

/**
 * The engine's capture input (main/orders/schemas.ts OrderInputSchema) for a sale and its customer
 * (the sale's own, or the one the cashier scanned for a pending sale). Minor units only; the
 * capture reference from the posSaleId.
 */
export function saleToCaptureInput(sale: PosSale, customer: SaleCustomer): Record<string, unknown> {
  const input: Record<string, unknown> = {
    ...saleAmountsMinor(sale),
    currency: sale.currency,
    receiptNo: sale.receiptNo,
    // The order is dated when the POS sold it, not when the till got it (bounded: main/orders/sale-time.ts).
    soldAt: sale.soldAt,
    clientRef: clientRefForSale(sale.posSaleId),
  };
  if (customer.mobile !== undefined) input.mobile = customer.mobile;
  if (customer.customerId !== undefined) input.customerId = customer.customerId;
  if (customer.referrerCode !== undefined) input.referrerCode = customer.referrerCode;
  return input;
}

/**
 * The sale as stored and compared: its fields in a fixed order, absent ones left out, amounts
 * written with the currency's decimals ("125.5" -> "125.50"). Two posts of one posSaleId are the
 * same sale when these are equal.
 */
export function canonicalSale(sale: PosSale): string {
  const out: Record<string, string> = {};
  for (const k of SALE_KEYS) {
    const v = sale[k];
    if (v === undefined) continue;
    out[k] = (AMOUNT_FIELDS as readonly string[]).includes(k) ? formatMinor(toMinorUnits(v, sale.currency), sale.currency) : v;
  }
  return JSON.stringify(out);
}

const SALE_KEYS = [
  'posSaleId',
  'totalPaid',
  'currency',
  'receiptNo',
  'soldAt',
  'mobile',
  'customerId',
  'referrerCode',
  'totalPrice',
  'totalDiscount',
  'totalTax',
] as const satisfies readonly (keyof PosSale)[];
