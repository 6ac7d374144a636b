// Browser mode opened without the printed address (or its token): nothing can reach the till, so
// say how to get in instead of showing a screen that cannot work.
import { useTranslation } from 'react-i18next';

export function NoSession() {
  const { t } = useTranslation();
  return (
    <div className="app-message" role="alert" data-testid="no-session">
      {t('app.noSession')}
    </div>
  );
}
