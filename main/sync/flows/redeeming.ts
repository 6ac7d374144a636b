// The hold an order redeems, checked against Gameball around the order's post (order.ts). A
// hold lasts minutes; an order may wait longer in the queue. Before posting, the hold is looked
// up (`GET /transactions/hold/{ref}`): active -> post; expired, used, or gone -> the order stops
// in attention with HOLD_EXPIRED, and the cashier chooses (hold again, or send without
// redemption). A refusal of the post itself is looked up the same way (the hold may have
// expired in between). A failed look-up is an ordinary retry.
import type { SyncOrderRow } from '../../gameball/mappers.ts';
import type { Outcome, RowCalls } from './calls.ts';

/** The attention code (preload/api.ts REFUSAL_REASONS; the screen offers the two choices for it). */
export const HOLD_EXPIRED_CODE = 'HOLD_EXPIRED';

type HoldLook = { state: 'active' } | { state: 'expired' | 'used' | 'gone'; points: number | null } | { state: 'failed'; outcome: Outcome };

async function lookUp(calls: RowCalls, ref: string): Promise<HoldLook | 'abandoned'> {
  const res = await calls.call((c, s) => c.getHold(ref, s), 'GET', '/transactions/hold');
  if (res === 'abandoned') return res;
  if (res.kind === 'ok' && res.value) {
    const points = typeof res.value.holdEquivalentPoints === 'number' ? res.value.holdEquivalentPoints : null;
    const state = res.value.state;
    if (state === 'active') return { state: 'active' };
    return { state: state === 'used' ? 'used' : 'expired', points };
  }
  // Gameball's own 404 (an error with its code): released, or never known.
  if (res.httpStatus === 404 && res.code !== null) return { state: 'gone', points: null };
  return { state: 'failed', outcome: { finish: calls.outcome(res, false), logs: calls.logs } };
}

function stopped(calls: RowCalls, order: SyncOrderRow, look: { state: 'expired' | 'used' | 'gone'; points: number | null }): Outcome {
  const ref = order.points_hold_reference ?? '';
  const what = look.points === null ? 'The points hold' : `The hold of ${look.points} points`;
  const why =
    look.state === 'used'
      ? 'was already redeemed by another order'
      : look.state === 'gone'
        ? 'no longer exists at Gameball (released or expired)'
        : 'expired before this order reached Gameball';
  return {
    finish: {
      type: 'attention',
      code: HOLD_EXPIRED_CODE,
      message: `${what} (${ref}) ${why}, so no points were spent by this order. Hold the points again, or send the order without redemption.`,
    },
    logs: calls.logs,
  };
}

/** Before the post: null when the hold is active (or the order redeems nothing), else the outcome. */
export async function checkHoldBeforePosting(calls: RowCalls, order: SyncOrderRow): Promise<Outcome | null> {
  const ref = order.points_hold_reference;
  if (!ref) return null;
  const look = await lookUp(calls, ref);
  if (look === 'abandoned') return { abandoned: true, logs: calls.logs };
  if (look.state === 'active') return null;
  if (look.state === 'failed') return look.outcome;
  return stopped(calls, order, look);
}

/** After a refusal of the post: HOLD_EXPIRED when the hold is what stopped it, else null (the refusal stands). */
export async function holdRefusal(calls: RowCalls, order: SyncOrderRow): Promise<Outcome | null> {
  const ref = order.points_hold_reference;
  if (!ref) return null;
  const look = await lookUp(calls, ref);
  if (look === 'abandoned' || look.state === 'active' || look.state === 'failed') return null;
  return stopped(calls, order, look);
}
