// The shapes of orders and refunds at the engine's boundary: what capture accepts (input
// schemas) and what it stores (minor units). What the screen and the CLI see (views, status) is
// the contract's (preload/api.ts), money in minor units; where the engine tells its own callers
// more (the Gameball calls queued, the outbox rows), its type is the contract's plus those fields,
// so every answer can go over the bridge as it is.
import { z } from 'zod';
import { ClientRefSchema, CouponOnOrderSchema, OrderStateSchema } from '../../preload/api.ts';
import type {
  CapturedOrder as ContractCapturedOrder,
  CapturedRefund as ContractCapturedRefund,
  OrderDetail as ContractOrderDetail,
  OrderListResponse,
  OrderView,
  ReferralCheck as ContractReferralCheck,
  SyncLogEntry as ContractSyncLogEntry,
  SyncStatus as ContractSyncStatus,
} from '../../preload/api.ts';

export type { OrderView };

export const OutboxKindSchema = z.enum(['register_customer', 'track_order', 'refund']);
export type OutboxKind = z.infer<typeof OutboxKindSchema>;

export const OutboxStateSchema = z.enum(['pending', 'in_flight', 'done', 'attention', 'dead', 'discarded']);
export type OutboxState = z.infer<typeof OutboxStateSchema>;

/** Forms send '' for an empty field: treat it as absent. */
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalText = (max: number) => z.preprocess(blankToUndefined, z.string().trim().max(max).optional());

/** An amount in minor units of the order's currency (1250 for 12.50 SAR): the only form the engine takes. */
export const MinorInputSchema = z
  .number({ error: 'an amount in minor units is a whole number (1250 for 12.50 SAR)' })
  .int('amounts in minor units are whole numbers')
  .min(0, 'amounts cannot be negative')
  .max(Number.MAX_SAFE_INTEGER);

/**
 * The name a decimal amount had (`totalPaid: "12.50"`): refused, naming the field in minor units to
 * use instead. Decimal text belongs to the edges (the CLI converts its flags and JSON); a blank
 * still reads as not given, as every blank field does.
 */
const decimalRefused = (minorField: string) =>
  z.never({ error: `amounts are given in minor units: use ${minorField} (a whole number, e.g. 1250 for 12.50 SAR)` }).optional();

export const LineItemInputSchema = z
  .object({
    productId: z.string().trim().min(1).max(200),
    quantity: z.number().positive().max(1_000_000).default(1),
    /** Unit price, in minor units (`price` is its decimal name, refused). */
    price: z.preprocess(blankToUndefined, decimalRefused('priceMinor')),
    priceMinor: MinorInputSchema.optional(),
    sku: optionalText(200),
    title: optionalText(500),
    category: z.array(z.string().trim().min(1).max(200)).max(20).optional(),
    tags: z.array(z.string().trim().min(1).max(200)).max(20).optional(),
    discount: z.preprocess(blankToUndefined, decimalRefused('discountMinor')),
    discountMinor: MinorInputSchema.optional(),
    taxes: z.preprocess(blankToUndefined, decimalRefused('taxesMinor')),
    taxesMinor: MinorInputSchema.optional(),
  })
  .strict()
  .refine((l) => l.priceMinor !== undefined, { message: 'give the unit price (priceMinor)', path: ['priceMinor'] });
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
  /** The decimal names of the amounts: refused (see decimalRefused); the amounts are the `...Minor` fields. */
  totalPaid: decimalRefused('totalPaidMinor'),
  totalPrice: decimalRefused('totalPriceMinor'),
  totalDiscount: decimalRefused('totalDiscountMinor'),
  totalTax: decimalRefused('totalTaxMinor'),
  totalShipping: decimalRefused('totalShippingMinor'),
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
  /** What the customer paid (rewards are computed from it). */
  totalPaidMinor: MinorInputSchema.optional(),
  totalPriceMinor: MinorInputSchema.optional(),
  totalDiscountMinor: MinorInputSchema.optional(),
  totalTaxMinor: MinorInputSchema.optional(),
  totalShippingMinor: MinorInputSchema.optional(),
  lineItems: z.array(LineItemInputSchema).max(500).optional(),
};

export const OrderInputSchema = z.preprocess(
  plainOrderInput,
  z
    .object({
      ...orderFields,
      clientRef: ClientRefSchema.optional(),
      coupon: CouponOnOrderSchema.optional(),
      /** The key of a receipt read from its barcode (preload/receipt-qr.ts): the receipt is captured once. */
      receiptKey: z.string().trim().min(1).max(200).optional(),
      /**
       * When the sale happened (the POS's `soldAt`, a scanned receipt's time): the order's date.
       * Absent: the moment of capture. Bounded by main/orders/sale-time.ts; not editable later.
       */
      soldAt: z.iso.datetime({ offset: true, error: 'an ISO 8601 time with its offset, e.g. "2026-12-03T11:32:00+03:00"' }).optional(),
    })
    .strict()
    .refine((o) => o.mobile !== undefined || o.customerId !== undefined, {
      message: 'identify the customer with a mobile number or a customer id',
      path: ['mobile'],
    })
    .refine((o) => o.totalPaidMinor !== undefined, { message: 'the amount paid is required', path: ['totalPaidMinor'] }),
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
export const StoredLineItemSchema = z.object({
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
export type LineItem = z.infer<typeof StoredLineItemSchema>;
export const LineItemsSchema = z.array(StoredLineItemSchema);

/** What orders and refunds both show of their way through the sync (see SyncTrackedRow). */
export type SyncTrackedView = Pick<
  OrderView,
  'training' | 'state' | 'attentionCode' | 'attentionMessage' | 'discardReason' | 'createdAt' | 'updatedAt' | 'syncedAt'
>;

/** The answer to a capture: the contract's, plus the Gameball calls queued in the capture transaction, in the order they will be made. */
export type CapturedOrder = ContractCapturedOrder & { calls: OutboxKind[]; newCustomer: boolean };

export const RefundInputSchema = z
  .object({
    orderId: z.string().trim().min(1).max(200),
    /** In minor units of the order's currency (`amount` is its decimal name, refused); omitted: refund everything still refundable. */
    amount: z.preprocess(blankToUndefined, decimalRefused('amountMinor')),
    amountMinor: MinorInputSchema.optional(),
    clientRef: ClientRefSchema.optional(),
  })
  .strict();
export type RefundInput = z.input<typeof RefundInputSchema>;

/** A refund as the engine shows it: the contract's, plus when it was made and the rest of its way through the sync. */
export type RefundView = Omit<ContractCapturedRefund, 'replayed'> & SyncTrackedView & { transactionTime: string };
export type CapturedRefund = RefundView & Pick<ContractCapturedRefund, 'replayed'>;

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

/** One Gameball call as logged: the contract's, plus the ids that tie it to its outbox row and order or refund. */
export type SyncLogEntry = ContractSyncLogEntry & { id: number; outboxId: number | null; entityId: string | null };

/** One order with everything the till knows of it: the contract's, with the line items as stored, the refunds' and calls' own fields, and the outbox rows. */
export type OrderDetail = Omit<ContractOrderDetail, 'lineItems' | 'refunds' | 'syncLog'> & {
  lineItems: LineItem[];
  refunds: RefundView[];
  outbox: OutboxEntryView[];
  syncLog: SyncLogEntry[];
};

export const OrderListQuerySchema = z.object({
  state: z.union([OrderStateSchema, z.literal('all')]).optional(),
  search: z.string().trim().max(200).optional(),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(500).default(50),
});
export type OrderListQuery = z.input<typeof OrderListQuerySchema>;

export type OrderList = OrderListResponse;

export const ExportQuerySchema = z.object({
  state: z.enum(['pending', 'attention', 'synced', 'all']).default('all'),
  format: z.enum(['csv', 'json']).default('csv'),
});
export type ExportQuery = z.input<typeof ExportQuerySchema>;

/** Orders (or refunds) per state. */
export type StateCounts = ContractSyncStatus['counts'];

/**
 * The status: the contract's, with the refund counts always there and the last error's code as
 * text and the order or refund it was about (Gameball's error code, or the HTTP status).
 */
export type SyncStatus = Omit<ContractSyncStatus, 'refundCounts' | 'lastError'> & {
  refundCounts: StateCounts;
  lastError: { at: string; message: string; code?: string; entityId?: string } | null;
};

export const ReferralCheckInputSchema = z.object({
  customer: z.object({ mobile: optionalText(40), customerId: optionalText(128) }),
  referrerCode: z.string().trim().min(1).max(2000),
});
export type ReferralCheckInput = z.input<typeof ReferralCheckInputSchema>;

/** Referral advice: the contract's, plus the customer id it was checked for. */
export type ReferralCheck = ContractReferralCheck & { customerId?: string };
