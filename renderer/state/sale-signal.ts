// Tells main whether a sale is being entered on the checkout screen (any field filled), so an
// update never restarts the app in the middle of one (main/update/gate.ts). Sent when it changes
// and repeated while it lasts (main treats a signal older than 10 minutes as a screen that went
// away), never for every keystroke.
import { useEffect } from 'react';
import type { CheckoutForm, CheckoutFormStore } from './checkout-form.ts';
import { useApi } from './api-context.tsx';

/** Repeated this often while a sale is being entered: well inside main's 10-minute limit. */
export const SALE_SIGNAL_REPEAT_MS = 3 * 60_000;

export function saleInProgress(form: CheckoutForm): boolean {
  return (
    form.mobile.trim() !== '' ||
    form.customerId !== null ||
    form.amount.trim() !== '' ||
    form.receipt.trim() !== '' ||
    form.referral.trim() !== ''
  );
}

/** Follows the form; calls `send` when the answer changes, and every repeat interval while true. Returns the stop function. */
export function followSale(
  store: Pick<CheckoutFormStore, 'subscribe' | 'getSnapshot'>,
  send: (active: boolean) => void,
  repeatMs = SALE_SIGNAL_REPEAT_MS,
): () => void {
  let active = saleInProgress(store.getSnapshot());
  let timer: ReturnType<typeof setInterval> | undefined;
  const repeat = () => {
    if (timer !== undefined) clearInterval(timer);
    timer = active ? setInterval(() => send(true), repeatMs) : undefined;
  };
  if (active) send(true);
  repeat();
  const off = store.subscribe(() => {
    const now = saleInProgress(store.getSnapshot());
    if (now === active) return;
    active = now;
    send(now);
    repeat();
  });
  return () => {
    off();
    if (timer !== undefined) clearInterval(timer);
  };
}

export function useSaleSignal(store: CheckoutFormStore): void {
  const api = useApi();
  useEffect(
    () =>
      followSale(store, (active) => {
        // Advisory: a lost signal only means an update may wait or go ahead at the next check.
        void api.setSaleActivity({ active });
      }),
    [api, store],
  );
}
