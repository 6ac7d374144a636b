// Always visible at the bottom: is the till online, how much is waiting and for how long, does
// anything need a person, is the till's clock wrong, is the scanner there, is this training mode.
import { useTranslation } from 'react-i18next';
import type { ScannerState, SyncStatus, UpdateState } from '../../preload/api.ts';
import { clockAdvice } from '../../preload/clock-advice.ts';
import { formatAge, formatDuration } from '../i18n/format.ts';
import type { Language } from '../i18n/format.ts';
import type { TimedStatus } from '../state/use-engine-state.ts';
import { useTick } from '../state/use-engine-state.ts';

export function StatusBar({
  timed,
  scanner,
  onOpenQueue,
  update = null,
}: {
  timed: TimedStatus | null;
  scanner: ScannerState | null;
  onOpenQueue: () => void;
  /** A pending update of the desktop app (null in browser mode, or none). */
  update?: UpdateState | null;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Language;
  const now = useTick(5_000);
  const status = timed?.status;
  const waiting = status ? status.counts.pending + status.counts.sending : 0;
  const oldestAge = status?.oldestPendingAgeMs != null && timed ? status.oldestPendingAgeMs + Math.max(0, now - timed.receivedAt) : null;

  return (
    <footer className="statusbar" aria-label={t('status.label')} data-testid="status-bar">
      {status && (
        <>
          <span className={`pill ${status.online ? 'pill-ok' : 'pill-bad'}`} data-testid="status-online" data-online={status.online}>
            <span className="dot" aria-hidden="true" />
            {status.online ? t('status.online') : t('status.offline')}
          </span>
          <button type="button" className="status-link" onClick={onOpenQueue} data-testid="status-pending" data-count={waiting}>
            {waiting === 0 && status.counts.attention === 0 ? t('status.allSent') : t('status.pending', { count: waiting })}
            {waiting > 0 && oldestAge !== null && (
              <span className="muted"> · {t('status.oldest', { age: formatAge(oldestAge, lang) })}</span>
            )}
          </button>
          {status.counts.attention > 0 && (
            <button type="button" className="status-link status-attention" onClick={onOpenQueue} data-testid="status-attention">
              {t('status.attention', { count: status.counts.attention })}
            </button>
          )}
          <ClockWarning status={status} lang={lang} />
          {status.lastSuccessAt && (
            <span className="muted status-hide-narrow">
              {t('status.lastSent', { age: formatAge(Date.now() - Date.parse(status.lastSuccessAt), lang) })}
            </span>
          )}
        </>
      )}
      <span className="statusbar-spacer" />
      <UpdatePill update={update} />
      <ScannerPill scanner={scanner} />
      {status?.training && (
        <span className="pill pill-training" data-testid="status-training">
          {t('app.trainingShort')}
        </span>
      )}
    </footer>
  );
}

/** Shown only when the till's clock is off by more than a couple of minutes (see clock-advice.ts). */
function ClockWarning({ status, lang }: { status: SyncStatus; lang: Language }) {
  const { t } = useTranslation();
  const advice = clockAdvice(status);
  if (!advice) return null;
  const duration = formatDuration(advice.ms, lang);
  const text =
    advice.kind === 'ahead'
      ? t('status.clockAhead', { duration })
      : advice.kind === 'behind'
        ? t('status.clockBehind', { duration })
        : t('status.clockWentBack', { duration });
  return (
    <span className="pill pill-bad" role="status" data-testid="status-clock" data-kind={advice.kind}>
      {text}
    </span>
  );
}

function ScannerPill({ scanner }: { scanner: ScannerState | null }) {
  const { t } = useTranslation();
  if (!scanner || scanner.state === 'disabled') {
    return (
      <span className="pill" data-testid="status-scanner" data-state="keyboard">
        {t('status.scannerKeyboard')}
      </span>
    );
  }
  if (scanner.state === 'connected') {
    const name = scanner.device?.product;
    return (
      <span className="pill pill-ok" data-testid="status-scanner" data-state="connected">
        <span className="dot" aria-hidden="true" />
        {name ? t('status.scannerConnected', { device: name }) : t('status.scannerConnectedNoName')}
      </span>
    );
  }
  if (scanner.state === 'error') {
    return (
      <span className="pill pill-bad" data-testid="status-scanner" data-state="error">
        {t('status.scannerError', { reason: scanner.reason ?? '' })}
      </span>
    );
  }
  return (
    <span className="pill pill-warn" data-testid="status-scanner" data-state="disconnected">
      {t('status.scannerDisconnected')}
    </span>
  );
}

const WAIT_KEY = {
  pending: 'status.updateWaitPending',
  'sale-in-progress': 'status.updateWaitSale',
  sending: 'status.updateWaitSending',
  'outside-quiet-hours': 'status.updateWaitQuiet',
} as const;

/** A downloaded update and what it waits for (it never restarts the app during a sale). */
export function UpdatePill({ update }: { update: UpdateState | null }) {
  const { t } = useTranslation();
  if (!update || update.state === 'none') return null;
  const version = update.version ?? '';
  const text =
    update.state === 'downloading'
      ? t('status.updateDownloading', { version })
      : update.state === 'installing'
        ? t('status.updateInstalling', { version })
        : update.waitingFor
          ? t(WAIT_KEY[update.waitingFor], { version })
          : t('status.updateReady', { version });
  return (
    <span className="pill pill-warn status-hide-narrow" role="status" data-testid="status-update" data-state={update.state}>
      {text}
    </span>
  );
}
