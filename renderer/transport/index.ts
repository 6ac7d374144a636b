// How the screen gets its PosApi. Under Electron the preload has exposed it on
// `window.posCompanion` (named functions only, see preload/index.ts); in browser mode the page
// talks to `pos-companion serve` over a WebSocket on its own origin, authenticated by the session
// token from the printed address's fragment (see session-token.ts), offered on the upgrade only.
import { POS_API_GLOBAL, WS_PATH, type PosApi } from '../../preload/api.ts';
import { takeSessionToken, type TabStorage } from './session-token.ts';
import { createWsClient, type ConnectionState, type WebSocketCtor, type WsClient } from './ws-client.ts';

let client: WsClient | undefined;

/**
 * The PosApi for this page: Electron's bridge when present, else the browser-mode WebSocket.
 * null: browser mode without a session token (the page was not opened with the printed address).
 * Call it first thing: it takes the token off the address bar.
 */
export function connectPosApi(): PosApi | null {
  const exposed = (window as unknown as Record<string, unknown>)[POS_API_GLOBAL];
  if (exposed && typeof exposed === 'object') return exposed as PosApi;
  if (!client) {
    const token = takeSessionToken(window.location, window.history, tabStorage());
    if (token === undefined) return null;
    const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    client = createWsClient({
      url: `${scheme}//${window.location.host}${WS_PATH}`,
      WebSocketCtor: WebSocket as unknown as WebSocketCtor,
      token,
    });
  }
  return client.api;
}

/** The tab's sessionStorage; reading the property itself throws where storage is disabled. */
function tabStorage(): TabStorage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}

/** Browser mode only: follows the WebSocket's state (for a "reconnecting" notice). Electron: always open. */
export function onTransportConnection(listener: (state: ConnectionState) => void): () => void {
  if (!client) {
    listener('open');
    return () => {};
  }
  listener(client.state());
  return client.onConnection(listener);
}

export type { ConnectionState } from './ws-client.ts';

/** Resolves when the connection to the till app is open: at once in Electron or when it already is. */
export function whenTransportOpen(): Promise<void> {
  return new Promise((resolve) => {
    // The listener may run before onTransportConnection returns (the state it is in now).
    const sub: { done: boolean; off?: () => void } = { done: false };
    sub.off = onTransportConnection((state) => {
      if (sub.done || state !== 'open') return;
      sub.done = true;
      sub.off?.();
      resolve();
    });
    if (sub.done) sub.off();
  });
}
