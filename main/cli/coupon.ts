// `order add --coupon CODE`: the coupon is locked online for the order about to be captured, and
// the order carries the lock (`redemption.couponsLockReference`), which burns it at Gameball.
import type { CouponLock } from '../../preload/api.ts';
import type { Engine } from '../engine.ts';
import { CaptureRefusedError } from '../orders/errors.ts';

/** Why an online loyalty feature is off, in the operator's words. */
export const OFF_REASON = {
  offline: 'Gameball did not answer (the network or Gameball is down)',
  'not-connected': 'this till is not connected to Gameball (no keys set)',
} as const;

/**
 * Locks `code` for the order about to be captured; throws a refusal (exit 2, nothing written)
 * saying why when it cannot: a coupon needs Gameball now, it is never taken offline.
 */
export async function lockCouponForOrder(
  engine: Engine,
  code: string,
  order: Record<string, unknown>,
): Promise<Extract<CouponLock, { status: 'locked' }>> {
  const customer = {
    ...(typeof order.mobile === 'string' ? { mobile: order.mobile } : {}),
    ...(typeof order.customerId === 'string' ? { customerId: order.customerId } : {}),
  };
  const currency =
    typeof order.currency === 'string' && order.currency.trim() !== ''
      ? order.currency.trim().toUpperCase()
      : engine.getSettings().currency;
  const total = typeof order.totalPriceMinor === 'number' ? order.totalPriceMinor : order.totalPaidMinor;
  const lock = await engine.loyalty.lockCoupon({ customer, code, currency, ...(typeof total === 'number' ? { totalMinor: total } : {}) });
  if (lock.status === 'locked') return lock;
  const why =
    lock.status === 'invalid'
      ? `Gameball says coupon ${lock.code} cannot be used for this customer (unknown, used, expired, someone else's, or below its minimum order).`
      : lock.status === 'unknown'
        ? `The answer to locking coupon ${lock.code} was lost. Run the command again: the same lock is handed back, never a second one.`
        : lock.status === 'refused'
          ? `Gameball refused coupon ${lock.code}: ${lock.message}`
          : `Coupon ${lock.code} was not locked: ${OFF_REASON[lock.reason]}. Coupons need Gameball at the time of the sale; save the order without --coupon, or try again once online.`;
  throw new CaptureRefusedError('INVALID_INPUT', `${why} Nothing was saved.`, 'coupon');
}
