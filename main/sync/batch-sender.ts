// The sync engine's side of batches: when to take one (batch-plan.ts says which rows), how many
// run at once, and the gate that falls back to single posts when batches keep failing. The engine
// loop asks `claim` before its usual claim and runs what it gets with runBatch (batch-job.ts).
import type { Logger } from '../log.ts';
import { BATCH_MAX_ROWS, BATCH_MIN_ROWS, BATCHES_AT_ONCE, BatchGate } from './batch-plan.ts';
import type { ClaimedRow, OutboxStore } from './outbox-store.ts';

export interface BatchOptions {
  /** Fewer due batchable orders than this go one by one (default BATCH_MIN_ROWS, 20). */
  minRows?: number;
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

export class BatchSender {
  readonly gate = new BatchGate();
  private running = 0;
  private nextLookAt = -Infinity;
  private readonly minRows: number;
  private readonly maxRows: number;

  constructor(
    private readonly store: Pick<OutboxStore, 'claimBatch'>,
    private readonly opts: BatchOptions & { logger?: Logger },
  ) {
    this.minRows = Math.max(1, opts.minRows ?? BATCH_MIN_ROWS);
    this.maxRows = Math.min(BATCH_MAX_ROWS, Math.max(this.minRows, opts.maxRows ?? BATCH_MAX_ROWS));
  }

  get pollForMs(): number | undefined {
    return this.opts.pollForMs;
  }

  /** Rows for one batch now (each taken under this engine's lease), or none. Throws what the claim throws. */
  claim(now: number, slots: number): ClaimedRow[] {
    if (slots <= 0 || this.running >= BATCHES_AT_ONCE || !this.gate.open(now) || now < this.nextLookAt) return [];
    const { rows, read } = this.store.claimBatch(now, this.minRows, Math.min(CLAIM_STEP, this.maxRows));
    if (rows.length === 0) {
      if (read > LONG_WALK) this.nextLookAt = now + LOOK_AGAIN_MS;
      return [];
    }
    this.running += 1;
    return rows;
  }

  /** Most rows one batch may hold. */
  get max(): number {
    return this.maxRows;
  }

  /** Up to `limit` more rows for a batch already taken (any number, even one); throws what the claim throws. */
  more(now: number, limit: number): ClaimedRow[] {
    if (limit <= 0) return [];
    return this.store.claimBatch(now, 1, Math.min(CLAIM_STEP, limit)).rows;
  }

  /** A batch taken with claim() has ended. */
  ended(): void {
    this.running = Math.max(0, this.running - 1);
  }

  /** Something was queued or retried: look for a batch at the next pass. */
  lookNow(): void {
    this.nextLookAt = -Infinity;
  }
}
