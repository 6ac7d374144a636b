// Binds the router (main/ipc/handle.ts) to Electron: one ipcMain.handle per contract channel, the
// sender reduced to its frame URL and whether it is the main frame; events pushed to every window.
// Thin on purpose: every check lives in the router, tested in plain Node.
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { CHANNEL_NAMES, eventIpcChannel } from '../../preload/api.ts';
import type { Bridge } from '../ipc/bridge.ts';
import type { CallerInfo } from '../ipc/handle.ts';

export function callerOf(event: IpcMainInvokeEvent): CallerInfo {
  const frame = event.senderFrame;
  // A null frame (navigated away or destroyed) is never trusted.
  return { url: frame?.url, isMainFrame: frame !== null && frame === event.sender.mainFrame };
}

/** Registers the handlers; returns the function that removes them. */
export function bindIpc(bridge: Bridge, windows: () => readonly BrowserWindow[]): () => void {
  for (const channel of CHANNEL_NAMES) {
    ipcMain.handle(channel, (event, ...args: unknown[]) => bridge.router.dispatch(channel, args, callerOf(event)));
  }
  const unsubscribe = bridge.events.subscribe((event, payload) => {
    for (const win of windows()) {
      if (!win.isDestroyed() && !win.webContents.isDestroyed()) win.webContents.send(eventIpcChannel(event), payload);
    }
  });
  return () => {
    unsubscribe();
    for (const channel of CHANNEL_NAMES) ipcMain.removeHandler(channel);
  };
}
