// The tray (Windows) / menu bar (macOS) icon that keeps the till syncing while its window is
// hidden: a status line (how many orders wait), "Open" and "Quit". Created when the window is first
// hidden with orders owed; the menu follows the status.
import { Menu, nativeImage, Tray } from 'electron';
import type { ShellTexts } from './shell-texts.ts';

// A 16x16 blue square, for when the app's tray image is missing (a build without the screen's
// files): the tray needs an image, and a till must never fail to keep syncing for want of one.
const FALLBACK_ICON =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAHElEQVR42mNgGDRAPv/1f1LwqAGjBgxXAwYMAABqb2OQE6bL6AAAAABJRU5ErkJggg==';

export interface TillTray {
  update(owed: number, texts: ShellTexts): void;
  destroy(): void;
}

/**
 * `iconPath`: the app icon drawn for the tray (tray.png, 16 px, beside tray@2x.png, which Electron
 * picks on high-density screens); the fallback square when it cannot be read.
 */
export function createTillTray(opts: {
  texts: ShellTexts;
  owed: number;
  iconPath: string;
  onOpen: () => void;
  onQuit: () => void;
}): TillTray {
  const icon = nativeImage.createFromPath(opts.iconPath);
  const tray = new Tray(icon.isEmpty() ? nativeImage.createFromDataURL(FALLBACK_ICON) : icon);
  const update = (owed: number, texts: ShellTexts) => {
    tray.setToolTip(texts.trayTooltip(owed));
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: texts.trayStatus(owed), enabled: false },
        { type: 'separator' },
        { label: texts.trayOpen, click: opts.onOpen },
        { label: texts.trayQuit, click: opts.onQuit },
      ]),
    );
  };
  update(opts.owed, opts.texts);
  // A click on the icon opens the till (Windows); macOS shows the menu.
  tray.on('click', opts.onOpen);
  return { update, destroy: () => tray.destroy() };
}
