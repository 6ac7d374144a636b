// The simulator's enforcement of Gameball's per-account rate limits (main/gameball/rate-limits.ts).
// Sliding windows over the accepted requests of each group; a refused request does not count.
import { GAMEBALL_RATE_LIMITS } from '../gameball/rate-limits.ts';
import type { RateGroup, RateLimit, RateLimits } from '../gameball/rate-limits.ts';

/**
 * `{ perSecond, per30s }` sets every group except customer reads (which keep Gameball's higher
 * limit unless `customerReads` is given); `groups` overrides single groups.
 */
export interface RateLimitOption extends RateLimit {
  customerReads?: RateLimit;
  groups?: Partial<RateLimits>;
}

export function resolveRateLimits(opt: RateLimitOption | false | undefined): RateLimits | false {
  if (opt === false) return false;
  if (opt === undefined) return GAMEBALL_RATE_LIMITS;
  const base: RateLimit = { perSecond: opt.perSecond, per30s: opt.per30s };
  return {
    orders: base,
    customerWrites: base,
    customerReads: opt.customerReads ?? GAMEBALL_RATE_LIMITS.customerReads,
    transactions: base,
    others: base,
    ...opt.groups,
  };
}

export class RateLimiter {
  private readonly accepted = new Map<RateGroup, number[]>();

  constructor(private limits: RateLimits | false) {}

  setLimits(limits: RateLimits | false): void {
    this.limits = limits;
  }

  /** The limits in force (false: none). */
  current(): RateLimits | false {
    return this.limits;
  }

  /** Records the request and returns true when it fits both windows of its group. */
  admit(group: RateGroup, now: number): boolean {
    if (this.limits === false) return true;
    const limit = this.limits[group];
    let times = this.accepted.get(group);
    if (!times) {
      times = [];
      this.accepted.set(group, times);
    }
    // Drop what left the 30 s window (the log holds at most per30s entries).
    let drop = 0;
    while (drop < times.length && (times[drop] as number) <= now - 30_000) drop += 1;
    if (drop > 0) times.splice(0, drop);
    if (times.length >= limit.per30s) return false;
    let lastSecond = 0;
    for (let i = times.length - 1; i >= 0 && (times[i] as number) > now - 1_000; i -= 1) lastSecond += 1;
    if (lastSecond >= limit.perSecond) return false;
    times.push(now);
    return true;
  }

  /**
   * After a refusal: milliseconds until a request of `group` would fit both windows again, assuming
   * nothing else is admitted meanwhile (what the simulator's 429 says in Retry-After).
   */
  retryAfterMs(group: RateGroup, now: number): number {
    if (this.limits === false) return 0;
    const limit = this.limits[group];
    const times = (this.accepted.get(group) ?? []).filter((t) => t > now - 30_000);
    let wait = 0;
    if (times.length >= limit.per30s) wait = Math.max(wait, (times[times.length - limit.per30s] as number) + 30_000 - now);
    const lastSecond = times.filter((t) => t > now - 1_000);
    if (lastSecond.length >= limit.perSecond)
      wait = Math.max(wait, (lastSecond[lastSecond.length - limit.perSecond] as number) + 1_000 - now);
    return Math.max(0, wait);
  }

  clear(): void {
    this.accepted.clear();
  }
}
