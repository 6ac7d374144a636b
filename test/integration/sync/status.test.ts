// The one sync status reader (main/sync/status.ts) over a real database: counts, ages, and the
// last success and last error as the audit log tells them (the status with no engine running,
// and the seed of a running one).
import { afterEach, describe, expect, it } from 'vitest';
import { StatusReader } from '../../../main/sync/status.ts';
import type { SyncStatus } from '../../../main/orders/schemas.ts';
import { gameballRefuses, synced, tillFixture } from '../../support/till-fixture.ts';
import type { TillFixture } from '../../support/till-fixture.ts';

let till: TillFixture | undefined;
afterEach(() => {
  till?.close();
  till = undefined;
});

/** The status with no engine running, as the facade reads it. */
function status(t: TillFixture, online: boolean, training: boolean): SyncStatus {
  return new StatusReader(t.db).readStored(training, t.clock.now(), online);
}

describe('status', () => {
  it('counts orders and refunds per state, the oldest pending age, last success and last error', () => {
    till = tillFixture();
    const a = till.orders.captureOrder({ customerId: 'a', totalPaidMinor: 100 });
    till.clock.advance(30_000);
    const b = till.orders.captureOrder({ customerId: 'b', totalPaidMinor: 100 });
    till.orders.captureOrder({ customerId: 'c', totalPaidMinor: 100 });
    till.orders.captureRefund({ orderId: b.orderId });
    synced(till, a.orderId, '2025-03-01T09:00:40.000Z');
    gameballRefuses(till, b.orderId);
    till.db
      .prepare(
        "INSERT INTO sync_log (entity_id, method, path, http_status, gameball_code, message, outcome, at) VALUES (?, 'POST', '/orders', 400, 3016, 'Invalid mobile', 'attention', '2025-03-01T09:00:50.000Z')",
      )
      .run(b.orderId);
    till.clock.advance(60_000);
    const s = status(till, true, false);
    expect(s.counts).toEqual({ pending: 1, sending: 0, synced: 1, attention: 1, discarded: 0 });
    expect(s.refundCounts).toEqual({ pending: 1, sending: 0, synced: 0, attention: 0, discarded: 0 });
    expect(s.oldestPendingAgeMs).toBe(60_000);
    expect(s.lastSuccessAt).toBe('2025-03-01T09:00:40.000Z');
    expect(s.lastError).toEqual({ at: '2025-03-01T09:00:50.000Z', message: 'Invalid mobile', code: '3016', entityId: b.orderId });
    expect(s.online).toBe(true);
    // Training status counts only training orders.
    expect(status(till, false, true).counts).toEqual({ pending: 0, sending: 0, synced: 0, attention: 0, discarded: 0 });
  });
});

describe('the last error, one rule', () => {
  it("is the newest call that did not succeed, with Gameball's code only when the answer had one; successes and reconciliations never count", () => {
    till = tillFixture();
    const a = till.orders.captureOrder({ customerId: 'a', totalPaidMinor: 100 });
    const log = till.db.prepare(
      'INSERT INTO sync_log (entity_id, method, path, http_status, gameball_code, message, outcome, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    log.run(a.orderId, 'POST', '/orders', 400, 3016, 'Invalid mobile', 'attention', '2025-03-01T09:00:10.000Z');
    log.run(a.orderId, 'POST', '/orders', 503, null, 'Gameball is unavailable (HTTP 503).', 'retry', '2025-03-01T09:00:20.000Z');
    log.run(a.orderId, 'GET', '/orders/x/transactions', 200, null, 'OK', 'reconciled', '2025-03-01T09:00:30.000Z');
    const s = status(till, false, false);
    expect(s.lastError).toEqual({ at: '2025-03-01T09:00:20.000Z', message: 'Gameball is unavailable (HTTP 503).', entityId: a.orderId });
    expect(s.lastSuccessAt).toBe('2025-03-01T09:00:30.000Z');
    expect(s.online).toBe(false);
  });
});
