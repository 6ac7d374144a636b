import { describe, expect, it } from 'vitest';
import { clockAdvice, clockAdviceUnit } from '../../preload/clock-advice.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('clockAdvice', () => {
  it.each([
    ['no clock figures (an engine that does not report them)', {}, null],
    ['never measured, never went back', { clockSkewMs: null, clockWentBackMs: 0 }, null],
    ['a few seconds off: not worth a word', { clockSkewMs: 8_000, clockWentBackMs: 0 }, null],
    ['just under two minutes', { clockSkewMs: -(2 * MIN - 1) }, null],
    ['two minutes ahead', { clockSkewMs: 2 * MIN }, { kind: 'ahead', ms: 2 * MIN }],
    ['two days ahead', { clockSkewMs: 2 * DAY }, { kind: 'ahead', ms: 2 * DAY }],
    ['an hour behind', { clockSkewMs: -HOUR }, { kind: 'behind', ms: HOUR }],
    ['went back, no valid measurement', { clockSkewMs: null, clockWentBackMs: 3 * HOUR }, { kind: 'went-back', ms: 3 * HOUR }],
    ['a valid measurement says the clock is right: it wins', { clockSkewMs: 500, clockWentBackMs: 3 * HOUR }, null],
  ] as const)('%s', (_what, status, expected) => {
    expect(clockAdvice(status)).toEqual(expected);
  });
});

describe('clockAdviceUnit', () => {
  it.each([
    [2 * MIN, 'minute', 2],
    [59 * MIN, 'minute', 59],
    [HOUR, 'hour', 1],
    [23 * HOUR, 'hour', 23],
    [DAY, 'day', 1],
    [2 * DAY + 3 * HOUR, 'day', 2],
  ] as const)('%d ms is %s x %d', (ms, unit, value) => {
    expect(clockAdviceUnit(ms)).toEqual({ unit, value });
  });
});
