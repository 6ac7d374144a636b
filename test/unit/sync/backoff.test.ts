import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { backoffCeiling, backoffDelay, DEFAULT_BACKOFF } from '../../../main/sync/backoff.ts';

const policy = { baseMs: 1_000, capMs: 60_000, minMs: 100 };

describe('backoff', () => {
  test.each([
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [6, 32_000],
    [7, 60_000],
    [50, 60_000],
    [10_000, 60_000],
    [0, 1_000],
    [-3, 1_000],
  ])('ceiling for attempt %i is %i', (attempt, ceiling) => {
    expect(backoffCeiling(attempt, policy)).toBe(ceiling);
  });

  test('full jitter: the delay spans [min, ceiling) with the random source', () => {
    expect(backoffDelay(3, () => 0, policy)).toBe(100);
    expect(backoffDelay(3, () => 0.5, policy)).toBe(2_000);
    expect(backoffDelay(3, () => 0.999999, policy)).toBe(3_999);
  });

  test.each([[NaN], [Infinity], [-1], [7]])('a broken random source (%d) still gives a delay in range', (r) => {
    const d = backoffDelay(4, () => r, policy);
    expect(d).toBeGreaterThanOrEqual(policy.minMs);
    expect(d).toBeLessThanOrEqual(backoffCeiling(4, policy));
  });

  test('property: never above the cap, never below the floor, for any attempt and draw', () => {
    fc.assert(
      fc.property(fc.integer({ min: -10, max: 100_000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
        const d = backoffDelay(attempt, () => r);
        return d >= DEFAULT_BACKOFF.minMs && d <= DEFAULT_BACKOFF.capMs && Number.isInteger(d);
      }),
    );
  });

  test('jitter spreads a crowd: 1,000 rows failing together do not come back together', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const delays = Array.from({ length: 1_000 }, () => backoffDelay(5, random, policy));
    const perSecond = new Map<number, number>();
    for (const d of delays) perSecond.set(Math.floor(d / 1_000), (perSecond.get(Math.floor(d / 1_000)) ?? 0) + 1);
    // Ceiling 16 s: about 1/16 of the crowd per second, never most of it at once.
    expect(Math.max(...perSecond.values())).toBeLessThan(120);
  });
});
