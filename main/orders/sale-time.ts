// When a sale happened, as the POS or a scanned receipt says: the order's date (`order_date`, sent
// to Gameball as `orderDate`). Only the date changes: the order is still due from the moment the
// till captured it (its outbox row), and a date ahead of Gameball's clock is still sent with
// Gameball's time (postDated, main/sync/clock-skew.ts sendableTime).
//
// The bounds: a sale time up to SALE_TIME_AHEAD_MS ahead of the till's clock is taken (a POS
// clock a little ahead of the till's); further ahead is a wrong clock, and Gameball would refuse
// a future date anyway. Older than SALE_TIME_MAX_AGE_MS is refused: a week covers a till that was
// off over a long weekend and a pending sale waiting for its customer, while a sale older than
// that is almost always a wrong date (a POS clock reset to its factory year) and would reward
// points for a long-gone purchase.
import { isoAt } from '../clock.ts';
import { CaptureRefusedError } from './errors.ts';

export const SALE_TIME_AHEAD_MS = 5 * 60_000;
export const SALE_TIME_MAX_AGE_MS = 7 * 24 * 60 * 60_000;

/**
 * The order date for a sale sold at `soldAt` (ISO 8601 with its offset), captured at `now`: the
 * same instant in UTC with milliseconds, as every date in the tables. Throws a CaptureRefusedError
 * naming `soldAt` when it is outside the bounds above.
 */
export function orderDateFor(soldAt: string, now: number): string {
  const at = Date.parse(soldAt);
  if (!Number.isFinite(at)) {
    throw new CaptureRefusedError('INVALID_INPUT', `soldAt: "${soldAt}" is not an ISO 8601 time with its offset.`, 'soldAt');
  }
  if (at > now + SALE_TIME_AHEAD_MS) {
    throw new CaptureRefusedError(
      'INVALID_INPUT',
      `soldAt: ${soldAt} is more than 5 minutes ahead of the till's clock (${isoAt(now)}). Check the clock of the POS or of the till; nothing was saved.`,
      'soldAt',
    );
  }
  if (at < now - SALE_TIME_MAX_AGE_MS) {
    throw new CaptureRefusedError(
      'INVALID_INPUT',
      `soldAt: ${soldAt} is more than 7 days before the till's clock (${isoAt(now)}): a sale that old is not rewarded. Check the clock of the POS; nothing was saved.`,
      'soldAt',
    );
  }
  return isoAt(at);
}
