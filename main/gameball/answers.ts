// The shapes of Gameball's successful answers, one per endpoint the till calls, and the minimal
// evidence each must show before a 2xx counts as Gameball's answer. Parsing is lenient (extra
// fields are kept, optional ones may be missing, numbers may arrive as strings), but the body
// must be a JSON object carrying what only Gameball's answer carries: a captive portal, a proxy
// or another service that answers 200 must never pass for Gameball (see outcome.ts for what
// happens to an answer that fails these checks).
//
// Gameball's OpenAPI (v4.0) marks no field of these answers as required, so the evidence below
// is chosen per endpoint by what the answer is used for and what a wrong guess would cost:
//  - POST /orders: an object with `customerId`, `rewardedPoints` or `redeemedPoints` (the spec's
//    and the guides' answer always names them). Too strict costs one reconcile read: the order is
//    then confirmed from `GET /orders/{id}/transactions`. Too lenient would mark it synced unsent.
//  - POST /transactions/refund: an object with `refundTransactionId`, `gameballTransactionId`,
//    `refundAmount` or `refundEquivalentPoints`. Too strict costs a re-post with the same id, which
//    Gameball answers 9004 (taken as confirmation).
//  - POST /customers: any JSON object (the spec documents only `gameballId`). The upsert is safe
//    to repeat, and a stricter rule that Gameball's real answer failed would hold the customer's
//    first order back forever; a web page, an empty or cut answer still fails.
//  - GET /orders/{id}/transactions: an object with a `transactions` list or a `count`. This read
//    decides whether an order is posted again, so an object that says neither is not "nothing
//    recorded".
//  - GET /customers/{id}: an object with `customerId` or `gameballId` (a profile names its customer).
//  - GET /referrals/validate: an object with a boolean `isValid`.
//  - POST /transactions/hold: an object with a `holdReference` (the one thing the till keeps; an
//    answer without it cannot be used, so it is an unknown outcome: nothing spends a hold the
//    till never learnt of, and an unused hold is released by Gameball when it expires).
//  - GET /transactions/hold/{ref}: an object with a `state` (the look-up decides whether an order
//    may still redeem it).
//  - DELETE /transactions/hold/{ref}: any JSON object (releasing is safe to repeat).
import { z } from 'zod';
import { GAMEBALL_CODES } from './outcome.ts';
import type { GameballResult } from './outcome.ts';

const Num = z.union([
  z.number(),
  z
    .string()
    .regex(/^-?\d+(\.\d+)?$/)
    .transform(Number),
]);
const Id = z.union([z.number(), z.string()]);

/** True when `value` has at least one of `keys` with a value other than null/undefined. */
function hasAny(value: Record<string, unknown>, keys: readonly string[]): boolean {
  return keys.some((k) => value[k] !== undefined && value[k] !== null);
}

/** The refinement that demands the evidence: one of `keys` present. */
function evidence(keys: readonly string[]): [(v: Record<string, unknown>) => boolean, { message: string }] {
  return [(v) => hasAny(v, keys), { message: `none of ${keys.join(', ')}` }];
}

export const TrackOrderAnswerSchema = z
  .object({ customerId: z.string().nullish(), rewardedPoints: Num.nullish(), redeemedPoints: Num.nullish() })
  .loose()
  .refine(...evidence(['customerId', 'rewardedPoints', 'redeemedPoints']));
export type TrackOrderAnswer = z.infer<typeof TrackOrderAnswerSchema>;

export const RefundAnswerSchema = z
  .object({
    refundTransactionId: z.string().nullish(),
    gameballTransactionId: Id.nullish(),
    refundAmount: Num.nullish(),
    refundEquivalentPoints: Num.nullish(),
  })
  .loose()
  .refine(...evidence(['refundTransactionId', 'gameballTransactionId', 'refundAmount', 'refundEquivalentPoints']));
export type RefundAnswer = z.infer<typeof RefundAnswerSchema>;

export const UpsertCustomerAnswerSchema = z.object({ gameballId: Id.nullish() }).loose();
export type UpsertCustomerAnswer = z.infer<typeof UpsertCustomerAnswerSchema>;

export const OrderTransactionSchema = z
  .object({
    transactionId: z.string().nullish(),
    transactionType: z.string().nullish(),
    equivalentPoints: Num.nullish(),
    amount: Num.nullish(),
    gameballTransactionId: Id.nullish(),
  })
  .loose();
export const OrderTransactionsSchema = z
  .object({ transactions: z.array(OrderTransactionSchema).nullish(), count: z.number().nullish() })
  .loose()
  .refine(...evidence(['transactions', 'count']))
  .transform((v) => ({ ...v, transactions: v.transactions ?? [] }));
export type OrderTransactions = z.infer<typeof OrderTransactionsSchema>;

export const CustomerAnswerSchema = z
  .object({
    customerId: z.string().nullish(),
    gameballId: Id.nullish(),
    referralCode: z.string().nullish(),
    referralLink: z.string().nullish(),
    isReferred: z.boolean().nullish(),
  })
  .loose()
  .refine(...evidence(['customerId', 'gameballId']));
export type CustomerAnswer = z.infer<typeof CustomerAnswerSchema>;

export const HoldAnswerSchema = z
  .object({
    customerId: z.string().nullish(),
    holdReference: z.string().min(1),
    holdAmount: Num.nullish(),
    holdEquivalentPoints: Num.nullish(),
  })
  .loose();
export type HoldAnswer = z.infer<typeof HoldAnswerSchema>;

export const HoldDetailsSchema = z
  .object({
    customerId: z.string().nullish(),
    holdAmount: Num.nullish(),
    holdEquivalentPoints: Num.nullish(),
    /** Gameball: Active, Expired or Used (any case). */
    state: z.string().transform((v) => v.toLowerCase()),
    dateToExpire: z.string().nullish(),
  })
  .loose();
export type HoldDetails = z.infer<typeof HoldDetailsSchema>;

export const HoldReleaseAnswerSchema = z.object({ success: z.boolean().nullish(), message: z.string().nullish() }).loose();
export type HoldReleaseAnswer = z.infer<typeof HoldReleaseAnswerSchema>;

export const ReferralValidationSchema = z.object({ isValid: z.boolean() }).loose();
export type ReferralValidation = z.infer<typeof ReferralValidationSchema>;

/**
 * Gameball's own 404 for an unknown order (code 9005) on `GET /orders/{id}/transactions` means it
 * has recorded nothing for the order: an answer (an empty list), not a failure. Any other 404 (a
 * proxy's page, an unknown path) stays what it is.
 */
export function notFoundAsNoTransactions(res: GameballResult<OrderTransactions>): GameballResult<OrderTransactions> {
  if (res.httpStatus !== 404 || res.code !== GAMEBALL_CODES.orderNotFound) return res;
  return { ...res, kind: 'ok', cause: 'ok', value: { transactions: [], count: 0 } };
}
