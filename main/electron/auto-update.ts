// The shell's end of updates: loads electron-updater only here, only in a packaged app (it reads
// the feed built into the installer and cannot run from a dev checkout), and hands it to the
// controller (main/update/updater.ts), which holds every rule and is tested in plain Node.
import type { Clock } from '../clock.ts';
import type { Engine } from '../engine.ts';
import type { Logger } from '../log.ts';
import { localMinuteOfDay } from '../update/quiet-hours.ts';
import { openUpdateSettingReader } from '../update/setting-reader.ts';
import type { UpdateCenter } from '../update/update-center.ts';
import { startUpdateController, type UpdaterLike } from '../update/updater.ts';

export interface AutoUpdateOptions {
  engine: Engine;
  dbFile: string;
  center: UpdateCenter;
  clock: Clock;
  logger: Logger;
  /** Right before the app quits to install: no close question, no tray. */
  beforeInstall: () => void;
}

/** Starts the update checks; returns the function that stops them. */
export async function startAutoUpdate(opts: AutoUpdateOptions): Promise<() => void> {
  const reader = openUpdateSettingReader(opts.dbFile);
  if (!reader.read().enabled) {
    opts.logger.info({}, 'updates are off on this till (update.enabled=false)');
    reader.close();
    return () => {};
  }
  const { autoUpdater } = await import('electron-updater');
  autoUpdater.logger = {
    info: (m: unknown) => opts.logger.debug({ updater: String(m) }, 'electron-updater'),
    warn: (m: unknown) => opts.logger.warn({ updater: String(m) }, 'electron-updater'),
    error: (m: unknown) => opts.logger.warn({ updater: String(m) }, 'electron-updater'),
  };
  const controller = startUpdateController({
    updater: autoUpdater as unknown as UpdaterLike,
    center: opts.center,
    setting: () => reader.read(),
    clearForce: () => opts.engine.updateSettings({ update: { ...reader.read(), force: false } }),
    status: () => opts.engine.status(),
    clock: opts.clock,
    minuteOfDay: () => localMinuteOfDay(new Date(opts.clock.now())),
    logger: opts.logger,
    beforeInstall: opts.beforeInstall,
  });
  const offStatus = opts.engine.onStatus(() => controller.evaluate());
  return () => {
    offStatus();
    controller.stop();
    reader.close();
  };
}
