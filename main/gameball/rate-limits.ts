// Gameball's documented per-account rate limits: per resource group, two sliding windows (per
// second and per 30 s). One definition for both sides of the contract: the sync engine's
// client-side limiter stays under them, the simulator enforces them.

export type RateGroup = 'orders' | 'customerWrites' | 'customerReads' | 'transactions' | 'others';

export interface RateLimit {
  perSecond: number;
  per30s: number;
}
export type RateLimits = Record<RateGroup, RateLimit>;

/** Gameball's documented limits per account. */
export const GAMEBALL_RATE_LIMITS: RateLimits = {
  orders: { perSecond: 30, per30s: 360 },
  customerWrites: { perSecond: 30, per30s: 360 },
  customerReads: { perSecond: 100, per30s: 1_200 },
  transactions: { perSecond: 30, per30s: 360 },
  others: { perSecond: 30, per30s: 360 },
};
