// The preload bridge: exposes the PosApi on `window.posCompanion` and nothing else. Every function
// is built from the contract's channel list (preload/api.ts), forwards its one argument to main
// and returns main's envelope; `on` subscribes to the contract's events only. No ipcRenderer,
// no Node, no generic "send anything" function reaches the page. Bundled to CommonJS: sandboxed
// preloads cannot load ES modules.
import './zod-jitless.ts';
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { buildPosApi, eventIpcChannel, isChannelName, isEventName, POS_API_GLOBAL, type PosApi, type Result } from './api.ts';

const api = buildPosApi(
  (channel, request) => {
    if (!isChannelName(channel))
      return Promise.resolve({ ok: false, error: { code: 'unknown-channel', message: 'This action does not exist.' } });
    // No-argument channels send nothing, so main's "no arguments" check sees exactly what was meant.
    return (request === undefined ? ipcRenderer.invoke(channel) : ipcRenderer.invoke(channel, request)) as Promise<Result<unknown>>;
  },
  (event, listener) => {
    if (!isEventName(event)) return () => {};
    // The Electron event object (with its sender) never reaches the page: only the payload.
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
    const ipcChannel = eventIpcChannel(event);
    ipcRenderer.on(ipcChannel, wrapped);
    return () => {
      ipcRenderer.removeListener(ipcChannel, wrapped);
    };
  },
) satisfies PosApi;

contextBridge.exposeInMainWorld(POS_API_GLOBAL, api);
