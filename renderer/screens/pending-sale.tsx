// The sale the store's POS sent without a customer (main/integration/intake.ts): shown above the
// checkout form with its amount and receipt filled in, until the cashier scans the customer (or
// types the mobile) and saves, which completes that sale, or says there is no loyalty customer.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CapturedOrder, PendingSale } from '../../preload/api.ts';
import { formatMoney } from '../i18n/format.ts';
import type { Language } from '../i18n/format.ts';
import { currencyDigits, minorToDecimalText } from '../lib/money.ts';
import { unwrap, useApi } from '../state/api-context.tsx';
import type { CheckoutFormStore } from '../state/checkout-form.ts';
import { onEvent } from '../state/event-handler.ts';

export interface PendingSaleControl {
  /** The sale waiting for its customer, or null. */
  sale: PendingSale | null;
  /** Captures the pending sale for this customer (the order, with the sale's posSaleId kept). */
  complete(customer: { mobile: string } | { customerId: string }, referrerCode: string | undefined): Promise<CapturedOrder>;
  skip(): Promise<void>;
}

/** Follows the pending sale (asked once, then pushed) and fills the form with each new one. */
export function usePendingSale(store: CheckoutFormStore): PendingSaleControl {
  const api = useApi();
  const [sale, setSale] = useState<PendingSale | null>(null);

  useEffect(() => {
    let live = true;
    const off = api.on('pending-sale', (p) => live && setSale(p));
    void api.getPendingSale().then((r) => {
      if (live && r.ok) setSale((current) => current ?? r.value);
    });
    return () => {
      live = false;
      off();
    };
  }, [api]);

  // A new sale from the POS is the sale at the till now: the form starts from its amount and receipt.
  const saleId = sale?.posSaleId ?? null;
  useEffect(() => {
    if (!sale) return;
    store.reset();
    store.update({ amount: minorToDecimalText(sale.totalPaidMinor, currencyDigits(sale.currency)), receipt: sale.receiptNo });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [saleId, store]);

  return {
    sale,
    complete: async (customer, referrerCode) => {
      if (!sale) throw new Error('No pending sale.');
      const order = await unwrap(api.completeSale({ posSaleId: sale.posSaleId, ...customer, ...(referrerCode ? { referrerCode } : {}) }));
      setSale((current) => (current?.posSaleId === sale.posSaleId ? null : current));
      return order;
    },
    skip: async () => {
      if (!sale) return;
      await unwrap(api.skipSale({ posSaleId: sale.posSaleId }));
      setSale((current) => (current?.posSaleId === sale.posSaleId ? null : current));
      store.reset();
    },
  };
}

export function PendingSaleBanner({ control }: { control: PendingSaleControl }) {
  const { t, i18n } = useTranslation();
  const sale = control.sale;
  if (!sale) return null;
  const amount = formatMoney(sale.totalPaidMinor, sale.currency, i18n.language as Language);
  return (
    <section
      className="notice notice-info pending-sale"
      role="status"
      aria-live="polite"
      data-testid="pending-sale"
      data-pos-sale-id={sale.posSaleId}
    >
      <strong>{t('pendingSale.title')}</strong>{' '}
      <span data-testid="pending-sale-prompt">{t('pendingSale.prompt', { receipt: sale.receiptNo, amount })}</span>{' '}
      <button type="button" className="btn btn-link" onClick={onEvent(() => control.skip())} data-testid="pending-sale-skip">
        {t('pendingSale.skip')}
      </button>
    </section>
  );
}
