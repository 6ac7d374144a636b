// THE contract between the screen and the engine. Every call the screen can make is a channel
// named `area:verb-noun` with a zod request schema and a zod response schema; every message the
// engine pushes is an event with a payload schema. Three users, one source of truth:
//   - main/ipc validates the sender and parses every argument with the request schema before
//     any handler runs, and parses every answer with the response schema before it leaves main
//     (so a field the contract does not name, a key for instance, can never cross);
//   - preload/index.ts (Electron) and renderer/transport (browser mode) only forward;
//   - renderer/ types its calls and validates its forms with the same schemas.
// This file imports zod and pure modules of preload/ only: it runs in the sandboxed preload, in
// the page and in Node. It must never import main/. The shapes are declared here once: the engine
// (main/) imports them and answers in them, money in minor units; a test refuses a second
// declaration of any of these schemas under main/.
import { z } from 'zod';
import { receiptPatternProblem } from './receipt-pattern.ts';

// ---------------------------------------------------------------------------------------------
// Building blocks

/** Printable text: no control characters (they have no business in an id, a code or a name). */
const Text = (max: number) =>
  z
    .string()
    .max(max, { message: `Too long: at most ${max} characters.` })
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\u0000-\u001f\u007f]*$/, { message: 'Contains control characters.' });

const NonEmptyText = (max: number) => Text(max).trim().min(1, { message: 'Required.' });

/** Integer amount in the currency's minor units (SAR 2 decimals, KWD 3, JPY 0). */
export const MinorAmountSchema = z
  .number()
  .int({ message: 'Amounts are whole minor units.' })
  .min(0, { message: 'Amounts cannot be negative.' })
  .max(1e13, { message: 'Amount too large.' });

export const CurrencySchema = z.string().regex(/^[A-Z]{3}$/, { message: 'A three-letter ISO currency code, e.g. SAR.' });
export const CountrySchema = z.string().regex(/^[A-Z]{2}$/, { message: 'A two-letter ISO country code, e.g. SA.' });
/** Digits, spaces, `+`, `-`, `(`, `)`: what a cashier types; the engine normalises to E.164. */
export const MobileInputSchema = z
  .string()
  .trim()
  .min(4, { message: 'Mobile number too short.' })
  .max(32, { message: 'Mobile number too long.' })
  .regex(/^\+?[0-9 ()-]+$/, { message: 'A mobile number has digits only.' });
export const CustomerIdSchema = NonEmptyText(200);
export const OrderIdSchema = NonEmptyText(200);
export const ReferrerCodeSchema = NonEmptyText(512);
/**
 * The screen's own reference for one save (a UUID made when the order form is opened). Saving
 * again with the same reference and the same input answers the order already stored
 * (`replayed: true`) instead of a second one, so a save whose answer was lost can be repeated
 * safely; the same reference with another input is refused. Same rule as the engine's.
 */
export const ClientRefSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/, { message: 'A client reference is 8 to 64 letters, digits, "-" or "_".' });

/**
 * The store PIN (4 to 12 ASCII digits; the screen turns Arabic-Indic digits into ASCII first).
 * When one is set, `orders:export` and `settings:set-keys` need it; main checks it and rate-limits
 * wrong ones (`pin-required`, `pin-wrong`, `pin-locked`). Only its salted hash is stored.
 */
export const StorePinSchema = z.string().regex(/^[0-9]{4,12}$/, { message: 'A store PIN is 4 to 12 digits.' });

export const OrderStateSchema = z.enum(['pending', 'sending', 'synced', 'attention', 'discarded']);
export type OrderState = z.infer<typeof OrderStateSchema>;

export const LanguageSchema = z.enum(['en', 'ar']);
export type Language = z.infer<typeof LanguageSchema>;

export const ApiVersionSchema = z.enum(['v4.0', 'v4.1']);
export type ApiVersion = z.infer<typeof ApiVersionSchema>;

// ---------------------------------------------------------------------------------------------
// The result envelope: nothing is thrown across the bridge.

/**
 * Error codes a handler answer may carry. `message` is for people (what happened and what to do),
 * never a stack trace, a secret, or a path other than the till's data folder (which the operator
 * must act on when the disk is full); `field` names the request field at fault when known.
 */
export const ErrorCodeSchema = z.enum([
  'unknown-channel', //   the channel is not in this contract
  'forbidden', //         the caller is not the app's own page (foreign origin or sub-frame)
  'invalid-request', //   the arguments do not match the channel's request schema
  'refused', //           the engine refused the input (e.g. capture without a customer)
  'not-found', //         the order (or refund) does not exist
  'wrong-state', //       the order is not in a state that allows this (e.g. edit outside attention)
  'unavailable', //       the engine or the scanner is not ready (starting, closing, no device)
  'pin-required', //      a store PIN is set and this action needs it: ask for it, call again with it
  'pin-wrong', //         the PIN given is not the store PIN
  'pin-locked', //        too many wrong PINs: no PIN is checked until the lock ends (the message says when)
  'internal', //          a bug: the message says to retry and tell support; details go to the log
]);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

// --- reasons and notices: stable codes the screen turns into the till's language -------------
// Sentences do not cross the bridge as what the cashier reads: the engine names a reason (a
// refusal) or a notice (a problem the till found about itself), and renderer/i18n has a sentence
// for each, in every language (a unit test fails when one is missing). The English `message`
// next to the code is for the log, the command line and store IT.

/**
 * Why the engine refused a call: the `reason` of an error answer. The engine's error classes
 * (main/orders/errors.ts, main/config/store-pin.ts, main/config/settings.ts, main/config/secrets.ts,
 * main/data-folder.ts, main/db/database.ts) take their codes from this list, and main/ipc/bridge.ts
 * maps each to its envelope `code`; an engine code outside it is a bug, answered 'internal'.
 */
export const REFUSAL_REASONS = [
  // What was typed or sent cannot be used.
  'INVALID_INPUT',
  'INVALID_MOBILE',
  'INVALID_CUSTOMER_ID',
  'INVALID_AMOUNT',
  'UNKNOWN_CURRENCY',
  // The referral rules.
  'SELF_REFERRAL',
  'REFERRAL_NOT_FIRST_PURCHASE',
  'INVALID_REFERRAL_CODE',
  'REFERRAL_LINK_WITHOUT_CODE',
  // The order itself.
  'DUPLICATE_RECEIPT',
  /** A receipt read from its barcode was captured already: `orderId` names the order. */
  'RECEIPT_ALREADY_CAPTURED',
  'CLIENT_REF_REUSED',
  'NOTHING_TO_REFUND',
  'REFUND_TOO_LARGE',
  // The queue: the order is missing or not in a state that allows the action.
  'ORDER_NOT_FOUND',
  'ORDER_DISCARDED',
  'NOT_IN_ATTENTION',
  'ORDER_IN_FLIGHT',
  'ALREADY_SYNCED',
  // The data folder cannot take the write (the answer's `folder` names it).
  'DISK_FULL',
  'DATA_FOLDER_READ_ONLY',
  'DATA_FOLDER_UNAVAILABLE',
  // The database is damaged while the till runs.
  'DB_DAMAGED',
  // Settings and keys.
  'INVALID_SETTING',
  'SECRETS_UNAVAILABLE',
  // The store PIN.
  'PIN_REQUIRED',
  'PIN_WRONG',
  'PIN_LOCKED',
  'PIN_UNREADABLE',
  'INVALID_PIN',
  // Spending points (holds): online only.
  'REDEEM_OFFLINE',
  'REDEEM_REFUSED',
  'REDEEM_UNCONFIRMED',
  'HOLD_NOT_USABLE',
  /** An order's attention code: its points hold expired (or was gone) before the order reached Gameball. */
  'HOLD_EXPIRED',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];
export const RefusalReasonSchema = z.enum(REFUSAL_REASONS);
export const isRefusalReason = (code: unknown): code is RefusalReason => (REFUSAL_REASONS as readonly unknown[]).includes(code);
/** Checks a subset of the reasons at compile time: `type PinCode = RefusalReasonOf<'PIN_WRONG' | ...>`. */
export type RefusalReasonOf<T extends RefusalReason> = T;

/** Problems the till found about itself (AppInfo `notices`, main/db/notices.ts), shown until it restarts. */
export const NOTICE_CODES = [
  /** Damaged at start: set aside, and every row of it recovered. */
  'DB_DAMAGED',
  /** Damaged at start: set aside and recovered, but some rows could not be read. */
  'DB_DAMAGED_PARTIAL',
  /** Damaged at start: set aside, and nothing could be recovered from it automatically. */
  'DB_DAMAGED_UNRECOVERED',
  /** A statement met damage while the till ran. */
  'DB_DAMAGED_RUNNING',
  /** A new, empty database where the till had one with orders (a copy without its -wal). */
  'DB_EMPTY',
  /** The database holds less than the till had written to it (a copy without its -wal). */
  'DB_BEHIND',
  'IDENTITY_UNREADABLE',
  'KEYS_UNSTORABLE',
  /** The data folder's disk was full at start: reading works, saving does not. */
  'DATA_FOLDER_FULL',
] as const;
export type NoticeCode = (typeof NOTICE_CODES)[number];
export const isNoticeCode = (code: unknown): code is NoticeCode => (NOTICE_CODES as readonly unknown[]).includes(code);

export const ApiErrorSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  field: z.string().optional(),
  /** The engine's own stable code for a refusal (e.g. DISK_FULL), for the screen to say in the till's language. */
  reason: RefusalReasonSchema.optional(),
  /** The till's data folder, on refusals about it (DISK_FULL, DATA_FOLDER_READ_ONLY, DATA_FOLDER_UNAVAILABLE): the one path a message may name. */
  folder: z.string().optional(),
  /** The order a refusal is about (RECEIPT_ALREADY_CAPTURED: the order the receipt was captured as). */
  orderId: z.string().optional(),
});
export type ApiError = z.infer<typeof ApiErrorSchema>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export const resultSchema = <T extends z.ZodType>(value: T) =>
  z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), value }), z.object({ ok: z.literal(false), error: ApiErrorSchema })]);

// ---------------------------------------------------------------------------------------------
// Wire shapes

export const CustomerInputSchema = z
  .strictObject({
    mobile: MobileInputSchema.optional(),
    customerId: CustomerIdSchema.optional(),
    name: Text(200).optional(),
    email: z.email({ message: 'Not an email address.' }).max(254).optional(),
  })
  .refine((c) => c.mobile !== undefined || c.customerId !== undefined, {
    message: 'A customer needs a mobile number or a scanned Gameball id.',
    path: ['mobile'],
  });
export type CustomerInput = z.infer<typeof CustomerInputSchema>;

export const LineItemSchema = z.strictObject({
  productId: NonEmptyText(200),
  title: Text(500).optional(),
  sku: Text(200).optional(),
  category: z.array(Text(200)).max(20).optional(),
  quantity: z.number().int().min(1).max(100_000),
  priceMinor: MinorAmountSchema, // unit price
});
export type LineItem = z.infer<typeof LineItemSchema>;

/** The coupon a sale carries once locked online (`loyalty:coupon-lock`). */
export const CouponOnOrderSchema = z.strictObject({ code: NonEmptyText(100), lockReference: NonEmptyText(200) });
export type CouponOnOrder = z.infer<typeof CouponOnOrderSchema>;
/** `orders:find-receipt`: which order a receipt read from its barcode was captured as (null: none yet). */
export const ReceiptLookupRequestSchema = z.strictObject({ receiptKey: Text(200) });
export const ReceiptLookupSchema = z.object({ orderId: z.string().nullable() });
export type ReceiptLookup = z.infer<typeof ReceiptLookupSchema>;

/** `orders:capture`: what the checkout screen submits. The engine assigns orderId and orderDate. */
export const OrderCaptureRequestSchema = z.strictObject({
  customer: CustomerInputSchema,
  currency: CurrencySchema,
  totalPaidMinor: MinorAmountSchema,
  totalPriceMinor: MinorAmountSchema.optional(),
  totalDiscountMinor: MinorAmountSchema.optional(),
  totalTaxMinor: MinorAmountSchema.optional(),
  totalShippingMinor: MinorAmountSchema.optional(),
  lineItems: z.array(LineItemSchema).max(500).optional(),
  receiptNo: Text(100).optional(),
  /** The key of a receipt read from its barcode (a scan's `receiptKey`): the receipt is captured once. */
  receiptKey: Text(200).optional(),
  /** When the sale happened (a scanned receipt's time), ISO 8601 with its offset: the order's date. Absent: the moment of capture. */
  soldAt: z.iso.datetime({ offset: true }).optional(),
  /** As captured: a bare code, already extracted from a scanned link. */
  referrerCode: ReferrerCodeSchema.optional(),
  /** Makes the save safe to repeat (see ClientRefSchema). */
  clientRef: ClientRefSchema.optional(),
  /** A coupon locked online for this sale (`loyalty:coupon-lock`): the order burns it at Gameball. */
  coupon: CouponOnOrderSchema.optional(),
  /** The points hold this sale spends (from `points:hold`); sent as `redemption.pointsHoldReference`. */
  pointsHoldReference: NonEmptyText(200).optional(),
});
export type OrderCaptureRequest = z.input<typeof OrderCaptureRequestSchema>;

/** One row of the queue. Nullable fields are NULL in the database when unknown. */
export const OrderViewSchema = z.object({
  orderId: z.string(),
  customerId: z.string(),
  mobile: z.string().nullable(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  currency: z.string(),
  totalPaidMinor: z.number().int(),
  receiptNo: z.string().nullable(),
  referrerCode: z.string().nullable(),
  /** A referrer named by customer id; referrerCode is its code once Gameball gave it. */
  referrerCustomerId: z.string().optional(),
  orderDate: z.string(),
  tillId: z.string(),
  storeId: z.string().nullable(),
  branchId: z.string().nullable(),
  /** Captured in training mode: may only ever go to the built-in simulator. */
  training: z.boolean(),
  state: OrderStateSchema,
  rewardedPoints: z.number().nullable(),
  /** Gameball's code and message when state is 'attention'. */
  attentionCode: z.string().nullable(),
  attentionMessage: z.string().nullable(),
  discardReason: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  syncedAt: z.string().nullable(),
});
export type OrderView = z.infer<typeof OrderViewSchema>;

/** The answer to a capture: durable on the till when it arrives. */
export const CapturedOrderSchema = OrderViewSchema.extend({
  /** True when this capture registers a new customer (a referral is only counted then). */
  newCustomer: z.boolean().optional(),
  /** True: this clientRef was saved before; this is that order and nothing new was written. */
  replayed: z.boolean().optional(),
});
export type CapturedOrder = z.infer<typeof CapturedOrderSchema>;

export const SyncLogEntrySchema = z.object({
  at: z.string(),
  method: z.string(),
  path: z.string(),
  httpStatus: z.number().nullable(),
  gameballCode: z.number().nullable(),
  message: z.string().nullable(),
  requestId: z.string().nullable(),
  outcome: z.string(),
  durationMs: z.number().nullable(),
});
export type SyncLogEntry = z.infer<typeof SyncLogEntrySchema>;

export const OrderLineItemViewSchema = z.object({
  productId: z.string(),
  title: z.string().optional(),
  sku: z.string().optional(),
  quantity: z.number(),
  priceMinor: z.number(),
});

/** `refunds:capture`: amountMinor absent = full refund. */
export const RefundCaptureRequestSchema = z.strictObject({
  orderId: OrderIdSchema,
  amountMinor: MinorAmountSchema.optional(),
  /** Makes the refund safe to repeat (see ClientRefSchema). */
  clientRef: ClientRefSchema.optional(),
});
export type RefundCaptureRequest = z.input<typeof RefundCaptureRequestSchema>;
export const CapturedRefundSchema = z.object({
  refundId: z.string(),
  orderId: z.string(),
  customerId: z.string(),
  amountMinor: z.number().nullable(),
  currency: z.string(),
  training: z.boolean(),
  state: OrderStateSchema,
  attentionMessage: z.string().nullable(),
  createdAt: z.string(),
  syncedAt: z.string().nullable(),
  /** True: this clientRef was saved before; this is that refund and nothing new was written. */
  replayed: z.boolean().optional(),
});
export type CapturedRefund = z.infer<typeof CapturedRefundSchema>;

export const OrderDetailSchema = OrderViewSchema.extend({
  totalPriceMinor: z.number().nullable(),
  totalDiscountMinor: z.number().nullable(),
  totalTaxMinor: z.number().nullable(),
  totalShippingMinor: z.number().nullable(),
  lineItems: z.array(OrderLineItemViewSchema),
  /** Refunds captured against this order. */
  refunds: z.array(CapturedRefundSchema),
  /** Every Gameball call made for this order, oldest first. */
  syncLog: z.array(SyncLogEntrySchema),
  /** The points this order spends (a hold it carries); absent when it redeems nothing. */
  redemption: z
    .lazy(() => RedemptionViewSchema)
    .nullable()
    .optional(),
});
export type OrderDetail = z.infer<typeof OrderDetailSchema>;

export const OrderListRequestSchema = z.strictObject({
  state: z.union([OrderStateSchema, z.literal('all')]).default('all'),
  search: Text(200).optional(),
  offset: z.number().int().min(0).max(10_000_000).default(0),
  limit: z.number().int().min(1).max(500).default(100),
});
export type OrderListRequest = z.input<typeof OrderListRequestSchema>;

export const OrderListResponseSchema = z.object({
  total: z.number().int(),
  rows: z.array(OrderViewSchema),
});
export type OrderListResponse = z.infer<typeof OrderListResponseSchema>;

export const OrderRefSchema = z.strictObject({ orderId: OrderIdSchema });

export const RetryRequestSchema = z.union([z.strictObject({ orderId: OrderIdSchema }), z.strictObject({ all: z.literal(true) })]);
export type RetryRequest = z.input<typeof RetryRequestSchema>;

/** What a person may correct on an order in 'attention' before it is sent again (absent: unchanged). */
export const OrderPatchSchema = z.strictObject({
  mobile: MobileInputSchema.optional(),
  name: Text(200).optional(),
  email: z.email().max(254).optional(),
  totalPaidMinor: MinorAmountSchema.optional(),
  receiptNo: Text(100).optional(),
  /** null removes the referral code. */
  referrerCode: ReferrerCodeSchema.nullable().optional(),
});
export type OrderPatch = z.input<typeof OrderPatchSchema>;

export const EditResendRequestSchema = z.strictObject({ orderId: OrderIdSchema, patch: OrderPatchSchema });
export const DiscardRequestSchema = z.strictObject({
  orderId: OrderIdSchema,
  reason: NonEmptyText(500),
});

export const ExportRequestSchema = z.strictObject({
  state: z.enum(['pending', 'attention', 'synced', 'all']).default('all'),
  format: z.enum(['csv', 'json']).default('csv'),
  /** Needed when a store PIN is set. */
  pin: StorePinSchema.optional(),
});
export type ExportRequest = z.input<typeof ExportRequestSchema>;
export const ExportResponseSchema = z.object({
  filename: z.string(),
  mimeType: z.string(),
  content: z.string(),
});
export type ExportResponse = z.infer<typeof ExportResponseSchema>;

export const ReferralCheckRequestSchema = z.strictObject({
  customer: z
    .strictObject({ mobile: MobileInputSchema.optional(), customerId: CustomerIdSchema.optional() })
    .refine((c) => c.mobile !== undefined || c.customerId !== undefined, {
      message: 'A customer needs a mobile number or a scanned Gameball id.',
      path: ['mobile'],
    }),
  referrerCode: ReferrerCodeSchema,
});
export type ReferralCheckRequest = z.input<typeof ReferralCheckRequestSchema>;
/** Online advice only: it never blocks a capture ('offline' means "capture now, checked later"). */
export const ReferralCheckSchema = z.object({
  status: z.enum(['ok', 'invalid', 'self', 'already-customer', 'not-first-purchase', 'offline']),
  message: z.string(),
  /** The code as it would be captured (extracted from a link). */
  referrerCode: z.string().optional(),
});
export type ReferralCheck = z.infer<typeof ReferralCheckSchema>;

export const SyncStatusSchema = z.object({
  counts: z.object({
    pending: z.number().int(),
    sending: z.number().int(),
    synced: z.number().int(),
    attention: z.number().int(),
    discarded: z.number().int(),
  }),
  /** Refunds per state, when the engine reports them. */
  refundCounts: z
    .object({
      pending: z.number().int(),
      sending: z.number().int(),
      synced: z.number().int(),
      attention: z.number().int(),
      discarded: z.number().int(),
    })
    .optional(),
  /** Age of the oldest order or refund not yet synced; null when none. */
  oldestPendingAgeMs: z.number().nullable(),
  lastSuccessAt: z.string().nullable(),
  /** The last failed Gameball call: `code` is Gameball's error code when it sent one. */
  lastError: z.object({ code: z.string().optional(), message: z.string(), at: z.string().optional() }).nullable(),
  online: z.boolean(),
  training: z.boolean(),
  /** The till's clock minus Gameball's in ms (positive: ahead); null when unknown. See clock-advice.ts. */
  clockSkewMs: z.number().nullable().optional(),
  /** When the skew was measured (the till's clock). */
  clockCheckedAt: z.string().nullable().optional(),
  /** How far the till's clock reads before the newest order, refund or call it recorded (0: it did not go back). */
  clockWentBackMs: z.number().optional(),
});
export type SyncStatus = z.infer<typeof SyncStatusSchema>;

export const ScannerModeSchema = z.enum(['auto', 'hidpos', 'keyboard', 'off']);
export type ScannerMode = z.infer<typeof ScannerModeSchema>;

/** Settings as the screen sees them. Keys are write-only: only whether each one is set. */
export const SettingsSchema = z.object({
  tillId: z.string(),
  storeId: z.string().nullable(),
  storeName: z.string().nullable(),
  branchId: z.string().nullable(),
  branchName: z.string().nullable(),
  currency: z.string(),
  country: z.string(),
  apiVersion: ApiVersionSchema,
  language: LanguageSchema,
  referralParams: z.array(z.string()),
  customerIdPrefixes: z.array(z.string()),
  receiptPattern: z.string().nullable(),
  /** prefix/suffix: the frame a keyboard-mode scanner sends around each code (null: none). */
  scanner: z.object({
    mode: ScannerModeSchema,
    deviceId: z.string().nullable(),
    prefix: z.string().nullable().optional(),
    suffix: z.string().nullable().optional(),
  }),
  kiosk: z.boolean(),
  startAtLogin: z.boolean(),
  /**
   * Whether each key is usable here; `*Unreadable`: stored, but this computer cannot read it (set in
   * another program, or a key store that lost its key): the till stays live and its orders wait.
   */
  keys: z.object({
    apiKeySet: z.boolean(),
    secretKeySet: z.boolean(),
    apiKeyUnreadable: z.boolean().optional(),
    secretKeyUnreadable: z.boolean().optional(),
  }),
  /** A store PIN guards export and key changes (never the PIN or its hash, only whether one is set). */
  storePinSet: z.boolean(),
});
export type Settings = z.infer<typeof SettingsSchema>;

export const SettingsPatchSchema = z.strictObject({
  tillId: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, { message: 'A till id is 1-32 letters, digits, "-" or "_".' })
    .optional(),
  storeId: NonEmptyText(100).nullable().optional(),
  storeName: NonEmptyText(200).nullable().optional(),
  branchId: NonEmptyText(100).nullable().optional(),
  branchName: NonEmptyText(200).nullable().optional(),
  currency: CurrencySchema.optional(),
  country: CountrySchema.optional(),
  apiVersion: ApiVersionSchema.optional(),
  language: LanguageSchema.optional(),
  referralParams: z.array(NonEmptyText(64)).max(32).optional(),
  customerIdPrefixes: z.array(NonEmptyText(64)).max(32).optional(),
  receiptPattern: NonEmptyText(200)
    .superRefine((p, ctx) => {
      const problem = receiptPatternProblem(p);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: `The receipt pattern is refused: ${problem}.` });
    })
    .nullable()
    .optional(),
  scanner: z
    .strictObject({
      mode: ScannerModeSchema.optional(),
      deviceId: NonEmptyText(300).nullable().optional(),
      prefix: z.string().min(1).max(8).nullable().optional(),
      suffix: z.string().min(1).max(8).nullable().optional(),
    })
    .optional(),
  kiosk: z.boolean().optional(),
  startAtLogin: z.boolean().optional(),
});
export type SettingsPatch = z.input<typeof SettingsPatchSchema>;

/**
 * A Gameball key as an HTTP header can carry it: the engine's rule (main/config/keys.ts),
 * re-declared here; a test keeps the two in step. The message never quotes the value.
 */
const GameballKeySchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._~+/=-]{8,256}$/, {
    message: 'A Gameball key is 8 to 256 letters, digits or - _ . ~ + / = (no spaces or line breaks): paste it again, as one line.',
  });

/** Write-only: a string sets the key, null clears it, absent leaves it as it is. */
export const SetKeysRequestSchema = z
  .strictObject({
    apiKey: GameballKeySchema.nullable().optional(),
    secretKey: GameballKeySchema.nullable().optional(),
    /** Needed when a store PIN is set. */
    pin: StorePinSchema.optional(),
  })
  .refine((k) => k.apiKey !== undefined || k.secretKey !== undefined, { message: 'Nothing to change.' });
export type SetKeysRequest = z.input<typeof SetKeysRequestSchema>;
/** After keys change: which are set, and the mode the till now runs in (keys can switch it). */
export const KeysStatusSchema = z.object({ apiKeySet: z.boolean(), secretKeySet: z.boolean(), training: z.boolean() });
export type KeysStatus = z.infer<typeof KeysStatusSchema>;

/** `settings:set-store-pin`: a new PIN, or null to remove it; `currentPin` when one is set. */
export const SetStorePinRequestSchema = z.strictObject({
  pin: StorePinSchema.nullable(),
  currentPin: StorePinSchema.optional(),
});
export type SetStorePinRequest = z.input<typeof SetStorePinRequestSchema>;
export const StorePinStatusSchema = z.object({ storePinSet: z.boolean() });

export const ConnectionTestSchema = z.object({ ok: z.boolean(), message: z.string() });
export type ConnectionTest = z.infer<typeof ConnectionTestSchema>;

// --- scans (re-declared from preload/scan-classify.ts; a test keeps the two compatible) -------

export const ScanKindSchema = z.enum(['customer', 'referral', 'product', 'receipt', 'unknown', 'rejected']);
export const ScanClassificationWireSchema = z.looseObject({
  kind: ScanKindSchema,
  text: z.string(),
  symbology: z.string().optional(),
  referrerCode: z.string().optional(),
  customerId: z.string().optional(),
  hash: z.string().optional(),
  reason: z.string().optional(),
  /** receipt: see ReceiptFieldsSchema in scan-classify.ts. */
  receiptKey: z.string().optional(),
  receiptNo: z.string().optional(),
  total: z.string().optional(),
  vatTotal: z.string().optional(),
  sellerName: z.string().optional(),
  vatNumber: z.string().optional(),
  time: z.string().optional(),
});
export const ScanSourceSchema = z.enum(['hidpos', 'keyboard', 'hid-keyboard', 'manual']);
export const ScanEventWireSchema = z.object({
  source: ScanSourceSchema,
  classification: ScanClassificationWireSchema,
  at: z.number(),
  deviceId: z.string().optional(),
});
export type ScanEventWire = z.infer<typeof ScanEventWireSchema>;

export const ScannerDeviceSchema = z.object({
  id: z.string(),
  vendorId: z.number().int(),
  productId: z.number().int(),
  product: z.string().optional(),
  manufacturer: z.string().optional(),
  usagePage: z.number().int().optional(),
  usage: z.number().int().optional(),
  /** What the device looks like: a HID POS scanner, a keyboard (wedge) or something else. */
  kind: z.enum(['hidpos', 'keyboard', 'other']),
});
export type ScannerDevice = z.infer<typeof ScannerDeviceSchema>;

export const ScannerStateSchema = z.object({
  state: z.enum(['connected', 'disconnected', 'error', 'disabled']),
  device: z.looseObject({ id: z.string().optional(), product: z.string().optional() }).optional(),
  /** For people, in English: what happened and what to do. */
  reason: z.string().optional(),
  /** Stable code for the screen to translate: connected, not-found, keyboard-mode, open-failed, device-lost, disabled. */
  code: z.string().optional(),
});
export type ScannerState = z.infer<typeof ScannerStateSchema>;

export const ScannerReportSchema = z.object({
  deviceId: z.string().optional(),
  /** The raw input report as lowercase hex, for the live view in settings. */
  hex: z.string(),
  at: z.number(),
});
export type ScannerReport = z.infer<typeof ScannerReportSchema>;

export const ScannerSelectRequestSchema = z.strictObject({
  /** null: no HID device (keyboard-wedge only). */
  deviceId: Text(500).nullable(),
});

/**
 * `scanner:submit-keyboard-scan`: the text the renderer's keyboard-wedge detector rebuilt from a
 * key burst. Main classifies it and pushes it as a `scan` event like a HID POS scan, so the screen
 * handles every scan in one place (the `scan` listener); the answer is that same event.
 */
export const KeyboardScanRequestSchema = z.strictObject({
  text: z.string().min(1, { message: 'Empty scan.' }).max(4096, { message: 'Scan too long.' }),
  source: z.enum(['keyboard', 'manual']).default('keyboard'),
});
export type KeyboardScanRequest = z.input<typeof KeyboardScanRequestSchema>;

export const AppNoticeSchema = z.object({
  code: z.string(),
  message: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
});
export type AppNotice = z.infer<typeof AppNoticeSchema>;

export const AppInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  /** Which shell serves the screen. */
  shell: z.enum(['electron', 'browser']),
  platform: z.string(),
  /** True: training mode, orders go to the built-in simulator only (show the banner). The mode
   *  when asked: saving or removing keys changes it while the till runs; `status` carries each change. */
  training: z.boolean(),
  dataDir: z.string(),
  /** Problems the till found (a damaged database set aside and recovered, one restored without its
   *  -wal, ...): show every one until the app restarts. `code` picks the sentence in the till's
   *  language; `message` is the full English account, for store IT. */
  notices: z.array(AppNoticeSchema),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

/** A downloaded update and what it waits for (main/update/gate.ts), for the status bar. */
export const UpdateStateSchema = z.object({
  state: z.enum(['none', 'downloading', 'ready', 'installing']),
  version: z.string().nullable(),
  waitingFor: z.enum(['sale-in-progress', 'sending', 'pending', 'outside-quiet-hours']).nullable(),
  /** IT forced it: it installs as soon as no sale is being entered. */
  forced: z.boolean(),
});
export type UpdateState = z.infer<typeof UpdateStateSchema>;

/** The checkout screen says whether a sale is being entered: an update never restarts the app then. */
export const SaleActivityRequestSchema = z.strictObject({ active: z.boolean() });

/** Channels that take no argument use this request schema. */
// ---- Spending points (holds) ---------------------------------------------------------------

/** `points:hold`: hold `points` of the identified customer's points for this sale (online only). */
export const HoldRequestSchema = z.strictObject({
  customer: z
    .strictObject({ mobile: MobileInputSchema.optional(), customerId: CustomerIdSchema.optional() })
    .refine((c) => c.mobile !== undefined || c.customerId !== undefined, {
      message: 'A customer needs a mobile number or a scanned Gameball id.',
      path: ['mobile'],
    }),
  points: z.number().int().min(1).max(100_000_000),
  /** The 6-digit hash of the customer's own Gameball QR, when the customer showed it. */
  hash: z
    .string()
    .regex(/^\d{6}$/)
    .optional(),
});
export type HoldRequest = z.input<typeof HoldRequestSchema>;

export const HoldViewSchema = z.object({
  holdReference: z.string(),
  customerId: z.string(),
  points: z.number().int(),
  /** The discount to apply on the main POS, in minor units of `currency`. */
  amountMinor: z.number().int(),
  currency: z.string(),
  state: z.enum(['held', 'attached', 'released', 'expired', 'dropped']),
  orderId: z.string().nullable(),
});
export type HoldView = z.infer<typeof HoldViewSchema>;

export const RedemptionViewSchema = z.object({
  holdReference: z.string(),
  points: z.number().int(),
  amountMinor: z.number().int(),
  currency: z.string(),
});
export type RedemptionView = z.infer<typeof RedemptionViewSchema>;

export const HoldRefSchema = z.strictObject({ holdReference: NonEmptyText(200) });

/** Whether Redeem works now; when not, why (the screen disables the button and says it). */
export const RedemptionAvailabilitySchema = z.object({
  available: z.boolean(),
  reason: z.enum(['offline', 'not-configured']).nullable(),
  message: z.string().nullable(),
});
export type RedemptionAvailability = z.infer<typeof RedemptionAvailabilitySchema>;

export const NoArgsSchema = z.undefined({ message: 'This call takes no arguments.' });
export const OkSchema = z.object({ ok: z.literal(true) });
export const CountSchema = z.object({ count: z.number().int() });

// --- sales from the store's POS (local API, folder import; main/integration) ----------------

/** The sale the POS sent without a customer: on the checkout screen until the cashier scans one. */
export const PendingSaleSchema = z.object({
  posSaleId: z.string(),
  receiptNo: z.string(),
  totalPaidMinor: z.number().int(),
  currency: z.string(),
  soldAt: z.string(),
  receivedAt: z.string(),
});
export type PendingSale = z.infer<typeof PendingSaleSchema>;

/** `sales:complete`: the customer the cashier scanned or typed for the pending sale. */
export const CompleteSaleRequestSchema = z
  .strictObject({
    posSaleId: NonEmptyText(100),
    mobile: MobileInputSchema.optional(),
    customerId: CustomerIdSchema.optional(),
    referrerCode: ReferrerCodeSchema.optional(),
  })
  .refine((r) => r.mobile !== undefined || r.customerId !== undefined, {
    message: 'Scan the customer or type their mobile number.',
    path: ['mobile'],
  });
export type CompleteSaleRequest = z.input<typeof CompleteSaleRequestSchema>;
export const PosSaleRefSchema = z.strictObject({ posSaleId: NonEmptyText(100) });

/** `integration:api-info` (Settings, for store IT): the local API's address and token; the store PIN first when one is set. */
export const ApiInfoRequestSchema = z.strictObject({ pin: StorePinSchema.optional() }).optional();
export const ApiInfoSchema = z.object({
  /** `http://127.0.0.1:PORT`, or null when the API is off or could not start. */
  url: z.string().nullable(),
  token: z.string(),
});
export type ApiInfo = z.infer<typeof ApiInfoSchema>;

// ---------------------------------------------------------------------------------------------
// Loyalty at the till: the customer panel, coupons, the reward preview (docs/loyalty.md).
// Online features: they never block a sale, and every answer says why when Gameball was not asked.

/** Why an online loyalty feature is off: Gameball not reachable, or the till not connected (no keys, no sync). */
export const LoyaltyOffReasonSchema = z.enum(['offline', 'not-connected']);
export type LoyaltyOffReason = z.infer<typeof LoyaltyOffReasonSchema>;

export const LoyaltyCustomerRequestSchema = z.strictObject({ customer: CustomerInputSchema });
export type LoyaltyCustomerRequest = z.input<typeof LoyaltyCustomerRequestSchema>;

export const LoyaltyTierSchema = z.object({ name: z.string(), order: z.number().nullable(), minProgress: z.number().nullable() });
export type LoyaltyTier = z.infer<typeof LoyaltyTierSchema>;

/** What Gameball said about a customer it knows. Money in minor units of `currency` (null: Gameball gave none). */
export const LoyaltyProfileSchema = z.object({
  name: z.string().nullable(),
  availablePoints: z.number(),
  availableValueMinor: z.number().int().nullable(),
  pendingPoints: z.number(),
  currency: z.string().nullable(),
  tier: LoyaltyTierSchema.nullable(),
  nextTier: LoyaltyTierSchema.nullable(),
  tierProgress: z.number().nullable(),
  referralCode: z.string().nullable(),
  referralLink: z.string().nullable(),
  referredCount: z.number().int().nullable(),
});
export type LoyaltyProfile = z.infer<typeof LoyaltyProfileSchema>;

/**
 * `loyalty:customer`. live: Gameball answered now. new: Gameball does not know the customer yet
 * (their first order registers them). cached: Gameball could not be asked; the last answer, with
 * its age (profile null: the customer was new then). unavailable: not asked and nothing cached.
 */
export const LoyaltyCustomerSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('live'), customerId: z.string(), profile: LoyaltyProfileSchema, fetchedAt: z.string() }),
  z.object({ status: z.literal('new'), customerId: z.string(), fetchedAt: z.string() }),
  z.object({
    status: z.literal('cached'),
    customerId: z.string(),
    profile: LoyaltyProfileSchema.nullable(),
    fetchedAt: z.string(),
    ageMs: z.number().int().min(0),
    reason: LoyaltyOffReasonSchema,
  }),
  z.object({ status: z.literal('unavailable'), customerId: z.string(), reason: LoyaltyOffReasonSchema }),
]);
export type LoyaltyCustomer = z.infer<typeof LoyaltyCustomerSchema>;

export const CouponLockRequestSchema = z.strictObject({
  customer: CustomerInputSchema,
  code: NonEmptyText(100),
  currency: CurrencySchema,
  /** The sale's amount so far, for coupons with a minimum order value. */
  totalMinor: MinorAmountSchema.optional(),
});
export type CouponLockRequest = z.input<typeof CouponLockRequestSchema>;

/**
 * `loyalty:coupon-lock`. locked: held for this sale until it is saved or cancelled (value: money
 * off in minor units, or percent). invalid: Gameball says it cannot be used (unknown, used,
 * expired, someone else's, below its minimum). unknown: the answer was lost; asking again is safe.
 * refused: Gameball refused the request (message says why). unavailable: not asked.
 */
export const CouponLockSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('locked'),
    code: z.string(),
    lockReference: z.string(),
    kind: z.enum(['fixed', 'percentage', 'other']),
    valueMinor: z.number().int().nullable(),
    percent: z.number().nullable(),
    expiresAt: z.string().nullable(),
  }),
  z.object({ status: z.literal('invalid'), code: z.string() }),
  z.object({ status: z.literal('unknown'), code: z.string() }),
  z.object({ status: z.literal('refused'), code: z.string(), message: z.string() }),
  z.object({ status: z.literal('unavailable'), code: z.string(), reason: LoyaltyOffReasonSchema }),
]);
export type CouponLock = z.infer<typeof CouponLockSchema>;

export const CouponUnlockRequestSchema = z.strictObject({ lockReference: NonEmptyText(200) });
/** `loyalty:coupon-unlock`. released; or not released now (the lock then lapses at Gameball by itself). */
export const CouponUnlockSchema = z.object({ status: z.enum(['released', 'failed', 'unavailable']) });
export type CouponUnlock = z.infer<typeof CouponUnlockSchema>;

export const LoyaltyPreviewRequestSchema = z.strictObject({
  customer: CustomerInputSchema,
  currency: CurrencySchema,
  totalPaidMinor: MinorAmountSchema,
  totalPriceMinor: MinorAmountSchema.optional(),
});
export type LoyaltyPreviewRequest = z.input<typeof LoyaltyPreviewRequestSchema>;
/** `loyalty:reward-preview`: the points this sale would earn, quoted by Gameball (read-only). */
export const LoyaltyPreviewSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ok'), points: z.number(), customerFound: z.boolean().nullable() }),
  z.object({ status: z.literal('unavailable'), reason: LoyaltyOffReasonSchema }),
]);
export type LoyaltyPreview = z.infer<typeof LoyaltyPreviewSchema>;

// ---------------------------------------------------------------------------------------------
// The channels

interface ChannelSpec<Req extends z.ZodType, Res extends z.ZodType, M extends string> {
  /** Name of the PosApi function for this channel. */
  method: M;
  request: Req;
  response: Res;
}
const channel = <Req extends z.ZodType, Res extends z.ZodType, M extends string>(
  spec: ChannelSpec<Req, Res, M>,
): ChannelSpec<Req, Res, M> => spec;

export const CHANNELS = {
  'orders:capture': channel({ method: 'captureOrder', request: OrderCaptureRequestSchema, response: CapturedOrderSchema }),
  'orders:list': channel({ method: 'listOrders', request: OrderListRequestSchema, response: OrderListResponseSchema }),
  'orders:get': channel({ method: 'getOrder', request: OrderRefSchema, response: OrderDetailSchema.nullable() }),
  'orders:retry': channel({ method: 'retryOrders', request: RetryRequestSchema, response: CountSchema }),
  'orders:edit-resend': channel({ method: 'editAndResendOrder', request: EditResendRequestSchema, response: OrderViewSchema }),
  'orders:discard': channel({ method: 'discardOrder', request: DiscardRequestSchema, response: OrderViewSchema }),
  'orders:export': channel({ method: 'exportOrders', request: ExportRequestSchema, response: ExportResponseSchema }),
  'orders:find-receipt': channel({ method: 'findReceipt', request: ReceiptLookupRequestSchema, response: ReceiptLookupSchema }),
  'refunds:capture': channel({ method: 'captureRefund', request: RefundCaptureRequestSchema, response: CapturedRefundSchema }),
  'referrals:check': channel({ method: 'checkReferral', request: ReferralCheckRequestSchema, response: ReferralCheckSchema }),
  'status:get': channel({ method: 'getStatus', request: NoArgsSchema, response: SyncStatusSchema }),
  'sync:run-now': channel({ method: 'syncNow', request: NoArgsSchema, response: OkSchema }),
  'settings:get': channel({ method: 'getSettings', request: NoArgsSchema, response: SettingsSchema }),
  'settings:update': channel({ method: 'updateSettings', request: SettingsPatchSchema, response: SettingsSchema }),
  'settings:set-keys': channel({ method: 'setKeys', request: SetKeysRequestSchema, response: KeysStatusSchema }),
  'settings:set-store-pin': channel({ method: 'setStorePin', request: SetStorePinRequestSchema, response: StorePinStatusSchema }),
  'settings:test-connection': channel({ method: 'testConnection', request: NoArgsSchema, response: ConnectionTestSchema }),
  'scanner:list-devices': channel({ method: 'listScannerDevices', request: NoArgsSchema, response: z.array(ScannerDeviceSchema) }),
  'scanner:get-state': channel({ method: 'getScannerState', request: NoArgsSchema, response: ScannerStateSchema }),
  'scanner:select': channel({ method: 'selectScanner', request: ScannerSelectRequestSchema, response: ScannerStateSchema }),
  'scanner:submit-keyboard-scan': channel({
    method: 'submitKeyboardScan',
    request: KeyboardScanRequestSchema,
    response: ScanEventWireSchema,
  }),
  'app:info': channel({ method: 'getAppInfo', request: NoArgsSchema, response: AppInfoSchema }),
  // ---- loyalty at the till ----
  'loyalty:customer': channel({ method: 'getLoyaltyCustomer', request: LoyaltyCustomerRequestSchema, response: LoyaltyCustomerSchema }),
  'loyalty:coupon-lock': channel({ method: 'lockCoupon', request: CouponLockRequestSchema, response: CouponLockSchema }),
  'loyalty:coupon-unlock': channel({ method: 'unlockCoupon', request: CouponUnlockRequestSchema, response: CouponUnlockSchema }),
  'loyalty:reward-preview': channel({ method: 'previewReward', request: LoyaltyPreviewRequestSchema, response: LoyaltyPreviewSchema }),
  // Spending points (holds) and the expired-hold choices.
  'points:availability': channel({ method: 'redemptionAvailability', request: NoArgsSchema, response: RedemptionAvailabilitySchema }),
  'points:hold': channel({ method: 'holdPoints', request: HoldRequestSchema, response: HoldViewSchema }),
  'points:release': channel({ method: 'releaseHold', request: HoldRefSchema, response: HoldViewSchema }),
  'orders:hold-again': channel({ method: 'holdAgain', request: OrderRefSchema, response: OrderViewSchema }),
  'orders:send-without-redemption': channel({ method: 'sendWithoutRedemption', request: OrderRefSchema, response: OrderViewSchema }),
  'app:sale-activity': channel({ method: 'setSaleActivity', request: SaleActivityRequestSchema, response: OkSchema }),
  'update:get-state': channel({ method: 'getUpdateState', request: NoArgsSchema, response: UpdateStateSchema }),
  // Sales from the store's POS (main/integration).
  'sales:pending': channel({ method: 'getPendingSale', request: NoArgsSchema, response: PendingSaleSchema.nullable() }),
  'sales:complete': channel({ method: 'completeSale', request: CompleteSaleRequestSchema, response: CapturedOrderSchema }),
  'sales:skip': channel({ method: 'skipSale', request: PosSaleRefSchema, response: OkSchema }),
  'integration:api-info': channel({ method: 'getApiInfo', request: ApiInfoRequestSchema, response: ApiInfoSchema }),
} as const;

export type Channels = typeof CHANNELS;
export type ChannelName = keyof Channels;
export const CHANNEL_NAMES = Object.keys(CHANNELS) as ChannelName[];

export const isChannelName = (name: unknown): name is ChannelName =>
  typeof name === 'string' && Object.prototype.hasOwnProperty.call(CHANNELS, name);

/** What the caller passes (before defaults are applied). */
export type RequestInput<C extends ChannelName> = z.input<Channels[C]['request']>;
/** What a handler receives (after parsing, defaults applied). */
export type RequestOf<C extends ChannelName> = z.output<Channels[C]['request']>;
export type ResponseOf<C extends ChannelName> = z.output<Channels[C]['response']>;

// ---------------------------------------------------------------------------------------------
// Pushed events (main -> screen)

export const EVENTS = {
  status: SyncStatusSchema,
  scan: ScanEventWireSchema,
  'scanner-state': ScannerStateSchema,
  'scanner-report': ScannerReportSchema,
  update: UpdateStateSchema,
  /** The newest sale from the POS waiting for its customer, or null once none waits. */
  'pending-sale': PendingSaleSchema.nullable(),
} as const;
export type Events = typeof EVENTS;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;
export const isEventName = (name: unknown): name is EventName =>
  typeof name === 'string' && Object.prototype.hasOwnProperty.call(EVENTS, name);

/** Electron ipc channel on which main pushes event `E` (kept apart from the request channels). */
export const eventIpcChannel = (event: EventName): string => `event:${event}`;

// ---------------------------------------------------------------------------------------------
// The API the screen holds: one async function per channel, plus `on` for events.

type MethodOf<C extends ChannelName> = Channels[C]['method'];
type CallOf<C extends ChannelName> = [RequestInput<C>] extends [undefined]
  ? () => Promise<Result<ResponseOf<C>>>
  : (request: RequestInput<C>) => Promise<Result<ResponseOf<C>>>;

export type PosApi = { readonly [C in ChannelName as MethodOf<C>]: CallOf<C> } & {
  /** Subscribes to a pushed event; returns the function that unsubscribes. */
  readonly on: <E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void) => () => void;
};

/** The name under which Electron's preload exposes the PosApi on `window`. */
export const POS_API_GLOBAL = 'posCompanion';

/**
 * Builds a PosApi from one `invoke(channel, request)` and one `subscribe(event, listener)`:
 * the preload and the browser transport both use it, so they cannot drift from the contract.
 */
export function buildPosApi(
  invoke: (channel: ChannelName, request: unknown) => Promise<Result<unknown>>,
  subscribe: (event: EventName, listener: (payload: unknown) => void) => () => void,
): PosApi {
  const api: Record<string, unknown> = {};
  for (const name of CHANNEL_NAMES) {
    const spec = CHANNELS[name];
    api[spec.method] = (request?: unknown) => invoke(name, request);
  }
  api.on = (event: EventName, listener: (payload: unknown) => void) => subscribe(event, listener);
  return api as PosApi;
}

// ---------------------------------------------------------------------------------------------
// Browser mode wire (renderer/transport <-> main/web over one WebSocket, JSON text frames)

/** Page -> server: one call. `id` pairs the answer; `request` omitted for no-argument channels. */
export const WsCallFrameSchema = z.strictObject({
  id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  channel: z.string().max(100),
  request: z.unknown().optional(),
});
export type WsCallFrame = z.infer<typeof WsCallFrameSchema>;

/** Server -> page: the answer to call `id` (id null when the frame could not be read at all). */
export const WsResultFrameSchema = z.object({
  id: z.number().int().nullable(),
  result: resultSchema(z.unknown()),
});
/** Server -> page: a pushed event. */
export const WsEventFrameSchema = z.object({
  event: z.string(),
  payload: z.unknown(),
});
export const WsServerFrameSchema = z.union([WsResultFrameSchema, WsEventFrameSchema]);
export type WsServerFrame = z.infer<typeof WsServerFrameSchema>;

/**
 * Browser mode session. `serve` prints `http://127.0.0.1:PORT/#token=T`: the token is in the
 * fragment, which browsers never send to a server. The page reads it, keeps it for the tab
 * (sessionStorage, so a reload keeps working), removes it from the address bar, and offers it
 * only on its own WebSocket upgrade, as the subprotocol `WS_TOKEN_PROTOCOL_PREFIX + T` next to
 * `WS_PROTOCOL`; the server answers with `WS_PROTOCOL` alone. The token is never a cookie: a
 * cookie for 127.0.0.1 would be sent to every other server on the machine. An older address
 * `/?token=T` is redirected to `/#token=T`.
 */
export const WS_PATH = '/ws';
export const WS_PROTOCOL = 'pos-companion.v1';
export const WS_TOKEN_PROTOCOL_PREFIX = 'pos-companion.token.';
/** Name of the token in the address's fragment (and in an older address's query). */
export const SESSION_TOKEN_QUERY = 'token';
