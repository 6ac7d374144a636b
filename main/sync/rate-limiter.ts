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
//
// The account's budget is shared by all its tills: each group also has a SharedBudget
// (shared-budget.ts), the share of the limit this till allows itself, learnt from 429s. The share
// scales both windows; a lone till keeps share 1 and the full limit.

import { GAMEBALL_RATE_LIMITS } from '../gameball/rate-limits.ts';
import type { RateGroup, RateLimit, RateLimits } from '../gameball/rate-limits.ts';
import { DEFAULT_SHARED_BUDGET, SharedBudget } from './shared-budget.ts';
import type { SharedBudgetPolicy } from './shared-budget.ts';

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
  private perSecond: number;
  private per30s: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly marginMs: number,
  ) {
    if (!(limit.perSecond >= 1 && limit.per30s >= 1)) throw new RangeError('Rate limits must allow at least one request.');
    this.perSecond = limit.perSecond;
    this.per30s = limit.per30s;
  }

  /** Allows only `share` (0..1] of the limit in both windows, never less than one request. */
  setShare(share: number): void {
    const s = Number.isFinite(share) ? Math.min(1, Math.max(0, share)) : 1;
    this.perSecond = Math.max(1, Math.floor(this.limit.perSecond * s));
    this.per30s = Math.max(1, Math.floor(this.limit.per30s * s));
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
    if (n >= this.per30s) {
      const oldest = this.sent[n - this.per30s] as number;
      wait = Math.max(wait, oldest + WINDOW_MS + this.marginMs - now);
    }
    if (n >= this.perSecond) {
      const oldest = this.sent[n - this.perSecond] as number;
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
   * The request taken at `sentAt` was answered (or given up) at `now`: it is counted from `now`
   * instead. Gameball counted it when it arrived, somewhere between the two, so the later time is
   * the safe one: a slow first request (a new connection, a busy till) cannot make the next window
   * open early on our side and late on Gameball's.
   */
  settle(sentAt: number, now: number): void {
    if (!(now > sentAt)) return;
    let i = this.sent.lastIndexOf(sentAt);
    if (i < 0) return;
    this.sent.splice(i, 1);
    i = this.sent.length;
    while (i > 0 && (this.sent[i - 1] as number) > now) i -= 1;
    this.sent.splice(i, 0, now);
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
  /** How the share of the account's budget adapts (default DEFAULT_SHARED_BUDGET). */
  sharing?: Partial<SharedBudgetPolicy>;
  /** [0, 1): the jitter of the sharing rules (default Math.random). */
  random?: () => number;
}

/** What Gameball said about a request, as far as the limiter cares. */
export type RateAnswer = { rateLimited: false } | { rateLimited: true; retryAfterMs: number | null };

const GROUPS: readonly RateGroup[] = ['orders', 'customerWrites', 'customerReads', 'transactions', 'others'];

export class GameballRateLimiter {
  private readonly windows: Record<RateGroup, SlidingWindow>;
  private readonly budgets: Record<RateGroup, SharedBudget>;

  constructor(opts: RateLimiterOptions = {}) {
    const margin = opts.marginMs ?? 150;
    const limits: RateLimits = { ...GAMEBALL_RATE_LIMITS, ...opts.limits };
    const policy: SharedBudgetPolicy = { ...DEFAULT_SHARED_BUDGET, ...opts.sharing };
    const random = opts.random ?? Math.random;
    const window = (g: RateGroup) => new SlidingWindow(limits[g], margin);
    const budget = (g: RateGroup) => new SharedBudget(limits[g], random, policy);
    this.windows = {
      orders: window('orders'),
      customerWrites: window('customerWrites'),
      customerReads: window('customerReads'),
      transactions: window('transactions'),
      others: window('others'),
    };
    this.budgets = {
      orders: budget('orders'),
      customerWrites: budget('customerWrites'),
      customerReads: budget('customerReads'),
      transactions: budget('transactions'),
      others: budget('others'),
    };
  }

  take(group: RateGroup, now: number): number {
    const wait = this.delay(group, now);
    if (wait > 0) return wait;
    this.windows[group].take(now);
    this.budgets[group].sent(now);
    return 0;
  }

  /** How long until `group` has a free slot, without taking it. */
  delay(group: RateGroup, now: number): number {
    const wait = Math.max(this.windows[group].delay(now), this.budgets[group].delay(now));
    const budget = this.budgets[group];
    budget.wanting(now, wait > 0);
    this.windows[group].setShare(budget.share);
    return wait;
  }

  /**
   * Gameball's answer to a request of `group` sent at `sentAt` (any HTTP answer; a request that got
   * none tells nothing about the budget and is not reported). A 429 shrinks this till's share and
   * waits out Retry-After; any other answer grows the share back.
   */
  answered(group: RateGroup, sentAt: number, now: number, answer: RateAnswer): void {
    const budget = this.budgets[group];
    this.windows[group].settle(sentAt, now);
    if (answer.rateLimited) budget.rateLimited(sentAt, now, answer.retryAfterMs);
    else budget.admitted(sentAt, now);
    this.windows[group].setShare(budget.share);
  }

  /** A request of `group` sent at `sentAt` got no answer (lost, timed out, stopped). */
  unanswered(group: RateGroup, sentAt: number, now: number): void {
    this.windows[group].settle(sentAt, now);
    this.budgets[group].unanswered(sentAt);
  }

  /** The share of the account's limit this till allows itself in `group` (1: all of it). */
  share(group: RateGroup): number {
    return this.budgets[group].share;
  }

  /**
   * Coming online owing `owed` calls (see SharedBudget.comingOnline): returns how long to wait
   * before the first send (one draw for every group).
   */
  comingOnline(owed: number): number {
    let first = 0;
    for (const g of GROUPS) {
      const wait = this.budgets[g].comingOnline(owed);
      if (g === 'orders') first = wait;
      this.windows[g].setShare(this.budgets[g].share);
    }
    return first;
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
