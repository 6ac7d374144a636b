// Spending points at the checkout: with a customer identified, the cashier types the points to
// spend and presses Redeem; the till holds them online and shows the discount to apply on the
// main POS. The hold goes with the sale when it is saved; clearing the sale (or changing the
// customer) releases it. When the customer showed their own Gameball QR, its hash goes with the
// hold. Offline the button is disabled and the reason is said: the sale itself never waits for this.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { HoldView, RedemptionAvailability, SyncStatus } from '../../preload/api.ts';
import { normalizeDigits } from '../../preload/digits.ts';
import { formatMoney } from '../i18n/format.ts';
import type { Language } from '../i18n/format.ts';
import { unwrap, useApi } from '../state/api-context.tsx';
import { errorText } from '../state/error-text.ts';
import { onEvent } from '../state/event-handler.ts';

export interface RedeemPanelProps {
  customer: { mobile: string } | { customerId: string } | null;
  /** The rotating hash of the QR this customer showed (checkout-form.ts keeps it with them); sent with the hold. */
  qrHash: string | null;
  status: SyncStatus | null;
  hold: HoldView | null;
  onHold: (hold: HoldView | null) => void;
}

export function RedeemPanel({ customer, qrHash, status, hold, onHold }: RedeemPanelProps) {
  const api = useApi();
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Language;
  const [points, setPoints] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [availability, setAvailability] = useState<RedemptionAvailability | null>(null);
  const online = status?.online ?? false;

  // Asked again whenever the till goes online or offline.
  useEffect(() => {
    let live = true;
    void api.redemptionAvailability().then((r) => {
      if (live && r.ok) setAvailability(r.value);
    });
    return () => {
      live = false;
    };
  }, [api, online]);

  if (!customer) return null;

  const off = availability !== null && !availability.available;
  const n = Number(points);
  const valid = /^\d+$/.test(points) && n >= 1;

  async function redeem() {
    if (!customer || !valid) {
      setError(t('points.pointsInvalid'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onHold(await unwrap(api.holdPoints({ customer, points: n, ...(qrHash ? { hash: qrHash } : {}) })));
      setPoints('');
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  }

  async function cancel() {
    if (!hold) return;
    setBusy(true);
    setError(null);
    try {
      await unwrap(api.releaseHold({ holdReference: hold.holdReference }));
      onHold(null);
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="redeem-panel" aria-labelledby="redeem-title" data-testid="redeem-panel">
      <h2 id="redeem-title" className="section-title">
        {t('points.title')}
      </h2>
      {hold ? (
        <div className="notice notice-ok" role="status" data-testid="redeem-held" data-hold={hold.holdReference}>
          <p data-testid="redeem-discount">
            {t('points.held', { points: hold.points, amount: formatMoney(hold.amountMinor, hold.currency, lang) })}
          </p>
          <p className="muted small">{t('points.heldNote')}</p>
          <button type="button" className="btn" disabled={busy} onClick={onEvent(cancel)} data-testid="redeem-cancel">
            {t('points.cancel')}
          </button>
        </div>
      ) : (
        <div className="redeem-row">
          <label className="field-label" htmlFor="redeem-points">
            {t('points.pointsLabel')}
          </label>
          <input
            id="redeem-points"
            className="input ltr-field"
            dir="ltr"
            inputMode="numeric"
            autoComplete="off"
            value={points}
            disabled={off || busy}
            onChange={(e) => setPoints(normalizeDigits(e.target.value).trim())}
            onKeyDown={(e) => {
              // Enter here redeems; it must not save the sale.
              if (e.key === 'Enter') {
                e.preventDefault();
                void redeem();
              }
            }}
            data-testid="redeem-points"
          />
          <button type="button" className="btn" disabled={off || busy} onClick={onEvent(redeem)} data-testid="redeem-button">
            {busy ? t('points.holding') : t('points.redeem')}
          </button>
        </div>
      )}
      {off && availability && (
        <p className="muted small" role="status" data-testid="redeem-off" data-reason={availability.reason ?? ''}>
          {availability.reason === 'not-configured' ? t('points.notConfigured') : t('points.offline')}
        </p>
      )}
      {error && (
        <p className="form-error" role="alert" data-testid="redeem-error">
          {error}
        </p>
      )}
    </section>
  );
}
