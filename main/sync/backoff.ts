// Capped exponential backoff with full jitter: the delay before retry n is uniform in
// [0, min(cap, base * 2^(n-1))). Full jitter spreads a crowd of tills (or rows) that failed
// together, so they do not come back in lockstep. Pure: the random source is passed in.

export interface BackoffPolicy {
  /** Upper bound of the first retry's delay. */
  baseMs: number;
  /** No delay ever exceeds this. */
  capMs: number;
  /** Lower bound of every delay, so a flapping error cannot spin the loop. */
  minMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 5 * 60_000, minMs: 250 };

/** Upper bound of the delay before retry `attempt` (1-based), before jitter. */
export function backoffCeiling(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const n = Math.max(1, Math.floor(attempt));
  // 2^(n-1) overflows to Infinity for large n; min() keeps it at the cap.
  const raw = policy.baseMs * 2 ** Math.min(n - 1, 1_000);
  return Math.max(policy.minMs, Math.min(policy.capMs, raw));
}

/** The delay before retry `attempt`; `random` returns [0, 1). */
export function backoffDelay(attempt: number, random: () => number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const ceiling = backoffCeiling(attempt, policy);
  const r = random();
  const unit = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1) : 0;
  return Math.max(policy.minMs, Math.floor(unit * ceiling));
}
