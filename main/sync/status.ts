// The sync status the screen and `status` show: orders and refunds per state, the age of the
// oldest one not yet synced, the last success and last error, online/offline, training, and the
// till's clock (how far from Gameball's, whether it went back).
// Counts and the clock come from the database (so another process's captures, syncs and clock
// checks show up too); the live facts (online, last error) from the running engine, seeded from
// the audit log.
import type { Database } from '../db/database.ts';
import type { StateCounts, SyncStatus } from '../orders/schemas.ts';
import { ClockCheckStore } from './clock-check-store.ts';
import { judgeClock } from './clock-skew.ts';

const EMPTY: StateCounts = { pending: 0, sending: 0, synced: 0, attention: 0, discarded: 0 };

export interface LiveFacts {
  lastSuccessAt: string | null;
  lastError: SyncStatus['lastError'];
  online: boolean;
}

export class StatusReader {
  private readonly orderCounts;
  private readonly refundCounts;
  private readonly oldestOrder;
  private readonly oldestRefund;
  private readonly lastOk;
  private readonly lastFailure;
  private readonly clockChecks: ClockCheckStore;

  constructor(db: Database) {
    this.clockChecks = new ClockCheckStore(db);
    this.orderCounts = db.prepare<{ training: number }, { state: keyof StateCounts; n: number }>(
      'SELECT state, COUNT(*) AS n FROM orders WHERE training = @training GROUP BY state',
    );
    this.refundCounts = db.prepare<{ training: number }, { state: keyof StateCounts; n: number }>(
      'SELECT state, COUNT(*) AS n FROM refunds WHERE training = @training GROUP BY state',
    );
    this.oldestOrder = db.prepare<{ training: number }, { at: string | null }>(
      `SELECT MIN(created_at) AS at FROM orders WHERE state IN ('pending', 'sending') AND training = @training`,
    );
    this.oldestRefund = db.prepare<{ training: number }, { at: string | null }>(
      `SELECT MIN(created_at) AS at FROM refunds WHERE state IN ('pending', 'sending') AND training = @training`,
    );
    this.lastOk = db.prepare<[], { at: string }>(`SELECT at FROM sync_log WHERE outcome IN ('ok', 'reconciled') ORDER BY id DESC LIMIT 1`);
    this.lastFailure = db.prepare<[], { at: string; message: string | null; gameball_code: number | null; entity_id: string | null }>(
      `SELECT at, message, gameball_code, entity_id FROM sync_log WHERE outcome IN ('retry', 'attention', 'unknown') ORDER BY id DESC LIMIT 1`,
    );
  }

  /** What the audit log says about the last success and failure (seed for a fresh process). */
  seed(): Omit<LiveFacts, 'online'> {
    const ok = this.lastOk.get();
    const fail = this.lastFailure.get();
    return {
      lastSuccessAt: ok?.at ?? null,
      lastError: fail ? lastErrorOf(fail.at, fail.message ?? '', fail.gameball_code, fail.entity_id) : null,
    };
  }

  read(training: boolean, now: number, live: LiveFacts): SyncStatus {
    const t = { training: training ? 1 : 0 };
    const counts = { ...EMPTY };
    for (const r of this.orderCounts.all(t)) counts[r.state] = r.n;
    const refundCounts = { ...EMPTY };
    for (const r of this.refundCounts.all(t)) refundCounts[r.state] = r.n;
    const oldest = [this.oldestOrder.get(t)?.at, this.oldestRefund.get(t)?.at]
      .filter((a): a is string => typeof a === 'string')
      .map((a) => Date.parse(a))
      .filter((ms) => Number.isFinite(ms));
    const oldestPendingAgeMs = oldest.length ? Math.max(0, now - Math.min(...oldest)) : null;
    const clock = judgeClock(this.clockChecks.load(training), this.clockChecks.newestRecordedAt(), now);
    return {
      counts,
      refundCounts,
      oldestPendingAgeMs,
      lastSuccessAt: live.lastSuccessAt,
      lastError: live.lastError,
      online: live.online,
      training,
      ...clock,
    };
  }
}

/**
 * Two statuses differ for the screen (the pending age alone ticking does not count, nor the clock
 * figures moving by less than a minute: the screen speaks of the clock in minutes at the finest).
 */
export function statusChanged(a: SyncStatus | undefined, b: SyncStatus): boolean {
  if (!a) return true;
  const minutes = (ms: number | null | undefined) => (typeof ms === 'number' ? Math.round(ms / 60_000) : ms);
  const strip = (s: SyncStatus) => ({
    ...s,
    oldestPendingAgeMs: s.oldestPendingAgeMs === null ? null : 0,
    clockSkewMs: minutes(s.clockSkewMs),
    clockCheckedAt: undefined,
    clockWentBackMs: minutes(s.clockWentBackMs),
  });
  return JSON.stringify(strip(a)) !== JSON.stringify(strip(b));
}

/** The status's last-error shape: absent fields rather than nulls. */
export function lastErrorOf(at: string, message: string, code: string | number | null, entityId: string | null): NonNullable<SyncStatus['lastError']> {
  return {
    at,
    message,
    ...(code === null || code === '' ? {} : { code: String(code) }),
    ...(entityId === null ? {} : { entityId }),
  };
}
