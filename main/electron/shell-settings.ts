// Settings the shell itself applies: kiosk mode and start-at-login. Applied at start and again
// whenever the screen changes them (the engine's updateSettings is wrapped, nothing else changes).
import { app, type BrowserWindow } from 'electron';
import type { Engine } from '../engine.ts';

export interface ShellSettings {
  kiosk: boolean;
  startAtLogin: boolean;
}

export function applyShellSettings(s: ShellSettings, win: BrowserWindow | undefined): void {
  // Start-at-login exists on Windows and macOS only; elsewhere the session manager decides. Only
  // a packaged app registers itself: a dev checkout would register the bare Electron binary.
  if (app.isPackaged && (process.platform === 'win32' || process.platform === 'darwin')) {
    if (app.getLoginItemSettings().openAtLogin !== s.startAtLogin) app.setLoginItemSettings({ openAtLogin: s.startAtLogin });
  }
  if (win && !win.isDestroyed() && win.isKiosk() !== s.kiosk) win.setKiosk(s.kiosk);
}

/** The engine as the bridge sees it, with settings changes also applied to the shell. */
export function withShellSettings(engine: Engine, window: () => BrowserWindow | undefined): Engine {
  return {
    ...engine,
    // A spread copies the mode once; it changes while the engine runs (keys saved on screen).
    get training() {
      return engine.training;
    },
    updateSettings(patch) {
      const updated = engine.updateSettings(patch);
      applyShellSettings(updated, window());
      return updated;
    },
  };
}
