// Settings → the local API for the POS (docs/local-api.md): its address and bearer token, for
// store IT wiring the POS. Shown only on request, behind the store PIN when one is set, and
// forgotten when hidden or when the screen is left.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiInfo } from '../../preload/api.ts';
import { usePinPrompt } from '../components/pin-dialog.tsx';
import { ApiCallError, useApi } from '../state/api-context.tsx';
import { errorText } from '../state/error-text.ts';
import { onEvent } from '../state/event-handler.ts';
import { withStorePin } from '../state/store-pin.ts';

export function LocalApiSettings() {
  const api = useApi();
  const { t } = useTranslation();
  const pinPrompt = usePinPrompt();
  const [info, setInfo] = useState<ApiInfo | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function show() {
    setError(null);
    const r = await withStorePin((pin) => api.getApiInfo(pin === undefined ? undefined : { pin }), pinPrompt.ask);
    if (r === null) return;
    if (r.ok) setInfo(r.value);
    else setError(errorText(t, new ApiCallError(r.error)));
  }

  return (
    <section className="card" aria-labelledby="local-api-title" data-testid="local-api-settings">
      <h2 id="local-api-title" className="card-title">
        {t('localApi.title')}
      </h2>
      <p className="muted small">{t('localApi.intro')}</p>
      {info ? (
        <>
          <dl className="saved-facts">
            <dt>{t('localApi.address')}</dt>
            <dd>
              <bdi className="code" data-testid="local-api-url">
                {info.url ?? t('localApi.off')}
              </bdi>
            </dd>
            <dt>{t('localApi.token')}</dt>
            <dd>
              <bdi className="code" data-testid="local-api-token">
                {info.token}
              </bdi>
            </dd>
          </dl>
          <button type="button" className="btn" onClick={() => setInfo(null)}>
            {t('localApi.hide')}
          </button>
        </>
      ) : (
        <button type="button" className="btn" onClick={onEvent(show)} data-testid="local-api-show">
          {t('localApi.show')}
        </button>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {pinPrompt.dialog}
    </section>
  );
}
