// Pure mapping from the till's rows to Gameball request bodies. Bodies are never stored: the sync
// engine builds them at send time from the current row, so an edit-and-resend takes effect.
// Money is converted from integer minor units to Gameball's decimal numbers here, once, at the
// edge. Rows are parsed with zod when loaded; a row that no longer parses throws
// RowUnreadableError, which the sync engine turns into a visible state instead of a crash.
import { z } from 'zod';
import { minorToNumber } from '../orders/money.ts';
import { LineItemsSchema } from '../orders/schemas.ts';

const Int = z.number().int();
const OptText = z
  .string()
  .nullish()
  .transform((v) => (v === null || v === undefined || v === '' ? undefined : v));
const OptInt = Int.nullish().transform((v) => (v === null ? undefined : v));

/** The columns of `orders` the mappers read (snake_case, as stored). */
export const SyncOrderRowSchema = z.object({
  order_id: z.string().min(1),
  customer_id: z.string().min(1),
  mobile: OptText,
  name: OptText,
  email: OptText,
  currency: z.string().regex(/^[A-Z]{3}$/),
  total_paid_minor: Int.nonnegative(),
  total_price_minor: OptInt,
  total_discount_minor: OptInt,
  total_tax_minor: OptInt,
  total_shipping_minor: OptInt,
  line_items_json: z.string().nullish(),
  receipt_no: OptText,
  referrer_code: OptText,
  referrer_customer_id: OptText,
  /** The points hold the order redeems (migration 0007). */
  points_hold_reference: OptText,
  order_date: z.string().min(1),
  store_id: OptText,
  branch_id: OptText,
  store_name: OptText,
  branch_name: OptText,
  coupon_code: OptText,
  coupon_lock_reference: OptText,
  till_id: z.string().min(1),
  training: z.union([z.literal(0), z.literal(1)]),
});
export type SyncOrderRow = z.infer<typeof SyncOrderRowSchema>;

export const SyncRefundRowSchema = z.object({
  refund_id: z.string().min(1),
  order_id: z.string().min(1),
  customer_id: z.string().min(1),
  amount_minor: OptInt,
  currency: z.string().regex(/^[A-Z]{3}$/),
  transaction_time: z.string().min(1),
  training: z.union([z.literal(0), z.literal(1)]),
});
export type SyncRefundRow = z.infer<typeof SyncRefundRowSchema>;

export class RowUnreadableError extends Error {
  constructor(
    readonly entityId: string,
    detail: string,
  ) {
    super(`The stored record ${entityId} cannot be read (${detail}). Edit it and resend, or discard it.`);
    this.name = 'RowUnreadableError';
  }
}

function describeIssues(err: z.ZodError): string {
  return err.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || 'row'}: ${i.message}`)
    .join('; ');
}

export function parseOrderRow(row: unknown, entityId: string): SyncOrderRow {
  const parsed = SyncOrderRowSchema.safeParse(row);
  if (!parsed.success) throw new RowUnreadableError(entityId, describeIssues(parsed.error));
  return parsed.data;
}

export function parseRefundRow(row: unknown, entityId: string): SyncRefundRow {
  const parsed = SyncRefundRowSchema.safeParse(row);
  if (!parsed.success) throw new RowUnreadableError(entityId, describeIssues(parsed.error));
  return parsed.data;
}

/** `merchant`: the store's id (none without one) and name, and the branch's, as captured. */
function merchantOf(
  order: Pick<SyncOrderRow, 'store_id' | 'branch_id' | 'store_name' | 'branch_name'>,
): Record<string, unknown> | undefined {
  if (!order.store_id) return undefined;
  const branch = order.branch_id ? compact({ uniqueId: order.branch_id, name: order.branch_name }) : undefined;
  return compact({ uniqueId: order.store_id, name: order.store_name, branch });
}

/** `redemption`: the coupon lock the sale took online (burned by Gameball with the order). */
function redemptionOf(order: SyncOrderRow): Record<string, unknown> | undefined {
  // The coupon locked at the till is burned, and the points held at the till are redeemed, by this order.
  if (!order.coupon_lock_reference && !order.points_hold_reference) return undefined;
  return compact({
    couponsLockReference: order.coupon_lock_reference ?? undefined,
    pointsHoldReference: order.points_hold_reference ?? undefined,
  });
}

function money(minor: number | undefined, currency: string): number | undefined {
  return minor === undefined ? undefined : minorToNumber(minor, currency);
}

/** Drops undefined values so bodies carry only what the till knows. */
function compact<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

/**
 * `POST /customers` for a new, referred customer: registered with `referrerCode` immediately
 * before their first order (Gameball only counts a referral that arrives with registration).
 */
export function buildRegisterCustomerBody(order: SyncOrderRow): Record<string, unknown> {
  const attributes = compact({
    displayName: order.name,
    email: order.email,
    mobile: order.mobile,
    channel: 'pos' as const,
  });
  return compact({
    customerId: order.customer_id,
    mobile: order.mobile,
    email: order.email,
    referrerCode: order.referrer_code,
    customerAttributes: attributes,
  });
}

/** `POST /orders`. The referred first order also carries `referrerCode` (the POS guide shows it). */
export function buildTrackOrderBody(order: SyncOrderRow): Record<string, unknown> {
  const c = order.currency;
  let lineItems: Record<string, unknown>[] | undefined;
  if (order.line_items_json !== null && order.line_items_json !== undefined && order.line_items_json !== '') {
    let raw: unknown;
    try {
      raw = JSON.parse(order.line_items_json);
    } catch {
      throw new RowUnreadableError(order.order_id, 'line items are not valid JSON');
    }
    const items = LineItemsSchema.safeParse(raw);
    if (!items.success) throw new RowUnreadableError(order.order_id, `line items: ${describeIssues(items.error)}`);
    lineItems = items.data.map((it) =>
      compact({
        productId: it.productId,
        sku: it.sku,
        title: it.title,
        quantity: it.quantity,
        price: minorToNumber(it.priceMinor, c),
        taxes: money(it.taxesMinor, c),
        discount: money(it.discountMinor, c),
        category: it.category,
        tags: it.tags,
      }),
    );
    if (lineItems.length === 0) lineItems = undefined;
  }
  const extra = compact({ tillId: order.till_id, receiptNo: order.receipt_no, currency: c });
  return compact({
    customerId: order.customer_id,
    orderId: order.order_id,
    orderDate: order.order_date,
    totalPaid: minorToNumber(order.total_paid_minor, c),
    totalPrice: money(order.total_price_minor, c),
    totalDiscount: money(order.total_discount_minor, c),
    totalTax: money(order.total_tax_minor, c),
    totalShipping: money(order.total_shipping_minor, c),
    lineItems,
    mobile: order.mobile,
    email: order.email,
    channel: 'pos' as const,
    merchant: merchantOf(order),
    redemption: redemptionOf(order),
    referrerCode: order.referrer_code,
    extra,
  });
}

/** `POST /transactions/refund`: no amount means a full refund. */
export function buildRefundBody(refund: SyncRefundRow, order: SyncOrderRow): Record<string, unknown> {
  return compact({
    customerId: refund.customer_id,
    refundTransactionId: refund.refund_id,
    reverseTransactionId: refund.order_id,
    transactionTime: refund.transaction_time,
    refundAmount: money(refund.amount_minor, refund.currency),
    mobile: order.mobile,
    email: order.email,
    merchant: merchantOf(order),
  });
}
