// Wires the close question (close-guard.ts) and the tray (tray.ts) to the one window: closing it
// with orders owed asks; "keep syncing" hides it and shows the tray; the tray's Open shows it
// again, its Quit asks once more when orders are owed. A deliberate quit (the tray's Quit
// confirmed, an update installing, the computer shutting down) closes without asking.
import { app, dialog, type BrowserWindow } from 'electron';
import type { SyncStatus } from '../../preload/api.ts';
import { askOnClose, confirmQuit, decideOnClose, owedCount, type MessageBoxDialog } from './close-guard.ts';
import type { ShellTexts } from './shell-texts.ts';
import { createTillTray, type TillTray } from './tray.ts';

export interface QuitGuard {
  /** Guards this window's close. */
  attach(win: BrowserWindow): void;
  /** From now on the app is quitting on purpose: no question. */
  deliberate(): void;
  /** The status changed: the tray's line follows it. */
  statusChanged(status: SyncStatus): void;
  destroy(): void;
}

/** Electron's dialog, with the one overload used here. */
const messageBox: MessageBoxDialog<BrowserWindow> = { showMessageBox: (win, options) => dialog.showMessageBox(win, options) };

export function createQuitGuard(deps: {
  status: () => SyncStatus;
  texts: () => ShellTexts;
  /** The tray's image (see tray.ts). */
  trayIcon: string;
  onError: (err: unknown) => void;
}): QuitGuard {
  let deliberate = false;
  let tray: TillTray | undefined;
  let window: BrowserWindow | undefined;

  const show = () => {
    if (!window || window.isDestroyed()) return;
    window.show();
    window.focus();
  };
  const quit = () => {
    const owed = owedCount(deps.status());
    const go = () => {
      deliberate = true;
      app.quit();
    };
    if (owed === 0 || !window || window.isDestroyed()) return go();
    confirmQuit(messageBox, window, deps.texts(), owed)
      .then((yes) => {
        if (yes) go();
      })
      .catch(deps.onError);
  };

  return {
    attach(win) {
      window = win;
      // The computer is shutting down or the user logs off (Windows): never hold it up.
      win.on('session-end', () => {
        deliberate = true;
      });
      win.on('close', (event: Electron.Event) => {
        if (deliberate) return;
        let status: SyncStatus;
        try {
          status = deps.status();
        } catch (err) {
          // The engine cannot say (it is closing, or its database failed): never trap the cashier.
          deps.onError(err);
          return;
        }
        if (decideOnClose(status, { deliberate }) === 'close') return;
        event.preventDefault();
        const owed = owedCount(status);
        askOnClose(messageBox, win, deps.texts(), owed)
          .then((choice) => {
            if (choice === 'background') {
              tray ??= createTillTray({ texts: deps.texts(), owed, iconPath: deps.trayIcon, onOpen: show, onQuit: quit });
              win.hide();
            } else if (choice === 'quit') {
              deliberate = true;
              app.quit();
            }
          })
          .catch(deps.onError);
      });
    },
    deliberate() {
      deliberate = true;
    },
    statusChanged(status) {
      tray?.update(owedCount(status), deps.texts());
    },
    destroy() {
      tray?.destroy();
      tray = undefined;
    },
  };
}
