// How far the till's clock is from Gameball's, and whether it went back: pure rules, time passed in.
//
// Gameball stamps every answer with an HTTP `Date` header (whole seconds). One answer says the
// server's clock read between Date and Date + 1 s at some moment between the till sending the
// request and reading the answer, so one sample is the midpoint of those two till times minus the
// middle of that second, good to half the round trip plus half a second. A few samples are kept
// and their median used, so one slow answer does not move the figure; a sample that disagrees by
// far more than its own error means the till's clock was changed, and starts the figure afresh.
//
// Why it matters: Gameball refuses an order dated in its future (9007), and a till whose clock is
// days off dates its orders wrongly; the operator is told, with what to do, and an order whose
// date is ahead of Gameball's clock is sent with a date Gameball accepts (see sendableTime).
import { isoAt } from '../clock.ts';

/** Skew is "till minus Gameball": positive when the till's clock is ahead. */
export interface SkewSample {
  skewMs: number;
  /** How far the true skew can be from skewMs (half the round trip plus half a second). */
  errorMs: number;
}

/** Samples the estimate is the median of. */
const KEPT_SAMPLES = 9;
/** A sample further than its error plus this from the estimate means the clock was changed. */
const CHANGE_MS = 5_000;
/** Answers slower than this say too little about the clock to be used. */
const MAX_ROUND_TRIP_MS = 10_000;

/**
 * One answer's evidence. `serverTime`: the answer's Date (epoch ms, whole seconds); `sentAt` and
 * `answeredAt`: the till's clock when the request left and when the answer was read. Null when
 * the answer says nothing usable (no Date, too slow, or the till's clock moved back meanwhile).
 */
export function skewSample(serverTime: number | null | undefined, sentAt: number, answeredAt: number): SkewSample | null {
  if (typeof serverTime !== 'number' || !Number.isFinite(serverTime)) return null;
  const roundTrip = answeredAt - sentAt;
  if (!(roundTrip >= 0 && roundTrip <= MAX_ROUND_TRIP_MS)) return null;
  const mid = sentAt + roundTrip / 2;
  return { skewMs: Math.round(mid - (serverTime + 500)), errorMs: Math.round(roundTrip / 2 + 500) };
}

/** The median of the last few samples; forgets them when the till's clock is changed. */
export class SkewEstimator {
  private samples: SkewSample[] = [];

  /** Adds a sample; returns the estimate after it. */
  add(sample: SkewSample): number {
    const current = this.estimate();
    if (current !== null && Math.abs(sample.skewMs - current) > sample.errorMs + CHANGE_MS) this.samples = [];
    this.samples.push(sample);
    if (this.samples.length > KEPT_SAMPLES) this.samples.shift();
    return this.estimate() as number;
  }

  /** Till minus Gameball in ms; null before the first sample. */
  estimate(): number | null {
    if (this.samples.length === 0) return null;
    const sorted = this.samples.map((s) => s.skewMs).sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 === 1 ? (sorted[mid] as number) : Math.round(((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2);
  }

  /** The till's clock was moved by `deltaMs` (negative: set back): every sample moves with it. */
  shift(deltaMs: number): void {
    this.samples = this.samples.map((s) => ({ ...s, skewMs: s.skewMs + deltaMs }));
  }
}

/** Backward steps of the clock up to this are noise (NTP slewing, two reads racing), not a jump. */
export const CLOCK_TOLERANCE_MS = 1_000;

/** Notices the till's clock going back between two readings. */
export class ClockWatch {
  private latest = -Infinity;

  /** How far the clock went back since the latest reading (0 when it did not, within tolerance). */
  observe(now: number): number {
    if (now >= this.latest) {
      this.latest = now;
      return 0;
    }
    const back = this.latest - now;
    if (back <= CLOCK_TOLERANCE_MS) return 0;
    this.latest = now;
    return back;
  }
}

/** The last measurement, as stored (see migration 0004). */
export interface ClockCheck {
  skewMs: number;
  /** The till's clock when measured. */
  checkedAt: number;
  /** How far the till's clock then read before the newest thing it had recorded (0 normally). */
  behindMs: number;
}

export interface ClockFacts {
  /** Till minus Gameball; null when never measured, or no longer valid because the clock went back since. */
  clockSkewMs: number | null;
  /** When the skew was measured (till's clock, ISO); null when never. */
  clockCheckedAt: string | null;
  /**
   * How far the clock now reads before the newest order, refund or call the till recorded, or
   * before its last check against Gameball, when no check since explains it. 0: it did not go back.
   */
  clockWentBackMs: number;
}

/**
 * What the status says about the clock, from the last check and the newest time the till wrote.
 * A check stays valid until the clock goes back after it: then the clock reads before the check
 * itself, or further before the newest record than it did at the check (a check made after the
 * clock was corrected already accounts for records dated by the wrong clock).
 */
export function judgeClock(check: ClockCheck | null, newestRecordedAt: number | null, now: number): ClockFacts {
  const behind = newestRecordedAt === null ? 0 : Math.max(0, newestRecordedAt - now);
  if (check) {
    const wentBackSince = now + CLOCK_TOLERANCE_MS < check.checkedAt || behind > check.behindMs + CLOCK_TOLERANCE_MS;
    if (!wentBackSince) return { clockSkewMs: check.skewMs, clockCheckedAt: isoAt(check.checkedAt), clockWentBackMs: 0 };
    return { clockSkewMs: null, clockCheckedAt: isoAt(check.checkedAt), clockWentBackMs: Math.max(behind, check.checkedAt - now) };
  }
  return { clockSkewMs: null, clockCheckedAt: null, clockWentBackMs: behind > CLOCK_TOLERANCE_MS ? behind : 0 };
}

/** Within this, a measured skew is noise (one sample is good to about a second). */
const TRUSTED_SKEW_MS = 5_000;
/** How far below Gameball's estimated clock a corrected date is put, for the estimate's error. */
const SAFETY_MS = 2_000;

/**
 * The date to send for something captured at `captured` (ISO), so Gameball, which refuses dates in
 * its future (9007), accepts it: the captured date itself unless it is ahead of Gameball's clock
 * as the till knows it (`tillNow` minus the skew, when one is known and beyond noise), then that
 * clock (less a safety margin). Only a till whose clock was ahead at capture, or has gone back
 * since, gets a changed date; the till keeps the captured one.
 */
export function sendableTime(captured: string, tillNow: number, skewMs: number | null): string {
  const at = Date.parse(captured);
  if (!Number.isFinite(at)) return captured;
  const trusted = skewMs !== null && Math.abs(skewMs) > TRUSTED_SKEW_MS;
  const limit = trusted ? tillNow - skewMs - SAFETY_MS : tillNow;
  return at <= limit ? captured : isoAt(limit);
}
