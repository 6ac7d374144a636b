// The points this sale will earn, quoted by Gameball before saving; offline it says why not.
import { useTranslation } from 'react-i18next';
import type { LoyaltyPreview } from '../../preload/api.ts';
import { formatNumber } from '../i18n/format.ts';
import type { Language } from '../i18n/format.ts';

export function RewardLine({ preview }: { preview: LoyaltyPreview | null }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Language;
  const text =
    preview === null
      ? null
      : preview.status === 'ok'
        ? t('loyalty.preview', { points: formatNumber(preview.points, lang) })
        : t(`previewOff.${preview.reason}`);
  return (
    <div
      className={`referral-line tone-${preview?.status === 'ok' ? 'ok' : 'info'}`}
      role="status"
      aria-live="polite"
      data-testid="reward-preview"
      data-status={preview?.status ?? 'idle'}
      data-points={preview?.status === 'ok' ? preview.points : undefined}
    >
      {text}
    </div>
  );
}
