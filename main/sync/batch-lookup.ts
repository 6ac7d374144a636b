// Orders of unknown outcome confirmed in bulk: one `POST /batch/orders/transactions` job
// (main/gameball/batches.ts) looks up to 1,000 of them up at Gameball, the job is polled like a batch
// of orders (batch-job.ts poll), and each item's result settles its own row (batch-plan.ts says
// what each does), all recorded in one step (batch-job.ts recordAll: only rows whose lease is still
// ours). Never throws. The rows come from outbox-store.ts claimLookUps: a batch whose answer was
// lost or that was not followed to its end, and above all the rows of an engine that died mid-batch
// (up to 1,000 in flight), which one by one would take a look-up and a post each at about 12 a
// second.
//
// Exactly once: nothing is posted here. An order is settled done only when Gameball lists it (the
// single look-up's rule, flows/order.ts orderIn, with its rewarded points), and goes back to be
// sent only when Gameball says it has no such order (9005) or lists nothing of it: then it is
// pending without an unknown outcome and may go in the next batch. Whatever else happens (the POST
// refused or lost, a job that fails, is gone or is not done in time, an item without a result or
// with another code, an item whose transactions do not read) leaves the row unknown, to be
// confirmed by its own look-up before anything is posted (flows/order.ts). Stopped before the job
// ends, or the POST answered 429 or 5xx (no job started): the rows go back unknown as they were,
// for the next look-up job.
// Audit: the carrier row (the first) records the POST and the last poll; every row records its
// item's result (method `BATCH`, like a batch of orders).
import { OrderTransactionsSchema } from '../gameball/answers.ts';
import { ORDER_NOT_FOUND, postBatchOrderTransactions } from '../gameball/batches.ts';
import type { BatchItemResult } from '../gameball/batches.ts';
import { LOOKUP_FAILED, NOT_AT_GAMEBALL } from './batch-plan.ts';
import { handBack, keepLeases, poll, recordAll, resultsByOrder, topUp } from './batch-job.ts';
import type { BatchJobDeps, Entry } from './batch-job.ts';
import { orderIn } from './flows/order.ts';
import { errorText } from './gameball-link.ts';
import type { ClaimedRow, Finish, SyncLogInput } from './outbox-store.ts';

/** What one item of a look-up job says of its order. */
export type LookedUp =
  { type: 'found'; points: number | null } | { type: 'absent'; message: string } | { type: 'unknown'; message: string };

/** One item's result (undefined: the job gave none for it) to what it says of order `orderId`. */
export function lookedUp(result: BatchItemResult | undefined, orderId: string, jobId: string): LookedUp {
  if (!result)
    return { type: 'unknown', message: `Look-up job ${jobId} gave no result for this order; it is confirmed with Gameball on its own.` };
  if (result.status === 'success') {
    const tx = OrderTransactionsSchema.safeParse(result);
    if (!tx.success)
      return {
        type: 'unknown',
        message: `Look-up job ${jobId} answered for this order without its transactions; it is confirmed with Gameball on its own.`,
      };
    const seen = orderIn(tx.data, orderId);
    if (seen.kind === 'found') return { type: 'found', points: seen.points };
    return { type: 'absent', message: `Gameball lists nothing recorded for this order (look-up job ${jobId}): it is sent again.` };
  }
  if (result.code === ORDER_NOT_FOUND)
    return { type: 'absent', message: `Gameball does not have this order (look-up job ${jobId}): it is sent again.` };
  const why = result.message ?? 'no reason given';
  return {
    type: 'unknown',
    message: `Look-up job ${jobId} could not confirm this order (${result.code ?? 'no code'}: ${why}); it is confirmed with Gameball on its own.`,
  };
}

interface Item {
  row: ClaimedRow;
}

/** Still unknown: confirmed by its own look-up, at once (no attempt was made to post). */
function byItsOwnLookUp(deps: BatchJobDeps, message: string): Finish {
  return { type: 'retry', nextAttemptAt: deps.clock.now(), code: LOOKUP_FAILED, message, unknownOutcome: true, countAttempt: false };
}

export async function runLookUp(taken: readonly ClaimedRow[], deps: BatchJobDeps): Promise<void> {
  const rows = [...taken];
  try {
    await topUp(rows, deps);
    const entries = await lookUpAndSettle(
      rows.map((row) => ({ row })),
      deps,
    );
    await recordAll(entries, deps);
    deps.changed();
  } catch (err) {
    // A bug or the database: the rows stay under our lease and are looked up when it expires.
    if (!deps.databaseDamaged(err, 'looking up a batch'))
      deps.logger?.error({ rows: rows.length, err: errorText(err) }, 'look-up job failed');
  }
}

async function lookUpAndSettle(all: Item[], deps: BatchJobDeps): Promise<Entry[]> {
  const { link, clock } = deps;
  let items = all;
  const carrierLogs: SyncLogInput[] = [];
  const everyRow = (outcome: Finish): Entry[] => items.map((it, i) => ({ row: it.row, outcome, logs: i === 0 ? carrierLogs : [] }));
  const keep = (): boolean => {
    items = keepLeases(items, deps);
    return items.length > 0;
  };

  if (!keep()) return [];
  const carrier = items[0] as Item;
  const ids = items.map((it) => it.row.entityId);
  const posted = await link.call(
    carrier.row,
    carrierLogs,
    (c, s) => postBatchOrderTransactions(c, ids, s),
    'POST',
    '/batch/orders/transactions',
  );
  if (posted === 'abandoned') return everyRow(handBack(deps, true));
  if (posted.kind !== 'ok' || !posted.value) {
    const paused = deps.gate.failed(clock.now());
    // Answered "not now" (429, 5xx): no job was started; the orders stay eligible for the next
    // look-up job (the gate pauses look-up jobs after two such failures in a row).
    const notNow = posted.kind === 'retry' && posted.httpStatus !== null;
    deps.logger?.warn(
      { rows: items.length, httpStatus: posted.httpStatus, code: posted.code, message: posted.message, pausedLookUps: paused },
      notNow
        ? 'look-up job refused for now; its orders wait for the next one'
        : 'look-up job refused or lost: its orders are confirmed with Gameball one by one',
    );
    if (notNow) return everyRow(handBack(deps, true));
    return everyRow(byItsOwnLookUp(deps, `The look-up job was not started (${posted.message}); confirmed with Gameball on its own.`));
  }
  const jobId = posted.value.jobId;
  const polled = await poll(jobId, carrier.row, carrierLogs, deps, keep);
  if (polled.type === 'abandoned') return everyRow(handBack(deps, true));
  if (polled.type === 'gave-up') {
    deps.gate.failed(clock.now());
    deps.logger?.warn(
      { jobId, rows: items.length, message: polled.message },
      'look-up job could not be followed to its end; its orders are confirmed with Gameball one by one',
    );
    return everyRow(byItsOwnLookUp(deps, polled.message));
  }
  const status = polled.answer;
  if (status.status === 'failed') {
    deps.gate.failed(clock.now());
    deps.logger?.warn(
      { jobId, rows: items.length, answered: status.results.length },
      'look-up job failed midway; the orders it did not answer are confirmed with Gameball one by one',
    );
  } else deps.gate.succeeded();
  const byOrder = resultsByOrder(status.results, ids);
  const now = clock.now();
  return items.map((it, i): Entry => {
    const result = byOrder.get(it.row.entityId);
    const seen = lookedUp(result, it.row.entityId, jobId);
    const log: SyncLogInput = {
      method: 'BATCH',
      path: `/batches/${jobId}/status`,
      httpStatus: polled.res.httpStatus,
      code: result?.code ?? null,
      message: seen.type === 'found' ? `Recorded by Gameball (look-up job ${jobId}).` : seen.message,
      requestId: polled.res.requestId,
      outcome: seen.type === 'found' ? 'reconciled' : seen.type === 'absent' ? 'retry' : 'unknown',
      durationMs: null,
    };
    const logs = i === 0 ? [...carrierLogs, log] : [log];
    if (seen.type === 'found') return { row: it.row, outcome: { type: 'done', rewardedPoints: seen.points }, logs };
    if (seen.type === 'absent')
      return {
        row: it.row,
        // Known not sent: due now, no attempt counted, and batchable again (batch-plan.ts).
        outcome: {
          type: 'retry',
          nextAttemptAt: now,
          code: NOT_AT_GAMEBALL,
          message: seen.message,
          unknownOutcome: false,
          countAttempt: false,
        },
        logs,
      };
    return { row: it.row, outcome: byItsOwnLookUp(deps, seen.message), logs };
  });
}
