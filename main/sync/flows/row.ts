// One claimed outbox row, from its rows to its outcome: loads the order (and refund) it sends,
// parses them, and hands the row to the flow of its kind (registration.ts, order.ts, refund.ts).
// Works only from rows: bodies are built at send time from the current order/refund row. A row
// that no longer parses goes to attention (local code), never crashes the loop; a row whose order
// or refund is gone is dead; a refund of an order discarded here needs a person.
import { buildRefundBody, parseOrderRow, parseRefundRow, RowUnreadableError } from '../../gameball/mappers.ts';
import type { SyncOrderRow } from '../../gameball/mappers.ts';
import type { Logger } from '../../log.ts';
import type { ClaimedRow, OutboxStore, SyncLogInput } from '../outbox-store.ts';
import type { Outcome, RowCalls } from './calls.ts';
import { syncOrder } from './order.ts';
import { syncRefund } from './refund.ts';
import { syncRegistration } from './registration.ts';

export interface RowDeps {
  store: Pick<OutboxStore, 'loadOrder' | 'loadRefund' | 'keepReferrerCode'>;
  training: boolean;
  now: () => number;
  logger: Logger | undefined;
}

/** Runs the flow of the row's kind. Throws only what is not the row's fault (the database, a bug). */
export async function runRow(calls: RowCalls, deps: RowDeps): Promise<Outcome> {
  const { row, logs } = calls;
  const { store } = deps;
  let order: SyncOrderRow;
  let refundBody: Record<string, unknown> | undefined;
  try {
    if (row.kind === 'refund') {
      const refundRaw = store.loadRefund(row.entityId);
      if (!refundRaw)
        return { finish: { type: 'dead', code: 'LOCAL_MISSING', message: `Refund ${row.entityId} no longer exists on this till.` }, logs };
      const refund = parseRefundRow(refundRaw, row.entityId);
      const orderRaw = store.loadOrder(refund.order_id);
      if (!orderRaw)
        return {
          finish: { type: 'dead', code: 'LOCAL_MISSING', message: `The refunded order ${refund.order_id} no longer exists on this till.` },
          logs,
        };
      if (orderRaw.state === 'discarded') {
        return {
          finish: {
            type: 'attention',
            code: 'LOCAL_ORDER_DISCARDED',
            message: `Order ${refund.order_id} was discarded on this till, so Gameball never received it: discard this refund too.`,
          },
          logs,
        };
      }
      order = parseOrderRow(orderRaw, refund.order_id);
      if (refund.training !== (deps.training ? 1 : 0)) return wrongWorld(row, logs, deps);
      refundBody = buildRefundBody(refund, order);
    } else {
      const orderRaw = store.loadOrder(row.entityId);
      if (!orderRaw)
        return { finish: { type: 'dead', code: 'LOCAL_MISSING', message: `Order ${row.entityId} no longer exists on this till.` }, logs };
      order = parseOrderRow(orderRaw, row.entityId);
    }
    if (order.training !== (deps.training ? 1 : 0)) return wrongWorld(row, logs, deps);
  } catch (err) {
    if (err instanceof RowUnreadableError) return { finish: { type: 'attention', code: 'LOCAL_UNREADABLE', message: err.message }, logs };
    throw err;
  }

  try {
    if (row.kind === 'register_customer')
      return await syncRegistration(calls, order, (code) => store.keepReferrerCode(order.order_id, code));
    if (row.kind === 'track_order') return await syncOrder(calls, order);
    return await syncRefund(calls, order.order_id, refundBody ?? {});
  } catch (err) {
    if (err instanceof RowUnreadableError) return { finish: { type: 'attention', code: 'LOCAL_UNREADABLE', message: err.message }, logs };
    throw err;
  }
}

function wrongWorld(row: ClaimedRow, logs: SyncLogInput[], deps: RowDeps): Outcome {
  // Unreachable through claim(); kept as a last guard: a training row never reaches Gameball
  // and a real row never reaches the simulator.
  deps.logger?.error({ outboxId: row.id, entityId: row.entityId, training: deps.training }, 'refused to post a row of the other mode');
  return {
    finish: {
      type: 'retry',
      nextAttemptAt: deps.now() + 60 * 60_000,
      code: 'LOCAL_MODE',
      message: 'Waiting for an engine in the matching mode.',
      unknownOutcome: false,
      countAttempt: false,
    },
    logs,
  };
}
