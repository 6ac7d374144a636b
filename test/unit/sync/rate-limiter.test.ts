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
});
