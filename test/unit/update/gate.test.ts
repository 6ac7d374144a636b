import { describe, expect, it } from 'vitest';
import { decideInstall, SALE_SIGNAL_STALE_MS, type GateInput } from '../../../main/update/gate.ts';
import { inQuietHours, parseQuietHours, QuietHoursSchema } from '../../../main/update/quiet-hours.ts';

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);
const zero = { pending: 0, sending: 0, synced: 5, attention: 0, discarded: 0 };
const at = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

function input(over: Partial<GateInput> & { pending?: number; sending?: number; refundsPending?: number } = {}): GateInput {
  const { pending = 0, sending = 0, refundsPending = 0, ...rest } = over;
  return {
    status: { counts: { ...zero, pending, sending }, refundCounts: { ...zero, pending: refundsPending } },
    sale: { active: false, at: null },
    now: NOW,
    minuteOfDay: at('14:00'),
    quietHours: null,
    forced: false,
    ...rest,
  };
}

describe('update gate', () => {
  it('installs when nothing is queued and no sale is being entered', () => {
    expect(decideInstall(input())).toEqual({ install: true, because: 'queue-empty' });
  });

  it('waits while orders or refunds are pending, and says how many', () => {
    expect(decideInstall(input({ pending: 3 }))).toEqual({ install: false, waitFor: 'pending', pending: 3 });
    expect(decideInstall(input({ refundsPending: 1 }))).toEqual({ install: false, waitFor: 'pending', pending: 1 });
  });

  it('orders that need a person do not hold the update back', () => {
    const i = input();
    i.status.counts.attention = 4;
    expect(decideInstall(i)).toEqual({ install: true, because: 'queue-empty' });
  });

  it('waits while a Gameball call is in flight, even when forced', () => {
    expect(decideInstall(input({ sending: 1 }))).toMatchObject({ install: false, waitFor: 'sending' });
    expect(decideInstall(input({ sending: 1, forced: true }))).toMatchObject({ install: false, waitFor: 'sending' });
  });

  it('waits while a sale is being entered, even when forced or in the quiet window', () => {
    const sale = { active: true, at: NOW - 60_000 };
    expect(decideInstall(input({ sale }))).toMatchObject({ install: false, waitFor: 'sale-in-progress' });
    expect(decideInstall(input({ sale, forced: true }))).toMatchObject({ install: false, waitFor: 'sale-in-progress' });
    const quietHours = parseQuietHours('02:00-05:00');
    expect(decideInstall(input({ sale, quietHours, minuteOfDay: at('03:00') }))).toMatchObject({ waitFor: 'sale-in-progress' });
  });

  it('a sale signal nobody refreshed for the stale time no longer blocks (a screen that crashed)', () => {
    expect(decideInstall(input({ sale: { active: true, at: NOW - SALE_SIGNAL_STALE_MS } }))).toEqual({
      install: true,
      because: 'queue-empty',
    });
    expect(decideInstall(input({ sale: { active: true, at: NOW - SALE_SIGNAL_STALE_MS + 1 } }))).toMatchObject({ install: false });
    expect(decideInstall(input({ sale: { active: false, at: NOW } }))).toMatchObject({ install: true });
  });

  it('forced: installs with orders pending and outside the quiet window', () => {
    expect(decideInstall(input({ pending: 12, forced: true }))).toEqual({ install: true, because: 'forced' });
    expect(decideInstall(input({ forced: true, quietHours: parseQuietHours('02:00-05:00') }))).toEqual({
      install: true,
      because: 'forced',
    });
  });

  it('with a quiet window: installs only inside it, queued orders or not', () => {
    const quietHours = parseQuietHours('02:00-05:00');
    expect(decideInstall(input({ quietHours, minuteOfDay: at('02:00'), pending: 7 }))).toEqual({ install: true, because: 'quiet-hours' });
    expect(decideInstall(input({ quietHours, minuteOfDay: at('04:59') }))).toEqual({ install: true, because: 'quiet-hours' });
    expect(decideInstall(input({ quietHours, minuteOfDay: at('05:00') }))).toEqual({
      install: false,
      waitFor: 'outside-quiet-hours',
      pending: 0,
    });
    expect(decideInstall(input({ quietHours, minuteOfDay: at('01:59') }))).toMatchObject({ waitFor: 'outside-quiet-hours' });
  });

  it('a quiet window crossing midnight covers both sides of it', () => {
    const quietHours = parseQuietHours('22:30-01:15');
    for (const t of ['22:30', '23:59', '00:00', '01:14'])
      expect(decideInstall(input({ quietHours, minuteOfDay: at(t) })), t).toEqual({ install: true, because: 'quiet-hours' });
    for (const t of ['22:29', '01:15', '12:00'])
      expect(decideInstall(input({ quietHours, minuteOfDay: at(t) })), t).toMatchObject({ install: false, waitFor: 'outside-quiet-hours' });
  });
});

describe('quiet hours setting', () => {
  it('parses HH:MM-HH:MM and refuses anything else with the expected form', () => {
    expect(parseQuietHours('02:00-05:00')).toEqual({ start: 120, end: 300 });
    expect(parseQuietHours(' 23:00 - 01:00 ')).toEqual({ start: 1380, end: 60 });
    for (const bad of ['2:00-5:00', '02:00', '02:00-02:00', '24:00-01:00', '02:60-03:00', '02:00-03:00-04:00', ''])
      expect(parseQuietHours(bad), bad).toBeNull();
    expect(QuietHoursSchema.parse(null)).toBeNull();
    const refused = QuietHoursSchema.safeParse('2am-5am');
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toMatch(/HH:MM-HH:MM/);
  });

  it('inQuietHours: start inside, end outside', () => {
    expect(inQuietHours({ start: 120, end: 300 }, 120)).toBe(true);
    expect(inQuietHours({ start: 120, end: 300 }, 300)).toBe(false);
    expect(inQuietHours({ start: 1380, end: 60 }, 0)).toBe(true);
    expect(inQuietHours({ start: 1380, end: 60 }, 60)).toBe(false);
  });
});
