// When the till's clock deserves a word to the operator, decided once for the screen and the CLI
// from the status's clock figures (see SyncStatusSchema). Each side words it in its own language.
//  - ahead / behind: Gameball's answers show the till's clock that far off;
//  - went-back: no valid measurement, but the clock reads earlier than the newest order, refund or
//    call the till recorded (it was set back, e.g. by hand or a flat clock battery).
// Smaller differences are not shown: they change nothing a person can see, and one measurement is
// only good to about a second.

/** Differences below this are not shown. */
export const CLOCK_ADVICE_THRESHOLD_MS = 2 * 60_000;

export interface ClockAdvice {
  kind: 'ahead' | 'behind' | 'went-back';
  /** How far, always positive. */
  ms: number;
}

export function clockAdvice(status: { clockSkewMs?: number | null; clockWentBackMs?: number }): ClockAdvice | null {
  const skew = status.clockSkewMs;
  if (typeof skew === 'number' && Number.isFinite(skew)) {
    if (Math.abs(skew) < CLOCK_ADVICE_THRESHOLD_MS) return null;
    return { kind: skew > 0 ? 'ahead' : 'behind', ms: Math.abs(skew) };
  }
  const back = status.clockWentBackMs;
  if (typeof back === 'number' && back >= CLOCK_ADVICE_THRESHOLD_MS) return { kind: 'went-back', ms: back };
  return null;
}

/** The largest unit that describes `ms`, rounded: minutes below an hour, hours below a day, then days. */
export function clockAdviceUnit(ms: number): { unit: 'minute' | 'hour' | 'day'; value: number } {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return { unit: 'minute', value: minutes };
  const hours = Math.round(ms / 3_600_000);
  if (hours < 24) return { unit: 'hour', value: hours };
  return { unit: 'day', value: Math.round(ms / 86_400_000) };
}
