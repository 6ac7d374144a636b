// One order in full: its facts, Gameball's answer, its sending history, and what a person can
// do about it. Retry and edit-and-resend are offered only for needs-attention orders (the engine
// refuses them otherwise); discard asks for a reason, which the order keeps.
import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { OrderDetail, OrderPatch, SyncStatus } from '../../preload/api.ts';
import { Field } from '../components/field.tsx';
import { StateBadge } from '../components/state-badge.tsx';
import { formatDateTime, formatMoney } from '../i18n/format.ts';
import type { Language } from '../i18n/format.ts';
import { normalizeDigits } from '../../preload/digits.ts';
import { currencyDigits, minorToDecimalText, parseAmount } from '../lib/money.ts';
import { unwrap, useApi } from '../state/api-context.tsx';
import { errorText } from '../state/error-text.ts';
import { onEvent } from '../state/event-handler.ts';
import { OrderLoyaltyActions } from './order-loyalty-actions.tsx';

type Mode = 'view' | 'edit' | 'discard';

export function OrderDrawer({ orderId, status, onClose }: { orderId: string; status: SyncStatus | null; onClose: () => void }) {
  const api = useApi();
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Language;
  const [order, setOrder] = useState<OrderDetail | null>(null);
  const [mode, setMode] = useState<Mode>('view');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const panelRef = useRef<HTMLElement>(null);

  useEffect(() => {
    let live = true;
    void api.getOrder({ orderId }).then((r) => {
      if (live && r.ok) setOrder(r.value);
    });
    return () => {
      live = false;
    };
  }, [api, orderId, status]);

  useEffect(() => {
    panelRef.current?.focus();
    setMode('view');
    setError(null);
  }, [orderId]);

  async function act(run: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await run();
      setMode('view');
      const r = await api.getOrder({ orderId });
      if (r.ok) setOrder(r.value);
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <aside
      ref={panelRef}
      className="drawer card"
      tabIndex={-1}
      aria-label={t('queue.detailTitle', { id: orderId })}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          e.stopPropagation();
          if (mode !== 'view') setMode('view');
          else onClose();
        }
      }}
      data-testid="order-drawer"
      data-state={order?.state}
    >
      <div className="drawer-head">
        <h2 className="card-title">
          {t('queue.colOrder')} <bdi className="code">{orderId}</bdi>
        </h2>
        <button type="button" className="btn btn-ghost" onClick={onClose} aria-label={t('queue.close')}>
          <span aria-hidden="true">×</span>
        </button>
      </div>
      {order && (
        <>
          <div className="drawer-state">
            <StateBadge state={order.state} points={order.rewardedPoints} />
            {order.training && <span className="tag-training">{t('queue.training')}</span>}
          </div>
          {order.state === 'attention' && order.attentionCode !== 'HOLD_EXPIRED' && (
            <p className="attention-box" data-testid="attention-message">
              {t('queue.gameballSays', { code: order.attentionCode ?? '—', message: order.attentionMessage ?? '' })}
            </p>
          )}
          {order.state === 'discarded' && order.discardReason && (
            <p className="muted">{t('queue.discardReason', { reason: order.discardReason })}</p>
          )}
          <dl className="facts">
            <dt>{t('queue.colCustomer')}</dt>
            <dd>
              <bdi className="code">{order.mobile ?? order.customerId}</bdi>
            </dd>
            <dt>{t('queue.colAmount')}</dt>
            <dd>{formatMoney(order.totalPaidMinor, order.currency, lang)}</dd>
            <dt>{t('queue.receipt')}</dt>
            <dd>
              <bdi className="code">{order.receiptNo ?? '—'}</bdi>
            </dd>
            <dt>{t('queue.colReferral')}</dt>
            <dd>
              <bdi className="code">{order.referrerCode ?? '—'}</bdi>
            </dd>
            <dt>{t('queue.created')}</dt>
            <dd>{formatDateTime(order.createdAt, lang)}</dd>
            {order.syncedAt && (
              <>
                <dt>{t('queue.syncedAt')}</dt>
                <dd>{formatDateTime(order.syncedAt, lang)}</dd>
              </>
            )}
          </dl>

          <OrderLoyaltyActions order={order} busy={busy} act={act} />

          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}

          {mode === 'view' && (
            <div className="actions">
              {order.state === 'attention' && order.attentionCode !== 'HOLD_EXPIRED' && (
                <>
                  <button
                    type="button"
                    className="btn btn-primary"
                    disabled={busy}
                    onClick={onEvent(() => act(() => unwrap(api.retryOrders({ orderId }))))}
                    data-testid="retry-order"
                  >
                    {t('queue.retry')}
                  </button>
                  <button type="button" className="btn" disabled={busy} onClick={() => setMode('edit')} data-testid="edit-order">
                    {t('queue.edit')}
                  </button>
                </>
              )}
              {(order.state === 'attention' || order.state === 'pending') && (
                <button
                  type="button"
                  className="btn btn-danger"
                  disabled={busy}
                  onClick={() => setMode('discard')}
                  data-testid="discard-order"
                >
                  {t('queue.discard')}
                </button>
              )}
            </div>
          )}
          {mode === 'edit' && (
            <EditForm
              order={order}
              busy={busy}
              onCancel={() => setMode('view')}
              onSave={onEvent((patch) => act(() => unwrap(api.editAndResendOrder({ orderId, patch }))))}
            />
          )}
          {mode === 'discard' && (
            <DiscardForm
              busy={busy}
              onCancel={() => setMode('view')}
              onDiscard={onEvent((reason: string) => act(() => unwrap(api.discardOrder({ orderId, reason }))))}
            />
          )}

          <h3 className="section-title">{t('queue.history')}</h3>
          {order.syncLog.length === 0 ? (
            <p className="muted">{t('queue.noHistory')}</p>
          ) : (
            <ol className="history" data-testid="sync-log">
              {order.syncLog.map((entry, i) => (
                <li key={i} className={`history-row outcome-${entry.outcome}`}>
                  <span className="muted small">{formatDateTime(entry.at, lang)}</span>
                  <bdi className="code small">{`${entry.method} ${entry.path}`}</bdi>
                  <span className="small">
                    <bdi>{[entry.httpStatus, entry.gameballCode, entry.outcome].filter((v) => v !== null).join(' · ')}</bdi>
                  </span>
                  {entry.message && (
                    <span className="small muted">
                      <bdi>{entry.message}</bdi>
                    </span>
                  )}
                </li>
              ))}
            </ol>
          )}
        </>
      )}
    </aside>
  );
}

function EditForm({
  order,
  busy,
  onCancel,
  onSave,
}: {
  order: OrderDetail;
  busy: boolean;
  onCancel: () => void;
  onSave: (patch: OrderPatch) => void;
}) {
  const { t } = useTranslation();
  const digits = currencyDigits(order.currency);
  const [mobile, setMobile] = useState(order.mobile ?? '');
  const [amount, setAmount] = useState(minorToDecimalText(order.totalPaidMinor, digits));
  const [receipt, setReceipt] = useState(order.receiptNo ?? '');
  const [referral, setReferral] = useState(order.referrerCode ?? '');
  const firstRef = useRef<HTMLInputElement>(null);
  useEffect(() => firstRef.current?.focus(), []);
  const parsed = parseAmount(amount, digits);

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!parsed.ok) return;
    const patch: OrderPatch = {};
    const m = normalizeDigits(mobile).trim();
    if (m !== '' && m !== (order.mobile ?? '')) patch.mobile = m;
    if (parsed.minor !== order.totalPaidMinor) patch.totalPaidMinor = parsed.minor;
    if (receipt.trim() !== '' && receipt.trim() !== (order.receiptNo ?? '')) patch.receiptNo = receipt.trim();
    if (referral.trim() !== (order.referrerCode ?? '')) patch.referrerCode = referral.trim() === '' ? null : referral.trim();
    onSave(patch);
  }

  return (
    <form className="drawer-form" onSubmit={submit} noValidate data-testid="edit-form">
      <h3 className="section-title">{t('queue.editTitle')}</h3>
      <Field label={t('checkout.customer')}>
        <input
          ref={firstRef}
          className="input ltr-field"
          dir="ltr"
          type="tel"
          value={mobile}
          onChange={(e) => setMobile(e.target.value)}
          data-testid="edit-mobile"
        />
      </Field>
      <Field
        label={t('checkout.amount')}
        end={<bdi>{order.currency}</bdi>}
        error={parsed.ok ? null : t(`amountError.${parsed.reason}`, { currency: order.currency, digits, example: '12.50' })}
      >
        <input
          className="input ltr-field"
          dir="ltr"
          inputMode="decimal"
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
          data-testid="edit-amount"
        />
      </Field>
      <Field label={t('checkout.receipt')} optional>
        <input
          className="input ltr-field"
          dir="ltr"
          value={receipt}
          onChange={(e) => setReceipt(e.target.value)}
          data-testid="edit-receipt"
        />
      </Field>
      <Field label={t('checkout.referral')} optional>
        <input
          className="input ltr-field"
          dir="ltr"
          spellCheck={false}
          value={referral}
          onChange={(e) => setReferral(e.target.value)}
          data-testid="edit-referral"
        />
      </Field>
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={busy || !parsed.ok} data-testid="resend-order">
          {t('queue.resend')}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          {t('queue.cancel')}
        </button>
      </div>
    </form>
  );
}

function DiscardForm({ busy, onCancel, onDiscard }: { busy: boolean; onCancel: () => void; onDiscard: (reason: string) => void }) {
  const { t } = useTranslation();
  const [reason, setReason] = useState('');
  const [tried, setTried] = useState(false);
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <form
      className="drawer-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setTried(true);
        if (reason.trim() !== '') onDiscard(reason.trim());
      }}
      data-testid="discard-form"
    >
      <h3 className="section-title">{t('queue.discardTitle')}</h3>
      <p className="muted small">{t('queue.discardHelp')}</p>
      <Field label={t('queue.discardReasonLabel')} error={tried && reason.trim() === '' ? t('queue.reasonRequired') : null}>
        <textarea
          ref={ref}
          className="input"
          rows={3}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          data-testid="discard-reason"
        />
      </Field>
      <div className="actions">
        <button type="submit" className="btn btn-danger" disabled={busy} data-testid="confirm-discard">
          {t('queue.discardConfirm')}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          {t('queue.cancel')}
        </button>
      </div>
    </form>
  );
}
