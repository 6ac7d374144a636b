// The shapes of Gameball's answers to the loyalty calls the checkout makes (the customer panel,
// coupons, the reward preview), with the minimal evidence each must show before a 2xx counts as
// Gameball's answer (see answers.ts for why evidence is needed at all). Parsing is lenient: extra
// fields are kept, numbers may arrive as strings, optional fields may be missing.
//  - GET /customers/{id}/balance: one of the points balances.
//  - GET /customers/{id}/tier-progress: `current` or `progress`.
//  - GET /customers/{id}/referrals/count: `count`.
//  - POST /coupons/validate: a boolean `valid`.
//  - DELETE /coupons/{lockReference}: `success` or `releasedCoupons`.
//  - POST /orders/reward-preview: `totalPoints` or `cashback`.
import { z } from 'zod';

const Num = z.union([
  z.number(),
  z
    .string()
    .regex(/^-?\d+(\.\d+)?$/)
    .transform(Number),
]);

function hasAny(value: Record<string, unknown>, keys: readonly string[]): boolean {
  return keys.some((k) => value[k] !== undefined && value[k] !== null);
}
function evidence(keys: readonly string[]): [(v: Record<string, unknown>) => boolean, { message: string }] {
  return [(v) => hasAny(v, keys), { message: `none of ${keys.join(', ')}` }];
}

export const BalanceAnswerSchema = z
  .object({
    totalPointsBalance: Num.nullish(),
    availablePointsBalance: Num.nullish(),
    availablePointsValue: Num.nullish(),
    pendingPoints: Num.nullish(),
    pendingPointsValue: Num.nullish(),
    currency: z.string().nullish(),
    pointsName: z.string().nullish(),
  })
  .loose()
  .refine(...evidence(['availablePointsBalance', 'totalPointsBalance']));
export type BalanceAnswer = z.infer<typeof BalanceAnswerSchema>;

const TierAnswerSchema = z.object({ order: Num.nullish(), name: z.string().nullish(), minProgress: Num.nullish() }).loose();
export const TierProgressAnswerSchema = z
  .object({ current: TierAnswerSchema.nullish(), next: TierAnswerSchema.nullish(), progress: Num.nullish() })
  .loose()
  .refine(...evidence(['current', 'progress']));
export type TierProgressAnswer = z.infer<typeof TierProgressAnswerSchema>;

export const ReferralsCountAnswerSchema = z
  .object({ count: Num.nullish(), totalPending: Num.nullish(), totalActive: Num.nullish() })
  .loose()
  .refine(...evidence(['count']));
export type ReferralsCountAnswer = z.infer<typeof ReferralsCountAnswerSchema>;

export const CouponValidateAnswerSchema = z
  .object({
    valid: z.boolean(),
    coupons: z.array(z.object({ code: z.string().nullish(), type: z.string().nullish(), value: Num.nullish() }).loose()).nullish(),
    lockReference: z.string().nullish(),
    dateToExpire: z.string().nullish(),
  })
  .loose();
export type CouponValidateAnswer = z.infer<typeof CouponValidateAnswerSchema>;

export const CouponReleaseAnswerSchema = z
  .object({ success: z.boolean().nullish(), releasedCoupons: z.array(z.string()).nullish() })
  .loose()
  .refine(...evidence(['success', 'releasedCoupons']));
export type CouponReleaseAnswer = z.infer<typeof CouponReleaseAnswerSchema>;

export const RewardPreviewAnswerSchema = z
  .object({
    totalPoints: Num.nullish(),
    customerFound: z.boolean().nullish(),
    cashback: z.object({ totalPoints: Num.nullish() }).loose().nullish(),
  })
  .loose()
  .refine(...evidence(['totalPoints', 'cashback']));
export type RewardPreviewAnswer = z.infer<typeof RewardPreviewAnswerSchema>;
