// The customer panel's data: asked once the customer is identified (debounced, latest wins) and
// again after a save. Never blocks the checkout: a failed call shows as 'failed'.
import { useEffect, useState } from 'react';
import type { LoyaltyCustomer } from '../../preload/api.ts';
import { useApi } from '../state/api-context.tsx';

export type PanelState = { state: 'idle' } | { state: 'loading' } | { state: 'done'; result: LoyaltyCustomer } | { state: 'failed' };

export function useLoyaltyCustomer(customer: { mobile?: string; customerId?: string } | null, refresh: number, delayMs = 300): PanelState {
  const api = useApi();
  const [panel, setPanel] = useState<PanelState>({ state: 'idle' });
  const mobile = customer?.mobile;
  const customerId = customer?.customerId;

  useEffect(() => {
    if (mobile === undefined && customerId === undefined) {
      setPanel({ state: 'idle' });
      return;
    }
    let live = true;
    setPanel((p) => (p.state === 'done' && refresh > 0 ? p : { state: 'loading' }));
    const timer = setTimeout(() => {
      const who = customerId !== undefined ? { customerId } : { mobile: mobile as string };
      api.getLoyaltyCustomer({ customer: who }).then(
        (r) => live && setPanel(r.ok ? { state: 'done', result: r.value } : { state: 'failed' }),
        () => live && setPanel({ state: 'failed' }),
      );
    }, delayMs);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, mobile, customerId, refresh, delayMs]);

  return panel;
}
