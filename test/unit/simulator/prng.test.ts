import { describe, expect, it } from 'vitest';
import { createRandom, roll } from '../../../main/simulator/prng.ts';

describe('createRandom', () => {
  it('the same seed gives the same sequence; another seed another one; values in [0, 1)', () => {
    const a = Array.from({ length: 50 }, createRandom(42));
    const b = Array.from({ length: 50 }, createRandom(42));
    const c = Array.from({ length: 50 }, createRandom(43));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('is roughly uniform', () => {
    const r = createRandom(1);
    const n = 20_000;
    let below = 0;
    for (let i = 0; i < n; i += 1) if (r() < 0.25) below += 1;
    expect(below / n).toBeGreaterThan(0.23);
    expect(below / n).toBeLessThan(0.27);
  });
});

describe('roll', () => {
  it('rate 0 never fires and draws nothing, so other faults keep their sequence', () => {
    const r = createRandom(5);
    const reference = createRandom(5);
    expect(roll(r, 0)).toBe(false);
    expect(r()).toBe(reference());
  });

  it('rate 1 always fires', () => {
    const r = createRandom(5);
    for (let i = 0; i < 100; i += 1) expect(roll(r, 1)).toBe(true);
  });
});
