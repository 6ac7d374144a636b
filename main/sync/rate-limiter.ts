// The client-side limiter that keeps a till under Gameball's per-account limits, so a backlog
// drains at the highest rate that never earns a 429. Each resource group has two sliding
// windows (per second and per 30 s) over the send times of this engine's requests.
//
// Why the windows are slightly wider than Gameball's: Gameball counts arrival times, we count
// send times; two requests sent exactly one window apart can arrive less than one window apart
// when the first was slower on the wire. `marginMs` absorbs that difference.
//
// Gameball's windows are per account, not per process: a sync that starts right after another one
// stopped (a restart, a killed process, `sync` after the app) must count what that one sent, or it
// bursts into the limit. `seed` takes those send times (from the audit table, see the engine).
//
// A clock set back must not stretch a wait: a send time later than `now` is counted as sent now, so
// no wait is longer than one window.

import { GAMEBALL_RATE_LIMITS } from '../gameball/rate-limits.ts';
import type { RateGroup, RateLimit, RateLimits } from '../gameball/rate-limits.ts';

/** Which limit a call counts against (Gameball's grouping). */
export function rateGroupOf(method: 'GET' | 'POST', path: string): RateGroup {
  if (method === 'POST' && path === '/orders') return 'orders';
  if (path.startsWith('/customers')) return method === 'GET' ? 'customerReads' : 'customerWrites';
  if (path.startsWith('/transactions') || /^\/orders\/[^/]+\/transactions$/.test(path)) return 'transactions';
  return 'others';
}

/** The longer of Gameball's two windows. */
const WINDOW_MS = 30_000;

/** Two sliding windows over send times. Pure apart from its own log; time is passed in. */
export class SlidingWindow {
  private readonly sent: number[] = [];
  private blockedUntil = 0;

  constructor(
    private readonly limit: RateLimit,
    private readonly marginMs: number,
  ) {
    if (!(limit.perSecond >= 1 && limit.per30s >= 1)) throw new RangeError('Rate limits must allow at least one request.');
  }

  private prune(now: number): void {
    for (let i = this.sent.length - 1; i >= 0 && (this.sent[i] as number) > now; i -= 1) this.sent[i] = now;
    if (this.blockedUntil > now + WINDOW_MS) this.blockedUntil = now + WINDOW_MS;
    const horizon = now - (WINDOW_MS + this.marginMs);
    let drop = 0;
    while (drop < this.sent.length && (this.sent[drop] as number) <= horizon) drop += 1;
    if (drop > 0) this.sent.splice(0, drop);
  }

  /** Milliseconds until one more request fits both windows (0: now). */
  delay(now: number): number {
    this.prune(now);
    let wait = Math.max(0, this.blockedUntil - now);
    const n = this.sent.length;
    if (n >= this.limit.per30s) {
      const oldest = this.sent[n - this.limit.per30s] as number;
      wait = Math.max(wait, oldest + WINDOW_MS + this.marginMs - now);
    }
    if (n >= this.limit.perSecond) {
      const oldest = this.sent[n - this.limit.perSecond] as number;
      wait = Math.max(wait, oldest + 1_000 + this.marginMs - now);
    }
    return wait > 0 ? wait : 0;
  }

  /** Takes a slot when one is free now (returns 0) or says how long to wait (nothing taken). */
  take(now: number): number {
    const wait = this.delay(now);
    if (wait === 0) this.sent.push(now);
    return wait;
  }

  /**
   * Counts requests another sync sent (epoch ms, any order): times later than `now` count as now,
   * times already out of the 30 s window are ignored.
   */
  seed(times: readonly number[], now: number): void {
    const horizon = now - (WINDOW_MS + this.marginMs);
    const add = times.filter((t) => Number.isFinite(t) && t > horizon).map((t) => Math.min(t, now));
    if (add.length === 0) return;
    this.sent.push(...add);
    this.sent.sort((a, b) => a - b);
    this.prune(now);
  }

  /** After a 429: nothing more from this group until `until`. */
  blockUntil(until: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, until);
  }

  /** Requests counted in the last 30 s (tests, status). */
  count(now: number): number {
    this.prune(now);
    return this.sent.length;
  }
}

export interface RateLimiterOptions {
  limits?: Partial<RateLimits>;
  /** Extra width of each window (default 150 ms). */
  marginMs?: number;
}

export class GameballRateLimiter {
  private readonly windows: Record<RateGroup, SlidingWindow>;

  constructor(opts: RateLimiterOptions = {}) {
    const margin = opts.marginMs ?? 150;
    const limits: RateLimits = { ...GAMEBALL_RATE_LIMITS, ...opts.limits };
    this.windows = {
      orders: new SlidingWindow(limits.orders, margin),
      customerWrites: new SlidingWindow(limits.customerWrites, margin),
      customerReads: new SlidingWindow(limits.customerReads, margin),
      transactions: new SlidingWindow(limits.transactions, margin),
      others: new SlidingWindow(limits.others, margin),
    };
  }

  take(group: RateGroup, now: number): number {
    return this.windows[group].take(now);
  }

  /** How long until `group` has a free slot, without taking it. */
  delay(group: RateGroup, now: number): number {
    return this.windows[group].delay(now);
  }

  blockUntil(group: RateGroup, until: number): void {
    this.windows[group].blockUntil(until);
  }

  /** See SlidingWindow.seed. */
  seed(group: RateGroup, times: readonly number[], now: number): void {
    this.windows[group].seed(times, now);
  }

  count(group: RateGroup, now: number): number {
    return this.windows[group].count(now);
  }
}
