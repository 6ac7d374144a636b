// The sync engine's side of batches: when to take one (batch-plan.ts says which rows), how many
// run at once, and the gates that fall back to the single path when batches keep failing. Two kinds:
// a look-up job confirming orders of unknown outcome (batch-lookup.ts), taken first, since what it
// finds not sent may then go in a batch; and a batch of orders to post (batch-job.ts). The engine
// loop asks `claim` before its usual claim and runs what it gets with runLookUp or runBatch.
import type { Logger } from '../log.ts';
import { BATCH_MAX_ROWS, BATCH_MIN_ROWS, BATCHES_AT_ONCE, BatchGate } from './batch-plan.ts';
import type { ClaimedRow, OutboxStore } from './outbox-store.ts';

export interface BatchOptions {
  /** Fewer due batchable orders than this go one by one (default BATCH_MIN_ROWS, 20). */
  minRows?: number;
  /** Fewer due orders of unknown outcome than this are looked up one by one (default BATCH_MIN_ROWS, 20). */
  lookUpMinRows?: number;
  /** Most orders in one batch (default and at most Gameball's 1,000). */
  maxRows?: number;
  /** How long a job may take before its rows are confirmed one by one instead (default 10 min). */
  pollForMs?: number;
}

/**
 * After a look that read many owed calls and found too few orders for a batch (a long queue that
 * cannot be batched), the next look waits this long: the walk reads the owed calls. A short
 * queue costs nothing to read and is looked at every pass.
 */
const LOOK_AGAIN_MS = 1_000;
const LONG_WALK = 500;
/**
 * Rows taken per claim: a claim writes two rows per call in one transaction (about 0.1 ms each on
 * a slow till), so a batch of 1,000 is taken in steps with the event loop free in between, and a
 * capture never waits long behind a batch (runBatch tops the batch up with `more`).
 */
export const CLAIM_STEP = 250;

/** What claim() took: orders to look up in one job, or orders to post in one batch. */
export interface TakenBatch {
  kind: 'lookUp' | 'post';
  rows: ClaimedRow[];
}

export class BatchSender {
  readonly gate = new BatchGate();
  /** Look-up jobs that keep failing pause apart from batches: the single look-up confirms meanwhile. */
  readonly lookUpGate = new BatchGate();
  private running = 0;
  private nextLookAt = -Infinity;
  private nextLookUpAt = -Infinity;
  private readonly minRows: number;
  private readonly lookUpMinRows: number;
  private readonly maxRows: number;

  constructor(
    private readonly store: Pick<OutboxStore, 'claimBatch' | 'claimLookUps'>,
    private readonly opts: BatchOptions & { logger?: Logger },
  ) {
    this.minRows = Math.max(1, opts.minRows ?? BATCH_MIN_ROWS);
    this.lookUpMinRows = Math.max(1, opts.lookUpMinRows ?? BATCH_MIN_ROWS);
    this.maxRows = Math.min(BATCH_MAX_ROWS, Math.max(this.minRows, opts.maxRows ?? BATCH_MAX_ROWS));
  }

  get pollForMs(): number | undefined {
    return this.opts.pollForMs;
  }

  /**
   * Rows for one look-up job or one batch now (each taken under this engine's lease), or null.
   * Throws what the claim throws.
   */
  claim(now: number, slots: number): TakenBatch | null {
    if (slots <= 0 || this.running >= BATCHES_AT_ONCE) return null;
    const rows = this.claimLookUps(now);
    if (rows.length > 0) {
      this.running += 1;
      return { kind: 'lookUp', rows };
    }
    if (!this.gate.open(now) || now < this.nextLookAt) return null;
    const { rows: batch, read } = this.store.claimBatch(now, this.minRows, Math.min(CLAIM_STEP, this.maxRows));
    if (batch.length === 0) {
      if (read > LONG_WALK) this.nextLookAt = now + LOOK_AGAIN_MS;
      return null;
    }
    this.running += 1;
    return { kind: 'post', rows: batch };
  }

  /**
   * Orders of unknown outcome for one look-up job, or none. The walk reads the owed orders of
   * unknown outcome and the rows in flight, so after a look that took nothing the next waits until
   * the first of them comes due (rows of one batch come due together), at most LOOK_AGAIN_MS.
   */
  private claimLookUps(now: number): ClaimedRow[] {
    if (!this.lookUpGate.open(now) || now < this.nextLookUpAt) return [];
    const { rows, nextAt } = this.store.claimLookUps(now, this.lookUpMinRows, Math.min(CLAIM_STEP, this.maxRows));
    if (rows.length === 0) this.nextLookUpAt = Math.min(now + LOOK_AGAIN_MS, Math.max(now + 1, nextAt ?? Infinity));
    return rows;
  }

  /** Most rows one batch may hold. */
  get max(): number {
    return this.maxRows;
  }

  /** Up to `limit` more rows for a batch or look-up job already taken (any number, even one); throws what the claim throws. */
  more(kind: TakenBatch['kind'], now: number, limit: number): ClaimedRow[] {
    if (limit <= 0) return [];
    const step = Math.min(CLAIM_STEP, limit);
    return kind === 'lookUp' ? this.store.claimLookUps(now, 1, step).rows : this.store.claimBatch(now, 1, step).rows;
  }

  /** A batch or look-up job taken with claim() has ended (its rows may now be due for the other kind). */
  ended(): void {
    this.running = Math.max(0, this.running - 1);
    this.lookNow();
  }

  /** Something was queued, retried or taken over: look for a batch or a look-up job at the next pass. */
  lookNow(): void {
    this.nextLookAt = -Infinity;
    this.nextLookUpAt = -Infinity;
  }
}
