// What the order drawer offers about points and money back: the points an order spends, the two
// choices for an order whose points hold expired (hold again, or send without redemption), and a
// full or partial refund of a synced order, bounded by what is left to refund. Every action is an
// engine call (the same paths the CLI uses, with the same exactly-once guarantees); the drawer
// reloads the order after each.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OrderDetail } from '../../preload/api.ts';
import { formatMoney } from '../i18n/format.ts';
import type { Language } from '../i18n/format.ts';
import { currencyDigits, parseAmount } from '../lib/money.ts';
import { unwrap, useApi } from '../state/api-context.tsx';
import { onEvent } from '../state/event-handler.ts';
import { Field } from '../components/field.tsx';

/** What is left to refund on an order, in minor units (a refund without amount took everything left). */
export function refundableMinor(order: OrderDetail): number {
  let left = order.totalPaidMinor;
  for (const r of order.refunds) {
    if (r.state === 'discarded') continue;
    if (r.amountMinor === null) return 0;
    left -= r.amountMinor;
  }
  return Math.max(0, left);
}

export function OrderLoyaltyActions({
  order,
  busy,
  act,
}: {
  order: OrderDetail;
  busy: boolean;
  act: (run: () => Promise<unknown>) => Promise<void>;
}) {
  const api = useApi();
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Language;
  const [refunding, setRefunding] = useState(false);
  const [saved, setSaved] = useState(false);
  const orderId = order.orderId;
  const left = refundableMinor(order);
  const expired = order.state === 'attention' && order.attentionCode === 'HOLD_EXPIRED';

  return (
    <div className="loyalty-actions" data-testid="loyalty-actions">
      {order.redemption && (
        <p className="muted" data-testid="order-redemption">
          {t('points.spent')}:{' '}
          {t('points.spentValue', {
            points: order.redemption.points,
            amount: formatMoney(order.redemption.amountMinor, order.redemption.currency, lang),
          })}
        </p>
      )}
      {expired && (
        <section className="attention-box" data-testid="hold-expired">
          <h3 className="section-title">{t('points.expiredTitle')}</h3>
          <p>{t('refusal.HOLD_EXPIRED')}</p>
          <div className="actions">
            <button
              type="button"
              className="btn btn-primary"
              disabled={busy}
              onClick={onEvent(() => act(() => unwrap(api.holdAgain({ orderId }))))}
              data-testid="hold-again"
            >
              {t('points.holdAgain')}
            </button>
            <button
              type="button"
              className="btn"
              disabled={busy}
              onClick={onEvent(() => act(() => unwrap(api.sendWithoutRedemption({ orderId }))))}
              data-testid="send-without-redemption"
            >
              {t('points.sendWithout')}
            </button>
          </div>
        </section>
      )}
      {order.refunds.length > 0 && (
        <p className="muted small" data-testid="order-refunds">
          {t('points.refunds')}:{' '}
          <bdi>
            {order.refunds
              .map((r) => (r.amountMinor === null ? t('points.refundFull') : formatMoney(r.amountMinor, r.currency, lang)))
              .join(', ')}
          </bdi>
        </p>
      )}
      {saved && (
        <p className="notice notice-ok" role="status" data-testid="refund-saved">
          {t('points.refundSaved')}
        </p>
      )}
      {order.state === 'synced' && left > 0 && !refunding && (
        <div className="actions">
          <button
            type="button"
            className="btn"
            disabled={busy}
            onClick={() => {
              setSaved(false);
              setRefunding(true);
            }}
            data-testid="refund-order"
          >
            {t('points.refund')}
          </button>
        </div>
      )}
      {refunding && (
        <RefundForm
          order={order}
          left={left}
          busy={busy}
          onCancel={() => setRefunding(false)}
          onRefund={onEvent(async (amountMinor: number | null) => {
            // One reference per refund form: a retried save never refunds twice.
            let done = false;
            await act(async () => {
              await unwrap(api.captureRefund({ orderId, ...(amountMinor === null ? {} : { amountMinor }), clientRef: refundRef(orderId) }));
              done = true;
            });
            if (!done) return;
            setRefunding(false);
            setSaved(true);
          })}
        />
      )}
    </div>
  );
}

const refs = new Map<string, string>();
/** The clientRef of the refund being typed for an order (a new one once that refund is saved). */
function refundRef(orderId: string): string {
  let ref = refs.get(orderId);
  if (!ref) {
    ref = crypto.randomUUID();
    refs.set(orderId, ref);
  }
  return ref;
}

function RefundForm({
  order,
  left,
  busy,
  onCancel,
  onRefund,
}: {
  order: OrderDetail;
  left: number;
  busy: boolean;
  onCancel: () => void;
  onRefund: (amountMinor: number | null) => void;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Language;
  const digits = currencyDigits(order.currency);
  const [amount, setAmount] = useState('');
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    ref.current?.focus();
    refs.delete(order.orderId);
  }, [order.orderId]);
  const leftText = formatMoney(left, order.currency, lang);
  const parsed = amount.trim() === '' ? null : parseAmount(amount, digits);
  const error =
    parsed === null
      ? null
      : !parsed.ok
        ? t(`amountError.${parsed.reason}`, { currency: order.currency, digits, example: '12.50' })
        : parsed.minor > left
          ? t('points.refundTooMuch', { left: leftText })
          : null;
  return (
    <form
      className="drawer-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (error !== null) return;
        onRefund(parsed?.ok ? parsed.minor : null);
      }}
      data-testid="refund-form"
    >
      <h3 className="section-title">{t('points.refundTitle')}</h3>
      <p className="muted small">{t('points.refundHelp', { left: leftText })}</p>
      <Field label={t('points.refundAmount')} optional end={<bdi>{order.currency}</bdi>} error={error}>
        <input
          ref={ref}
          className="input ltr-field"
          dir="ltr"
          inputMode="decimal"
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
          data-testid="refund-amount"
        />
      </Field>
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={busy || error !== null} data-testid="confirm-refund">
          {t('points.refundConfirm')}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          {t('queue.cancel')}
        </button>
      </div>
    </form>
  );
}
