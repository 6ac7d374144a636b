import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { RateLimiter as GameballSideLimiter, resolveRateLimits } from '../../../main/simulator/rate-limit.ts';
import { GameballRateLimiter, rateGroupOf, SlidingWindow } from '../../../main/sync/rate-limiter.ts';

describe('SlidingWindow', () => {
  test('a burst takes the per-second allowance, then waits for the oldest to leave the window', () => {
    const w = new SlidingWindow({ perSecond: 3, per30s: 100 }, 0);
    expect([w.take(0), w.take(0), w.take(10)]).toEqual([0, 0, 0]);
    expect(w.take(20)).toBe(980);
    expect(w.take(999)).toBe(1);
    expect(w.take(1_000)).toBe(0);
  });

  test('the 30 s window caps a sustained drain at per30s', () => {
    const w = new SlidingWindow({ perSecond: 30, per30s: 360 }, 0);
    let now = 0;
    let sent = 0;
    while (now < 60_000) {
      const wait = w.take(now);
      if (wait === 0) sent += 1;
      else now += wait;
    }
    // Two full 30 s windows in 60 s (plus the one that opens exactly at 60 s at most).
    expect(sent).toBe(720);
  });

  test('the margin widens both windows', () => {
    const w = new SlidingWindow({ perSecond: 1, per30s: 100 }, 150);
    expect(w.take(0)).toBe(0);
    expect(w.take(1_000)).toBe(150);
  });

  test('after a 429 the group waits', () => {
    const w = new SlidingWindow({ perSecond: 30, per30s: 360 }, 0);
    w.blockUntil(5_000);
    expect(w.take(1_000)).toBe(4_000);
    expect(w.take(5_000)).toBe(0);
  });

  test('a clock set back never stretches a wait beyond one window', () => {
    const DAY = 86_400_000;
    const w = new SlidingWindow({ perSecond: 3, per30s: 5 }, 150);
    const t = 10 * DAY;
    for (let i = 0; i < 5; i += 1) expect(w.take(t + i * 400)).toBe(0);
    // The sends now lie "in the future": they count as sent now, so the waits are a window at most.
    expect(w.delay(t - DAY)).toBe(30_150);
    const fresh = new SlidingWindow({ perSecond: 3, per30s: 100 }, 150);
    for (let i = 0; i < 3; i += 1) fresh.take(t);
    expect(fresh.delay(t - DAY)).toBe(1_150);
    // A block after a 429, then the clock set back: no longer than a window either.
    fresh.blockUntil(t + 1_000);
    expect(fresh.delay(t - DAY)).toBeLessThanOrEqual(30_000);
  });

  test("seeded sends (another process's) count like its own; old ones are ignored, future ones count as now", () => {
    const w = new SlidingWindow({ perSecond: 30, per30s: 360 }, 150);
    const now = 100_000;
    const burst = Array.from({ length: 30 }, (_, i) => now - 300 + i * 10);
    w.seed([...burst, now - 40_000, Number.NaN], now);
    expect(w.count(now)).toBe(30);
    expect(w.take(now)).toBe(now - 300 + 1_000 + 150 - now);
    const ahead = new SlidingWindow({ perSecond: 1, per30s: 100 }, 0);
    ahead.seed([now + 60_000], now);
    expect(ahead.take(now)).toBe(1_000);
  });

  test('a request is counted from its answer: a slow first request cannot open the next window early', () => {
    const w = new SlidingWindow({ perSecond: 2, per30s: 100 }, 0);
    expect([w.take(0), w.take(0)]).toEqual([0, 0]);
    w.settle(0, 300);
    // One slot still counts from 0, the other from 300 (when its answer came).
    expect(w.take(1_000)).toBe(0);
    expect(w.delay(1_000)).toBe(300);
    // A time that is not in the log, or an answer "before" the send, changes nothing.
    w.settle(12_345, 20_000);
    w.settle(1_000, 900);
    expect(w.count(1_000)).toBe(3);
    expect(w.delay(1_000)).toBe(300);
  });

  test('a share of the limit scales both windows, never below one request', () => {
    const w = new SlidingWindow({ perSecond: 30, per30s: 360 }, 0);
    w.setShare(0.1);
    for (let i = 0; i < 3; i += 1) expect(w.take(0)).toBe(0);
    expect(w.take(0)).toBe(1_000);
    const tiny = new SlidingWindow({ perSecond: 30, per30s: 360 }, 0);
    tiny.setShare(0.001);
    // One request a second and one per 30 s: the least a till ever allows itself.
    expect(tiny.take(0)).toBe(0);
    expect(tiny.take(0)).toBe(30_000);
  });

  test('limits below one request are refused', () => {
    expect(() => new SlidingWindow({ perSecond: 0, per30s: 10 }, 0)).toThrow(RangeError);
  });
});

describe('rate groups', () => {
  test.each([
    ['POST', '/orders', 'orders'],
    ['POST', '/customers', 'customerWrites'],
    ['GET', '/customers/mobile_1', 'customerReads'],
    ['POST', '/transactions/refund', 'transactions'],
    ['GET', '/orders/abc/transactions', 'transactions'],
    ['GET', '/referrals/validate', 'others'],
  ] as const)('%s %s counts against %s', (method, path, group) => {
    expect(rateGroupOf(method, path)).toBe(group);
  });
});

describe('never a 429: what our limiter lets through, Gameball admits', () => {
  test('property: any request pattern, any arrival delay within the margin', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 140 })), { minLength: 1, maxLength: 1_500 }),
        fc.record({ perSecond: fc.integer({ min: 1, max: 40 }), per30s: fc.integer({ min: 1, max: 400 }) }),
        (steps, limit) => {
          const ours = new GameballRateLimiter({ limits: { orders: limit }, marginMs: 150 });
          const theirs = new GameballSideLimiter(resolveRateLimits(limit));
          // Each step: time advances by `gap`, then the request (if our limiter lets it go now,
          // else when it says) arrives at Gameball `latency` ms later. Arrivals are replayed in
          // arrival order, as Gameball sees them.
          let now = 0;
          const arrivals: number[] = [];
          for (const [gap, latency] of steps) {
            now += gap;
            let wait = ours.take('orders', now);
            while (wait > 0) {
              now += wait;
              wait = ours.take('orders', now);
            }
            arrivals.push(now + latency);
          }
          arrivals.sort((a, b) => a - b);
          return arrivals.every((t) => theirs.admit('orders', t));
        },
      ),
      { numRuns: 200 },
    );
  });

  test('property: a restart seeded with the audited calls of the stopped sync stays under the limit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 140 })), { minLength: 1, maxLength: 600 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 140 })), { minLength: 1, maxLength: 600 }),
        fc.integer({ min: 0, max: 2_000 }),
        fc.record({ perSecond: fc.integer({ min: 1, max: 40 }), per30s: fc.integer({ min: 1, max: 400 }) }),
        (before, after, restartGap, limit) => {
          const theirs = new GameballSideLimiter(resolveRateLimits(limit));
          const arrivals: number[] = [];
          const audited: number[] = [];
          const run = (limiter: GameballRateLimiter, steps: Array<[number, number]>, start: number): number => {
            let now = start;
            for (const [gap, latency] of steps) {
              now += gap;
              let wait = limiter.take('orders', now);
              while (wait > 0) {
                now += wait;
                wait = limiter.take('orders', now);
              }
              arrivals.push(now + latency);
              // The audit row is written when the answer is back: after the request arrived.
              audited.push(now + latency + 1);
            }
            return now;
          };
          const first = new GameballRateLimiter({ limits: { orders: limit }, marginMs: 150 });
          const stoppedAt = Math.max(run(first, before, 0), ...audited);
          const second = new GameballRateLimiter({ limits: { orders: limit }, marginMs: 150 });
          const restartAt = stoppedAt + restartGap;
          second.seed('orders', audited, restartAt);
          run(second, after, restartAt);
          arrivals.sort((a, b) => a - b);
          return arrivals.every((t) => theirs.admit('orders', t));
        },
      ),
      { numRuns: 200 },
    );
  });
});
