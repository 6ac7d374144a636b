import { describe, expect, test } from 'vitest';
import { createRandom } from '../../../main/simulator/prng.ts';
import { DEFAULT_SHARED_BUDGET, SharedBudget } from '../../../main/sync/shared-budget.ts';
import { floorMs, runFleetModel } from '../../support/fleet-model.ts';

const LIMIT = { perSecond: 30, per30s: 360 };
const half = () => 0.5;
const P = DEFAULT_SHARED_BUDGET;

/** A budget that has sent and had counted `n` requests, one every `gapMs` from `start`. */
function withHistory(b: SharedBudget, n: number, start: number, gapMs: number): number {
  let t = start;
  for (let i = 0; i < n; i += 1) {
    b.sent(t);
    b.admitted(t, t + 40);
    t += gapMs;
  }
  return t;
}

describe('a till alone', () => {
  test('keeps the whole budget and its full concurrency: a few calls owed, no slow start, no cap on requests out', () => {
    const b = new SharedBudget(LIMIT, half);
    expect(b.comingOnline(5)).toBeLessThanOrEqual(5 * P.startMsPerCall);
    expect(b.share).toBe(1);
    for (let i = 0; i < 8; i += 1) {
      expect(b.delay(0)).toBe(0);
      b.sent(0);
    }
  });

  test('with a backlog it starts at startShare and doubles every second of answers, up to the whole budget', () => {
    const b = new SharedBudget(LIMIT, half);
    b.comingOnline(500);
    expect(b.share).toBe(P.startShare);
    withHistory(b, 11, 0, 100); // 1 s of answers
    expect(b.share).toBeCloseTo(P.startShare * 2, 5);
    withHistory(b, 40, 1_100, 100);
    expect(b.share).toBe(1);
  });
});

describe('after a 429', () => {
  test("the share is cut to the till's own part of the full 30 s window, at most `decrease` times itself", () => {
    const b = new SharedBudget(LIMIT, half);
    // 90 of the account's 360 in the window were this till's: a quarter.
    const t = withHistory(b, 90, 0, 100);
    b.rateLimited(t, t + 40, 16_000);
    expect(b.share).toBeCloseTo(90 / 360, 5);
    // A till with most of the window is cut by `decrease` only.
    const big = new SharedBudget(LIMIT, half);
    const u = withHistory(big, 340, 0, 50);
    big.rateLimited(u, u + 40, 16_000);
    expect(big.share).toBeCloseTo(P.decrease, 5);
  });

  test('a per-second 429 (or one without Retry-After) cuts at most to deepestCut times the share', () => {
    const b = new SharedBudget(LIMIT, half);
    b.rateLimited(0, 40, 1_000);
    expect(b.share).toBeCloseTo(P.deepestCut, 5);
    const c = new SharedBudget(LIMIT, half);
    c.rateLimited(0, 40, null);
    expect(c.share).toBeCloseTo(P.deepestCut, 5);
  });

  test('once per round: 429s to requests sent before the cut do not cut again; a later one does', () => {
    const b = new SharedBudget(LIMIT, half);
    b.rateLimited(0, 50, null);
    const once = b.share;
    b.rateLimited(10, 60, null);
    expect(b.share).toBe(once);
    b.rateLimited(70, 120, null);
    expect(b.share).toBeLessThan(once);
  });

  test('never below minShare', () => {
    const b = new SharedBudget(LIMIT, half);
    for (let t = 0; t < 100; t += 1) b.rateLimited(t * 100, t * 100 + 50, null);
    expect(b.share).toBe(P.minShare);
  });

  test("waits Gameball's Retry-After plus a jitter in [0, retryJitterMs); 1 s without one", () => {
    for (const r of [0, 0.25, 0.999]) {
      const b = new SharedBudget(LIMIT, () => r);
      expect(b.rateLimited(0, 100, 3_000)).toBe(100 + 3_000 + Math.floor(r * P.retryJitterMs));
      const c = new SharedBudget(LIMIT, () => r);
      expect(c.rateLimited(0, 100, null)).toBe(100 + P.defaultRetryAfterMs + Math.floor(r * P.retryJitterMs));
    }
    // A wild Retry-After is capped at a minute.
    expect(new SharedBudget(LIMIT, () => 0).rateLimited(0, 0, 3_600_000)).toBe(60_000);
  });

  test('then one request goes alone until it is answered', () => {
    const b = new SharedBudget(LIMIT, () => 0);
    const until = b.rateLimited(0, 50, 1_000);
    expect(b.delay(until - 1)).toBe(1);
    expect(b.delay(until)).toBe(0);
    b.sent(until);
    expect(b.delay(until + 5)).toBeGreaterThan(0);
    b.admitted(until, until + 40);
    expect(b.delay(until + 40)).toBe(0);
  });

  test('a request with no answer stops holding the others back', () => {
    const b = new SharedBudget(LIMIT, () => 0);
    const until = b.rateLimited(0, 50, 1_000);
    b.sent(until);
    expect(b.delay(until + 1)).toBeGreaterThan(0);
    b.unanswered(until);
    expect(b.delay(until + 1)).toBe(0);
  });
});

describe('growth', () => {
  test('additive: increasePerSecond per second (jitter x0.5..x1.5), doubling every growthDoublingMs without a 429, never above 1', () => {
    for (const r of [0, 0.999]) {
      const b = new SharedBudget(LIMIT, () => r);
      b.rateLimited(0, 0, null);
      const start = b.share;
      b.admitted(1_000, 1_000);
      b.admitted(2_000, 2_000); // one second counted, 1 s of calm
      const step = P.increasePerSecond * 2 ** (1_000 / P.growthDoublingMs) * (0.5 + r);
      expect(b.share - start).toBeCloseTo(step, 6);
    }
    const b = new SharedBudget(LIMIT, half);
    b.rateLimited(0, 0, null);
    for (let t = 1_000; t < 2_000_000; t += 1_000) b.admitted(t, t);
    expect(b.share).toBe(1);
  });

  test('an idle gap counts at most a few seconds', () => {
    const b = new SharedBudget(LIMIT, half);
    b.rateLimited(0, 0, null);
    const start = b.share;
    b.admitted(1_000, 1_000);
    b.admitted(3_600_000, 3_600_000);
    expect(b.share - start).toBeLessThan(0.2);
  });
});

describe('coming online', () => {
  test('the first send waits a random moment within min(startSpreadMs, owed x startMsPerCall)', () => {
    for (const r of [0, 0.5, 0.999]) {
      expect(new SharedBudget(LIMIT, () => r).comingOnline(3)).toBe(Math.floor(r * 3 * P.startMsPerCall));
      expect(new SharedBudget(LIMIT, () => r).comingOnline(100_000)).toBe(Math.floor(r * P.startSpreadMs));
    }
  });
});

test('a clock set back keeps what is left of a wait', () => {
  const DAY = 86_400_000;
  const b = new SharedBudget(LIMIT, () => 0);
  const until = b.rateLimited(10 * DAY, 10 * DAY, 5_000);
  expect(b.delay(10 * DAY + 1_000)).toBe(until - 10 * DAY - 1_000);
  expect(b.delay(9 * DAY + 1_000)).toBe(until - 10 * DAY - 1_000);
});

describe('a fleet on one account (pure model: the real limiters on both sides)', () => {
  test.each([4, 8])(
    '%i tills with 150 orders each: every order admitted, few 429s, the account well used, shares near a fair split',
    (tills) => {
      const r = runFleetModel({ tills, ordersPerTill: 150, limit: LIMIT, latencyMs: 30, jitterMs: 20, seed: 7 });
      expect(r.admitted).toBe(tills * 150);
      expect(r.rateLimited / r.calls).toBeLessThan(0.03);
      const floor = floorMs(tills * 150, LIMIT.perSecond, LIMIT.per30s, 40);
      expect(floor / r.finishedAt).toBeGreaterThan(0.6);
      // At 20 s, while all drain: the shares add up to about the whole budget, and none has most of it.
      const at20 = r.shares[20] as number[];
      const sum = at20.reduce((a, b) => a + b, 0);
      expect(sum).toBeGreaterThan(0.6);
      expect(sum).toBeLessThan(1.5);
      expect(Math.max(...at20)).toBeLessThan(0.6);
    },
  );

  test('without Retry-After (Gameball promises none) the fleet still drains with few 429s', () => {
    const r = runFleetModel({ tills: 6, ordersPerTill: 100, limit: LIMIT, latencyMs: 30, jitterMs: 20, seed: 3, retryAfter: false });
    expect(r.admitted).toBe(600);
    expect(r.rateLimited / r.calls).toBeLessThan(0.06);
  });

  test('a lone till with a backlog never meets a 429', () => {
    const r = runFleetModel({ tills: 1, ordersPerTill: 600, limit: LIMIT, latencyMs: 40, jitterMs: 20, seed: 1 });
    expect(r.rateLimited).toBe(0);
    expect(floorMs(600, 30, 360, 50) / r.finishedAt).toBeGreaterThan(0.85);
  });

  test('a random source is all it takes: different seeds, same guarantees', () => {
    for (const seed of [11, 12]) {
      const r = runFleetModel({ tills: 3, ordersPerTill: 60, limit: { perSecond: 10, per30s: 100 }, latencyMs: 20, jitterMs: 20, seed });
      expect(r.admitted).toBe(180);
      expect(createRandom(seed)()).toBeGreaterThanOrEqual(0);
    }
  });
});

test('time spent held back while wanting to send counts for growth in full (a cut till that must wait out its window still grows)', () => {
  const b = new SharedBudget(LIMIT, half);
  b.rateLimited(0, 0, null);
  b.admitted(1_500, 1_500);
  const start = b.share;
  b.wanting(2_000, true);
  b.wanting(22_000, true);
  const held = b.share - start;
  const c = new SharedBudget(LIMIT, half);
  c.rateLimited(0, 0, null);
  c.admitted(1_500, 1_500);
  c.wanting(2_000, false);
  c.wanting(22_000, false);
  expect(held).toBeGreaterThan(10 * (c.share - start));
});
