// The coupon of the sale being typed: locked online on "Apply", released when the sale is
// cancelled (a new sale starts without saving), the customer changes, or the cashier removes it.
// Once the sale is saved the lock belongs to the order (it burns at Gameball with it) and is never
// released from here.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { CouponLock, CouponOnOrder } from '../../preload/api.ts';
import { useApi } from '../state/api-context.tsx';

export type CouponState =
  { state: 'idle' } | { state: 'locking'; code: string } | { state: 'done'; result: CouponLock } | { state: 'failed'; code: string };

export interface CouponControl {
  coupon: CouponState;
  apply(code: string): Promise<void>;
  remove(): void;
  /** The coupon the order carries (a lock taken for this sale), or undefined. */
  onOrder(): CouponOnOrder | undefined;
  /** The sale was saved with it: the lock now belongs to the order. */
  saved(): void;
}

export function useCoupon(
  customer: { mobile?: string; customerId?: string } | null,
  sale: string,
  currency: string,
  totalMinor: number | undefined,
): CouponControl {
  const api = useApi();
  const [coupon, setCoupon] = useState<CouponState>({ state: 'idle' });
  const lockRef = useRef<string | null>(null);
  const who = customer?.customerId ?? customer?.mobile ?? null;

  const release = useCallback(() => {
    const ref = lockRef.current;
    lockRef.current = null;
    if (ref !== null) void api.unlockCoupon({ lockReference: ref }).catch(() => undefined);
  }, [api]);

  // A new sale (cancelled, or saved: then saved() already let go of the lock) or another customer.
  useEffect(() => {
    return () => {
      release();
      setCoupon({ state: 'idle' });
    };
  }, [sale, who, release]);

  const apply = useCallback(
    async (raw: string) => {
      const code = raw.trim();
      if (code === '' || customer === null) return;
      release();
      setCoupon({ state: 'locking', code });
      try {
        const r = await api.lockCoupon({ customer, code, currency, ...(totalMinor !== undefined ? { totalMinor } : {}) });
        if (!r.ok) return setCoupon({ state: 'failed', code });
        if (r.value.status === 'locked') lockRef.current = r.value.lockReference;
        setCoupon({ state: 'done', result: r.value });
      } catch {
        setCoupon({ state: 'failed', code });
      }
    },
    [api, customer, currency, totalMinor, release],
  );

  return {
    coupon,
    apply,
    remove: () => {
      release();
      setCoupon({ state: 'idle' });
    },
    onOrder: () =>
      coupon.state === 'done' && coupon.result.status === 'locked'
        ? { code: coupon.result.code, lockReference: coupon.result.lockReference }
        : undefined,
    saved: () => {
      lockRef.current = null;
    },
  };
}
