// A pure model of a fleet of tills draining their backlogs into one Gameball account: each till
// is the engine's real client-side limiter (GameballRateLimiter with its SharedBudget) and its
// loop reduced to what matters for the rate (up to `concurrency` rows at once, each waiting for
// the limiter, a 429 sending its row back with the engine's backoff); the account is the
// simulator's real RateLimiter with its Retry-After. Time advances in 1 ms steps; nothing sleeps.
// Used by the unit tests of the sharing rules (convergence, 429 share) and to tune them.
import { DEFAULT_BACKOFF, backoffDelay } from '../../main/sync/backoff.ts';
import { GameballRateLimiter } from '../../main/sync/rate-limiter.ts';
import type { RateLimiterOptions } from '../../main/sync/rate-limiter.ts';
import { RateLimiter as AccountLimiter, resolveRateLimits } from '../../main/simulator/rate-limit.ts';
import { createRandom } from '../../main/simulator/prng.ts';
import type { RateLimit } from '../../main/gameball/rate-limits.ts';

export interface FleetModelOptions {
  tills: number;
  ordersPerTill: number;
  limit: RateLimit;
  /** Round trip: uniform in [latencyMs, latencyMs + jitterMs). */
  latencyMs: number;
  jitterMs: number;
  concurrency?: number;
  seed?: number;
  /** Whether 429s carry Retry-After (Gameball promises none; the simulator sends one). */
  retryAfter?: boolean;
  sharing?: RateLimiterOptions['sharing'];
  /** When each till comes online (ms; default all at 0). */
  startAt?: (till: number) => number;
  /** Give up after this much model time. */
  maxMs?: number;
}

export interface FleetModelResult {
  /** Model time when the last order was admitted (ms). */
  finishedAt: number;
  finishedPerTill: number[];
  calls: number;
  rateLimited: number;
  /** When each 429 happened (ms). */
  rateLimitedAt: number[];
  /** The sum of the shares of the tills still draining at each 429. */
  activeShareAt429: number[];
  retryAfters: number[];
  admitted: number;
  /** Each till's share of the orders limit, sampled once a second: [second][till]. */
  shares: number[][];
}

interface Job {
  sentAt: number | null;
  answerAt: number;
  admitted: boolean;
  retryAfterMs: number;
  attempts: number;
}

interface Till {
  limiter: GameballRateLimiter;
  /** Rows waiting (their due times); each row is one order. */
  due: Array<{ at: number; attempts: number }>;
  jobs: Job[];
  left: number;
  online: boolean;
  firstSendAt: number;
  finishedAt: number;
}

export function runFleetModel(o: FleetModelOptions): FleetModelResult {
  const random = createRandom(o.seed ?? 1);
  const concurrency = o.concurrency ?? 8;
  const account = new AccountLimiter(resolveRateLimits({ perSecond: o.limit.perSecond, per30s: o.limit.per30s }));
  const tills: Till[] = Array.from({ length: o.tills }, () => ({
    limiter: new GameballRateLimiter({ limits: { orders: o.limit }, marginMs: 150, random, sharing: o.sharing }),
    due: Array.from({ length: o.ordersPerTill }, () => ({ at: 0, attempts: 0 })),
    jobs: [],
    left: o.ordersPerTill,
    online: false,
    firstSendAt: 0,
    finishedAt: -1,
  }));
  const result: FleetModelResult = {
    finishedAt: -1,
    finishedPerTill: [],
    calls: 0,
    rateLimited: 0,
    rateLimitedAt: [],
    activeShareAt429: [],
    retryAfters: [],
    admitted: 0,
    shares: [],
  };
  const maxMs = o.maxMs ?? 600_000;
  const order = tills.map((_, i) => i);
  for (let now = 0; now <= maxMs; now += 1) {
    // Tills in a random order each step, so none is always first at the account.
    for (let i = order.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    let busy = false;
    for (const k of order) {
      const till = tills[k] as Till;
      if (till.left === 0) continue;
      busy = true;
      if (!till.online) {
        if (now < (o.startAt?.(k) ?? 0)) continue;
        till.online = true;
        till.firstSendAt = now + till.limiter.comingOnline(till.left);
      }
      if (now < till.firstSendAt) continue;
      // Answers due now.
      till.jobs = till.jobs.filter((job) => {
        if (job.sentAt === null || job.answerAt > now) return true;
        if (job.admitted) {
          till.limiter.answered('orders', job.sentAt, now, { rateLimited: false });
          till.left -= 1;
          if (till.left === 0) till.finishedAt = now;
        } else {
          till.limiter.answered('orders', job.sentAt, now, {
            rateLimited: true,
            retryAfterMs: o.retryAfter === false ? null : job.retryAfterMs,
          });
          const attempts = job.attempts + 1;
          till.due.push({ at: now + backoffDelay(attempts, random, DEFAULT_BACKOFF), attempts });
        }
        return false;
      });
      // Claims: due rows up to the concurrency.
      for (let i = 0; i < till.due.length && till.jobs.length < concurrency;) {
        const row = till.due[i] as { at: number; attempts: number };
        if (row.at <= now) {
          till.due.splice(i, 1);
          till.jobs.push({ sentAt: null, answerAt: 0, admitted: false, retryAfterMs: 0, attempts: row.attempts });
        } else i += 1;
      }
      // Sends: each waiting job that the limiter lets go now.
      for (const job of till.jobs) {
        if (job.sentAt !== null) continue;
        if (till.limiter.take('orders', now) > 0) break;
        job.sentAt = now;
        result.calls += 1;
        job.admitted = account.admit('orders', now);
        if (!job.admitted) {
          result.rateLimited += 1;
          result.rateLimitedAt.push(now);
          result.activeShareAt429.push(tills.filter((t) => t.left > 0).reduce((a, t) => a + t.limiter.share('orders'), 0));
          job.retryAfterMs = Math.max(1, Math.ceil(account.retryAfterMs('orders', now) / 1_000)) * 1_000;
          result.retryAfters.push(job.retryAfterMs);
        } else result.admitted += 1;
        job.answerAt = now + o.latencyMs + Math.floor(random() * o.jitterMs);
      }
    }
    if (now % 1_000 === 0) result.shares.push(tills.map((t) => t.limiter.share('orders')));
    if (!busy) {
      result.finishedAt = now;
      break;
    }
  }
  result.finishedPerTill = tills.map((t) => t.finishedAt);
  if (result.finishedAt < 0) result.finishedAt = Math.max(...result.finishedPerTill.map((f) => (f < 0 ? maxMs : f)));
  return result;
}

/** Earliest finish for n requests under both windows (Gameball's rule: sliding, per arrival). */
export function floorMs(n: number, perSecond: number, per30s: number, latencyMs: number): number {
  const sent: number[] = [];
  let t = 0;
  for (let i = 0; i < n; i += 1) {
    if (i >= per30s) t = Math.max(t, (sent[i - per30s] as number) + 30_000);
    if (i >= perSecond) t = Math.max(t, (sent[i - perSecond] as number) + 1_000);
    sent.push(t);
  }
  return t + latencyMs;
}
