// The coupon of this sale: scanned (while the field has focus) or typed, then validated and locked
// online with "Apply". The result says what to do: apply the discount on the main POS, or why the
// coupon was not taken. Offline it says coupons need Gameball; the sale itself is never blocked.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatMoney } from '../i18n/format.ts';
import type { Language } from '../i18n/format.ts';
import { onEvent } from '../state/event-handler.ts';
import { claimCouponScans } from './coupon-scan.ts';
import type { CouponControl } from './use-coupon.ts';

export function CouponField({ control, currency, enabled }: { control: CouponControl; currency: string; enabled: boolean }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Language;
  const [code, setCode] = useState('');
  const [focused, setFocused] = useState(false);
  const { coupon } = control;

  // Scans go here while the field has focus (and are applied at once).
  useEffect(() => {
    if (!focused) return;
    return claimCouponScans((scanned) => {
      setCode(scanned);
      void control.apply(scanned);
    });
  }, [focused, control]);
  useEffect(() => {
    if (coupon.state === 'idle') setCode('');
  }, [coupon.state]);

  let line: { text: string; tone: string } | null = null;
  if (coupon.state === 'locking') line = { text: t('coupon.locking'), tone: 'info' };
  else if (coupon.state === 'failed') line = { text: t('coupon.unknown'), tone: 'warn' };
  else if (coupon.state === 'done') {
    const r = coupon.result;
    if (r.status === 'locked') {
      const off =
        r.kind === 'fixed' && r.valueMinor !== null
          ? formatMoney(r.valueMinor, currency, lang)
          : r.kind === 'percentage' && r.percent !== null
            ? `${r.percent}%`
            : null;
      line = {
        text: off === null ? t('coupon.lockedOther', { code: r.code }) : t('coupon.locked', { code: r.code, off }),
        tone: 'ok',
      };
    } else if (r.status === 'unavailable') line = { text: t(`couponOff.${r.reason}`), tone: 'warn' };
    else if (r.status === 'refused') line = { text: t('coupon.refused', { message: r.message }), tone: 'warn' };
    else line = { text: t(`coupon.${r.status}`, { code: r.code }), tone: 'warn' };
  }
  const locked = coupon.state === 'done' && coupon.result.status === 'locked';

  return (
    <div className="field coupon-field" data-testid="coupon-field">
      <label className="field-label" htmlFor="coupon-input">
        {t('coupon.label')} <span className="muted small">{t('checkout.optional')}</span>
      </label>
      <div className="field-row">
        <input
          id="coupon-input"
          name="coupon"
          type="text"
          autoComplete="off"
          spellCheck={false}
          dir="ltr"
          className="input ltr-field"
          value={code}
          disabled={!enabled || locked}
          onFocus={() => setFocused(true)}
          onBlur={() => setFocused(false)}
          onChange={(e) => setCode(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              void control.apply(code);
            }
          }}
          data-testid="coupon-input"
        />
        {locked ? (
          <button type="button" className="btn" onClick={() => control.remove()} data-testid="coupon-remove">
            {t('coupon.remove')}
          </button>
        ) : (
          <button
            type="button"
            className="btn"
            disabled={!enabled || code.trim() === '' || coupon.state === 'locking'}
            onClick={onEvent(() => control.apply(code))}
            data-testid="coupon-apply"
          >
            {t('coupon.apply')}
          </button>
        )}
      </div>
      <div
        className={`referral-line tone-${line?.tone ?? 'info'}`}
        role="status"
        aria-live="polite"
        data-testid="coupon-feedback"
        data-status={coupon.state === 'done' ? coupon.result.status : coupon.state}
      >
        {enabled ? line?.text : t('coupon.needCustomer')}
      </div>
    </div>
  );
}
