// The outbox: the one module that writes outbox rows. Every state transition of a row is here:
//  - `Outbox` (capture, the operator's queue actions, recovery): enqueue a call, reopen a call
//    that needed attention, discard, purge with its order, restore from a damaged file, mark owed
//    calls of unknown outcome; and the reads the queue screen shows. Its methods run inside the
//    caller's transaction (the order and its outbox rows are written together).
//  - `OutboxStore` (the sync engine): claim under a lease, renew, finish (done, retry, attention,
//    dead) together with the entity's state and the audit rows, expire a gone engine's leases,
//    bring waiting rows forward.
// test/unit/sync/outbox-owner.test.ts fails when any other file under main/ writes the table.
// Every statement is synchronous and no transaction spans an await.
//
// Claiming (`claim`) runs in an IMMEDIATE transaction, so two engines on one data folder (two
// processes, or the app and the CLI) serialise on SQLite's write lock and never take the same
// row. A row is claimable when:
//  - it is pending and due, or in flight under a lease that has expired (its engine died or hung;
//    that engine may have sent the request, so the row is marked unknown_outcome=1 and the next
//    attempt reconciles before any re-post);
//  - "due" and "expired" hold whatever the till's clock did since the row was written. A new row
//    is due when captured (next_attempt_at is the capture time). A row whose clock reads earlier
//    than when the row was last written (updated_at: the capture, or the failed attempt that set
//    the retry) is due at once: the clock went back, so the wait cannot be measured, and it is
//    never stretched by the jump (a clock two days ahead at capture, then corrected, would
//    otherwise hold the order two days). Likewise a lease taken (updated_at: the claim) at a
//    time the clock now reads as the future cannot be measured any more: it has expired, unless
//    it is this engine's own (this engine is alive and finishes the row itself);
//  - it belongs to this engine's world: training rows only to the training engine (which talks to
//    the built-in simulator), real rows only to an engine configured for Gameball;
//  - no earlier row of the same customer is pending or in flight, and no row of that customer is
//    in flight under a live lease (one request at a time per customer, in id order);
//  - an earlier step of the same order (registration before the order) is not stuck in
//    attention, and a refund's order has been synced (or discarded: the refund then needs a person).
// Rows in attention do not hold back the customer's other orders: one bad order must not stop a
// customer's later purchases from earning points.
// Redemption orders (an order carrying a points hold, which expires in minutes) are claimed first,
// ahead of the backlog and of the same customer's older orders (a hold does not depend on them):
// still one request at a time per customer, and still after the order's own registration.
import { z } from 'zod';
import type { Statement } from 'better-sqlite3';
import type { Database } from '../db/database.ts';
import { isoAt } from '../clock.ts';
import { LOOKUP_FAILED, NOT_AT_GAMEBALL, pickBatch } from './batch-plan.ts';
import type { BatchCandidate } from './batch-plan.ts';
import { CLOCK_TOLERANCE_MS } from './clock-skew.ts';

export const OutboxRowSchema = z.object({
  id: z.number().int(),
  kind: z.enum(['register_customer', 'track_order', 'refund']),
  entity_id: z.string(),
  customer_id: z.string(),
  state: z.enum(['pending', 'in_flight', 'done', 'attention', 'dead', 'discarded']),
  attempts: z.number().int(),
  next_attempt_at: z.number(),
  lease_owner: z.string().nullable(),
  lease_expires_at: z.number().nullable(),
  unknown_outcome: z.number().int(),
  last_error_code: z.string().nullable(),
  last_error_message: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
/** One outbox row as stored (the only type of it). */
export type OutboxRow = z.infer<typeof OutboxRowSchema>;
export type OutboxKind = OutboxRow['kind'];
export type OutboxState = OutboxRow['state'];

/** An outbox row as a damaged file still had it, put back by recovery (always of unknown outcome). */
export interface RestoredCall {
  kind: string;
  entityId: string;
  customerId: string;
  state: 'pending' | 'attention';
  attempts: number;
  code: string | null;
  message: string | null;
  /** null: the damaged file did not say (then the time of recovery). */
  createdAt: string | null;
}

/**
 * The outbox transitions made outside the sync engine: a capture's calls, the operator's retry,
 * edit-and-resend, discard and retention pruning, recovery. Each method is one or a few
 * statements and runs inside the caller's transaction.
 */
export class Outbox {
  private readonly s;

  constructor(db: Database) {
    this.s = {
      insert: db.prepare<[OutboxKind, string, string, number, string, string]>(
        `INSERT INTO outbox (kind, entity_id, customer_id, state, attempts, next_attempt_at, created_at, updated_at)
         VALUES (?, ?, ?, 'pending', 0, ?, ?, ?)`,
      ),
      restore: db.prepare(
        `INSERT INTO outbox (kind, entity_id, customer_id, state, attempts, next_attempt_at, unknown_outcome, last_error_code, last_error_message, created_at, updated_at)
         VALUES (@kind, @entity, @customer, @state, @attempts, @next, 1, @code, @message, @created, @at)`,
      ),
      rowsOf: db.prepare<[string], OutboxRow>('SELECT * FROM outbox WHERE entity_id = ? ORDER BY id'),
      kindsOf: db.prepare<[string], { kind: OutboxKind }>('SELECT kind FROM outbox WHERE entity_id = ? ORDER BY id'),
      reopen: db.prepare<[number, string, string]>(
        "UPDATE outbox SET state = 'pending', next_attempt_at = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ? WHERE entity_id = ? AND state IN ('attention','dead')",
      ),
      live: db.prepare<[string], { n: number }>(
        "SELECT COUNT(*) AS n FROM outbox WHERE entity_id = ? AND (state = 'in_flight' OR (unknown_outcome = 1 AND state NOT IN ('done','discarded')))",
      ),
      discard: db.prepare<[string, string]>(
        "UPDATE outbox SET state = 'discarded', lease_owner = NULL, lease_expires_at = NULL, updated_at = ? WHERE entity_id = ? AND state NOT IN ('done','discarded')",
      ),
      done: db.prepare<[string, string, string], { one: number }>(
        "SELECT 1 AS one FROM outbox WHERE entity_id = ? AND kind = ? AND customer_id = ? AND state = 'done' LIMIT 1",
      ),
      purge: db.prepare<[string]>('DELETE FROM outbox WHERE entity_id = ?'),
      markOwedUnknown: db.prepare<[string]>(
        "UPDATE outbox SET unknown_outcome = 1, updated_at = ? WHERE state IN ('pending', 'in_flight') AND unknown_outcome = 0",
      ),
    };
  }

  /** Queues one call, due at once (`now`: the capture's time, also its created and updated time). */
  enqueue(kind: OutboxKind, entityId: string, customerId: string, now: number): void {
    const iso = isoAt(now);
    this.s.insert.run(kind, entityId, customerId, now, iso, iso);
  }

  /** Every call of an order or refund, oldest first (the queue's detail view). */
  rowsOf(entityId: string): OutboxRow[] {
    return this.s.rowsOf.all(entityId);
  }

  /** The kinds of the calls queued for an entity, in the order they were queued. */
  kindsOf(entityId: string): OutboxKind[] {
    return this.s.kindsOf.all(entityId).map((r) => r.kind);
  }

  /** Whether a call of this kind for this entity and customer is done (Gameball has it). */
  hasDone(entityId: string, kind: OutboxKind, customerId: string): boolean {
    return this.s.done.get(entityId, kind, customerId) !== undefined;
  }

  /** Whether a call of the entity is in flight, or its last send is still to be confirmed. */
  isLive(entityId: string): boolean {
    return (this.s.live.get(entityId)?.n ?? 0) > 0;
  }

  /** Calls stopped in attention (or dead) go back to pending, due `now`, without a lease. */
  reopen(entityId: string, now: number): void {
    this.s.reopen.run(now, isoAt(now), entityId);
  }

  /** Every call of the entity not done yet is discarded (never sent). */
  discard(entityId: string, now: number): void {
    this.s.discard.run(isoAt(now), entityId);
  }

  /** Deletes every call of the entity (retention pruning, with the entity itself). */
  purge(entityId: string): void {
    this.s.purge.run(entityId);
  }

  /** Puts back a call recovery read from a damaged file, due `now` and of unknown outcome. */
  restore(call: RestoredCall, now: number): void {
    const at = isoAt(now);
    this.s.restore.run({
      kind: call.kind,
      entity: call.entityId,
      customer: call.customerId,
      state: call.state,
      attempts: call.attempts,
      next: now,
      code: call.code,
      message: call.message,
      created: call.createdAt ?? at,
      at,
    });
  }

  /** Marks every call still owed as of unknown outcome (see recover.ts markOwedUnknown); returns how many. */
  markOwedUnknown(now: number): number {
    return this.s.markOwedUnknown.run(isoAt(now)).changes;
  }
}

/** An owed row as the batch claim reads it (1/0 flags computed by the query). */
type BatchCandidateRow = OutboxRow & { due: number; referred: number; busy: number };

/** A row this engine now holds. `takenOver`: it was in flight under another (expired) lease. */
export interface ClaimedRow {
  id: number;
  kind: OutboxRow['kind'];
  entityId: string;
  customerId: string;
  attempts: number;
  unknownOutcome: boolean;
  takenOver: boolean;
  /** When this engine's lease ends (as last written by this engine). */
  leaseUntil: number;
}

/** One audited Gameball call (no bodies, no keys). */
export interface SyncLogInput {
  method: string;
  path: string;
  httpStatus: number | null;
  code: number | null;
  message: string;
  requestId: string | null;
  outcome: 'ok' | 'retry' | 'attention' | 'unknown' | 'reconciled';
  durationMs: number | null;
}

export type Finish =
  | { type: 'done'; rewardedPoints?: number | null }
  | { type: 'retry'; nextAttemptAt: number; code: string | null; message: string; unknownOutcome: boolean; countAttempt: boolean }
  | { type: 'attention'; code: string; message: string }
  | { type: 'dead'; code: string; message: string };

export interface OutboxStoreOptions {
  training: boolean;
  ownerId: string;
  leaseMs: number;
}

/** A call the audit table says was made (epoch ms of its record, at or just after it was sent). */
export interface RecentCall {
  method: 'GET' | 'POST';
  path: string;
  at: number;
}

/** The most audit rows one 30 s window can hold: three rate groups of 360 calls, with room to spare. */
const RECENT_CALLS_LIMIT = 2_000;

/** The clock parameters of the claim and due queries (see the header and clockParams). */
interface ClockParams {
  now: number;
  late: string;
  owner: string;
}

const TRAINING_OF = (alias: string) => `COALESCE(CASE ${alias}.kind WHEN 'refund'
    THEN (SELECT training FROM refunds WHERE refund_id = ${alias}.entity_id)
    ELSE (SELECT training FROM orders WHERE order_id = ${alias}.entity_id) END, @training)`;

interface EntityStatements {
  sending: Statement<{ id: string; at: string }>;
  synced: Statement<{ id: string; at: string; points: number | null }>;
  pending: Statement<{ id: string; at: string }>;
  attention: Statement<{ id: string; at: string; code: string; message: string }>;
}

/**
 * The state an order or refund shows while its calls are made, for one table. Both tables move
 * the same way; `onSynced` adds what only that table records when synced (an order's points).
 */
function entityStatements(db: Database, table: 'orders' | 'refunds', key: 'order_id' | 'refund_id', onSynced: string): EntityStatements {
  return {
    sending: db.prepare(`UPDATE ${table} SET state = 'sending', updated_at = @at WHERE ${key} = @id AND state = 'pending'`),
    synced: db.prepare(`
      UPDATE ${table} SET state = 'synced', synced_at = @at, updated_at = @at, attention_code = NULL, attention_message = NULL${onSynced}
      WHERE ${key} = @id AND state <> 'discarded'`),
    pending: db.prepare(`UPDATE ${table} SET state = 'pending', updated_at = @at WHERE ${key} = @id AND state = 'sending'`),
    attention: db.prepare(`
      UPDATE ${table} SET state = 'attention', attention_code = @code, attention_message = @message, updated_at = @at
      WHERE ${key} = @id AND state IN ('pending', 'sending')`),
  };
}

export class OutboxStore {
  private readonly selectClaimable;
  private readonly selectRedemptions;
  private readonly markClaimed;
  private readonly renewLease;
  private readonly finishDone;
  private readonly finishRetry;
  private readonly finishStop;
  /** The entity-state statements of the orders table and of the refunds table (same transitions). */
  private readonly orders: EntityStatements;
  private readonly refunds: EntityStatements;
  private readonly insertLog;
  private readonly selectNextDue;
  private readonly selectRecentLog;
  private readonly selectOthersInFlight;
  private readonly selectActive;
  private readonly selectOrder;
  private readonly updateReferrerCode;
  private readonly selectRefund;
  private readonly claimTx;
  private readonly selectBatchCandidates;
  private readonly claimBatchTx;
  private readonly selectLookUpCandidates;
  private readonly claimLookUpsTx;
  private readonly pullAll;
  private readonly pullRetried;
  private readonly selectLeaseOwners;
  private readonly expireLeases;

  constructor(
    private readonly db: Database,
    private readonly opts: OutboxStoreOptions,
  ) {
    const training = TRAINING_OF('o');
    // Walks the owed rows in id order (the partial index outbox_owed holds only pending and
    // in-flight rows, so done history is never read) and stops at @limit. Each candidate is checked
    // with index searches on outbox(customer_id, state, id): is it its customer's first owed call
    // in this world, and is no call of that customer in flight under a live lease. No step reads
    // all owed rows, so a claim costs about the same with 20 or 20,000 calls owed.
    // The clock rules (see the header): @late is now plus the tolerance, as text to compare with
    // updated_at (the row was written, or claimed, after that: the clock has gone back since).
    const due = `((o.state = 'pending' AND (o.next_attempt_at <= @now OR o.updated_at > @late))
      OR (o.state = 'in_flight' AND (o.lease_expires_at <= @now OR (o.lease_owner IS NOT @owner AND o.updated_at > @late))))`;
    this.selectClaimable = db.prepare<ClockParams & { training: number; limit: number }, OutboxRow>(`
      SELECT o.* FROM outbox o INDEXED BY outbox_owed
      WHERE o.state IN ('pending', 'in_flight')
        AND ${due}
        AND ${training} = @training
        AND NOT EXISTS (
          SELECT 1 FROM outbox e INDEXED BY outbox_customer
          WHERE e.customer_id = o.customer_id AND e.state IN ('pending', 'in_flight') AND e.id < o.id AND ${TRAINING_OF('e')} = @training)
        AND NOT EXISTS (
          SELECT 1 FROM outbox b INDEXED BY outbox_customer
          WHERE b.customer_id = o.customer_id AND b.state = 'in_flight' AND b.lease_expires_at > @now
            AND (b.lease_owner IS @owner OR b.updated_at <= @late) AND ${TRAINING_OF('b')} = @training)
        AND NOT EXISTS (SELECT 1 FROM outbox d WHERE d.entity_id = o.entity_id AND d.id < o.id AND d.state IN ('attention', 'dead'))
        AND (o.kind <> 'refund' OR EXISTS (
          SELECT 1 FROM refunds r JOIN orders x ON x.order_id = r.order_id
          WHERE r.refund_id = o.entity_id AND x.state IN ('synced', 'discarded')))
      ORDER BY o.id
      LIMIT @limit`);
    // The redemption orders owed, through the partial index of orders still owed with a hold (few
    // rows), so the backlog is never read for them.
    this.selectRedemptions = db.prepare<ClockParams & { training: number; limit: number }, OutboxRow>(`
      SELECT o.* FROM orders r INDEXED BY orders_redemption_owed
      JOIN outbox o INDEXED BY outbox_entity ON o.entity_id = r.order_id
      WHERE r.points_hold_reference IS NOT NULL AND r.state IN ('pending', 'sending') AND r.training = @training
        AND o.kind = 'track_order' AND o.state IN ('pending', 'in_flight')
        AND ${due}
        AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.entity_id = o.entity_id AND e.id < o.id AND e.state IN ('pending', 'in_flight', 'attention', 'dead'))
        AND NOT EXISTS (
          SELECT 1 FROM outbox b INDEXED BY outbox_customer
          WHERE b.customer_id = o.customer_id AND b.state = 'in_flight' AND b.lease_expires_at > @now
            AND (b.lease_owner IS @owner OR b.updated_at <= @late) AND ${TRAINING_OF('b')} = @training)
      ORDER BY o.id
      LIMIT @limit`);
    this.markClaimed = db.prepare<{ id: number; owner: string; until: number; at: string }>(`
      UPDATE outbox SET state = 'in_flight', lease_owner = @owner, lease_expires_at = @until,
        unknown_outcome = CASE WHEN state = 'in_flight' THEN 1 ELSE unknown_outcome END, updated_at = @at
      WHERE id = @id`);
    this.renewLease = db.prepare<{ id: number; owner: string; until: number }>(
      `UPDATE outbox SET lease_expires_at = @until WHERE id = @id AND lease_owner = @owner AND state = 'in_flight'`,
    );
    const mine = `WHERE id = @id AND lease_owner = @owner AND state = 'in_flight'`;
    this.finishDone = db.prepare<{ id: number; owner: string; at: string }>(`
      UPDATE outbox SET state = 'done', lease_owner = NULL, lease_expires_at = NULL, unknown_outcome = 0,
        attempts = attempts + 1, last_error_code = NULL, last_error_message = NULL, updated_at = @at ${mine}`);
    this.finishRetry = db.prepare<{
      id: number;
      owner: string;
      at: string;
      next: number;
      code: string | null;
      message: string;
      unknown: number;
      inc: number;
    }>(`
      UPDATE outbox SET state = 'pending', lease_owner = NULL, lease_expires_at = NULL, unknown_outcome = @unknown,
        attempts = attempts + @inc, next_attempt_at = @next, last_error_code = @code, last_error_message = @message, updated_at = @at ${mine}`);
    this.finishStop = db.prepare<{ id: number; owner: string; at: string; state: string; code: string; message: string }>(`
      UPDATE outbox SET state = @state, lease_owner = NULL, lease_expires_at = NULL,
        attempts = attempts + 1, last_error_code = @code, last_error_message = @message, updated_at = @at ${mine}`);
    this.orders = entityStatements(db, 'orders', 'order_id', ', rewarded_points = COALESCE(@points, rewarded_points)');
    this.refunds = entityStatements(db, 'refunds', 'refund_id', '');
    this.insertLog = db.prepare(`
      INSERT INTO sync_log (outbox_id, entity_id, method, path, http_status, gameball_code, message, request_id, outcome, duration_ms, at)
      VALUES (@outboxId, @entityId, @method, @path, @httpStatus, @code, @message, @requestId, @outcome, @durationMs, @at)`);
    this.selectNextDue = db.prepare<ClockParams & { training: number }, { due: number | null }>(`
      SELECT MIN(CASE
          WHEN o.state = 'pending' THEN CASE WHEN o.updated_at > @late THEN @now ELSE o.next_attempt_at END
          WHEN o.lease_owner IS NOT @owner AND o.updated_at > @late THEN @now
          ELSE o.lease_expires_at END) AS due
      FROM outbox o WHERE o.state IN ('pending', 'in_flight') AND ${training} = @training`);
    this.selectRecentLog = db.prepare<{ since: string; training: number; limit: number }, { method: string; path: string; at: string }>(`
      SELECT l.method, l.path, l.at FROM (SELECT * FROM sync_log ORDER BY id DESC LIMIT @limit) l
      WHERE l.at >= @since
        AND COALESCE((SELECT training FROM orders WHERE order_id = l.entity_id), (SELECT training FROM refunds WHERE refund_id = l.entity_id), @training) = @training`);
    this.selectOthersInFlight = db.prepare<
      { owner: string; since: number; training: number },
      { kind: OutboxRow['kind']; unknown_outcome: number }
    >(`
      SELECT o.kind, o.unknown_outcome FROM outbox o
      WHERE o.state = 'in_flight' AND o.lease_owner IS NOT @owner AND o.lease_expires_at > @since AND ${training} = @training`);
    this.selectActive = db.prepare<{ training: number }, { n: number }>(`
      SELECT COUNT(*) AS n FROM outbox o WHERE o.state IN ('pending', 'in_flight') AND ${training} = @training`);
    this.selectOrder = db.prepare<[string], Record<string, unknown>>('SELECT * FROM orders WHERE order_id = ?');
    this.updateReferrerCode = db.prepare<[string, string]>(
      'UPDATE orders SET referrer_code = ? WHERE order_id = ? AND referrer_customer_id IS NOT NULL',
    );
    this.selectRefund = db.prepare<[string], Record<string, unknown>>('SELECT * FROM refunds WHERE refund_id = ?');

    this.pullAll = db.prepare<{ now: number }>(
      `UPDATE outbox SET next_attempt_at = @now WHERE state = 'pending' AND next_attempt_at > @now`,
    );
    this.pullRetried = db.prepare<{ now: number }>(
      `UPDATE outbox SET next_attempt_at = @now WHERE state = 'pending' AND next_attempt_at > @now AND attempts > 0`,
    );
    this.selectLeaseOwners = db.prepare<{ now: number; me: string }, { owner: string }>(`
      SELECT DISTINCT lease_owner AS owner FROM outbox INDEXED BY outbox_owed
      WHERE state IN ('pending', 'in_flight') AND state = 'in_flight' AND lease_expires_at > @now AND lease_owner <> @me`);
    this.expireLeases = db.prepare<{ now: number; owner: string }>(
      `UPDATE outbox SET lease_expires_at = @now WHERE lease_owner = @owner AND state = 'in_flight' AND lease_expires_at > @now`,
    );
    this.claimTx = db.transaction((now: number, limit: number): ClaimedRow[] => {
      const params = { ...this.clockParams(now), training: this.training, limit };
      const first = this.selectRedemptions.all(params);
      const taken = new Set(first.map((r) => r.id));
      // One redemption per customer per claim (one request at a time per customer).
      const customers = new Set<string>();
      const rows = first.filter((r) => !customers.has(r.customer_id) && customers.add(r.customer_id));
      if (rows.length < limit) {
        for (const r of this.selectClaimable.all({ ...params, limit: limit - rows.length + first.length })) {
          if (taken.has(r.id) || customers.has(r.customer_id) || rows.length >= limit) continue;
          rows.push(r);
        }
      }
      const at = isoAt(now);
      const until = now + this.opts.leaseMs;
      const claimed: ClaimedRow[] = [];
      for (const raw of rows) {
        const row = OutboxRowSchema.parse(raw);
        const takenOver = row.state === 'in_flight';
        this.markClaimed.run({ id: row.id, owner: this.opts.ownerId, until, at });
        (row.kind === 'refund' ? this.refunds : this.orders).sending.run({ id: row.entity_id, at });
        claimed.push({
          id: row.id,
          kind: row.kind,
          entityId: row.entity_id,
          customerId: row.customer_id,
          attempts: row.attempts,
          unknownOutcome: takenOver || row.unknown_outcome === 1,
          takenOver,
          leaseUntil: until,
        });
      }
      return claimed;
    });
    // The owed calls in id order, with what a batch needs to know of each (see claimBatch): whether
    // it is due, whether its order names a referrer, and whether its customer has a call in flight.
    this.selectBatchCandidates = db.prepare<ClockParams & { training: number }, BatchCandidateRow>(`
      SELECT o.*,
        CASE WHEN o.state = 'pending' AND (o.next_attempt_at <= @now OR o.updated_at > @late) THEN 1 ELSE 0 END AS due,
        CASE WHEN x.referrer_code IS NOT NULL OR x.referrer_customer_id IS NOT NULL THEN 1 ELSE 0 END AS referred,
        EXISTS (SELECT 1 FROM outbox b INDEXED BY outbox_customer WHERE b.customer_id = o.customer_id AND b.state = 'in_flight') AS busy
      FROM outbox o INDEXED BY outbox_owed
      LEFT JOIN orders x ON o.kind <> 'refund' AND x.order_id = o.entity_id
      WHERE o.state IN ('pending', 'in_flight') AND ${training} = @training
      ORDER BY o.id`);
    this.claimBatchTx = db.transaction((now: number, min: number, max: number): { rows: ClaimedRow[]; read: number } => {
      const picked: OutboxRow[] = [];
      let read = 0;
      const candidates = (function* (it: IterableIterator<BatchCandidateRow>): Generator<BatchCandidate<OutboxRow>> {
        for (const raw of it) {
          read += 1;
          const row = OutboxRowSchema.parse(raw);
          yield {
            row,
            customerId: row.customer_id,
            batchable:
              raw.due === 1 &&
              raw.busy === 0 &&
              raw.referred === 0 &&
              row.kind === 'track_order' &&
              (row.attempts === 0 || row.last_error_code === NOT_AT_GAMEBALL) &&
              row.unknown_outcome === 0,
          };
        }
      })(this.selectBatchCandidates.iterate({ ...this.clockParams(now), training: this.training }));
      for (const c of pickBatch(candidates, max)) picked.push(c.row);
      if (picked.length < min) return { rows: [], read };
      const rows = this.claimAll(picked, now, () => ({ unknownOutcome: false, takenOver: false }));
      return { rows, read };
    });
    // The orders of unknown outcome a look-up job may confirm (see claimLookUps), in id order: owed
    // rows that are unknown or in flight (taken over, they become unknown), not marked as failed by
    // an earlier look-up job, and whose order is neither referred nor a redemption. Read through
    // their own partial index (migration 0011): the backlog's other rows are never read. `due` as
    // in selectClaimable; `due_at`: when a row not due yet will be.
    this.selectLookUpCandidates = db.prepare<
      ClockParams & { training: number; failed: string },
      OutboxRow & { due: number; due_at: number | null }
    >(`
      SELECT o.*, CASE WHEN ${due} THEN 1 ELSE 0 END AS due,
        CASE WHEN o.state = 'pending' THEN o.next_attempt_at ELSE o.lease_expires_at END AS due_at
      FROM outbox o INDEXED BY outbox_unsure
      JOIN orders x ON x.order_id = o.entity_id
      WHERE o.state IN ('pending', 'in_flight') AND (o.unknown_outcome = 1 OR o.state = 'in_flight')
        AND o.kind = 'track_order'
        AND (o.last_error_code IS NULL OR o.last_error_code <> @failed)
        AND x.training = @training
        AND x.referrer_code IS NULL AND x.referrer_customer_id IS NULL AND x.points_hold_reference IS NULL
      ORDER BY o.id`);
    this.claimLookUpsTx = db.transaction((now: number, min: number, max: number): { rows: ClaimedRow[]; nextAt: number | null } => {
      const picked: OutboxRow[] = [];
      let nextAt: number | null = null;
      for (const raw of this.selectLookUpCandidates.iterate({ ...this.clockParams(now), training: this.training, failed: LOOKUP_FAILED })) {
        if (raw.due === 1) {
          if (picked.length < max) picked.push(OutboxRowSchema.parse(raw));
        } else if (raw.due_at !== null && (nextAt === null || raw.due_at < nextAt)) nextAt = raw.due_at;
      }
      if (picked.length < min) return { rows: [], nextAt };
      const rows = this.claimAll(picked, now, (row) => ({ unknownOutcome: true, takenOver: row.state === 'in_flight' }));
      return { rows, nextAt };
    });
  }

  private get training(): number {
    return this.opts.training ? 1 : 0;
  }

  private clockParams(now: number): ClockParams {
    return { now, late: isoAt(now + CLOCK_TOLERANCE_MS), owner: this.opts.ownerId };
  }

  get ownerId(): string {
    return this.opts.ownerId;
  }

  /** Takes up to `limit` claimable rows under this engine's lease, oldest first. */
  claim(now: number, limit: number): ClaimedRow[] {
    if (limit <= 0) return [];
    return this.claimTx.immediate(now, limit);
  }

  /** Extends the lease before a slow step. False: the lease was lost (another engine took the row). */
  renew(row: ClaimedRow, now: number): boolean {
    const until = now + this.opts.leaseMs;
    if (this.renewLease.run({ id: row.id, owner: this.opts.ownerId, until }).changes !== 1) return false;
    row.leaseUntil = until;
    return true;
  }

  /**
   * Takes a batch: up to `max` of the orders that may go in one `POST /batch/orders` (batch-plan.ts
   * says which: due, never tried, no referral, and nothing owed before them for their customer that
   * is not in the same batch), under this engine's lease like claim(). Fewer than `min`: nothing is
   * taken (one by one is as fast). Oldest first; one IMMEDIATE transaction like claim().
   * `read`: how many owed calls the walk read.
   */
  claimBatch(now: number, min: number, max: number): { rows: ClaimedRow[]; read: number } {
    if (max <= 0) return { rows: [], read: 0 };
    return this.claimBatchTx.immediate(now, Math.max(1, min), max);
  }

  /**
   * Takes orders of unknown outcome to confirm in one look-up job (batch-plan.ts, batch-lookup.ts):
   * up to `max` due orders that are owed with an unknown outcome, or in flight under an expired lease
   * (taken over: marked unknown like claim() does), that no look-up job failed to confirm, and whose
   * order is neither referred nor a redemption (those keep their single path). A read settles them,
   * so a customer's other calls do not hold them back. Fewer than `min`: nothing is taken. One
   * IMMEDIATE transaction like claim(). `nextAt`: when the next candidate not due yet will be (null:
   * none), for the caller to look again then.
   */
  claimLookUps(now: number, min: number, max: number): { rows: ClaimedRow[]; nextAt: number | null } {
    if (max <= 0) return { rows: [], nextAt: null };
    return this.claimLookUpsTx.immediate(now, Math.max(1, min), max);
  }

  /** Extends the lease of every row (one transaction). Returns the rows whose lease was lost. */
  renewAll(rows: readonly ClaimedRow[], now: number): ClaimedRow[] {
    return this.db.transaction((): ClaimedRow[] => rows.filter((row) => !this.renew(row, now))).immediate();
  }

  /** Claims `picked` for this engine (leased, their orders shown as sending); `how` says what each claim is. */
  private claimAll(
    picked: readonly OutboxRow[],
    now: number,
    how: (row: OutboxRow) => Pick<ClaimedRow, 'unknownOutcome' | 'takenOver'>,
  ): ClaimedRow[] {
    const at = isoAt(now);
    const until = now + this.opts.leaseMs;
    return picked.map((row): ClaimedRow => {
      this.markClaimed.run({ id: row.id, owner: this.opts.ownerId, until, at });
      this.orders.sending.run({ id: row.entity_id, at });
      return {
        id: row.id,
        kind: row.kind,
        entityId: row.entity_id,
        customerId: row.customer_id,
        attempts: row.attempts,
        ...how(row),
        leaseUntil: until,
      };
    });
  }

  /** Other engines holding a live lease on a row still owed. */
  leaseOwners(now: number): string[] {
    return this.selectLeaseOwners.all({ now, me: this.opts.ownerId }).map((r) => r.owner);
  }

  /**
   * Ends the leases of an engine known to be gone: its rows become claimable now, and the claim
   * marks them unknown_outcome (it may have sent them), so they are reconciled before any re-post.
   */
  expireLeasesOf(owner: string, now: number): number {
    return this.expireLeases.run({ now, owner }).changes;
  }

  /** Brings waiting rows forward to `now` (all of them, or only those that already failed once). */
  pullForward(now: number, onlyRetried: boolean): void {
    (onlyRetried ? this.pullRetried : this.pullAll).run({ now });
  }

  loadOrder(orderId: string): Record<string, unknown> | undefined {
    return this.selectOrder.get(orderId);
  }

  /**
   * Keeps the referral code Gameball gave for an order's referrer named by customer id, so the
   * registration and the first order both send it. Only for such an order (no-op otherwise).
   */
  keepReferrerCode(orderId: string, code: string): void {
    this.updateReferrerCode.run(code, orderId);
  }

  loadRefund(refundId: string): Record<string, unknown> | undefined {
    return this.selectRefund.get(refundId);
  }

  /**
   * Records a claimed row's outcome, the entity's new state and the audit rows, atomically.
   * Returns false when this engine no longer held the lease: then only the audit rows are kept
   * (the call was made) and the row is left to its new holder, which reconciles first.
   */
  finish(row: ClaimedRow, outcome: Finish, logs: SyncLogInput[], now: number): boolean {
    return this.db.transaction((): boolean => this.finishOne(row, outcome, logs, now)).immediate();
  }

  /** finish() for many rows in one transaction (a batch's items); one result per entry, in order. */
  finishAll(entries: ReadonlyArray<{ row: ClaimedRow; outcome: Finish; logs: SyncLogInput[] }>, now: number): boolean[] {
    return this.db.transaction((): boolean[] => entries.map((e) => this.finishOne(e.row, e.outcome, e.logs, now))).immediate();
  }

  private finishOne(row: ClaimedRow, outcome: Finish, logs: SyncLogInput[], now: number): boolean {
    const at = isoAt(now);
    for (const l of logs) this.insertLog.run({ outboxId: row.id, entityId: row.entityId, ...l, at });
    const base = { id: row.id, owner: this.opts.ownerId, at };
    const table = row.kind === 'refund' ? this.refunds : this.orders;
    const entity = { id: row.entityId, at };
    switch (outcome.type) {
      case 'done': {
        if (this.finishDone.run(base).changes !== 1) return false;
        // A registration done is not the order done: the order waits for its own call.
        if (row.kind === 'register_customer') table.pending.run(entity);
        else table.synced.run({ ...entity, points: outcome.rewardedPoints ?? null });
        return true;
      }
      case 'retry': {
        const changed = this.finishRetry.run({
          ...base,
          next: outcome.nextAttemptAt,
          code: outcome.code,
          message: outcome.message,
          unknown: outcome.unknownOutcome ? 1 : 0,
          inc: outcome.countAttempt ? 1 : 0,
        }).changes;
        if (changed !== 1) return false;
        table.pending.run(entity);
        return true;
      }
      case 'attention':
      case 'dead': {
        const state = outcome.type;
        if (this.finishStop.run({ ...base, state, code: outcome.code, message: outcome.message }).changes !== 1) return false;
        table.attention.run({ ...entity, code: outcome.code, message: outcome.message });
        return true;
      }
    }
  }

  /** Earliest time something of this engine's world becomes claimable, read at `now` (null: nothing queued). */
  nextDueAt(now: number): number | null {
    return this.selectNextDue.get({ ...this.clockParams(now), training: this.training })?.due ?? null;
  }

  /**
   * What this world's Gameball account may still count from other syncs (a process that stopped or
   * was killed just before this one started): the calls audited in the last `windowMs`, and the
   * rows another engine holds in flight under a lease that may have sent within that window. A
   * call in flight is not audited until its answer, so those rows are returned for the caller to
   * count as sent now (the worst case).
   */
  recentCalls(
    now: number,
    windowMs: number,
  ): { audited: RecentCall[]; inFlight: Array<{ kind: OutboxRow['kind']; unknownOutcome: boolean }> } {
    const audited: RecentCall[] = [];
    for (const r of this.selectRecentLog.all({ since: isoAt(now - windowMs), training: this.training, limit: RECENT_CALLS_LIMIT })) {
      const at = Date.parse(r.at);
      if ((r.method === 'GET' || r.method === 'POST') && Number.isFinite(at)) audited.push({ method: r.method, path: r.path, at });
    }
    // A lease always ends after its request left (it is renewed before sending when short), so a
    // lease that ended before the window began belongs to a request sent before it.
    const inFlight = this.selectOthersInFlight
      .all({ owner: this.opts.ownerId, since: now - windowMs, training: this.training })
      .map((r) => ({ kind: r.kind, unknownOutcome: r.unknown_outcome === 1 }));
    return { audited, inFlight };
  }

  /** Rows of this engine's world still owed to Gameball (pending or in flight). */
  activeCount(): number {
    return this.selectActive.get({ training: this.training })?.n ?? 0;
  }
}
