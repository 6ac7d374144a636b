// Request schemas for the endpoints the simulator serves, written from Gameball's OpenAPI v4.0
// (`UpsertCustomerRequest`, `trackOrder`, `/transactions/refund`, `/batch/orders`) plus the
// rules its prose adds (non-negative amounts, `extra` values string or number, UTC timestamps).
// Unknown keys pass through, as they do at Gameball. `referrerCode` on an order is absent from
// the spec but shown by the POS referral guide, so it is accepted (see README).
import { z } from 'zod';

const amount = z.number().nonnegative();
const extraValues = z.record(z.string(), z.union([z.string(), z.number()]));
const channel = z.enum(['mobile', 'pos', 'web', 'callcenter']);
/** ISO 8601 with a zone (Z or offset); milliseconds optional. */
const timestamp = z.iso.datetime({ offset: true });
const nonEmpty = z.string().min(1);

export const CustomerAttributesSchema = z.looseObject({
  displayName: z.string().optional(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  email: z.string().optional(),
  mobile: z.string().optional(),
  gender: z.string().optional(),
  dateOfBirth: z.string().optional(),
  joinDate: z.string().optional(),
  country: z.string().optional(),
  city: z.string().optional(),
  zip: z.string().optional(),
  preferredLanguage: z.string().optional(),
  source: z.string().optional(),
  utms: z.array(z.unknown()).optional(),
  devices: z.array(z.unknown()).optional(),
  paymentMethods: z.array(z.unknown()).optional(),
  totalSpent: z.number().optional(),
  lastOrderDate: z.string().optional(),
  totalOrders: z.number().int().optional(),
  avgOrderAmount: z.number().optional(),
  channel: channel.optional(),
  custom: z.record(z.string(), z.unknown()).optional(),
});

export const UpsertCustomerSchema = z.looseObject({
  customerId: nonEmpty,
  email: z.string().optional(),
  mobile: z.string().optional(),
  deviceToken: z.string().optional(),
  osType: z.string().optional(),
  customerAttributes: CustomerAttributesSchema.optional(),
  referrerCode: z.string().optional(),
  guest: z.boolean().optional(),
});
export type UpsertCustomer = z.infer<typeof UpsertCustomerSchema>;

export const GameballLineItemSchema = z.looseObject({
  productId: z.string().optional(),
  quantity: amount.optional(),
  price: amount.optional(),
  sku: z.string().optional(),
  tags: z.array(z.string()).optional(),
  category: z.array(z.string()).optional(),
  weight: z.number().optional(),
  vendor: z.string().optional(),
  collection: z.array(z.string()).optional(),
  title: z.string().optional(),
  taxes: amount.optional(),
  discount: amount.optional(),
  extra: extraValues.optional(),
});
export type LineItem = z.infer<typeof GameballLineItemSchema>;

const MerchantSchema = z.looseObject({
  uniqueId: z.string().optional(),
  name: z.string().optional(),
  branch: z.looseObject({ uniqueId: z.string().optional(), name: z.string().optional() }).optional(),
});

export const TrackOrderSchema = z.looseObject({
  customerId: nonEmpty,
  email: z.string().optional(),
  mobile: z.string().optional(),
  orderId: nonEmpty,
  orderDate: timestamp,
  totalPaid: amount,
  totalPrice: amount.optional(),
  totalDiscount: amount.optional(),
  totalShipping: amount.optional(),
  totalTax: amount.optional(),
  lineItems: z.array(GameballLineItemSchema).optional(),
  redemption: z
    .looseObject({
      pointsHoldReference: z.string().optional(),
      couponsLockReference: z.string().optional(),
      couponCodes: z.array(z.string()).optional(),
    })
    .optional(),
  extra: extraValues.optional(),
  merchant: MerchantSchema.optional(),
  guest: z.boolean().optional(),
  channel: channel.optional(),
  cartId: z.string().optional(),
  cashbackConfigurations: z.looseObject({ returnWindow: z.number().int().min(0).max(7300).optional() }).optional(),
  referrerCode: z.string().optional(),
});
export type TrackOrder = z.infer<typeof TrackOrderSchema>;

export const RefundSchema = z.looseObject({
  customerId: nonEmpty,
  email: z.string().optional(),
  mobile: z.string().optional(),
  refundTransactionId: nonEmpty,
  reverseTransactionId: nonEmpty,
  transactionTime: timestamp,
  /** Omitted or null: full refund. */
  refundAmount: z.number().positive().nullable().optional(),
  merchant: z
    .looseObject({
      uniqueId: z.string().optional(),
      name: z.string().optional(),
      branch: z.looseObject({ uniqueId: z.string(), name: z.string().optional() }).optional(),
    })
    .optional(),
  lineItems: z.array(GameballLineItemSchema).optional(),
});
export type Refund = z.infer<typeof RefundSchema>;

/** `POST /transactions/hold`: exactly one of pointsToHold / amountToHold (ruleId is not simulated). */
export const HoldPointsBodySchema = z.looseObject({
  customerId: nonEmpty,
  email: z.string().optional(),
  mobile: z.string().optional(),
  transactionTime: timestamp,
  otp: z.string().optional(),
  ignoreOTP: z.boolean().optional(),
  amountToHold: z.number().positive().nullable().optional(),
  pointsToHold: z.number().int().positive().nullable().optional(),
  ruleId: z.string().optional(),
  hash: z.string().optional(),
});
export type HoldPointsBody = z.infer<typeof HoldPointsBodySchema>;

/** One item of `POST /batch/orders`: the spec's item schema has only these four fields (no referrerCode). */
export const BatchOrderItemSchema = TrackOrderSchema.omit({ referrerCode: true });

export const MAX_BATCH_ITEMS = 1000;

// The batch bodies themselves (`{ "body": [...] }` or a bare array, 1 to MAX_BATCH_ITEMS items)
// are checked by `batchItems` in server.ts, which names the limit and the count in its error.

// ---- loyalty at the till: coupons and the reward preview ---------------------------------------

/** `POST /coupons/validate` (`lock` reserves the coupons for `lockDuration` minutes). */
export const CouponValidateSchema = z.looseObject({
  customerId: nonEmpty,
  email: z.string().optional(),
  mobile: z.string().optional(),
  coupons: z.array(z.string()),
  lock: z.boolean().optional(),
  lockReference: z.string().optional(),
  lockDuration: z.number().int().positive().optional(),
  merchantId: z.string().optional(),
  collectionId: z.string().optional(),
  collectionsIds: z.array(z.string()).optional(),
  totalPurchaseAmount: z.number().optional(),
});

/** `POST /coupons/burn`: exactly one of `coupons` or `lockReference`. */
export const CouponBurnSchema = z.looseObject({
  customerId: nonEmpty,
  email: z.string().optional(),
  mobile: z.string().optional(),
  transactionId: z.string().optional(),
  transactionTime: timestamp.optional(),
  coupons: z.array(z.string()).optional(),
  lockReference: z.string().optional(),
});

/** `POST /orders/reward-preview`: only `totalPaid` is required. */
export const RewardPreviewSchema = z.looseObject({
  customerId: z.string().max(100).optional(),
  email: z.string().optional(),
  mobile: z.string().optional(),
  totalPaid: amount,
  totalPrice: amount.optional(),
  totalDiscount: amount.optional(),
  totalShipping: amount.optional(),
  totalTax: amount.optional(),
  lineItems: z.array(GameballLineItemSchema).optional(),
  merchant: MerchantSchema.optional(),
  channel: z.string().optional(),
  extra: z.record(z.string(), z.unknown()).optional(),
});
