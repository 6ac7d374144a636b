// Checkout: who the customer is, what they paid, the receipt and the referral code, saved on the
// till at once whatever the network. Keyboard-first: Enter saves, Esc clears, and a scan fills
// the right field wherever focus is (see scan-routing.ts).
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { FormEvent, RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import type { HoldView, OrderCaptureRequest, SyncStatus } from '../../preload/api.ts';
import { classifyScan } from '../../preload/scan-classify.ts';
import { Field } from '../components/field.tsx';
import { StateBadge } from '../components/state-badge.tsx';
import { formatDateTime, formatMoney, formatTime } from '../i18n/format.ts';
import type { Language } from '../i18n/format.ts';
import { normalizeDigits } from '../../preload/digits.ts';
import { currencyDigits, parseAmount } from '../lib/money.ts';
import { callingCodeOf, checkMobile } from '../lib/phone.ts';
import { shortId } from '../lib/short-id.ts';
import { routeScan } from '../scan/scan-routing.ts';
import { ApiCallError, unwrap, useApi } from '../state/api-context.tsx';
import { customerQrHash, receiptSaleTime } from '../state/checkout-form.ts';
import type { CheckoutForm, CheckoutFormStore } from '../state/checkout-form.ts';
import { errorText } from '../state/error-text.ts';
import { saveSafely } from '../state/safe-save.ts';
import { useSettings } from '../state/settings-context.tsx';
import { whenTransportOpen } from '../transport/index.ts';
import { useReferralCheck } from './use-referral-check.ts';
import type { ReferralFeedback } from './use-referral-check.ts';
import { onEvent } from '../state/event-handler.ts';
// ---- loyalty at the till (renderer/loyalty/) ----
import { CouponField } from '../loyalty/coupon-field.tsx';
import { CustomerPanel } from '../loyalty/customer-panel.tsx';
import { RewardLine } from '../loyalty/reward-line.tsx';
import { useCoupon } from '../loyalty/use-coupon.ts';
import { useLoyaltyCustomer } from '../loyalty/use-loyalty-customer.ts';
import { useRewardPreview } from '../loyalty/use-reward-preview.ts';
import { RedeemPanel } from './redeem-panel.tsx';
import { PendingSaleBanner, usePendingSale } from './pending-sale.tsx';

type FocusField = NonNullable<CheckoutForm['focus']>['field'];

export function CheckoutScreen({ store, status }: { store: CheckoutFormStore; status: SyncStatus | null }) {
  const api = useApi();
  const { settings } = useSettings();
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Language;
  const form = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const recent = useSyncExternalStore(store.subscribe, store.getRecent);
  const [submitted, setSubmitted] = useState(false);
  const [saving, setSaving] = useState(false);
  const [reconnecting, setReconnecting] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [savedId, setSavedId] = useState<string | null>(null);
  // Spending points: the hold taken for this sale (redeem-panel.tsx), saved with it or released.
  const [hold, setHold] = useState<HoldView | null>(null);
  const holdRef = useRef<HoldView | null>(null);
  holdRef.current = hold;
  const releaseHold = () => {
    const h = holdRef.current;
    if (!h) return;
    setHold(null);
    void api.releaseHold({ holdReference: h.holdReference });
  };

  const refs: Record<FocusField, RefObject<HTMLInputElement | null>> = {
    mobile: useRef<HTMLInputElement>(null),
    customer: useRef<HTMLInputElement>(null),
    amount: useRef<HTMLInputElement>(null),
    receipt: useRef<HTMLInputElement>(null),
    referral: useRef<HTMLInputElement>(null),
  };
  const clearCustomerRef = useRef<HTMLButtonElement>(null);
  // A sale the POS sent without a customer: its amount and receipt fill the form (read-only), and
  // saving completes that sale; the customer's scan saves it at once.
  const pendingSale = usePendingSale(store);
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (pendingSale.sale && form.customerId && !saving) formRef.current?.requestSubmit();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [pendingSale.sale, form.customerId]);

  // Focus follows the form's requests (after a scan, a save or a clear); first visit: mobile.
  useEffect(() => {
    const field = form.focus?.field ?? (form.customerId ? 'amount' : 'mobile');
    const el = field === 'customer' ? (refs.mobile.current ?? clearCustomerRef.current) : refs[field].current;
    (el ?? refs.amount.current)?.focus();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [form.focus]);

  const digits = currencyDigits(settings.currency);
  const amount = parseAmount(form.amount, digits);
  const mobile = form.customerId ? null : checkMobile(form.mobile, settings.country);
  const customer = form.customerId ? { customerId: form.customerId } : mobile?.state === 'valid' ? { mobile: mobile.e164 } : null;
  const referral = useReferralCheck(customer, form.referral);

  // ---- loyalty at the till: panel, total before discounts, coupon, reward preview ----
  const sale = useSyncExternalStore(store.subscribe, () => store.getClientRef());
  const [priceText, setPriceText] = useState('');
  const [panelRefresh, setPanelRefresh] = useState(0);
  useEffect(() => setPriceText(''), [sale]);
  const price = parseAmount(priceText, digits);
  const priceMinor = price.ok ? price.minor : undefined;
  const priceError =
    !price.ok && price.reason !== 'empty'
      ? t(`amountError.${price.reason}`, { currency: settings.currency, digits, example: amountExample(digits) })
      : null;
  const panel = useLoyaltyCustomer(customer, panelRefresh);
  const coupon = useCoupon(customer, sale, settings.currency, priceMinor ?? (amount.ok ? amount.minor : undefined));
  const preview = useRewardPreview(customer, settings.currency, amount.ok ? amount.minor : null, priceMinor);

  // Orders shown on this screen keep their state and points up to date as the engine syncs.
  useEffect(() => {
    if (!status) return;
    for (const order of store.getRecent()) {
      if (order.state === 'synced' || order.state === 'discarded') continue;
      void api.getOrder({ orderId: order.orderId }).then((r) => {
        if (r.ok && r.value) store.putRecent(r.value);
      });
    }
  }, [api, store, status]);

  // Esc clears the order being typed, from anywhere on this screen.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) {
        e.preventDefault();
        setSubmitted(false);
        setSaveError(null);
        releaseHold();
        store.reset();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [store]);

  // A hold belongs to the customer it was taken for: another customer gives it back.
  const customerKey = customer ? JSON.stringify(customer) : '';
  const heldFor = useRef('');
  useEffect(() => {
    if (hold && heldFor.current !== customerKey) releaseHold();
    if (!hold) heldFor.current = customerKey;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [customerKey]);

  const customerError =
    !customer && (submitted || mobile?.state === 'invalid')
      ? mobile?.state === 'invalid'
        ? t('checkout.mobileInvalid', { country: countryName(settings.country, lang) })
        : t('customerError.empty')
      : null;
  const amountError =
    !amount.ok && (submitted || amount.reason !== 'empty')
      ? t(`amountError.${amount.reason}`, { currency: settings.currency, digits, example: amountExample(digits) })
      : null;

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    setSaveError(null);
    if (!customer) return refs.mobile.current?.focus();
    if (!amount.ok) return refs.amount.current?.focus();
    if (priceError !== null) return;
    const onOrder = coupon.onOrder();
    // The sale's clientRef goes with every attempt: if the connection drops mid-save, the same
    // request is sent again once it is back and the engine answers the order it already has.
    const clientRef = store.getClientRef();
    // A receipt QR that filled the sale dates the order when the receipt was printed.
    const soldAt = receiptSaleTime(form.receiptScan);
    const request: OrderCaptureRequest = {
      customer,
      currency: settings.currency,
      totalPaidMinor: amount.minor,
      ...(priceMinor !== undefined ? { totalPriceMinor: priceMinor } : {}),
      ...(onOrder !== undefined ? { coupon: onOrder } : {}),
      ...(form.receipt.trim() ? { receiptNo: form.receipt.trim() } : {}),
      ...(form.receiptScan ? { receiptKey: form.receiptScan.key } : {}),
      ...(soldAt !== undefined ? { soldAt } : {}),
      ...(form.referral.trim() ? { referrerCode: form.referral.trim() } : {}),
      ...(hold ? { pointsHoldReference: hold.holdReference } : {}),
      clientRef,
    };
    setSaving(true);
    setReconnecting(false);
    try {
      const order = pendingSale.sale
        ? await pendingSale.complete(customer, request.referrerCode)
        : await unwrap(
            saveSafely(() => api.captureOrder(request), { whenConnected: whenTransportOpen, sleep, onRetry: () => setReconnecting(true) }),
          );
      store.putRecent(order);
      if (onOrder !== undefined) coupon.saved();
      setPanelRefresh((n) => n + 1);
      setSavedId(order.orderId);
      setSubmitted(false);
      // The hold went with the sale: it is the order's now.
      if (holdRef.current?.holdReference === request.pointsHoldReference) setHold(null);
      // Cleared unless the cashier already started another sale (Esc) while this one was saving.
      if (store.getClientRef() === clientRef) store.reset();
    } catch (err) {
      setSaveError(errorText(t, err));
      if (err instanceof ApiCallError && err.field && /mobile|customer/i.test(err.field)) refs.mobile.current?.focus();
    } finally {
      setSaving(false);
      setReconnecting(false);
    }
  }

  function onReferralChange(value: string) {
    // A pasted or typed link: keep only its code, as a scan would.
    if (/^\s*https?:\/\//i.test(value)) {
      const route = routeScan(
        classifyScan(value, {
          customerIdPrefixes: settings.customerIdPrefixes,
          referralParams: settings.referralParams,
          receiptPattern: settings.receiptPattern,
        }),
      );
      if (route.kind === 'fill' && route.field === 'referral') return store.update({ referral: route.value, note: null });
      if (route.kind === 'type-code') return store.update({ referral: '', note: { key: 'referral.typeCode', tone: 'warn' } });
    }
    store.update({ referral: value, note: null });
  }

  const saved = savedId ? recent.find((o) => o.orderId === savedId) : undefined;

  return (
    <div className="checkout">
      <form
        className="card checkout-form"
        ref={formRef}
        onSubmit={onEvent(onSubmit)}
        noValidate
        aria-labelledby="checkout-title"
        data-testid="checkout-form"
      >
        <h1 id="checkout-title" className="card-title">
          {t('checkout.title')}
        </h1>
        <PendingSaleBanner control={pendingSale} />

        {form.customerId ? (
          <div className="field" data-testid="customer-field">
            <span className="field-label">{t('checkout.customerFromQr')}</span>
            <div className="customer-chip">
              <bdi className="code" data-testid="customer-id">
                {form.customerId}
              </bdi>
              <button
                ref={clearCustomerRef}
                type="button"
                className="btn btn-link"
                onClick={() => store.update({ customerId: null, focus: { field: 'mobile', seq: Date.now() } })}
              >
                {t('checkout.clearCustomer')}
              </button>
            </div>
          </div>
        ) : (
          <Field
            label={t('checkout.customer')}
            hint={t('checkout.customerHint')}
            error={customerError}
            ok={mobile?.state === 'valid' ? t('checkout.mobileOk', { number: mobile.display }) : null}
            start={<span dir="ltr">{`\u2066${callingCodeOf(settings.country)}\u2069`}</span>}
            testId="customer-field"
          >
            <input
              ref={refs.mobile}
              name="mobile"
              type="tel"
              inputMode="tel"
              autoComplete="off"
              dir="ltr"
              className="input ltr-field"
              value={form.mobile}
              onChange={(e) => store.update({ mobile: e.target.value, note: null })}
              data-testid="mobile-input"
            />
          </Field>
        )}

        <Field
          label={t('checkout.amount')}
          hint={t('checkout.amountHint', { currency: settings.currency })}
          error={amountError}
          end={<bdi>{settings.currency}</bdi>}
        >
          <input
            ref={refs.amount}
            name="amount"
            type="text"
            inputMode="decimal"
            autoComplete="off"
            dir="ltr"
            className="input input-amount ltr-field"
            value={form.amount}
            readOnly={pendingSale.sale !== null}
            onChange={(e) => store.update({ amount: e.target.value })}
            data-testid="amount-input"
          />
        </Field>

        <RedeemPanel
          customer={customer}
          qrHash={customerQrHash(form)}
          status={status}
          hold={hold}
          onHold={(h) => {
            heldFor.current = customerKey;
            setHold(h);
          }}
        />

        <div className="field-row">
          <Field
            label={t('loyalty.totalPrice')}
            optional
            hint={t('loyalty.totalPriceHint')}
            error={priceError}
            end={<bdi>{settings.currency}</bdi>}
          >
            <input
              name="totalPrice"
              type="text"
              inputMode="decimal"
              autoComplete="off"
              dir="ltr"
              className="input ltr-field"
              value={priceText}
              onChange={(e) => setPriceText(e.target.value)}
              data-testid="total-price-input"
            />
          </Field>
          <CouponField control={coupon} currency={settings.currency} enabled={customer !== null} />
        </div>
        <RewardLine preview={preview} />

        <div className="field-row">
          <Field label={t('checkout.receipt')} optional>
            <input
              ref={refs.receipt}
              name="receipt"
              type="text"
              autoComplete="off"
              dir="ltr"
              className="input ltr-field"
              value={form.receipt}
              readOnly={pendingSale.sale !== null}
              onChange={(e) =>
                // A receipt number typed over a scanned one is another receipt: the scan's key goes.
                store.update((f) => ({
                  ...f,
                  receipt: e.target.value,
                  receiptScan: f.receiptScan?.receiptNo === undefined ? f.receiptScan : null,
                }))
              }
              data-testid="receipt-input"
            />
          </Field>
          <Field label={t('checkout.referral')} optional hint={t('checkout.referralHint')}>
            <input
              ref={refs.referral}
              name="referral"
              type="text"
              autoComplete="off"
              spellCheck={false}
              dir="ltr"
              className="input ltr-field"
              value={form.referral}
              onChange={(e) => onReferralChange(normalizeDigits(e.target.value))}
              data-testid="referral-input"
            />
          </Field>
        </div>

        {form.receiptScan?.time !== undefined && (
          <p className="field-hint receipt-scan" data-testid="receipt-scan" data-receipt-time={form.receiptScan.time}>
            {form.receiptScan.sellerName === undefined
              ? t('checkout.receiptScanned', { time: receiptTime(form.receiptScan.time, lang) })
              : t('checkout.receiptScannedFrom', {
                  time: receiptTime(form.receiptScan.time, lang),
                  seller: form.receiptScan.sellerName,
                })}
          </p>
        )}
        <ReferralLine feedback={referral} code={form.referral} />
        <div className={`scan-note${form.note ? ` tone-${form.note.tone}` : ''}`} role="status" aria-live="polite" data-testid="scan-note">
          {form.note ? t(form.note.key, form.note.params ?? {}) : null}
        </div>

        {saveError && (
          <p className="form-error" role="alert" data-testid="save-error">
            {saveError}
          </p>
        )}
        {reconnecting && (
          <p className="notice notice-warn" role="status" data-testid="save-retrying">
            {t('checkout.saveRetrying')}
          </p>
        )}

        <div className="actions">
          <button type="submit" className="btn btn-primary btn-large" disabled={saving} data-testid="submit-order">
            {saving ? t('checkout.saving') : t('checkout.submit')}
            <kbd>Enter</kbd>
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => {
              setSubmitted(false);
              setSaveError(null);
              releaseHold();
              store.reset();
            }}
          >
            {t('checkout.clear')}
            <kbd>Esc</kbd>
          </button>
        </div>
        <p className="keys-hint">{t('checkout.keysHint')}</p>
      </form>

      <aside className="checkout-side">
        <CustomerPanel panel={panel} />
        {saved && (
          <section
            className="card saved-card"
            aria-live="polite"
            data-testid="saved-card"
            data-order-id={saved.orderId}
            data-state={saved.state}
          >
            <div className="saved-head">
              <span className="saved-check" aria-hidden="true" />
              <h2 className="card-title">{t('checkout.saved')}</h2>
            </div>
            <dl className="saved-facts">
              <dt>{t('checkout.orderId')}</dt>
              <dd>
                <bdi className="code code-large" data-testid="saved-order-id">
                  {saved.orderId}
                </bdi>
              </dd>
              <dt>{t('checkout.amount')}</dt>
              <dd>{formatMoney(saved.totalPaidMinor, saved.currency, lang)}</dd>
            </dl>
            <StateBadge state={saved.state} points={saved.rewardedPoints} />
            <p className="muted small">{t('checkout.savedDetail')}</p>
          </section>
        )}
        <section className="card recent-card" aria-labelledby="recent-title">
          <h2 id="recent-title" className="card-title">
            {t('checkout.recent')}
          </h2>
          {recent.length === 0 ? (
            <p className="muted">{t('checkout.noRecent')}</p>
          ) : (
            <ul className="recent-list" data-testid="recent-list">
              {recent.map((o) => (
                <li key={o.orderId} className="recent-row" data-order-id={o.orderId} data-state={o.state}>
                  <span className="muted small">{formatTime(o.createdAt, lang)}</span>
                  <bdi className="code recent-id" title={o.orderId}>
                    {shortId(o.orderId)}
                  </bdi>
                  <span className="recent-amount">{formatMoney(o.totalPaidMinor, o.currency, lang)}</span>
                  <StateBadge state={o.state} points={o.rewardedPoints} />
                </li>
              ))}
            </ul>
          )}
        </section>
      </aside>
    </div>
  );
}

function ReferralLine({ feedback, code }: { feedback: ReferralFeedback; code: string }) {
  const { t } = useTranslation();
  let text: string | null = null;
  let tone = 'info';
  if (feedback.state === 'checking') text = t('referral.checking');
  else if (feedback.state === 'done') {
    text = t(`referral.${feedback.result.status}`);
    tone = feedback.result.status === 'ok' ? 'ok' : feedback.result.status === 'offline' ? 'info' : 'warn';
  } else if (feedback.state === 'failed' || (feedback.state === 'idle' && code.trim() !== '')) {
    text = t('referral.local', { code: code.trim() });
  }
  return (
    <div
      className={`referral-line tone-${tone}`}
      role="status"
      aria-live="polite"
      data-testid="referral-feedback"
      data-status={feedback.state === 'done' ? feedback.result.status : feedback.state}
    >
      {text}
    </div>
  );
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A receipt's time as printed (ISO 8601; without a zone, the seller's local time), in the till's language. */
function receiptTime(time: string, lang: Language): string {
  const at = new Date(time);
  return Number.isNaN(at.getTime()) ? time : formatDateTime(at, lang);
}

function amountExample(digits: number): string {
  return digits === 0 ? '125' : `12.${'5'.padEnd(digits, '0')}`;
}

function countryName(country: string, lang: Language): string {
  try {
    return new Intl.DisplayNames([lang], { type: 'region' }).of(country) ?? country;
  } catch {
    return country;
  }
}
