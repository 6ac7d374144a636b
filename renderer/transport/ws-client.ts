// Browser mode's PosApi: the contract's calls and events over one WebSocket to `pos-companion serve`.
// Promises:
//   - every call resolves (never rejects) with the contract's result envelope;
//   - a call made while (re)connecting waits for the connection up to `connectTimeoutMs`, then
//     answers 'unavailable';
//   - a call in flight when the connection drops answers 'unavailable' with a message that says
//     the action may or may not have happened (a capture is durable once main has it: the queue
//     shows it), so the cashier checks before repeating it;
//   - the socket reconnects by itself with capped backoff; `onConnection` reports the state.
// Pure of DOM globals except through `WebSocketCtor`, so it runs in Node tests with the `ws` package.
import {
  buildPosApi,
  isEventName,
  WS_PROTOCOL,
  WS_TOKEN_PROTOCOL_PREFIX,
  type ChannelName,
  type EventName,
  type PosApi,
  type Result,
} from '../../preload/api.ts';

/** The slice of the WebSocket API used here (browser WebSocket and the `ws` package both fit). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}
export type WebSocketCtor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface WsClientOptions {
  /** e.g. `ws://127.0.0.1:4477/ws` */
  url: string;
  WebSocketCtor: WebSocketCtor;
  /** The session token, offered as a subprotocol on the upgrade (browser mode needs it). */
  token?: string | undefined;
  connectTimeoutMs?: number;
  /** Reconnect backoff: min(maxDelayMs, baseDelayMs * 2^attempt). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export interface WsClient {
  api: PosApi;
  state(): ConnectionState;
  onConnection(listener: (state: ConnectionState) => void): () => void;
  /** Closes for good: pending calls answer 'unavailable', no reconnect. */
  close(): void;
}

const OPEN = 1;
const LOST_MESSAGE =
  'The connection to the till app was lost. The action may or may not have been saved: check the queue before trying again.';
const OFFLINE_MESSAGE = 'The till app is not reachable. Check that it is running, then try again.';

function unavailable(message: string): Result<never> {
  return { ok: false, error: { code: 'unavailable', message } };
}

export function createWsClient(opts: WsClientOptions): WsClient {
  const setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
  const baseDelayMs = opts.baseDelayMs ?? 250;
  const maxDelayMs = opts.maxDelayMs ?? 5_000;

  let socket: WebSocketLike | undefined;
  let state: ConnectionState = 'closed';
  let closedForGood = false;
  let attempt = 0;
  let nextId = 1;
  const inFlight = new Map<number, (r: Result<unknown>) => void>();
  const waiting: Array<{ frame: string; id: number; resolve: (r: Result<unknown>) => void; timer: unknown }> = [];
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const connectionListeners = new Set<(s: ConnectionState) => void>();

  function setState(next: ConnectionState): void {
    if (state === next) return;
    state = next;
    for (const l of [...connectionListeners]) l(next);
  }

  function connect(): void {
    if (closedForGood) return;
    setState('connecting');
    const protocols = opts.token ? [WS_PROTOCOL, `${WS_TOKEN_PROTOCOL_PREFIX}${opts.token}`] : [WS_PROTOCOL];
    let ws: WebSocketLike;
    try {
      ws = new opts.WebSocketCtor(opts.url, protocols);
    } catch {
      scheduleReconnect();
      return;
    }
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      setState('open');
      for (const w of waiting.splice(0)) {
        clearTimer(w.timer);
        inFlight.set(w.id, w.resolve);
        ws.send(w.frame);
      }
    };
    ws.onmessage = (ev) => onFrame(ev.data);
    ws.onerror = () => {
      // 'close' follows; reconnecting happens there.
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = undefined;
      for (const [id, resolve] of inFlight) {
        inFlight.delete(id);
        resolve(unavailable(LOST_MESSAGE));
      }
      if (closedForGood) {
        setState('closed');
        return;
      }
      scheduleReconnect();
    };
  }

  function scheduleReconnect(): void {
    setState('connecting');
    const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
    attempt = Math.min(attempt + 1, 20);
    setTimer(connect, delay);
  }

  function onFrame(data: unknown): void {
    if (typeof data !== 'string') return;
    let frame: { id?: unknown; result?: unknown; event?: unknown; payload?: unknown };
    try {
      frame = JSON.parse(data) as typeof frame;
    } catch {
      return;
    }
    if (frame === null || typeof frame !== 'object') return;
    if (typeof frame.id === 'number' && frame.result !== undefined) {
      const resolve = inFlight.get(frame.id);
      if (resolve) {
        inFlight.delete(frame.id);
        resolve(frame.result as Result<unknown>);
      }
      return;
    }
    if (isEventName(frame.event)) {
      for (const l of [...(listeners.get(frame.event) ?? [])]) {
        try {
          l(frame.payload);
        } catch (err) {
          // One broken listener must not starve the others.
          console.error('event listener failed', err);
        }
      }
    }
  }

  function invoke(channel: ChannelName, request: unknown): Promise<Result<unknown>> {
    if (closedForGood) return Promise.resolve(unavailable(OFFLINE_MESSAGE));
    const id = nextId++;
    const frame = JSON.stringify(request === undefined ? { id, channel } : { id, channel, request });
    return new Promise((resolve) => {
      if (socket && socket.readyState === OPEN) {
        inFlight.set(id, resolve);
        socket.send(frame);
        return;
      }
      const entry = {
        frame,
        id,
        resolve,
        timer: setTimer(() => {
          const i = waiting.indexOf(entry);
          if (i >= 0) waiting.splice(i, 1);
          resolve(unavailable(OFFLINE_MESSAGE));
        }, connectTimeoutMs),
      };
      waiting.push(entry);
    });
  }

  function subscribe(event: EventName, listener: (payload: unknown) => void): () => void {
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  connect();

  return {
    api: buildPosApi(invoke, subscribe),
    state: () => state,
    onConnection(listener) {
      connectionListeners.add(listener);
      return () => {
        connectionListeners.delete(listener);
      };
    },
    close() {
      closedForGood = true;
      for (const w of waiting.splice(0)) {
        clearTimer(w.timer);
        w.resolve(unavailable(OFFLINE_MESSAGE));
      }
      const ws = socket;
      if (ws) ws.close(1000, 'page closing');
      else setState('closed');
    },
  };
}
