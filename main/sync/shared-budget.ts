// How much of Gameball's per-account rate limit this till allows itself: its share, learnt from
// Gameball's answers alone, so the tills of one account converge on a fair split of the budget
// without talking to each other (the rule TCP uses to share a link: additive increase,
// multiplicative decrease). Pure: time and the random source are passed in.
//
// The rules:
//  - A till starts with the whole budget (share 1) and its full concurrency: alone on its account
//    it never meets a 429 and drains at the full limit as before. One that comes online owing much
//    (`slowStartFromCalls`) starts at `startShare` and doubles every second until its first 429.
//  - A 429 cuts the share (once per round: 429s to requests sent before the last cut say nothing
//    new) to the till's own part of the account's full window, within [deepestCut, decrease] times
//    the share, and the group waits for Gameball's `Retry-After` (1 s when there is none: Gameball
//    promises none) plus a random jitter, so the tills refused together do not come back together.
//    The first request after that wait goes alone, and then no more go at once than the share
//    needs: a till that meets a full account again learns it from one 429, not one per request out.
//  - Time spent wanting to send without a 429 grows the share additively (`increasePerSecond`,
//    jittered, doubling every `growthDoublingMs` of such time), up to 1: the same growth per second
//    for every till whatever its share, which is what makes the split fair over time; a till whose
//    neighbours have finished grows back to the whole budget.
//  - A till coming online waits a random moment before its first send (comingOnline), bounded by
//    `startSpreadMs` and by `startMsPerCall` per call owed (a lone till with a few orders barely
//    waits), so a chain's tills back from an outage do not all hit the account at once.
//
// The share scales both of Gameball's windows for the client-side limiter (rate-limiter.ts): with
// shares summing to 1 or less, the tills together stay inside both windows.
import type { RateLimit } from '../gameball/rate-limits.ts';

export interface SharedBudgetPolicy {
  /**
   * A till that comes online owing at least `slowStartFromCalls` calls starts with this share; it
   * doubles every second without a 429 up to 1 (slow start). One owing fewer starts with the whole
   * budget: what it sends cannot crowd an account.
   */
  startShare: number;
  slowStartFromCalls: number;
  /** After a 429 the share is at most this times itself ... */
  decrease: number;
  /** ... and at least this times itself (the cut is to the till's own part of the full window, within these bounds). */
  deepestCut: number;
  /** Share gained per second of sending without a 429 (right after a 429). */
  increasePerSecond: number;
  /** The growth speeds up the longer no 429 came: it doubles after this long. */
  growthDoublingMs: number;
  /** The share never goes below this (a till always keeps some budget). */
  minShare: number;
  /** Extra wait after a 429, on top of Retry-After: uniform in [0, retryJitterMs). */
  retryJitterMs: number;
  /** Wait after a 429 when Gameball sent no Retry-After. */
  defaultRetryAfterMs: number;
  /** Upper bound of the random delay before a till's first send. */
  startSpreadMs: number;
  /** ... and no more than this per call owed. */
  startMsPerCall: number;
  /** A request whose answer never came stops counting as out after this long. */
  answerTimeoutMs: number;
}

export const DEFAULT_SHARED_BUDGET: SharedBudgetPolicy = {
  startShare: 0.25,
  slowStartFromCalls: 30,
  decrease: 0.85,
  deepestCut: 0.25,
  increasePerSecond: 0.002,
  growthDoublingMs: 5_000,
  minShare: 0.02,
  retryJitterMs: 1_000,
  defaultRetryAfterMs: 1_000,
  startSpreadMs: 1_000,
  startMsPerCall: 10,
  answerTimeoutMs: 15_000,
};

/** Gameball's longer window. */
const WINDOW_MS = 30_000;
/** A Retry-After longer than this is taken as this (a wrong header must not stop a till for long). */
const MAX_RETRY_AFTER_MS = 60_000;
/** A gap between answers counts for growth up to this long: a till that was idle learnt nothing meanwhile. */
const MAX_GROWTH_GAP_MS = 5_000;

/** How often a request held back only by the requests out re-checks (their answers do not wake it). */
const OUT_POLL_MS = 10;

/** Requests out at once per request a second the share allows (about three round trips' worth). */
const OUT_PER_RATE = 0.15;

export class SharedBudget {
  private current = 1;
  /** Until the first 429 the share grows by doubling (a lone till reaches the whole budget in seconds). */
  private slowStart = false;
  /**
   * Whether this till holds back the requests out (in a slow start, or once it has met a 429): a
   * till that never met one keeps its full concurrency, as before the budget was shared.
   */
  private capped = false;
  /** The latest time seen: a clock set back shifts every time held here by the same step. */
  private lastNow = -Infinity;
  /** When the share last went down: a 429 to a request sent before then is the same round. */
  private decreasedAt = -Infinity;
  /** Whether the till was held back when it last wanted to send (the time since counts for growth). */
  private blocked = false;
  /** Time spent sending since the last 429 (idle time does not count). */
  private calmMs = 0;
  private grewAt: number | null = null;
  /** Send times of this till's requests Gameball counted (not 429s), over its longest window. */
  private readonly counted: number[] = [];
  /** Nothing is sent before this (a 429's wait). */
  private waitUntil = 0;
  /** Requests out (send times) and how many may be out at once: 1 after a 429, one more per counted answer. */
  private readonly out: number[] = [];
  private outCap = 1;

  constructor(
    private readonly limit: RateLimit,
    private readonly random: () => number,
    private readonly policy: SharedBudgetPolicy = DEFAULT_SHARED_BUDGET,
  ) {}

  /** The fraction of the account's limit this till allows itself now, in [minShare, 1]. */
  get share(): number {
    return this.current;
  }

  /** Milliseconds before the next request may go as far as the share's rules say (0: now). */
  delay(now: number): number {
    this.notice(now);
    const wait = Math.max(0, this.waitUntil - now);
    if (wait > 0 || !this.capped) return wait;
    this.expireOut(now);
    // Never more out than the share needs (a full window meets a few 429s, not one per request out).
    const cap = Math.min(this.outCap, Math.max(1, Math.round(this.current * this.limit.perSecond * OUT_PER_RATE)));
    return this.out.length >= cap ? OUT_POLL_MS : 0;
  }

  /** A request goes now (the caller checked `delay` is 0). */
  sent(now: number): void {
    this.notice(now);
    this.out.push(now);
  }

  /** A request sent at `sentAt` got no answer (lost, timed out, stopped): it is no longer out. */
  unanswered(sentAt: number): void {
    this.release(sentAt);
  }

  /**
   * Gameball answered a request sent at `sentAt`, not with a 429 (any answer that counted against
   * the account: a success, a refusal, a duplicate). Grows the share by the time since the last
   * growth: doubling per second in the slow start, else additively, faster the longer no 429 came.
   */
  admitted(sentAt: number, now: number): void {
    sentAt = this.notice(now, sentAt);
    this.release(sentAt);
    this.outCap += 1;
    this.counted.push(Math.min(sentAt, now));
    this.prune(now);
    this.grow(now);
    if (this.grewAt === null) this.grewAt = now;
  }

  /**
   * The till wants to send at `now` and `blocked` says whether it must wait (for its window or its
   * share). Time spent wanting to send counts for growth in full: a till whose share was cut below
   * what it already has in the 30 s window sends nothing for a while, and must still grow back.
   */
  wanting(now: number, blocked: boolean): void {
    this.notice(now);
    this.grow(now);
    this.blocked = blocked;
  }

  /** Grows the share for the time since the last growth (not while a 429's wait runs). */
  private grow(now: number): void {
    if (this.grewAt === null) return;
    const since = now - this.grewAt;
    if (since <= 0) return;
    this.grewAt = now;
    if (now < this.waitUntil) return;
    const gap = this.blocked ? since : Math.min(since, MAX_GROWTH_GAP_MS);
    if (this.slowStart) this.current = Math.min(1, this.current * 2 ** (gap / 1_000));
    else {
      this.calmMs += gap;
      const speed = this.policy.increasePerSecond * 2 ** Math.min(this.calmMs / this.policy.growthDoublingMs, 20);
      this.current = Math.min(1, this.current + ((speed * gap) / 1_000) * (0.5 + this.unit()));
    }
  }

  /**
   * Gameball answered 429 to a request sent at `sentAt`: the account's window is full, all tills
   * together. Once per round the share goes down to this till's own part of the full window (its
   * requests Gameball counted in it: its real part of the account right now, the quickest way to a
   * fair split), within [deepestCut, decrease] times the share. Returns when the next request may
   * go: Retry-After (or the default) plus jitter from now; that one goes alone.
   */
  rateLimited(sentAt: number, now: number, retryAfterMs: number | null): number {
    sentAt = this.notice(now, sentAt);
    this.release(sentAt);
    this.outCap = 1;
    this.slowStart = false;
    this.capped = true;
    const known = retryAfterMs !== null && Number.isFinite(retryAfterMs) && retryAfterMs >= 0;
    if (sentAt >= this.decreasedAt) {
      this.prune(now);
      const inSecond = this.counted.filter((t) => t > sentAt - 1_000).length / this.limit.perSecond;
      const in30s = this.counted.length / this.limit.per30s;
      // Retry-After over a second: the 30 s window is full, and this till's part of it is a good
      // measure of its share (30 s of traffic). The per-second window (or no Retry-After) says less:
      // the part of one second is noisy, so it only bounds the cut.
      const full30s = known && (retryAfterMs as number) > 1_000;
      const part = full30s ? in30s : !known ? Math.max(inSecond, in30s) : inSecond;
      const floor = full30s ? 0 : this.current * this.policy.deepestCut;
      const cut = Math.min(this.current * this.policy.decrease, Math.max(part, floor));
      this.current = Math.max(this.policy.minShare, cut);
      this.decreasedAt = now;
    }
    this.calmMs = 0;
    this.grewAt = null;
    const base = known ? (retryAfterMs as number) : this.policy.defaultRetryAfterMs;
    const until = now + Math.min(base, MAX_RETRY_AFTER_MS) + Math.floor(this.unit() * this.policy.retryJitterMs);
    this.waitUntil = Math.max(this.waitUntil, until);
    return this.waitUntil;
  }

  /**
   * Coming online owing `owed` calls: with a backlog, a slow start (see startShare). Returns how long
   * to wait before the first send: random, up to min(startSpreadMs, owed x startMsPerCall), so the
   * tills of a chain back from an outage do not all hit the account at once.
   */
  comingOnline(owed: number): number {
    if (owed >= this.policy.slowStartFromCalls && this.current === 1 && !this.capped) {
      this.current = Math.max(this.policy.minShare, Math.min(1, this.policy.startShare));
      this.slowStart = this.current < 1;
      this.capped = this.slowStart;
    }
    return Math.floor(this.unit() * Math.min(this.policy.startSpreadMs, Math.max(0, owed) * this.policy.startMsPerCall));
  }

  /**
   * A clock set back by some step moves every time held here back by the same step, so no wait
   * grows and no window stretches. Returns `sentAt` moved likewise when it was read before the step.
   */
  private notice(now: number, sentAt?: number): number {
    const step = now - this.lastNow;
    if (step < 0) {
      this.waitUntil += step;
      if (this.decreasedAt !== -Infinity) this.decreasedAt += step;
      if (this.grewAt !== null) this.grewAt += step;
      for (let i = 0; i < this.out.length; i += 1) this.out[i] = (this.out[i] as number) + step;
      for (let i = 0; i < this.counted.length; i += 1) this.counted[i] = (this.counted[i] as number) + step;
      if (sentAt !== undefined && sentAt > now) sentAt += step;
    }
    this.lastNow = now;
    return sentAt ?? now;
  }

  private release(sentAt: number): void {
    const i = this.out.indexOf(sentAt);
    if (i >= 0) this.out.splice(i, 1);
    else if (this.out.length > 0) this.out.shift();
  }

  private expireOut(now: number): void {
    while (this.out.length > 0 && (this.out[0] as number) <= now - this.policy.answerTimeoutMs) this.out.shift();
  }

  private prune(now: number): void {
    let drop = 0;
    while (drop < this.counted.length && (this.counted[drop] as number) <= now - WINDOW_MS) drop += 1;
    if (drop > 0) this.counted.splice(0, drop);
  }

  private unit(): number {
    const r = this.random();
    return Number.isFinite(r) ? Math.min(Math.max(r, 0), 1) : 0;
  }
}
