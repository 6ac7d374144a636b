// What a flow gets for its row and what it ends with (shared by the flows of every kind).
import type { GameballClient, OrderTransactions } from '../../gameball/client.ts';
import type { GameballResult } from '../../gameball/outcome.ts';
import type { ClaimedRow, Finish, SyncLogInput } from '../outbox-store.ts';

/** What a row's job ends with: an outcome to record, or the row handed back as it was. */
export type Outcome = { finish: Finish; logs: SyncLogInput[] } | { abandoned: true; logs: SyncLogInput[] };

/**
 * What a flow may do for its row (bound to the row and its audit list). Every call goes through
 * the engine's line to Gameball (gameball-link.ts); 'abandoned': stopped before sending, or the
 * lease was lost.
 */
export interface RowCalls {
  readonly row: ClaimedRow;
  readonly logs: SyncLogInput[];
  call<T>(
    fn: (client: GameballClient, signal: AbortSignal) => Promise<GameballResult<T>>,
    method: 'GET' | 'POST',
    path: string,
  ): Promise<GameballResult<T> | 'abandoned'>;
  /** A POST of a dated body, with a date Gameball accepts (see GameballLink.postDated). */
  postDated<T>(
    body: Record<string, unknown>,
    field: 'orderDate' | 'transactionTime',
    post: (client: GameballClient, body: object, signal: AbortSignal) => Promise<GameballResult<T>>,
    path: string,
  ): Promise<GameballResult<T> | 'abandoned'>;
  transactionsOf(orderId: string): Promise<GameballResult<OrderTransactions> | 'abandoned'>;
  /** The row's next state after an answer that did not settle it (row-outcome.ts). */
  outcome(res: GameballResult, unknownOutcome: boolean): Finish;
}

/** The last audited call was the look-up that confirmed the row. */
export function markReconciled(logs: SyncLogInput[]): void {
  const last = logs[logs.length - 1];
  if (last) last.outcome = 'reconciled';
}
