// The clock every part of the engine reads time from. Passed in (never `Date.now()` in feature
// code) so tests can pin time and step it deterministically.
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** UTC ISO 8601 with milliseconds, the form Gameball and our tables use. */
export function isoAt(ms: number): string {
  return new Date(ms).toISOString();
}
