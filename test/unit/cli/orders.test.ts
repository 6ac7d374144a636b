// `pos-companion status` as text: the clock line says, in a sentence, what the status's clock
// figures mean and what to do about them.
import { describe, expect, it } from 'vitest';
import { formatStatus } from '../../../main/cli/orders.ts';
import type { CliStatus } from '../../../main/cli/orders.ts';

const counts = { pending: 0, sending: 0, synced: 2, attention: 0, discarded: 0 };
const base: CliStatus = {
  counts,
  refundCounts: counts,
  oldestPendingAgeMs: null,
  lastSuccessAt: null,
  lastError: null,
  online: null,
  training: false,
};
const clockLine = (s: CliStatus) =>
  formatStatus(s, 'till-1', '/data')
    .split('\n')
    .find((l) => l.startsWith('Clock: ')) ?? null;
const CHECKED = '2026-03-03T09:00:00.000Z';

describe('status text: the clock', () => {
  it.each<[string, Partial<CliStatus>, string | null]>([
    ['no clock figures: no line', {}, null],
    [
      'never checked',
      { clockSkewMs: null, clockCheckedAt: null, clockWentBackMs: 0 },
      'Clock: not checked against Gameball yet (every sync checks it)',
    ],
    [
      'right',
      { clockSkewMs: 300, clockCheckedAt: CHECKED, clockWentBackMs: 0 },
      `Clock: within a second of Gameball's (checked ${CHECKED})`,
    ],
    [
      'a few seconds off',
      { clockSkewMs: -12_400, clockCheckedAt: CHECKED, clockWentBackMs: 0 },
      `Clock: 12 s behind Gameball (checked ${CHECKED})`,
    ],
    [
      'two days ahead',
      { clockSkewMs: 2 * 86_400_000, clockCheckedAt: CHECKED, clockWentBackMs: 0 },
      "Clock: The till's clock is 2 days ahead of Gameball: set the date and time on this computer.",
    ],
    [
      'an hour behind',
      { clockSkewMs: -3_600_000, clockCheckedAt: CHECKED, clockWentBackMs: 0 },
      "Clock: The till's clock is 1 hour behind Gameball: set the date and time on this computer.",
    ],
    [
      'went back',
      { clockSkewMs: null, clockCheckedAt: CHECKED, clockWentBackMs: 2 * 86_400_000 },
      "Clock: The till's clock went back 2 days (it reads earlier than the last order or Gameball call it recorded): check the date and time on this computer.",
    ],
    [
      'went back a little since the check',
      { clockSkewMs: null, clockCheckedAt: CHECKED, clockWentBackMs: 30_000 },
      'Clock: set back since it was last checked against Gameball; the next sync checks it again',
    ],
  ])('%s', (_what, clock, expected) => {
    expect(clockLine({ ...base, ...clock })).toBe(expected);
  });
});
