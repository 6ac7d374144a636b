// The sync status the screen and `status` show: orders and refunds per state, the age of the
// oldest one not yet synced, the last success and last error, online/offline, training, and the
// till's clock (how far from Gameball's, whether it went back). The one place it is computed
// (StatusReader) and the one place changes become status events (StatusFeed).
// Counts and the clock come from the database (so another process's captures, syncs and clock
// checks show up too); the live facts (online, last error) from the running engine, seeded from
// the audit log (or, with no engine running, from the audit log alone).
//
// The last error, one rule: the newest audited call that did not succeed (outcome retry,
// attention or unknown; never ok or reconciled), as { at, message, code: Gameball's error code
// when the answer had one, entityId }; a running engine then replaces it with what it meets
// itself (an answer, the data folder refusing writes, missing keys). This is the rule `status`
// and the screen have always shown (test/integration/sync/status.test.ts pins it).
import type { Database } from '../db/database.ts';
import type { Clock } from '../clock.ts';
import { isoAt } from '../clock.ts';
import type { Logger } from '../log.ts';
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

  /** The status from the tables alone (no engine running): online as the caller says, the rest from the audit log. */
  readStored(training: boolean, now: number, online: boolean): SyncStatus {
    return this.read(training, now, { ...this.seed(), online });
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
export function lastErrorOf(
  at: string,
  message: string,
  code: string | number | null,
  entityId: string | null,
): NonNullable<SyncStatus['lastError']> {
  return {
    at,
    message,
    ...(code === null || code === '' ? {} : { code: String(code) }),
    ...(entityId === null ? {} : { entityId }),
  };
}

/**
 * Turns "something changed" into status events: computed only while someone listens, at most once
 * per `delayMs` however fast changes come (a status reads counts over every order: never once per
 * capture), and told only when it differs for the screen (statusChanged).
 */
export class StatusFeed {
  private readonly listeners = new Set<(s: SyncStatus) => void>();
  private timer: NodeJS.Timeout | undefined;
  private last: SyncStatus | undefined;

  constructor(
    private readonly opts: {
      read: () => SyncStatus;
      delayMs: number;
      /** A status that could not be read (the event is skipped). */
      onReadError: (err: unknown) => void;
      logger?: Logger;
    },
  ) {}

  subscribe(listener: (s: SyncStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Something changed: one event after the delay (changes meanwhile join it). */
  changed(): void {
    if (this.timer || this.listeners.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.emit();
    }, this.opts.delayMs);
    this.timer.unref?.();
  }

  /** Computes the status now and tells the listeners when it changed. */
  emit(): void {
    let s: SyncStatus;
    try {
      s = this.opts.read();
    } catch (err) {
      this.opts.onReadError(err);
      return;
    }
    if (!statusChanged(this.last, s)) return;
    this.last = s;
    for (const l of this.listeners) {
      try {
        l(s);
      } catch (err) {
        this.opts.logger?.warn({ err: err instanceof Error ? `${err.name}: ${err.message}` : String(err) }, 'status listener failed');
      }
    }
  }

  /** Drops a pending event (the caller is about to close what `read` reads). */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Cancels, and forgets every listener. */
  close(): void {
    this.cancel();
    this.listeners.clear();
  }
}

/**
 * A running sync engine's status: its live facts (seeded from the audit log; the engine's parts
 * update them in place), read with the tables by StatusReader, and told two ways: debounced
 * events for the engine's own listeners (StatusFeed), and an immediate "changed" for a caller that
 * debounces and reads the status itself (the engine facade: one debounce, not two in series).
 */
export class EngineStatus {
  readonly live: LiveFacts;
  private readonly reader: StatusReader;
  private readonly feed: StatusFeed;
  private readonly changeListeners = new Set<() => void>();
  private notConfigured: SyncStatus['lastError'] = null;

  constructor(
    db: Database,
    private readonly opts: {
      training: boolean;
      clock: Clock;
      logger: Logger | undefined;
      delayMs: number;
      onReadError: (err: unknown) => void;
      /** Gameball is not configured (a live engine without keys): the last error says why. */
      notConfigured: string | null;
    },
  ) {
    this.reader = new StatusReader(db);
    this.feed = new StatusFeed({ read: () => this.read(), delayMs: opts.delayMs, onReadError: opts.onReadError, logger: opts.logger });
    this.live = { ...this.reader.seed(), online: false };
    this.setNotConfigured(opts.notConfigured);
  }

  /**
   * Why Gameball cannot be reached with the current configuration (null: it can now). The reason
   * is the last error while it holds; once the configuration is good, the last error goes back to
   * what the audit log says, unless something newer replaced the reason meanwhile.
   */
  setNotConfigured(reason: string | null): void {
    const was = this.notConfigured;
    if (reason === null) {
      this.notConfigured = null;
      if (was !== null && this.live.lastError === was) {
        try {
          this.live.lastError = this.reader.seed().lastError;
        } catch (err) {
          this.live.lastError = null;
          this.opts.onReadError(err);
        }
      }
      return;
    }
    if (was !== null && was.message === reason && this.live.lastError === was) return;
    this.notConfigured = lastErrorOf(isoAt(this.opts.clock.now()), reason, null, null);
    this.live.lastError = this.notConfigured;
  }

  read(): SyncStatus {
    return this.reader.read(this.opts.training, this.opts.clock.now(), this.live);
  }

  subscribe(listener: (s: SyncStatus) => void): () => void {
    return this.feed.subscribe(listener);
  }

  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Something the status shows may have changed. */
  changed(): void {
    this.feed.changed();
    for (const l of this.changeListeners) {
      try {
        l();
      } catch (err) {
        this.opts.logger?.warn(
          { err: err instanceof Error ? `${err.name}: ${err.message}` : String(err) },
          'status change listener failed',
        );
      }
    }
  }

  emit(): void {
    this.feed.emit();
  }

  cancel(): void {
    this.feed.cancel();
  }
}
