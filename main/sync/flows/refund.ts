// A refund (POST /transactions/refund), after its order is synced. An unknown outcome is looked
// up under the original order: listed with the refund id -> synced; otherwise it is re-posted with
// the same refundTransactionId, which Gameball refuses with 9004 if it already has it (taken as
// confirmation).
import { markReconciled } from './calls.ts';
import type { Outcome, RowCalls } from './calls.ts';

export async function syncRefund(calls: RowCalls, orderId: string, body: Record<string, unknown>): Promise<Outcome> {
  const { row, logs } = calls;
  if (row.unknownOutcome) {
    const rec = await calls.transactionsOf(orderId);
    if (rec === 'abandoned') return { abandoned: true, logs };
    if (rec.kind === 'ok' && rec.value?.transactions.some((t) => t.transactionId === row.entityId)) {
      markReconciled(logs);
      return { finish: { type: 'done' }, logs };
    }
    // Not listed by id: Gameball's listing may name the order instead. Re-posting with the same
    // refundTransactionId is safe: Gameball refuses a known one with 9004 (handled below).
  }
  const res = await calls.postDated(body, 'transactionTime', (c, b, s) => c.refund(b, s), '/transactions/refund');
  if (res === 'abandoned') return { abandoned: true, logs };
  if (res.kind === 'ok') return { finish: { type: 'done' }, logs };
  if (res.cause === 'duplicate') {
    markReconciled(logs);
    return { finish: { type: 'done' }, logs };
  }
  return { finish: calls.outcome(res, res.kind === 'unknown'), logs };
}
