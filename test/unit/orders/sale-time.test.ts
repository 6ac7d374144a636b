// The bounds on a sale's own time (main/orders/sale-time.ts): up to five minutes ahead of the
// till's clock, up to seven days back; outside them a refusal naming soldAt.
import { describe, expect, it } from 'vitest';
import { CaptureRefusedError } from '../../../main/orders/errors.ts';
import { orderDateFor, SALE_TIME_AHEAD_MS, SALE_TIME_MAX_AGE_MS } from '../../../main/orders/sale-time.ts';

const NOW = Date.parse('2026-12-03T10:00:00.000Z');
const refused = (soldAt: string): CaptureRefusedError => {
  try {
    orderDateFor(soldAt, NOW);
  } catch (err) {
    if (err instanceof CaptureRefusedError) return err;
    throw err;
  }
  throw new Error(`${soldAt} was taken`);
};

describe('orderDateFor', () => {
  it('takes a time in the bounds as the same instant in UTC with milliseconds', () => {
    expect(orderDateFor('2026-12-03T12:00:00+03:00', NOW)).toBe('2026-12-03T09:00:00.000Z');
    expect(orderDateFor('2026-12-03T10:00:00Z', NOW)).toBe('2026-12-03T10:00:00.000Z');
  });

  it('takes the edges: five minutes ahead and seven days back exactly', () => {
    expect(SALE_TIME_AHEAD_MS).toBe(5 * 60_000);
    expect(SALE_TIME_MAX_AGE_MS).toBe(7 * 24 * 3_600_000);
    expect(orderDateFor('2026-12-03T10:05:00.000Z', NOW)).toBe('2026-12-03T10:05:00.000Z');
    expect(orderDateFor('2026-11-26T10:00:00.000Z', NOW)).toBe('2026-11-26T10:00:00.000Z');
  });

  it('refuses a time further ahead than five minutes, naming soldAt', () => {
    const err = refused('2026-12-03T10:05:00.001Z');
    expect(err).toMatchObject({ code: 'INVALID_INPUT', field: 'soldAt' });
    expect(err.message).toMatch(/^soldAt: .*more than 5 minutes ahead of the till's clock/);
    expect(refused('2026-12-03T14:00:00+03:00').field).toBe('soldAt');
  });

  it('refuses a time older than seven days, naming soldAt', () => {
    const err = refused('2026-11-26T09:59:59.999Z');
    expect(err).toMatchObject({ code: 'INVALID_INPUT', field: 'soldAt' });
    expect(err.message).toMatch(/^soldAt: .*more than 7 days before the till's clock/);
    expect(refused('2000-01-01T00:00:00Z').field).toBe('soldAt');
  });
});
