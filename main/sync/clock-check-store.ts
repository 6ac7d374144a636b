// The owner of the `clock_check` table (migration 0004): the last measurement of the till's clock
// against Gameball's, one row per mode, written by the sync engine and read by the status. Also
// reads the newest time the till wrote anything (its last order, refund and Gameball call), the
// reference a clock that went back is noticed against. Every statement is synchronous and cheap:
// single-row lookups, the newest rows found by their rowid.
import type { Database } from '../db/database.ts';
import type { ClockCheck } from './clock-skew.ts';

export class ClockCheckStore {
  private readonly selectCheck;
  private readonly upsertCheck;
  private readonly selectNewest;

  constructor(db: Database) {
    this.selectCheck = db.prepare<{ training: number }, { skew_ms: number; checked_at: number; behind_ms: number }>(
      'SELECT skew_ms, checked_at, behind_ms FROM clock_check WHERE training = @training',
    );
    this.upsertCheck = db.prepare<{ training: number; skew: number; at: number; behind: number }>(`
      INSERT INTO clock_check (training, skew_ms, checked_at, behind_ms) VALUES (@training, @skew, @at, @behind)
      ON CONFLICT(training) DO UPDATE SET skew_ms = excluded.skew_ms, checked_at = excluded.checked_at, behind_ms = excluded.behind_ms`);
    // The last row written to each table (highest rowid), not the highest date: a clock that went
    // back writes earlier dates after later ones, and the newest date is the one to compare with.
    this.selectNewest = db.prepare<[], { at: string | null }>(`
      SELECT MAX(at) AS at FROM (
        SELECT (SELECT created_at FROM orders ORDER BY rowid DESC LIMIT 1) AS at
        UNION ALL SELECT (SELECT created_at FROM refunds ORDER BY rowid DESC LIMIT 1)
        UNION ALL SELECT (SELECT at FROM sync_log ORDER BY id DESC LIMIT 1))`);
  }

  load(training: boolean): ClockCheck | null {
    const r = this.selectCheck.get({ training: training ? 1 : 0 });
    return r ? { skewMs: r.skew_ms, checkedAt: r.checked_at, behindMs: r.behind_ms } : null;
  }

  /** Records a measurement made at `now` (the till's clock). */
  save(training: boolean, skewMs: number, now: number): void {
    const newest = this.newestRecordedAt();
    this.upsertCheck.run({
      training: training ? 1 : 0,
      skew: Math.round(skewMs),
      at: now,
      behind: newest === null ? 0 : Math.max(0, newest - now),
    });
  }

  /** The latest of the dates on the last order, refund and call written (epoch ms); null on an empty till. */
  newestRecordedAt(): number | null {
    const at = this.selectNewest.get()?.at;
    if (typeof at !== 'string') return null;
    const ms = Date.parse(at);
    return Number.isFinite(ms) ? ms : null;
  }
}
