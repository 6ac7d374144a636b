// Settings: this till's identity, currency and country, the Gameball API version and keys
// (write-only: the screen only ever learns whether a key is set), the store PIN that guards the
// keys and the export (main checks it; the screen only asks for it), the scanner with a live view
// of what it reads, the referral link parameter names and the language.
import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiVersionSchema } from '../../preload/api.ts';
import type {
  ApiVersion,
  ConnectionTest,
  ScanEventWire,
  ScannerDevice,
  ScannerReport,
  ScannerState,
  SettingsPatch,
} from '../../preload/api.ts';
import { Field } from '../components/field.tsx';
import { usePinPrompt } from '../components/pin-dialog.tsx';
import { LocalApiSettings } from './local-api-settings.tsx';
import { formatTime } from '../i18n/format.ts';
import type { Language } from '../i18n/format.ts';
import { LANGUAGES } from '../i18n/index.ts';
import { ApiCallError, unwrap, useApi } from '../state/api-context.tsx';
import { errorText } from '../state/error-text.ts';
import { useSettings } from '../state/settings-context.tsx';
import { readPin, withStorePin } from '../state/store-pin.ts';
import { onEvent } from '../state/event-handler.ts';
import type { ChangeEvent } from 'react';

const CURRENCIES = ['SAR', 'AED', 'KWD', 'BHD', 'QAR', 'OMR', 'EGP', 'JOD', 'MAD', 'USD', 'EUR', 'GBP', 'JPY'];
const COUNTRIES = ['SA', 'AE', 'KW', 'BH', 'QA', 'OM', 'EG', 'JO', 'MA', 'US', 'GB', 'DE', 'FR', 'JP'];
const LIVE_LIMIT = 12;
const API_VERSIONS = ApiVersionSchema.options;

export function SettingsScreen({ scanner, training }: { scanner: ScannerState | null; training: boolean }) {
  return (
    <div className="settings">
      <TillSettings />
      <div className="settings-side">
        <KeySettings training={training} />
        <StorePinSettings />
        <ScannerSettings scanner={scanner} />
        <LocalApiSettings />
      </div>
    </div>
  );
}

function TillSettings() {
  const api = useApi();
  const { settings, replace } = useSettings();
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Language;
  const [draft, setDraft] = useState(() => ({
    tillId: settings.tillId,
    storeId: settings.storeId ?? '',
    branchId: settings.branchId ?? '',
    storeName: settings.storeName ?? '',
    branchName: settings.branchName ?? '',
    currency: settings.currency,
    country: settings.country,
    apiVersion: settings.apiVersion,
    referralParams: settings.referralParams.join(', '),
  }));
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const names = regionNames(lang);
  const currencies = CURRENCIES.includes(settings.currency) ? CURRENCIES : [settings.currency, ...CURRENCIES];
  const countries = COUNTRIES.includes(settings.country) ? COUNTRIES : [settings.country, ...COUNTRIES];

  async function save(e: FormEvent) {
    e.preventDefault();
    const patch: SettingsPatch = {
      tillId: draft.tillId.trim(),
      storeId: draft.storeId.trim() || null,
      branchId: draft.branchId.trim() || null,
      storeName: draft.storeName.trim() || null,
      branchName: draft.branchName.trim() || null,
      currency: draft.currency,
      country: draft.country,
      apiVersion: draft.apiVersion,
      referralParams: draft.referralParams
        .split(/[,\s،]+/)
        .map((s) => s.trim())
        .filter(Boolean),
    };
    try {
      replace(await unwrap(api.updateSettings(patch)));
      setMessage({ ok: true, text: t('settings.saved') });
    } catch (err) {
      setMessage({ ok: false, text: errorText(t, err) });
    }
  }

  async function setLanguage(language: Language) {
    const r = await api.updateSettings({ language });
    if (r.ok) replace(r.value);
  }

  return (
    <form className="card settings-card" onSubmit={onEvent(save)} noValidate data-testid="settings-form">
      <h1 className="card-title">{t('settings.title')}</h1>
      <div className="field">
        <span className="field-label" id="language-label">
          {t('settings.language')}
        </span>
        <div className="segmented" role="group" aria-labelledby="language-label">
          {LANGUAGES.map((l) => (
            <button
              key={l}
              type="button"
              lang={l}
              aria-pressed={settings.language === l}
              className="seg"
              onClick={onEvent(() => setLanguage(l))}
              data-testid={`language-${l}`}
            >
              {t(`languageName.${l}`)}
            </button>
          ))}
        </div>
      </div>
      <h2 className="section-title">{t('settings.till')}</h2>
      <div className="field-row three">
        <Field label={t('settings.tillId')}>
          <input
            className="input ltr-field"
            dir="ltr"
            value={draft.tillId}
            onChange={(e) => setDraft({ ...draft, tillId: e.target.value })}
            data-testid="setting-till"
          />
        </Field>
        <Field label={t('settings.storeId')} optional>
          <input
            className="input ltr-field"
            dir="ltr"
            value={draft.storeId}
            onChange={(e) => setDraft({ ...draft, storeId: e.target.value })}
          />
        </Field>
        <Field label={t('settings.branchId')} optional>
          <input
            className="input ltr-field"
            dir="ltr"
            value={draft.branchId}
            onChange={(e) => setDraft({ ...draft, branchId: e.target.value })}
          />
        </Field>
      </div>
      {/* The store and branch names go to Gameball in `merchant`, beside their ids. */}
      <div className="field-row">
        <Field label={t('merchant.storeName')} optional>
          <input
            className="input"
            value={draft.storeName}
            onChange={(e) => setDraft({ ...draft, storeName: e.target.value })}
            data-testid="setting-store-name"
          />
        </Field>
        <Field label={t('merchant.branchName')} optional>
          <input
            className="input"
            value={draft.branchName}
            onChange={(e) => setDraft({ ...draft, branchName: e.target.value })}
            data-testid="setting-branch-name"
          />
        </Field>
      </div>
      {settings.storeId === null && (
        <p className="notice notice-warn" role="status" data-testid="store-id-warning">
          {t('merchant.noStoreId')}
        </p>
      )}
      <div className="field-row three">
        <Field label={t('settings.currency')}>
          <select
            className="input"
            value={draft.currency}
            onChange={(e) => setDraft({ ...draft, currency: e.target.value })}
            data-testid="setting-currency"
          >
            {currencies.map((c) => (
              <option key={c} value={c}>{`${c} · ${currencyName(c, lang)}`}</option>
            ))}
          </select>
        </Field>
        <Field label={t('settings.country')}>
          <select
            className="input"
            value={draft.country}
            onChange={(e) => setDraft({ ...draft, country: e.target.value })}
            data-testid="setting-country"
          >
            {countries.map((c) => (
              <option key={c} value={c}>
                {names?.of(c) ?? c}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('settings.apiVersion')}>
          <select
            className="input"
            value={draft.apiVersion}
            onChange={(e) => setDraft({ ...draft, apiVersion: e.target.value as ApiVersion })}
          >
            {API_VERSIONS.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <Field label={t('settings.referralParams')} hint={t('settings.referralParamsHint')}>
        <input
          className="input ltr-field"
          dir="ltr"
          spellCheck={false}
          value={draft.referralParams}
          onChange={(e) => setDraft({ ...draft, referralParams: e.target.value })}
        />
      </Field>
      {message && (
        <p className={message.ok ? 'notice' : 'form-error'} role="status">
          {message.text}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="btn btn-primary" data-testid="save-settings">
          {t('settings.save')}
        </button>
      </div>
    </form>
  );
}

/**
 * Keys are uncontrolled inputs read once on save and emptied at once: the value is never held
 * in React state, so nothing in the page keeps it after the engine has it.
 */
function KeySettings({ training }: { training: boolean }) {
  const api = useApi();
  const { settings, replace } = useSettings();
  const { t } = useTranslation();
  const apiRef = useRef<HTMLInputElement>(null);
  const secretRef = useRef<HTMLInputElement>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [testing, setTesting] = useState(false);
  const [test, setTest] = useState<ConnectionTest | null>(null);
  const pinPrompt = usePinPrompt();
  const keys = settings.keys;

  async function refresh() {
    const r = await api.getSettings();
    if (r.ok) replace(r.value);
  }

  async function save(e: FormEvent) {
    e.preventDefault();
    const apiInput = apiRef.current;
    const secretInput = secretRef.current;
    if (!apiInput || !secretInput) return;
    const request: { apiKey?: string; secretKey?: string } = {};
    if (apiInput.value.trim() !== '') request.apiKey = apiInput.value.trim();
    if (secretInput.value.trim() !== '') request.secretKey = secretInput.value.trim();
    apiInput.value = '';
    secretInput.value = '';
    if (request.apiKey === undefined && request.secretKey === undefined) return;
    // With a store PIN set, main asks for it first.
    const r = await withStorePin((pin) => api.setKeys(pin === undefined ? request : { ...request, pin }), pinPrompt.ask);
    if (r === null) {
      setMessage({ ok: false, text: t('settings.keysNotSaved') });
      return;
    }
    // Keys switch the till between training and live at once: the answer says which it runs in now.
    setMessage(
      r.ok
        ? { ok: true, text: t(r.value.training ? 'settings.keysSavedTraining' : 'settings.keysSaved') }
        : { ok: false, text: errorText(t, new ApiCallError(r.error)) },
    );
    await refresh();
  }

  async function remove() {
    const r = await withStorePin(
      (pin) => api.setKeys(pin === undefined ? { apiKey: null, secretKey: null } : { apiKey: null, secretKey: null, pin }),
      pinPrompt.ask,
    );
    if (r === null) return;
    setMessage(
      r.ok
        ? { ok: true, text: t(r.value.training ? 'settings.keysRemovedTraining' : 'settings.keysRemoved') }
        : { ok: false, text: errorText(t, new ApiCallError(r.error)) },
    );
    await refresh();
  }

  async function testConnection() {
    setTesting(true);
    setTest(null);
    const r = await api.testConnection();
    setTest(r.ok ? r.value : { ok: false, message: errorText(t, new ApiCallError(r.error)) });
    setTesting(false);
  }

  // The PIN dialog has a form of its own: it sits beside this form, never inside it.
  return (
    <>
      <form className="card settings-card" onSubmit={onEvent(save)} noValidate autoComplete="off" data-testid="keys-form">
        <h2 className="card-title">{t('settings.keys')}</h2>
        {training && (
          <p className="notice notice-warn" data-testid="keys-training">
            {t('settings.keysTraining')}
          </p>
        )}
        {(keys.apiKeyUnreadable || keys.secretKeyUnreadable) && (
          <p className="notice notice-warn" data-testid="keys-unreadable">
            {t('settings.keysUnreadable')}
          </p>
        )}
        <p className="muted small">{t('settings.keysHelp')}</p>
        <Field
          label={t('settings.apiKey')}
          end={<KeyState set={keys.apiKeySet} unreadable={keys.apiKeyUnreadable} testId="api-key-state" />}
        >
          <input
            ref={apiRef}
            type="password"
            autoComplete="new-password"
            spellCheck={false}
            className="input ltr-field"
            dir="ltr"
            placeholder={keys.apiKeySet ? t('settings.keyPlaceholderSet') : t('settings.keyPlaceholderEmpty')}
            data-testid="api-key-input"
          />
        </Field>
        <Field
          label={t('settings.secretKey')}
          end={<KeyState set={keys.secretKeySet} unreadable={keys.secretKeyUnreadable} testId="secret-key-state" />}
        >
          <input
            ref={secretRef}
            type="password"
            autoComplete="new-password"
            spellCheck={false}
            className="input ltr-field"
            dir="ltr"
            placeholder={keys.secretKeySet ? t('settings.keyPlaceholderSet') : t('settings.keyPlaceholderEmpty')}
            data-testid="secret-key-input"
          />
        </Field>
        {message && (
          <p className={message.ok ? 'notice' : 'form-error'} role="status" data-testid="keys-message">
            {message.text}
          </p>
        )}
        <div className="actions">
          <button type="submit" className="btn btn-primary" data-testid="save-keys">
            {t('settings.saveKeys')}
          </button>
          <button type="button" className="btn" onClick={onEvent(testConnection)} disabled={testing} data-testid="test-connection">
            {testing ? t('settings.testing') : t('settings.testConnection')}
          </button>
          {(keys.apiKeySet || keys.secretKeySet || keys.apiKeyUnreadable || keys.secretKeyUnreadable) && (
            <button type="button" className="btn btn-danger" onClick={onEvent(remove)} data-testid="remove-keys">
              {t('settings.removeKeys')}
            </button>
          )}
        </div>
        {test && (
          <p className={test.ok ? 'notice' : 'form-error'} role="status" data-testid="connection-result" data-ok={test.ok}>
            <bdi>{test.message}</bdi>
          </p>
        )}
      </form>
      {pinPrompt.dialog}
    </>
  );
}

/**
 * Sets, changes or removes the store PIN. Like the keys, the PINs are uncontrolled fields read
 * once on save and emptied at once; main checks the current PIN and stores only a hash.
 */
function StorePinSettings() {
  const api = useApi();
  const { settings, replace } = useSettings();
  const { t } = useTranslation();
  const currentRef = useRef<HTMLInputElement>(null);
  const nextRef = useRef<HTMLInputElement>(null);
  const repeatRef = useRef<HTMLInputElement>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const isSet = settings.storePinSet;

  /** Reads and empties the three fields. */
  function take(): { current: string; next: string; repeat: string } {
    const values = { current: currentRef.current?.value ?? '', next: nextRef.current?.value ?? '', repeat: repeatRef.current?.value ?? '' };
    for (const ref of [currentRef, nextRef, repeatRef]) if (ref.current) ref.current.value = '';
    return values;
  }

  async function submit(pin: string | null, currentTyped: string) {
    const current = isSet ? readPin(currentTyped) : undefined;
    if (current === null) return setMessage({ ok: false, text: t('pin.invalid') });
    const r = await api.setStorePin(current === undefined ? { pin } : { pin, currentPin: current });
    if (!r.ok) {
      const key =
        r.error.code === 'pin-wrong'
          ? 'pin.wrong'
          : r.error.code === 'pin-locked'
            ? 'pin.locked'
            : r.error.code === 'pin-required'
              ? 'pin.help'
              : null;
      return setMessage({ ok: false, text: key ? t(key) : errorText(t, new ApiCallError(r.error)) });
    }
    setMessage({ ok: true, text: t(r.value.storePinSet ? 'settings.pinSaved' : 'settings.pinRemoved') });
    const fresh = await api.getSettings();
    if (fresh.ok) replace(fresh.value);
  }

  async function save(e: FormEvent) {
    e.preventDefault();
    const { current, next, repeat } = take();
    const pin = readPin(next);
    if (pin === null) return setMessage({ ok: false, text: t('pin.invalid') });
    if (readPin(repeat) !== pin) return setMessage({ ok: false, text: t('settings.pinMismatch') });
    await submit(pin, current);
  }

  async function remove() {
    const { current } = take();
    await submit(null, current);
  }

  return (
    <form className="card settings-card" onSubmit={onEvent(save)} noValidate autoComplete="off" data-testid="store-pin-form">
      <h2 className="card-title">{t('settings.storePin')}</h2>
      <p className="muted small">{t('settings.storePinHelp')}</p>
      <p className="small">
        <KeyState set={isSet} testId="store-pin-state" />
      </p>
      {isSet && (
        <Field label={t('settings.currentPin')}>
          <input
            ref={currentRef}
            type="password"
            inputMode="numeric"
            autoComplete="off"
            className="input ltr-field"
            dir="ltr"
            maxLength={24}
            data-testid="current-pin-input"
          />
        </Field>
      )}
      <div className="field-row">
        <Field label={t('settings.newPin')}>
          <input
            ref={nextRef}
            type="password"
            inputMode="numeric"
            autoComplete="new-password"
            className="input ltr-field"
            dir="ltr"
            maxLength={24}
            data-testid="new-pin-input"
          />
        </Field>
        <Field label={t('settings.repeatPin')}>
          <input
            ref={repeatRef}
            type="password"
            inputMode="numeric"
            autoComplete="new-password"
            className="input ltr-field"
            dir="ltr"
            maxLength={24}
            data-testid="repeat-pin-input"
          />
        </Field>
      </div>
      {message && (
        <p className={message.ok ? 'notice' : 'form-error'} role="status" data-testid="store-pin-message">
          {message.text}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="btn btn-primary" data-testid="save-pin">
          {t('settings.savePin')}
        </button>
        {isSet && (
          <button type="button" className="btn btn-danger" onClick={onEvent(remove)} data-testid="remove-pin">
            {t('settings.removePin')}
          </button>
        )}
      </div>
    </form>
  );
}

function KeyState({ set, unreadable = false, testId }: { set: boolean; unreadable?: boolean | undefined; testId: string }) {
  const { t } = useTranslation();
  return (
    <span className={`key-state ${set ? 'is-set' : 'not-set'}`} data-testid={testId} data-set={set} data-unreadable={unreadable}>
      {set ? t('settings.keySet') : unreadable ? t('settings.keyUnreadable') : t('settings.keyNotSet')}
    </span>
  );
}

function ScannerSettings({ scanner }: { scanner: ScannerState | null }) {
  const api = useApi();
  const { settings, replace } = useSettings();
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Language;
  const [devices, setDevices] = useState<ScannerDevice[]>([]);
  const [scans, setScans] = useState<ScanEventWire[]>([]);
  const [reports, setReports] = useState<ScannerReport[]>([]);

  async function loadDevices() {
    const r = await api.listScannerDevices();
    if (r.ok) setDevices(r.value);
  }
  useEffect(() => {
    void loadDevices();
    const offScan = api.on('scan', (s) => setScans((prev) => [s, ...prev].slice(0, LIVE_LIMIT)));
    const offReport = api.on('scanner-report', (rep) => setReports((prev) => [rep, ...prev].slice(0, LIVE_LIMIT)));
    return () => {
      offScan();
      offReport();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api]);

  async function select(deviceId: string) {
    const id = deviceId === '' ? null : deviceId;
    await api.selectScanner({ deviceId: id });
    const r = await api.getSettings();
    if (r.ok) replace(r.value);
  }

  const kindLabel = (d: ScannerDevice) =>
    d.kind === 'hidpos'
      ? t('settings.deviceKindHidpos')
      : d.kind === 'keyboard'
        ? t('settings.deviceKindKeyboard')
        : t('settings.deviceKindOther');
  const current = settings.scanner.deviceId ?? (scanner?.state === 'connected' ? (scanner.device?.id ?? '') : '');

  return (
    <section className="card settings-card" aria-labelledby="scanner-title" data-testid="scanner-settings">
      <h2 id="scanner-title" className="card-title">
        {t('settings.scanner')}
      </h2>
      <div className="field-inline">
        <Field label={t('settings.device')} className="grow">
          <select
            className="input"
            value={current}
            onChange={onEvent((e: ChangeEvent<HTMLSelectElement>) => select(e.target.value))}
            data-testid="scanner-select"
          >
            <option value="">{t('settings.keyboardMode')}</option>
            {devices.map((d) => (
              <option key={d.id} value={d.id}>{`${d.product ?? d.id} · ${kindLabel(d)}`}</option>
            ))}
          </select>
        </Field>
        <button type="button" className="btn" onClick={onEvent(loadDevices)}>
          {t('settings.refreshDevices')}
        </button>
      </div>

      <h3 className="section-title">{t('settings.liveScans')}</h3>
      {scans.length === 0 ? (
        <p className="muted small">{t('settings.liveScansEmpty')}</p>
      ) : (
        <table className="live-table" data-testid="live-scans">
          <thead>
            <tr>
              <th>{t('settings.time')}</th>
              <th>{t('settings.source')}</th>
              <th>{t('settings.kind')}</th>
              <th>{t('settings.text')}</th>
            </tr>
          </thead>
          <tbody>
            {scans.map((s, i) => (
              <tr key={`${s.at}-${i}`} data-kind={s.classification.kind}>
                <td className="muted">{formatTime(s.at, lang)}</td>
                <td>{t(`scanSource.${s.source}`)}</td>
                <td>{t(`scanKind.${s.classification.kind}`)}</td>
                <td>
                  <bdi className="code break">{s.classification.referrerCode ?? s.classification.customerId ?? s.classification.text}</bdi>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h3 className="section-title">{t('settings.rawReports')}</h3>
      {reports.length === 0 ? (
        <p className="muted small">{t('settings.rawReportsEmpty')}</p>
      ) : (
        <ol className="raw-reports" data-testid="raw-reports">
          {reports.map((r, i) => (
            <li key={`${r.at}-${i}`}>
              <span className="muted small">{formatTime(r.at, lang)}</span>
              <bdi className="code small break">{r.hex}</bdi>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function regionNames(lang: Language): Intl.DisplayNames | null {
  try {
    return new Intl.DisplayNames([lang], { type: 'region' });
  } catch {
    return null;
  }
}

function currencyName(code: string, lang: Language): string {
  try {
    return new Intl.DisplayNames([lang], { type: 'currency' }).of(code) ?? code;
  } catch {
    return code;
  }
}
