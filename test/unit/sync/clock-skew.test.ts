import { describe, expect, it } from 'vitest';
import { ClockWatch, judgeClock, sendableTime, SkewEstimator, skewSample } from '../../../main/sync/clock-skew.ts';

const T = Date.parse('2026-03-01T09:00:00.000Z');
const DAY = 86_400_000;

describe('skewSample: one answer', () => {
  it.each([
    // [what, server Date, sent, answered, expected skew, expected error]
    ['clocks agree, quick answer', T, T + 400, T + 600, 0, 600],
    ['till an hour ahead', T, T + 3_600_000 + 400, T + 3_600_000 + 600, 3_600_000, 600],
    ['till two days behind', T, T - 2 * DAY + 500, T - 2 * DAY + 500, -2 * DAY, 500],
    // A slow answer: the midpoint is used, and the error grows with the round trip.
    ['slow answer', T, T - 2_000, T + 3_000, 0, 3_000],
  ])('%s', (_what, server, sent, answered, skew, error) => {
    expect(skewSample(server, sent, answered)).toEqual({ skewMs: skew, errorMs: error });
  });

  it.each([
    ['no Date header', null],
    ['an unreadable Date', Number.NaN],
  ])('says nothing with %s', (_what, server) => {
    expect(skewSample(server, T, T + 10)).toBeNull();
  });

  it('says nothing when the clock went back during the request, or the answer took too long', () => {
    expect(skewSample(T, T + 1_000, T)).toBeNull();
    expect(skewSample(T, T, T + 60_000)).toBeNull();
  });
});

describe('SkewEstimator', () => {
  it('takes the median, so one slow or odd answer does not move it', () => {
    const e = new SkewEstimator();
    expect(e.estimate()).toBeNull();
    e.add({ skewMs: 1_000, errorMs: 600 });
    e.add({ skewMs: 1_200, errorMs: 600 });
    expect(e.add({ skewMs: 4_000, errorMs: 4_000 })).toBe(1_200);
    expect(e.add({ skewMs: 900, errorMs: 600 })).toBe(1_100);
  });

  it('starts afresh when a sample disagrees by far more than its error (the clock was changed)', () => {
    const e = new SkewEstimator();
    for (let i = 0; i < 5; i += 1) e.add({ skewMs: 2 * DAY, errorMs: 600 });
    expect(e.add({ skewMs: 300, errorMs: 600 })).toBe(300);
  });

  it('keeps a bounded number of samples', () => {
    const e = new SkewEstimator();
    for (let i = 0; i < 20; i += 1) e.add({ skewMs: i < 10 ? 0 : 3_000, errorMs: 600 });
    expect(e.estimate()).toBe(3_000);
  });

  it('moves with the till clock when it is set back', () => {
    const e = new SkewEstimator();
    e.add({ skewMs: 2 * DAY, errorMs: 600 });
    e.shift(-2 * DAY);
    expect(e.estimate()).toBe(0);
  });
});

describe('ClockWatch', () => {
  it('reports a step back beyond a second, once, and nothing for time moving on', () => {
    const w = new ClockWatch();
    expect(w.observe(T)).toBe(0);
    expect(w.observe(T + 5_000)).toBe(0);
    expect(w.observe(T + 4_500)).toBe(0); // within tolerance
    expect(w.observe(T + 5_000 - DAY)).toBe(DAY);
    expect(w.observe(T + 6_000 - DAY)).toBe(0);
  });
});

describe('judgeClock', () => {
  it('no check and nothing recorded: nothing known', () => {
    expect(judgeClock(null, null, T)).toEqual({ clockSkewMs: null, clockCheckedAt: null, clockWentBackMs: 0 });
  });

  it('a valid check is reported as measured', () => {
    expect(judgeClock({ skewMs: 3_600_000, checkedAt: T - 60_000, behindMs: 0 }, T - 10_000, T)).toEqual({
      clockSkewMs: 3_600_000,
      clockCheckedAt: new Date(T - 60_000).toISOString(),
      clockWentBackMs: 0,
    });
  });

  it('no check: the clock reads earlier than the newest record, so it went back', () => {
    expect(judgeClock(null, T + 2 * DAY, T).clockWentBackMs).toBe(2 * DAY);
    expect(judgeClock(null, T + 500, T).clockWentBackMs).toBe(0); // within tolerance
  });

  it('the clock went back after the check: the skew is no longer valid, the jump is reported', () => {
    // Checked two days ahead, then the clock was corrected: it now reads before the check.
    const ahead = { skewMs: 2 * DAY, checkedAt: T + 2 * DAY, behindMs: 0 };
    expect(judgeClock(ahead, T + 2 * DAY, T)).toEqual({
      clockSkewMs: null,
      clockCheckedAt: new Date(T + 2 * DAY).toISOString(),
      clockWentBackMs: 2 * DAY,
    });
    // Checked at 10:00, an order at 10:05, then the clock set back to 10:02.
    const fine = { skewMs: 0, checkedAt: T, behindMs: 0 };
    expect(judgeClock(fine, T + 300_000, T + 120_000)).toMatchObject({ clockSkewMs: null, clockWentBackMs: 180_000 });
  });

  it('a check made after the clock was corrected accounts for records dated by the wrong clock', () => {
    // Orders were dated two days ahead; the check after the correction saw the clock two days behind them.
    const check = { skewMs: 150, checkedAt: T, behindMs: 2 * DAY };
    expect(judgeClock(check, T + 2 * DAY, T + 3_600_000)).toEqual({
      clockSkewMs: 150,
      clockCheckedAt: new Date(T).toISOString(),
      clockWentBackMs: 0,
    });
  });
});

describe('sendableTime', () => {
  const iso = (ms: number) => new Date(ms).toISOString();
  it.each([
    ['a normal order keeps its date', iso(T - 1_000), T, 0, iso(T - 1_000)],
    ['no measurement yet keeps a past date', iso(T - 1_000), T, null, iso(T - 1_000)],
    ['a skew within noise changes nothing', iso(T), T, 3_000, iso(T)],
    ['captured by a clock two days ahead, sent after the correction: the send time', iso(T + 2 * DAY), T, 100, iso(T)],
    ["till still an hour ahead: Gameball's clock less the margin", iso(T), T, 3_600_000, iso(T - 3_600_000 - 2_000)],
    ['till behind: past dates are what Gameball expects, unchanged', iso(T - 60_000), T, -3_600_000, iso(T - 60_000)],
    ['an unreadable date is left for the mapper to refuse', 'not a date', T, 0, 'not a date'],
  ])('%s', (_what, captured, now, skew, expected) => {
    expect(sendableTime(captured, now, skew)).toBe(expected);
  });
});
