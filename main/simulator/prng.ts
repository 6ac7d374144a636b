// A small seedable PRNG (mulberry32). Fault decisions and jitter draw from it so a test that
// fixes `seed` sees the same resets, drops and 5xx answers on every run.

export type Random = () => number;

/** Returns a generator of floats in [0, 1); the same seed always gives the same sequence. */
export function createRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** True with probability `rate`; draws nothing when the rate is 0 so unrelated faults keep their sequence. */
export function roll(random: Random, rate: number): boolean {
  if (rate <= 0) return false;
  if (rate >= 1) return true;
  return random() < rate;
}
