// The points this sale would earn, asked while the cashier types (debounced, latest wins).
import { useEffect, useState } from 'react';
import type { LoyaltyPreview } from '../../preload/api.ts';
import { useApi } from '../state/api-context.tsx';

export function useRewardPreview(
  customer: { mobile?: string; customerId?: string } | null,
  currency: string,
  totalPaidMinor: number | null,
  totalPriceMinor: number | undefined,
  delayMs = 400,
): LoyaltyPreview | null {
  const api = useApi();
  const [preview, setPreview] = useState<LoyaltyPreview | null>(null);
  const mobile = customer?.mobile;
  const customerId = customer?.customerId;
  useEffect(() => {
    if ((mobile === undefined && customerId === undefined) || totalPaidMinor === null) {
      setPreview(null);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      const who = customerId !== undefined ? { customerId } : { mobile: mobile as string };
      api.previewReward({ customer: who, currency, totalPaidMinor, ...(totalPriceMinor !== undefined ? { totalPriceMinor } : {}) }).then(
        (r) => live && setPreview(r.ok ? r.value : null),
        () => live && setPreview(null),
      );
    }, delayMs);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, mobile, customerId, currency, totalPaidMinor, totalPriceMinor, delayMs]);
  return preview;
}
