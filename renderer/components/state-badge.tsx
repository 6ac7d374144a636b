// The state of an order in words and colour, with its points once synced.
import { useTranslation } from 'react-i18next';
import type { OrderState } from '../../preload/api.ts';
import { formatNumber } from '../i18n/format.ts';
import type { Language } from '../i18n/format.ts';

export function StateBadge({ state, points }: { state: OrderState; points?: number | null }) {
  const { t, i18n } = useTranslation();
  return (
    <span className={`badge badge-${state}`} data-state={state}>
      {t(`state.${state}`)}
      {state === 'synced' && points != null && (
        <span className="badge-points" data-testid="points" data-points={points}>
          {t('queue.points', { points: formatNumber(points, i18n.language as Language) })}
        </span>
      )}
    </span>
  );
}
