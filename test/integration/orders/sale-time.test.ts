// An order captured with the sale's own time (`soldAt`) on a real SQLite file: the order is dated
// then, while its Gameball calls are still due from the moment of capture; a time out of bounds
// is refused naming soldAt, with nothing written.
import { afterEach, describe, expect, it } from 'vitest';
import { isoAt } from '../../../main/clock.ts';
import { refusal, tillFixture } from '../../support/till-fixture.ts';
import type { TillFixture } from '../../support/till-fixture.ts';

let till: TillFixture | undefined;
afterEach(() => till?.close());

const count = (t: TillFixture, table: string) => t.rows<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`)[0]?.n;

describe('capture with soldAt', () => {
  it('dates the order when it was sold and keeps its calls due from the capture', () => {
    till = tillFixture();
    const now = till.clock.now();
    const soldAt = new Date(now - 3_600_000).toISOString().replace('Z', '+00:00');
    const order = till.orders.captureOrder({ mobile: '0500000001', totalPaidMinor: 1250, soldAt });
    expect(order.orderDate).toBe(isoAt(now - 3_600_000));
    expect(order.createdAt).toBe(isoAt(now));
    const due = till.rows<{ next_attempt_at: number }>('SELECT next_attempt_at FROM outbox WHERE entity_id = ?', order.orderId);
    expect(due.length).toBeGreaterThan(0);
    for (const row of due) expect(row.next_attempt_at).toBe(now);
  });

  it('dates the order at capture without soldAt', () => {
    till = tillFixture();
    const order = till.orders.captureOrder({ mobile: '0500000001', totalPaidMinor: 1250 });
    expect(order.orderDate).toBe(isoAt(till.clock.now()));
  });

  it('refuses a sale time too far ahead, too old or not a time, naming soldAt, and writes nothing', () => {
    till = tillFixture();
    const t = till;
    const now = t.clock.now();
    for (const soldAt of [isoAt(now + 6 * 60_000), isoAt(now - 8 * 24 * 3_600_000), 'yesterday', '2025-03-01T09:00:00']) {
      const err = refusal(() => t.orders.captureOrder({ mobile: '0500000001', totalPaidMinor: 1250, soldAt }));
      expect(err.field, soldAt).toBe('soldAt');
      expect(err.message, soldAt).toMatch(/^soldAt: /);
    }
    expect(count(t, 'orders')).toBe(0);
    expect(count(t, 'outbox')).toBe(0);
  });
});
