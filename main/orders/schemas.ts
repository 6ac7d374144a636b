// The shapes of orders and refunds at the engine's boundary: what capture accepts (input
// schemas), what it stores (minor units), and what the screen and CLI see (views, status).
// preload/api.ts re-declares the wire shapes; a test keeps the two compatible.
import { z } from 'zod';

export const OrderStateSchema = z.enum(['pending', 'sending', 'synced', 'attention', 'discarded']);
export type OrderState = z.infer<typeof OrderStateSchema>;

export const OutboxKindSchema = z.enum(['register_customer', 'track_order', 'refund']);
export type OutboxKind = z.infer<typeof OutboxKindSchema>;

export const OutboxStateSchema = z.enum(['pending', 'in_flight', 'done', 'attention', 'dead', 'discarded']);
export type OutboxState = z.infer<typeof OutboxStateSchema>;

/** Forms send '' for an empty field: treat it as absent. */
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalText = (max: number) => z.preprocess(blankToUndefined, z.string().trim().max(max).optional());

/** A decimal amount as typed ("125.50"); converted to minor units with the order's currency. */
export const AmountInputSchema = z.union([z.string().trim().min(1, 'an amount is required').max(32), z.number()]);
/** The same amount already in minor units (the screen sends these). */
export const MinorInputSchema = z.number().int('amounts in minor units are whole numbers').min(0, 'amounts cannot be negative').max(Number.MAX_SAFE_INTEGER);

const optionalAmount = z.preprocess(blankToUndefined, AmountInputSchema.optional());

export const LineItemInputSchema = z
  .object({
    productId: z.string().trim().min(1).max(200),
    quantity: z.number().positive().max(1_000_000).default(1),
    /** Unit price, as a decimal; or `priceMinor` in minor units. */
    price: optionalAmount,
    priceMinor: MinorInputSchema.optional(),
    sku: optionalText(200),
    title: optionalText(500),
    category: z.array(z.string().trim().min(1).max(200)).max(20).optional(),
    tags: z.array(z.string().trim().min(1).max(200)).max(20).optional(),
    discount: optionalAmount,
    discountMinor: MinorInputSchema.optional(),
    taxes: optionalAmount,
    taxesMinor: MinorInputSchema.optional(),
  })
  .strict()
  .refine((l) => (l.price === undefined) !== (l.priceMinor === undefined), { message: 'give the unit price (price or priceMinor)', path: ['price'] });
export type LineItemInput = z.input<typeof LineItemInputSchema>;

/** The screen nests the customer (`customer: { mobile, customerId, name, email }`): flatten it. */
function flattenCustomer(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const { customer, ...rest } = v as Record<string, unknown>;
  if (customer === undefined) return v;
  if (customer === null || typeof customer !== 'object' || Array.isArray(customer)) return v;
  return { ...rest, ...(customer as Record<string, unknown>) };
}

/** The order's text fields: a form may send '' for "not given", and plainOrderInput drops it. */
const textFields = {
  mobile: z.string().trim().max(40).optional(),
  customerId: z.string().trim().max(128).optional(),
  name: z.string().trim().max(200).nullable().optional(),
  email: z.email('not a valid email address').max(254).nullable().optional(),
  /** What the customer paid (rewards are computed from it): a decimal, or `totalPaidMinor`. */
  totalPaid: AmountInputSchema.optional(),
  totalPrice: AmountInputSchema.optional(),
  totalDiscount: AmountInputSchema.optional(),
  totalTax: AmountInputSchema.optional(),
  totalShipping: AmountInputSchema.optional(),
  /** Default: the till's currency setting. */
  currency: z.string().trim().max(3).optional(),
  receiptNo: z.string().trim().max(100).nullable().optional(),
  /** A bare referral code or a referral link/QR text; the code is extracted from a link. */
  referrerCode: z.string().trim().max(2000).nullable().optional(),
};
const BLANK_IS_ABSENT = Object.keys(textFields);

/**
 * The order as the screen and forms send it, made plain in one pass before the field schemas run:
 * the nested customer flattened, and blank text fields read as absent. (One pass over the object
 * rather than a preprocess step per field: capture runs this on every order.)
 */
function plainOrderInput(v: unknown): unknown {
  const flat = flattenCustomer(v);
  if (flat === null || typeof flat !== 'object' || Array.isArray(flat)) return flat;
  let out = flat as Record<string, unknown>;
  for (const key of BLANK_IS_ABSENT) {
    const value = out[key];
    if (typeof value !== 'string' || value.trim() !== '') continue;
    if (out === v) out = { ...out }; // never change the caller's object
    out[key] = undefined;
  }
  return out;
}

/** The order's fields: the text fields, amounts in minor units (a blank there is an error), line items. */
const orderFields = {
  ...textFields,
  totalPaidMinor: MinorInputSchema.optional(),
  totalPriceMinor: MinorInputSchema.optional(),
  totalDiscountMinor: MinorInputSchema.optional(),
  totalTaxMinor: MinorInputSchema.optional(),
  totalShippingMinor: MinorInputSchema.optional(),
  lineItems: z.array(LineItemInputSchema).max(500).optional(),
};

const oneOf = (a: unknown, b: unknown) => a === undefined || b === undefined;

/**
 * The screen's reference for one save (idempotent capture): a save sent again with the same
 * reference, after its connection dropped, returns the order already stored instead of a second one.
 */
export const ClientRefSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'a client reference is 8 to 64 letters, digits, "-" or "_"');

export const OrderInputSchema = z.preprocess(
  plainOrderInput,
  z
    .object({ ...orderFields, clientRef: ClientRefSchema.optional() })
    .strict()
    .refine((o) => o.mobile !== undefined || o.customerId !== undefined, {
      message: 'identify the customer with a mobile number or a customer id',
      path: ['mobile'],
    })
    .refine((o) => o.totalPaid !== undefined || o.totalPaidMinor !== undefined, { message: 'the amount paid is required', path: ['totalPaid'] })
    .refine(
      (o) =>
        oneOf(o.totalPaid, o.totalPaidMinor) &&
        oneOf(o.totalPrice, o.totalPriceMinor) &&
        oneOf(o.totalDiscount, o.totalDiscountMinor) &&
        oneOf(o.totalTax, o.totalTaxMinor) &&
        oneOf(o.totalShipping, o.totalShippingMinor),
      { message: 'give each amount once, either as a decimal or in minor units', path: ['totalPaid'] },
    ),
);
export type OrderInput = z.input<typeof OrderInputSchema>;
export type ParsedOrderInput = z.output<typeof OrderInputSchema>;

/**
 * Corrections to an order in needs-attention, merged over the order as stored. `null` removes an
 * optional field (`referrerCode: null` removes the referral code).
 */
export const OrderEditPatchSchema = z.preprocess(plainOrderInput, z.object(orderFields).partial().strict());
export type OrderEditPatch = z.input<typeof OrderEditPatchSchema>;

/** A line item as stored (`orders.line_items_json`): money in minor units of the order's currency. */
export const LineItemSchema = z.object({
  productId: z.string(),
  quantity: z.number(),
  priceMinor: z.number().int(),
  sku: z.string().optional(),
  title: z.string().optional(),
  category: z.array(z.string()).optional(),
  tags: z.array(z.string()).optional(),
  discountMinor: z.number().int().optional(),
  taxesMinor: z.number().int().optional(),
});
export type LineItem = z.infer<typeof LineItemSchema>;
export const LineItemsSchema = z.array(LineItemSchema);

/** What orders and refunds both show of their way through the sync (see SyncTrackedRow). */
const SyncTrackedViewShape = {
  training: z.boolean(),
  state: OrderStateSchema,
  attentionCode: z.string().nullable(),
  attentionMessage: z.string().nullable(),
  discardReason: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  syncedAt: z.string().nullable(),
};
export type SyncTrackedView = z.infer<z.ZodObject<typeof SyncTrackedViewShape>>;

export const OrderViewSchema = z.object({
  orderId: z.string(),
  customerId: z.string(),
  mobile: z.string().nullable(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  currency: z.string(),
  totalPaid: z.string(),
  totalPaidMinor: z.number().int(),
  totalPrice: z.string().nullable(),
  receiptNo: z.string().nullable(),
  referrerCode: z.string().nullable(),
  orderDate: z.string(),
  storeId: z.string().nullable(),
  branchId: z.string().nullable(),
  tillId: z.string(),
  rewardedPoints: z.number().nullable(),
  ...SyncTrackedViewShape,
});
export type OrderView = z.infer<typeof OrderViewSchema>;

export const CapturedOrderSchema = OrderViewSchema.extend({
  /** The Gameball calls queued in the capture transaction, in the order they will be made. */
  calls: z.array(OutboxKindSchema),
  /** True when this capture registers a new customer (a referral is only counted then). */
  newCustomer: z.boolean(),
  /** True when the input's clientRef was already stored: this is that order, nothing new was written. */
  replayed: z.boolean().optional(),
});
export type CapturedOrder = z.infer<typeof CapturedOrderSchema>;

export const RefundInputSchema = z
  .object({
    orderId: z.string().trim().min(1).max(200),
    /** Omitted (and no amountMinor): refund everything still refundable. */
    amount: optionalAmount,
    amountMinor: MinorInputSchema.optional(),
    clientRef: ClientRefSchema.optional(),
  })
  .strict()
  .refine((r) => oneOf(r.amount, r.amountMinor), { message: 'give the amount once', path: ['amount'] });
export type RefundInput = z.input<typeof RefundInputSchema>;

export const RefundViewSchema = z.object({
  refundId: z.string(),
  orderId: z.string(),
  customerId: z.string(),
  /** null: a full refund (Gameball refunds the whole order). */
  amount: z.string().nullable(),
  amountMinor: z.number().int().nullable(),
  currency: z.string(),
  transactionTime: z.string(),
  ...SyncTrackedViewShape,
});
export type RefundView = z.infer<typeof RefundViewSchema>;
export const CapturedRefundSchema = RefundViewSchema.extend({
  /** True when the input's clientRef was already stored: this is that refund, nothing new was written. */
  replayed: z.boolean().optional(),
});
export type CapturedRefund = z.infer<typeof CapturedRefundSchema>;

export const OutboxEntryViewSchema = z.object({
  id: z.number().int(),
  kind: OutboxKindSchema,
  entityId: z.string(),
  state: OutboxStateSchema,
  attempts: z.number().int(),
  nextAttemptAt: z.number(),
  unknownOutcome: z.boolean(),
  lastErrorCode: z.string().nullable(),
  lastErrorMessage: z.string().nullable(),
});
export type OutboxEntryView = z.infer<typeof OutboxEntryViewSchema>;

export const SyncLogEntrySchema = z.object({
  id: z.number().int(),
  outboxId: z.number().int().nullable(),
  entityId: z.string().nullable(),
  method: z.string(),
  path: z.string(),
  httpStatus: z.number().int().nullable(),
  gameballCode: z.number().int().nullable(),
  message: z.string().nullable(),
  requestId: z.string().nullable(),
  outcome: z.string(),
  durationMs: z.number().nullable(),
  at: z.string(),
});
export type SyncLogEntry = z.infer<typeof SyncLogEntrySchema>;

export const OrderDetailSchema = OrderViewSchema.extend({
  totalPriceMinor: z.number().int().nullable(),
  totalDiscount: z.string().nullable(),
  totalDiscountMinor: z.number().int().nullable(),
  totalTax: z.string().nullable(),
  totalTaxMinor: z.number().int().nullable(),
  totalShipping: z.string().nullable(),
  totalShippingMinor: z.number().int().nullable(),
  lineItems: LineItemsSchema,
  refunds: z.array(RefundViewSchema),
  outbox: z.array(OutboxEntryViewSchema),
  syncLog: z.array(SyncLogEntrySchema),
});
export type OrderDetail = z.infer<typeof OrderDetailSchema>;

export const OrderListQuerySchema = z.object({
  state: z.union([OrderStateSchema, z.literal('all')]).optional(),
  search: z.string().trim().max(200).optional(),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(500).default(50),
});
export type OrderListQuery = z.input<typeof OrderListQuerySchema>;

export const OrderListSchema = z.object({ total: z.number().int(), rows: z.array(OrderViewSchema) });
export type OrderList = z.infer<typeof OrderListSchema>;

export const ExportQuerySchema = z.object({
  state: z.enum(['pending', 'attention', 'synced', 'all']).default('all'),
  format: z.enum(['csv', 'json']).default('csv'),
});
export type ExportQuery = z.input<typeof ExportQuerySchema>;

export const StateCountsSchema = z.object({
  pending: z.number().int(),
  sending: z.number().int(),
  synced: z.number().int(),
  attention: z.number().int(),
  discarded: z.number().int(),
});
export type StateCounts = z.infer<typeof StateCountsSchema>;

export const SyncStatusSchema = z.object({
  /** Orders per state. */
  counts: StateCountsSchema,
  /** Refunds per state. */
  refundCounts: StateCountsSchema,
  /** Age of the oldest order or refund not yet synced (pending or sending), null when none. */
  oldestPendingAgeMs: z.number().nullable(),
  lastSuccessAt: z.string().nullable(),
  /** The latest failed Gameball call (code: Gameball's error code or the HTTP status, as text). */
  lastError: z.object({ at: z.string(), message: z.string(), code: z.string().optional(), entityId: z.string().optional() }).nullable(),
  online: z.boolean(),
  training: z.boolean(),
  /**
   * The till's clock minus Gameball's, in ms (positive: the till is ahead), as last measured from
   * Gameball's answers; null when never measured or no longer valid (the clock went back since).
   * Absent where no sync part reports the clock.
   */
  clockSkewMs: z.number().nullable().optional(),
  /** When the skew was measured (the till's clock). */
  clockCheckedAt: z.string().nullable().optional(),
  /** How far the till's clock reads before the newest order, refund or call it recorded (0: it did not go back). */
  clockWentBackMs: z.number().optional(),
});
export type SyncStatus = z.infer<typeof SyncStatusSchema>;

export const ReferralCheckInputSchema = z.object({
  customer: z.object({ mobile: optionalText(40), customerId: optionalText(128) }),
  referrerCode: z.string().trim().min(1).max(2000),
});
export type ReferralCheckInput = z.input<typeof ReferralCheckInputSchema>;

export const ReferralCheckStatusSchema = z.enum(['ok', 'invalid', 'self', 'already-customer', 'not-first-purchase', 'offline']);
export const ReferralCheckSchema = z.object({
  status: ReferralCheckStatusSchema,
  message: z.string(),
  /** The code as it would be captured (extracted from a link). */
  referrerCode: z.string().optional(),
  customerId: z.string().optional(),
});
export type ReferralCheck = z.infer<typeof ReferralCheckSchema>;
