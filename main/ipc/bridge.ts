// Assembles the screen's side of main once: the router (contract-checked calls), the event hub
// (contract-checked pushes) and the wiring from the engine's status and the scanner's events to
// the hub. The Electron shell and browser mode each create one and adapt their transport to it.
import { classifyScan } from '../../preload/scan-classify.ts';
import type { ApiError, ErrorCode, ScanEventWire, ScannerReport, ScannerState } from '../../preload/api.ts';
import type { Clock } from '../clock.ts';
import type { Engine } from '../engine.ts';
import { createEventHub, type EventHub } from './events.ts';
import { createIpcRouter, type IpcRouter, type RouterLogger } from './handle.ts';
import { createHandlers, type EnginePort, type RouteDeps, type ScannerPort } from './routes.ts';

export type BridgeEngine = EnginePort & Pick<Engine, 'onStatus'>;

/** Scanner events as the scanner service emits them: `on(name, listener)` returns the unsubscribe. */
export interface ScannerEvents {
  on(event: 'scan', listener: (e: ScanEventWire) => void): () => void;
  on(event: 'state', listener: (s: ScannerState) => void): () => void;
  on(event: 'report', listener: (r: ScannerReport) => void): () => void;
}

export interface BridgeOptions {
  engine: BridgeEngine;
  scanner?: (ScannerPort & ScannerEvents) | undefined;
  trustedOrigins: readonly string[];
  logger: RouterLogger;
  clock: Clock;
  app: RouteDeps['app'];
}

export interface Bridge {
  router: IpcRouter;
  events: EventHub;
  /** Stops answering calls and detaches from the engine and the scanner. */
  close(): void;
}

/** Engine refusal codes (main/orders/errors.ts, main/config/settings.ts) that are not plain 'refused'. */
const ENGINE_CODES: Partial<Record<string, ErrorCode>> = {
  ORDER_NOT_FOUND: 'not-found',
  NOT_IN_ATTENTION: 'wrong-state',
  ORDER_IN_FLIGHT: 'wrong-state',
  ALREADY_SYNCED: 'wrong-state',
  ORDER_DISCARDED: 'wrong-state',
  INVALID_INPUT: 'invalid-request',
  INVALID_SETTING: 'invalid-request',
  DB_DAMAGED: 'unavailable',
  // The store PIN (main/config/store-pin.ts); PIN_UNREADABLE stays 'refused'.
  PIN_REQUIRED: 'pin-required',
  PIN_WRONG: 'pin-wrong',
  PIN_LOCKED: 'pin-locked',
  INVALID_PIN: 'invalid-request',
};

/**
 * Maps an error the engine throws on purpose (a named error class with a string `code` and a
 * message written for people, e.g. CaptureRefusedError) to the envelope. System errors (ENOENT,
 * SQLITE_BUSY, ERR_*) and plain Errors are not mapped: their messages may carry paths or
 * internals, so the router answers 'internal' and logs them instead.
 */
export function mapEngineError(err: unknown): ApiError | undefined {
  if (!(err instanceof Error)) return undefined;
  const { code } = err as Error & { code?: unknown };
  const e = err as Error & { field?: unknown; key?: unknown };
  const field = typeof e.field === 'string' ? e.field : typeof e.key === 'string' ? e.key : undefined;
  if (typeof code !== 'string' || code === '') return undefined;
  if (/^(E[A-Z]+|ERR_[A-Z_]+|SQLITE_[A-Z_]+)$/.test(code)) return undefined;
  if (err.name === 'Error' || err.name === 'TypeError' || err.name === 'RangeError' || err.name === 'SqliteError') return undefined;
  const mapped = ENGINE_CODES[code] ?? (/not.?found/i.test(code) ? 'not-found' : 'refused');
  const { folder } = err as Error & { folder?: unknown };
  return {
    code: mapped,
    message: err.message,
    ...(field === undefined ? {} : { field }),
    reason: code,
    ...(typeof folder === 'string' ? { folder } : {}),
  };
}

export function createBridge(opts: BridgeOptions): Bridge {
  const events = createEventHub(opts.logger);
  const handlers = createHandlers({
    engine: opts.engine,
    scanner: opts.scanner,
    events,
    clock: opts.clock,
    classify: classifyScan,
    app: opts.app,
  });
  const router = createIpcRouter({ handlers, trustedOrigins: opts.trustedOrigins, logger: opts.logger, mapError: mapEngineError });

  const detach: Array<() => void> = [];
  detach.push(opts.engine.onStatus((s) => events.emit('status', s)));
  const scanner = opts.scanner;
  if (scanner) {
    detach.push(scanner.on('scan', (e) => events.emit('scan', e)));
    detach.push(scanner.on('state', (s) => events.emit('scanner-state', s)));
    detach.push(scanner.on('report', (r) => events.emit('scanner-report', r)));
  }

  return {
    router,
    events,
    close() {
      router.stop();
      for (const d of detach.splice(0)) d();
    },
  };
}
