import { describe, expect, it } from 'vitest';
import { GAMEBALL_RATE_LIMITS } from '../../../main/gameball/rate-limits.ts';
import { RateLimiter, resolveRateLimits } from '../../../main/simulator/rate-limit.ts';

describe('resolveRateLimits', () => {
  it("defaults to Gameball's table; false switches limits off", () => {
    expect(resolveRateLimits(undefined)).toEqual(GAMEBALL_RATE_LIMITS);
    expect(GAMEBALL_RATE_LIMITS.orders).toEqual({ perSecond: 30, per30s: 360 });
    expect(GAMEBALL_RATE_LIMITS.customerReads).toEqual({ perSecond: 100, per30s: 1200 });
    expect(resolveRateLimits(false)).toBe(false);
  });

  it('a custom limit sets every group but customer reads, unless given; groups override one group', () => {
    const limits = resolveRateLimits({ perSecond: 2, per30s: 5, groups: { others: { perSecond: 9, per30s: 9 } } });
    expect(limits).toMatchObject({
      orders: { perSecond: 2, per30s: 5 },
      customerWrites: { perSecond: 2, per30s: 5 },
      transactions: { perSecond: 2, per30s: 5 },
      customerReads: GAMEBALL_RATE_LIMITS.customerReads,
      others: { perSecond: 9, per30s: 9 },
    });
    expect(resolveRateLimits({ perSecond: 1, per30s: 1, customerReads: { perSecond: 3, per30s: 4 } })).toMatchObject({
      customerReads: { perSecond: 3, per30s: 4 },
    });
  });
});

describe('RateLimiter', () => {
  it('per second: a sliding window, not a calendar second', () => {
    const rl = new RateLimiter(resolveRateLimits({ perSecond: 2, per30s: 100 }));
    expect(rl.admit('orders', 900)).toBe(true);
    expect(rl.admit('orders', 1100)).toBe(true);
    expect(rl.admit('orders', 1200)).toBe(false); // 2 in (200, 1200]
    expect(rl.admit('orders', 1900)).toBe(true); // the one at 900 has left the window
    expect(rl.admit('orders', 1950)).toBe(false);
  });

  it('per 30 s: refused requests do not count; the window frees as time passes', () => {
    const rl = new RateLimiter(resolveRateLimits({ perSecond: 100, per30s: 3 }));
    expect([0, 10, 20, 30].map((t) => rl.admit('orders', t))).toEqual([true, true, true, false]);
    expect(rl.admit('orders', 29_999)).toBe(false);
    expect(rl.admit('orders', 30_000)).toBe(true); // t=0 is exactly 30 s old
    expect(rl.admit('orders', 30_001)).toBe(false);
  });

  it('groups are counted separately; false admits everything; limits change at runtime', () => {
    const rl = new RateLimiter(resolveRateLimits({ perSecond: 1, per30s: 1 }));
    expect(rl.admit('orders', 0)).toBe(true);
    expect(rl.admit('customerWrites', 0)).toBe(true);
    expect(rl.admit('orders', 1)).toBe(false);
    rl.setLimits(false);
    for (let i = 0; i < 1000; i += 1) expect(rl.admit('orders', 2)).toBe(true);
    rl.setLimits(resolveRateLimits({ perSecond: 1, per30s: 1 }));
    rl.clear();
    expect(rl.admit('orders', 3)).toBe(true);
    expect(rl.admit('orders', 4)).toBe(false);
  });
});
