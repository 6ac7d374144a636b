// The till screen's frame: training banner, the till's own problems (a damaged database...), navigation (F2/F3/F4), the active screen and the
// status bar. Owns the two things that must work whatever screen is showing: scans (a scan is
// routed to the checkout form from anywhere) and the keyboard shortcuts.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppInfo, ScanEventWire, Settings } from '../preload/api.ts';
import { classifyScan } from '../preload/scan-classify.ts';
import { StatusBar } from './components/status-bar.tsx';
import { TillNotices } from './components/till-notices.tsx';
import { changeLanguage } from './i18n/index.ts';
import { routeScan } from './scan/scan-routing.ts';
import { useKeyboardWedge } from './scan/use-keyboard-wedge.ts';
import { CheckoutScreen } from './screens/checkout-screen.tsx';
import { QueueScreen } from './screens/queue-screen.tsx';
import { SettingsScreen } from './screens/settings-screen.tsx';
import { unwrap, useApi } from './state/api-context.tsx';
import { CheckoutFormStore } from './state/checkout-form.ts';
import { useSaleSignal } from './state/sale-signal.ts';
import { SettingsContext } from './state/settings-context.tsx';
import { useScannerState, useSyncStatus, useUpdateState } from './state/use-engine-state.ts';
import { onTransportConnection } from './transport/index.ts';
import type { ConnectionState } from './transport/index.ts';
import { couponTookScan } from './loyalty/coupon-scan.ts';

export type ScreenName = 'checkout' | 'queue' | 'settings';

const SHORTCUTS: Record<string, ScreenName> = { F2: 'checkout', F3: 'queue', F4: 'settings' };

export function App() {
  const api = useApi();
  const { t } = useTranslation();
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [settings, setSettings] = useState<Settings | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [screen, setScreen] = useState<ScreenName>('checkout');
  const screenRef = useRef(screen);
  screenRef.current = screen;
  const settingsRef = useRef(settings);
  settingsRef.current = settings;
  const checkout = useMemo(() => new CheckoutFormStore(), []);
  useSaleSignal(checkout);
  const [connection, setConnection] = useState<ConnectionState>('open');
  useEffect(() => onTransportConnection(setConnection), []);
  const timedStatus = useSyncStatus();
  const scanner = useScannerState();
  const update = useUpdateState();

  useEffect(() => {
    let live = true;
    Promise.all([unwrap(api.getAppInfo()), unwrap(api.getSettings())])
      .then(async ([i, s]) => {
        if (!live) return;
        await changeLanguage(s.language);
        setInfo(i);
        setSettings(s);
      })
      .catch((err: unknown) => live && setLoadError(err instanceof Error ? err.message : String(err)));
    return () => {
      live = false;
    };
  }, [api]);

  const replaceSettings = useCallback((s: Settings) => {
    setSettings(s);
    void changeLanguage(s.language);
  }, []);

  // Every scan, from either scanner path, arrives here as one `scan` event.
  const handleScan = useCallback(
    (event: ScanEventWire) => {
      // Settings shows scans in its live view; filling a form there would surprise the cashier.
      if (screenRef.current === 'settings') return;
      // The focused coupon field takes the scan (renderer/loyalty/coupon-scan.ts).
      if (screenRef.current === 'checkout' && couponTookScan(event)) return;
      const route = routeScan(event.classification);
      if (route.kind !== 'ignore' && screenRef.current !== 'checkout') setScreen('checkout');
      if (route.kind === 'receipt') {
        // A receipt captured already is refused at once, naming its order; if the till cannot be
        // asked, the form is filled and the save itself refuses a second capture.
        void api.findReceipt({ receiptKey: route.receipt.key }).then(
          (r) => (r.ok && r.value.orderId !== null ? checkout.refuseReceipt(r.value.orderId) : checkout.scan(route)),
          () => checkout.scan(route),
        );
        return;
      }
      checkout.scan(route);
    },
    [api, checkout],
  );
  useEffect(() => api.on('scan', handleScan), [api, handleScan]);

  // Keyboard-mode scans go to main, which classifies them and pushes them back as `scan` events
  // (the same path as HID POS). If the engine cannot be reached, classify here so the scan is
  // not lost for the order being typed.
  const onKeyboardScan = useCallback(
    (text: string) => {
      void api.submitKeyboardScan({ text, source: 'keyboard' }).then(
        (r) => {
          if (!r.ok) handleScan(localScan(text, settingsRef.current));
        },
        () => handleScan(localScan(text, settingsRef.current)),
      );
    },
    [api, handleScan],
  );
  // A keyboard-mode scan that broke off mid-way: its characters were taken back out of the field;
  // say so where scan feedback is shown.
  const onIncompleteScan = useCallback(() => {
    if (screenRef.current === 'settings') return;
    checkout.scan({ kind: 'ignore', note: 'incomplete', reason: undefined });
  }, [checkout]);
  useKeyboardWedge(onKeyboardScan, settings?.scanner.mode !== 'off', onIncompleteScan, {
    prefix: settings?.scanner.prefix ?? '',
    suffix: settings?.scanner.suffix ?? '',
  });

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = SHORTCUTS[e.key];
      if (target && !e.altKey && !e.ctrlKey && !e.metaKey) {
        e.preventDefault();
        setScreen(target);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (loadError)
    return (
      <div className="app-message" role="alert">
        {t('app.fatal')}
      </div>
    );
  if (!info || !settings)
    return (
      <div className="app-message" aria-busy="true">
        {t('app.loading')}
      </div>
    );

  const training = timedStatus?.status.training ?? info.training;
  return (
    <SettingsContext.Provider value={{ settings, info, replace: replaceSettings }}>
      <div className="app" data-screen={screen}>
        <a className="skip-link" href="#screen">
          {t('app.skipToContent')}
        </a>
        {connection !== 'open' && (
          <div className="connection-banner" role="alert" data-testid="connection-banner">
            {t('app.connectionLost')}
          </div>
        )}
        {training && (
          <div className="training-banner" role="note" data-testid="training-banner">
            {t('app.training')}
          </div>
        )}
        <TillNotices notices={info.notices} />
        <header className="topbar">
          <div className="brand">
            <span className="brand-mark" aria-hidden="true" />
            <span className="brand-name">{t('app.name')}</span>
            <span className="brand-till">{t('app.till', { id: settings.tillId })}</span>
          </div>
          <nav className="tabs" aria-label={t('nav.label')}>
            {(['checkout', 'queue', 'settings'] as const).map((name, i) => (
              <button
                key={name}
                type="button"
                className="tab"
                aria-current={screen === name ? 'page' : undefined}
                onClick={() => setScreen(name)}
                data-testid={`nav-${name}`}
              >
                <span>{t(`nav.${name}`)}</span>
                <kbd>{`F${i + 2}`}</kbd>
              </button>
            ))}
          </nav>
        </header>
        <main id="screen" className="screen" tabIndex={-1}>
          {screen === 'checkout' && <CheckoutScreen store={checkout} status={timedStatus?.status ?? null} />}
          {screen === 'queue' && <QueueScreen status={timedStatus?.status ?? null} />}
          {screen === 'settings' && <SettingsScreen scanner={scanner} training={training} />}
        </main>
        <StatusBar timed={timedStatus} scanner={scanner} update={update} onOpenQueue={() => setScreen('queue')} />
      </div>
    </SettingsContext.Provider>
  );
}

function localScan(text: string, settings: Settings | null): ScanEventWire {
  const classification = classifyScan(
    text,
    settings
      ? {
          customerIdPrefixes: settings.customerIdPrefixes,
          referralParams: settings.referralParams,
          receiptPattern: settings.receiptPattern,
        }
      : undefined,
  );
  return { source: 'keyboard', classification, at: Date.now() };
}
