// The customer panel beside the checkout: what Gameball says about the identified customer (name,
// points and their value, pending points, tier and progress, their own referral code with a QR a
// friend can scan, friends referred). A new customer says so; offline it shows the last answer with
// its age, or says why there is nothing to show. It never blocks the sale.
import { useTranslation } from 'react-i18next';
import type { LoyaltyCustomer, LoyaltyProfile } from '../../preload/api.ts';
import { formatAge, formatMoney, formatNumber } from '../i18n/format.ts';
import type { Language } from '../i18n/format.ts';
import { ReferralQr } from './referral-qr.tsx';
import type { PanelState } from './use-loyalty-customer.ts';

export function CustomerPanel({ panel }: { panel: PanelState }) {
  const { t } = useTranslation();
  if (panel.state === 'idle') return null;
  const status = panel.state === 'done' ? panel.result.status : panel.state;
  return (
    <section
      className="card customer-panel"
      aria-labelledby="panel-title"
      aria-live="polite"
      data-testid="customer-panel"
      data-status={status}
    >
      <h2 id="panel-title" className="card-title">
        {t('loyalty.panelTitle')}
      </h2>
      {panel.state === 'loading' && <p className="muted">{t('loyalty.loading')}</p>}
      {panel.state === 'failed' && <p className="muted">{t('loyalty.failed')}</p>}
      {panel.state === 'done' && <PanelBody result={panel.result} />}
    </section>
  );
}

function PanelBody({ result }: { result: LoyaltyCustomer }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Language;
  switch (result.status) {
    case 'unavailable':
      return (
        <p className="notice notice-warn" data-testid="panel-off">
          {t(`loyaltyOff.${result.reason}`)}
        </p>
      );
    case 'new':
      return (
        <p className="notice" data-testid="panel-new">
          {t('loyalty.newCustomer')}
        </p>
      );
    case 'cached':
      return (
        <>
          <p className="notice notice-warn" data-testid="panel-off">
            {t('loyalty.cachedAge', { age: formatAge(result.ageMs, lang) })} {t(`loyaltyOff.${result.reason}`)}
          </p>
          {result.profile === null ? (
            <p className="notice" data-testid="panel-new">
              {t('loyalty.newCustomer')}
            </p>
          ) : (
            <Profile profile={result.profile} />
          )}
        </>
      );
    case 'live':
      return <Profile profile={result.profile} />;
  }
}

function Profile({ profile: p }: { profile: LoyaltyProfile }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Language;
  const share = p.referralLink ?? p.referralCode;
  const toNext = p.nextTier?.minProgress ?? null;
  const percent =
    p.tierProgress !== null && toNext !== null && toNext > 0 ? Math.min(100, Math.round((p.tierProgress / toNext) * 100)) : null;
  return (
    <div className="panel-body">
      {p.name && (
        <p className="panel-name" data-testid="panel-name">
          <bdi>{p.name}</bdi>
        </p>
      )}
      <dl className="saved-facts">
        <dt>{t('loyalty.points')}</dt>
        <dd>
          <span data-testid="panel-points" data-points={p.availablePoints}>
            {formatNumber(p.availablePoints, lang)}
          </span>
          {p.availableValueMinor !== null && p.currency !== null && (
            <span className="muted" data-testid="panel-points-value">
              {' '}
              {t('loyalty.worth', { value: formatMoney(p.availableValueMinor, p.currency, lang) })}
            </span>
          )}
        </dd>
        <dt>{t('loyalty.pending')}</dt>
        <dd data-testid="panel-pending">{formatNumber(p.pendingPoints, lang)}</dd>
        <dt>{t('loyalty.tier')}</dt>
        <dd>
          <bdi data-testid="panel-tier">{p.tier?.name ?? t('loyalty.noTier')}</bdi>
          {p.nextTier && p.tierProgress !== null && toNext !== null && (
            <span className="muted small" data-testid="panel-tier-progress">
              {' '}
              {t('loyalty.tierProgress', {
                progress: formatNumber(p.tierProgress, lang),
                target: formatNumber(toNext, lang),
                next: p.nextTier.name,
              })}
            </span>
          )}
          {percent !== null && (
            <progress className="tier-progress" max={100} value={percent} aria-label={t('loyalty.tier')}>{`${percent}%`}</progress>
          )}
        </dd>
        <dt>{t('loyalty.referred')}</dt>
        <dd data-testid="panel-referred">{p.referredCount === null ? '-' : formatNumber(p.referredCount, lang)}</dd>
        <dt>{t('loyalty.referralCode')}</dt>
        <dd>
          <bdi className="code" data-testid="panel-referral-code">
            {p.referralCode ?? '-'}
          </bdi>
        </dd>
      </dl>
      {share && (
        <figure className="referral-share">
          <ReferralQr text={share} label={t('loyalty.qrLabel')} />
          <figcaption className="muted small">{t('loyalty.qrHint')}</figcaption>
        </figure>
      )}
    </div>
  );
}
