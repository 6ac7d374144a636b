// Problems the till found about itself (a damaged database set aside and recovered, one restored
// without its -wal, ...), shown above every screen until the app restarts. The sentence is in the
// till's language, picked by the notice's code; the English account under "Details" is for store
// IT (file paths, what was recovered, what could not be read, what to do).
import { useTranslation } from 'react-i18next';
import { isNoticeCode } from '../../preload/api.ts';
import type { AppNotice } from '../../preload/api.ts';

export function TillNotices({ notices }: { notices: readonly AppNotice[] }) {
  const { t } = useTranslation();
  if (notices.length === 0) return null;
  return (
    <section className="till-notices" role="alert" aria-label={t('notices.label')} data-testid="till-notices">
      {notices.map((n, i) => (
        <div key={`${n.code}-${i}`} className="till-notice" data-code={n.code} data-testid="till-notice">
          <p className="till-notice-text">{isNoticeCode(n.code) ? t(`notices.${n.code}`, n.params) : n.message}</p>
          <details className="till-notice-details">
            <summary>{t('notices.details')}</summary>
            <p className="till-notice-detail" dir="ltr">
              {n.message}
            </p>
          </details>
        </div>
      ))}
    </section>
  );
}
