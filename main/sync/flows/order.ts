// An order (POST /orders), exactly once. An unknown outcome (answer lost after sending) is
// looked up first with `GET /orders/{orderId}/transactions`: listed -> synced, absent -> post.
// 9004 (the id exists) is confirmed the same way at once; listed nowhere, it needs a person.
// An order that redeems a points hold looks the hold up before posting (redeeming.ts): a hold
// that expired (or is gone) stops the order in attention with HOLD_EXPIRED, never silently sent
// without its redemption and never spending points twice.
import type { OrderTransactions } from '../../gameball/client.ts';
import { buildTrackOrderBody } from '../../gameball/mappers.ts';
import type { SyncOrderRow } from '../../gameball/mappers.ts';
import type { GameballResult } from '../../gameball/outcome.ts';
import { markReconciled } from './calls.ts';
import type { Outcome, RowCalls } from './calls.ts';
import { checkHoldBeforePosting, holdRefusal } from './redeeming.ts';

export async function syncOrder(calls: RowCalls, order: SyncOrderRow): Promise<Outcome> {
  const { row, logs } = calls;
  if (row.unknownOutcome) {
    const rec = await reconcileOrder(calls, order.order_id);
    if (rec === 'abandoned') return { abandoned: true, logs };
    if (rec.kind === 'found') return { finish: { type: 'done', rewardedPoints: rec.points }, logs };
    if (rec.kind === 'failed') return { finish: calls.outcome(rec.result, true), logs };
    // absent: nothing was recorded, posting is safe.
  }
  const holdStop = await checkHoldBeforePosting(calls, order);
  if (holdStop) return holdStop;
  const body = buildTrackOrderBody(order);
  const res = await calls.postDated(body, 'orderDate', (c, b, s) => c.trackOrder(b, s), '/orders');
  if (res === 'abandoned') return { abandoned: true, logs };
  if (res.kind === 'ok') {
    const points = res.value?.rewardedPoints;
    return {
      finish: { type: 'done', rewardedPoints: typeof points === 'number' && Number.isFinite(points) ? Math.round(points) : null },
      logs,
    };
  }
  if (res.cause === 'duplicate') {
    const rec = await reconcileOrder(calls, order.order_id);
    if (rec === 'abandoned') return { abandoned: true, logs };
    if (rec.kind === 'found') return { finish: { type: 'done', rewardedPoints: rec.points }, logs };
    if (rec.kind === 'failed') return { finish: calls.outcome(rec.result, true), logs };
    return {
      finish: {
        type: 'attention',
        code: String(res.code ?? 9004),
        message: `Gameball says order id ${order.order_id} already exists but lists nothing recorded for it. Check the order in Gameball; discard it here if it is there.`,
      },
      logs,
    };
  }
  if (res.kind === 'attention') {
    const stop = await holdRefusal(calls, order);
    if (stop) return stop;
  }
  return { finish: calls.outcome(res, res.kind === 'unknown'), logs };
}

async function reconcileOrder(
  calls: RowCalls,
  orderId: string,
): Promise<'abandoned' | { kind: 'found'; points: number | null } | { kind: 'absent' } | { kind: 'failed'; result: GameballResult }> {
  const res = await calls.transactionsOf(orderId);
  if (res === 'abandoned') return res;
  if (res.kind === 'ok' && res.value) {
    const seen = orderIn(res.value, orderId);
    if (seen.kind === 'found') markReconciled(calls.logs);
    return seen;
  }
  if (res.httpStatus === 404) return { kind: 'absent' };
  return { kind: 'failed', result: res };
}

/**
 * What Gameball's transactions of an order say (the answer of `GET /orders/{orderId}/transactions`,
 * or an item of a look-up job, batch-lookup.ts): found when a transaction of the order itself is
 * listed (then the order is done, with the points of its PaymentReward), absent otherwise.
 */
export function orderIn(tx: OrderTransactions, orderId: string): { kind: 'found'; points: number | null } | { kind: 'absent' } {
  const mine = tx.transactions.filter((t) => t.transactionId === undefined || t.transactionId === null || t.transactionId === orderId);
  return mine.length > 0 ? { kind: 'found', points: rewardedPointsOf(tx, orderId) } : { kind: 'absent' };
}

/** The points Gameball gave for the order itself (its PaymentReward), when listed. */
function rewardedPointsOf(tx: OrderTransactions, orderId: string): number | null {
  let sum: number | null = null;
  for (const t of tx.transactions) {
    if (t.transactionType !== 'PaymentReward' || (t.transactionId && t.transactionId !== orderId)) continue;
    const p = typeof t.equivalentPoints === 'number' ? t.equivalentPoints : null;
    if (p !== null && Number.isFinite(p)) sum = (sum ?? 0) + p;
  }
  return sum === null ? null : Math.round(sum);
}
