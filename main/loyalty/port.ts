// What the till asks Gameball for the loyalty moment at the checkout, as the engine sees it: plain
// answers and a reason when there is none. Implemented over the Gameball client by the sync part
// (main/sync/loyalty-link.ts), so the engine and this folder load no HTTP code.

/** An answer, or why there is none. */
export type LoyaltyCall<T> =
  | { ok: true; value: T }
  /**
   * offline: no answer (network, timeout, Gameball's 5xx or 429): nothing changed, or a read.
   * unknown: a write whose answer was lost: it may have happened.
   * not-found: Gameball's own 404 (an unknown customer).
   * refused: Gameball answered with an error a person must read (`message`).
   */
  | { ok: false; kind: 'offline' | 'unknown' | 'not-found' | 'refused'; message: string };

export interface GameballCustomer {
  name: string | null;
  referralCode: string | null;
  referralLink: string | null;
}

export interface GameballBalance {
  availablePoints: number;
  /** Decimal money, as Gameball sends it. */
  availableValue: number | null;
  pendingPoints: number;
  currency: string | null;
}

export interface GameballTier {
  name: string;
  order: number | null;
  minProgress: number | null;
}

export interface GameballTierProgress {
  current: GameballTier | null;
  next: GameballTier | null;
  progress: number | null;
}

export interface GameballCouponLock {
  valid: boolean;
  lockReference: string | null;
  expiresAt: string | null;
  coupon: { code: string; type: string | null; value: number | null } | null;
}

export interface LoyaltyPort {
  customer(customerId: string, signal: AbortSignal): Promise<LoyaltyCall<GameballCustomer>>;
  balance(customerId: string, signal: AbortSignal): Promise<LoyaltyCall<GameballBalance>>;
  tierProgress(customerId: string, signal: AbortSignal): Promise<LoyaltyCall<GameballTierProgress>>;
  referralsCount(customerId: string, signal: AbortSignal): Promise<LoyaltyCall<number>>;
  /** `POST /coupons/validate` with `lock: true`; `totalPurchaseAmount` decimal. */
  lockCoupon(
    req: { customerId: string; mobile?: string | undefined; code: string; totalPurchaseAmount?: number | undefined },
    signal: AbortSignal,
  ): Promise<LoyaltyCall<GameballCouponLock>>;
  releaseCoupon(lockReference: string, signal: AbortSignal): Promise<LoyaltyCall<true>>;
  /** `POST /orders/reward-preview`; amounts decimal. */
  rewardPreview(
    req: { customerId: string; mobile?: string | undefined; totalPaid: number; totalPrice?: number | undefined },
    signal: AbortSignal,
  ): Promise<LoyaltyCall<{ points: number; customerFound: boolean | null }>>;
}
