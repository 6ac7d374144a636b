// When the sync engine sends orders as one Gameball batch, and what each item's answer does to its
// row. Pure, so every rule is pinned by a table (test/unit/sync/batch-plan.test.ts).
//
// Which rows go in a batch (`pickBatch`, walked in outbox order over the owed calls):
//  - an order call (`track_order`) that is due, was never tried (a call that failed once, or whose
//    outcome is unknown, goes one by one: the single flow reconciles, re-dates and reports) or that a
//    look-up job found Gameball does not have (`NOT_AT_GAMEBALL`: known not sent, nothing refused
//    it), and whose order names no referrer: batch items carry no `referrerCode`, so a referred
//    customer's registration and first order always go singly, in order;
//  - only while nothing owed earlier for the same customer stays out of the batch: the first call
//    of a customer that is not batchable (a registration, a refund, a retry, a call in flight) holds
//    back every later call of that customer, which then goes one at a time in outbox order as
//    before. Consecutive orders of one customer may share a batch (Gameball runs a job's items in
//    order; an order has no step that another must wait for).
// When (`BATCH_MIN_ROWS`): a batch is one call whatever its size, but it costs a job and at least one
// status poll, and its rows wait for the whole job; below 20 due orders the single path (12 orders
// a second at Gameball's limits, answered at once) is as fast, so small backlogs never wait for a job.
//
// What an item's result does (`itemSettlement`):
//  - success: done (with its rewarded points);
//  - failed 9004 (the order id exists): Gameball has the order, done (audited as reconciled);
//  - failed with a code that means "try later" (2001, 429, 5xxx) or a date Gameball refuses (9007
//    in its future, 9003 the very time of another of the customer's: the single flow re-dates
//    both): back to pending, attempt counted, so it goes singly (a 9007 item is first sent once
//    more in a batch dated by Gameball's clock, batch-job.ts);
//  - failed with any other code: needs attention with Gameball's code and message, like a refused
//    `POST /orders` (row-outcome.ts);
//  - no result for the item (a job that failed midway or ended without it): unknown, so the row is
//    looked up at Gameball before anything is posted again.

// Orders of unknown outcome (a batch whose answer was lost or that was not followed to its end, rows
// taken over from an engine that died mid-batch) are confirmed in bulk when there are enough of them
// (batch-lookup.ts, `BATCH_MIN_ROWS` like batches): one `POST /batch/orders/transactions` job looks
// them all up. What its items do:
//  - the order's transactions list the order: done, reconciled (the single look-up's rule,
//    flows/order.ts orderIn);
//  - failed 9005 (no such order), or listed without it: known not sent, back to pending without an
//    unknown outcome and marked `NOT_AT_GAMEBALL`, so it may go in the next batch;
//  - anything else (no result, another code, a job that failed or was not followed, a lost answer,
//    a POST refused for a reason): still unknown, marked `LOOKUP_FAILED`, so it is confirmed by its
//    own look-up (never posted before Gameball is known not to have it, and never in a look-up job
//    again while so marked). A POST answered 429 or 5xx started no job: the rows stay unknown,
//    unmarked, for the next look-up job.
// Referred orders and redemptions are not looked up in bulk: they keep their single path.

/** Fewer due batchable orders than this go one by one (see the header). */
export const BATCH_MIN_ROWS = 20;
/** The row code of an order a look-up job found Gameball does not have (it may go in a batch again). */
export const NOT_AT_GAMEBALL = 'NOT_AT_GAMEBALL';
/** The row code of an order a look-up job could not confirm (its own look-up confirms it). */
export const LOOKUP_FAILED = 'BATCH_LOOKUP_FAILED';
/** Gameball's most items per batch call. */
export const BATCH_MAX_ROWS = 1_000;
/** Batches running at once (each holds one of the engine's slots while it is polled). */
export const BATCHES_AT_ONCE = 2;

export interface BatchCandidate<R> {
  row: R;
  customerId: string;
  /** The row itself may go in a batch (due, an order, never tried, no referrer, customer not busy). */
  batchable: boolean;
}

/**
 * The batch to take from `candidates` (owed calls in outbox order): batchable rows whose customer
 * has nothing earlier left out, up to `max`. Reads no further than it needs.
 */
export function pickBatch<R>(candidates: Iterable<BatchCandidate<R>>, max: number): Array<BatchCandidate<R>> {
  const picked: Array<BatchCandidate<R>> = [];
  const heldBack = new Set<string>();
  for (const c of candidates) {
    if (picked.length >= max) break;
    if (heldBack.has(c.customerId)) continue;
    if (c.batchable) picked.push(c);
    else heldBack.add(c.customerId);
  }
  return picked;
}

/** Gameball codes that mean "not now" rather than "not this order". */
const LATER_CODES = new Set([2001, 4290, 5000, 5003, 9003, 9007]);
const DUPLICATE = 9004;

export type ItemSettlement =
  | { type: 'done'; rewardedPoints: number | null; reconciled: boolean }
  | { type: 'later'; code: string; message: string }
  | { type: 'refused'; code: string; message: string }
  | { type: 'unknown'; message: string };

/** One item's result (undefined: the job gave none for it) to what its row becomes. */
export function itemSettlement(
  result: { status: string; code?: number | null; message?: string | null; rewardedPoints?: number | null } | undefined,
  jobId: string,
): ItemSettlement {
  if (!result)
    return {
      type: 'unknown',
      message: `Batch job ${jobId} gave no result for this order; it is confirmed with Gameball before any re-send.`,
    };
  if (result.status === 'success') {
    const p = result.rewardedPoints;
    return { type: 'done', rewardedPoints: typeof p === 'number' && Number.isFinite(p) ? Math.round(p) : null, reconciled: false };
  }
  const code = result.code ?? null;
  const message = result.message ?? `Batch job ${jobId} refused this order without a reason.`;
  if (code === DUPLICATE) return { type: 'done', rewardedPoints: null, reconciled: true };
  if (code === null || LATER_CODES.has(code) || (code >= 5000 && code < 6000))
    return { type: 'later', code: code === null ? 'BATCH_ITEM_FAILED' : String(code), message };
  return { type: 'refused', code: String(code), message };
}

/**
 * Falls back to single posts when batches keep failing as a whole (the endpoint is missing or
 * refuses, 5xx, a job that fails): after `FAILURES_TO_PAUSE` failures in a row, no batch is
 * tried for `PAUSE_MS`; then one is tried again. Rows are never lost by a failed batch: they go
 * back to the queue (or are confirmed first when the batch may have run), and the single path
 * sends them meanwhile.
 */
export class BatchGate {
  static readonly FAILURES_TO_PAUSE = 2;
  static readonly PAUSE_MS = 5 * 60_000;
  private failures = 0;
  private pausedUntil = -Infinity;

  open(now: number): boolean {
    return now >= this.pausedUntil;
  }

  succeeded(): void {
    this.failures = 0;
  }

  /** A batch failed as a whole; true when batches are now paused. */
  failed(now: number): boolean {
    this.failures += 1;
    if (this.failures < BatchGate.FAILURES_TO_PAUSE) return false;
    this.failures = 0;
    this.pausedUntil = now + BatchGate.PAUSE_MS;
    return true;
  }
}
