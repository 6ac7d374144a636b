// Drives electron-updater without depending on it: the shell (main/electron/auto-update.ts) loads
// the real `autoUpdater` lazily and hands it here as an `UpdaterLike`; tests hand a fake.
//
// Contract:
//  - configure once: download in the background (autoDownload), NEVER install on quit
//    (autoInstallOnAppQuit off: a quit with orders queued must not turn into an install), never a
//    downgrade (allowDowngrade off, set again after the channel since electron-updater turns it on
//    whenever a channel is set: an older app cannot open the newer database); the feed is the
//    `update.url` setting on the `generic` provider when set, else the one built into the app
//    (electron-builder.yml `publish`), on the `update.channel` channel;
//  - check at start and every `checkEveryMs`; a failed check is logged and tried again next time;
//  - once an update is downloaded, `evaluate()` asks the gate (gate.ts) on every status change,
//    when a sale ends, and every `gateEveryMs`; the state (ready, what it waits for) goes to the
//    screen through the update center; when the gate opens: `update.force` is cleared, the shell
//    is told (it lets the window close and the engine stop normally), then quitAndInstall, once.
import type { Clock } from '../clock.ts';
import { decideInstall, type GateDecision, type GateInput } from './gate.ts';
import { parseQuietHours } from './quiet-hours.ts';
import type { UpdateSetting } from './settings.ts';
import type { UpdateCenter } from './update-center.ts';

/** The part of electron-updater's AppUpdater this module uses. */
export interface UpdaterLike {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  allowDowngrade: boolean;
  channel: string | null;
  setFeedURL(options: { provider: 'generic'; url: string; channel?: string | null }): void;
  checkForUpdates(): Promise<unknown>;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
  on(event: string, listener: (...args: never[]) => void): unknown;
}

export interface UpdateLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface UpdateControllerOptions {
  updater: UpdaterLike;
  center: UpdateCenter;
  /** The `update` setting, read fresh (IT may change it from the CLI while the app runs). */
  setting: () => UpdateSetting;
  /** Clears `update.force` once the forced update installs. */
  clearForce: () => void;
  status: () => GateInput['status'];
  clock: Clock;
  /** Minutes after local midnight, now. */
  minuteOfDay: () => number;
  logger: UpdateLogger;
  /** Right before quitAndInstall: the shell lets the window close without asking. */
  beforeInstall: () => void;
  checkEveryMs?: number;
  gateEveryMs?: number;
}

export interface UpdateController {
  /** Asks the server now (never rejects). */
  check(): Promise<void>;
  /** Asks the gate about a downloaded update; installs when it opens. null: nothing downloaded. */
  evaluate(): GateDecision | null;
  stop(): void;
}

export const CHECK_EVERY_MS = 4 * 3600_000;
export const GATE_EVERY_MS = 30_000;

export function startUpdateController(opts: UpdateControllerOptions): UpdateController {
  const { updater, center, logger } = opts;
  const initial = opts.setting();
  updater.autoDownload = true;
  updater.autoInstallOnAppQuit = false;
  if (initial.url !== null) updater.setFeedURL({ provider: 'generic', url: initial.url, channel: initial.channel });
  else if (initial.channel !== 'latest') updater.channel = initial.channel;
  updater.allowDowngrade = false;

  let downloaded: string | null = null;
  let installing = false;

  const onVersion = (handler: (version: string | null) => void) => (info?: { version?: unknown }) =>
    handler(typeof info?.version === 'string' ? info.version : null);
  updater.on(
    'update-available',
    onVersion((version) => {
      logger.info({ version }, 'update available: downloading in the background');
      if (downloaded === null) center.set({ state: 'downloading', version, waitingFor: null, forced: false });
    }),
  );
  updater.on(
    'update-downloaded',
    onVersion((version) => {
      downloaded = version ?? 'unknown';
      logger.info({ version }, 'update downloaded: installs when no sale or call is in progress (and in the quiet window, if set)');
      evaluate();
    }),
  );
  updater.on('error', (err: unknown) =>
    logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'update check or download failed'),
  );

  function evaluate(): GateDecision | null {
    if (downloaded === null || installing) return null;
    const setting = opts.setting();
    const decision = decideInstall({
      status: opts.status(),
      sale: center.sale(),
      now: opts.clock.now(),
      minuteOfDay: opts.minuteOfDay(),
      quietHours: setting.quietHours === null ? null : parseQuietHours(setting.quietHours),
      forced: setting.force,
    });
    if (!decision.install) {
      center.set({ state: 'ready', version: downloaded, waitingFor: decision.waitFor, forced: setting.force });
      return decision;
    }
    installing = true;
    logger.info({ version: downloaded, because: decision.because }, 'installing the update now: the app restarts');
    center.set({ state: 'installing', version: downloaded, waitingFor: null, forced: setting.force });
    if (setting.force) opts.clearForce();
    opts.beforeInstall();
    // Silent (no installer window at the till) and start the app again afterwards.
    updater.quitAndInstall(true, true);
    return decision;
  }

  async function check(): Promise<void> {
    if (!opts.setting().enabled || installing) return;
    try {
      await updater.checkForUpdates();
    } catch (err) {
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'update check failed; tried again later');
    }
  }

  const offSale = center.onSaleEnded(() => evaluate());
  const checkTimer = setInterval(() => void check(), opts.checkEveryMs ?? CHECK_EVERY_MS);
  const gateTimer = setInterval(() => evaluate(), opts.gateEveryMs ?? GATE_EVERY_MS);
  checkTimer.unref();
  gateTimer.unref();
  void check();

  return {
    check,
    evaluate,
    stop() {
      offSale();
      clearInterval(checkTimer);
      clearInterval(gateTimer);
    },
  };
}
