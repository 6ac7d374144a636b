// Assembles the screen's side of main once: the router (contract-checked calls), the event hub
// (contract-checked pushes) and the wiring from the engine's status and the scanner's events to
// the hub. The Electron shell and browser mode each create one and adapt their transport to it.
import { classifyScan } from '../../preload/scan-classify.ts';
import { isRefusalReason } from '../../preload/api.ts';
import type { ApiError, ErrorCode, RefusalReason, ScanEventWire, ScannerReport, ScannerState, UpdateState } from '../../preload/api.ts';
import type { Clock } from '../clock.ts';
import type { Engine } from '../engine.ts';
import { createEventHub, type EventHub } from './events.ts';
import { createIpcRouter, type IpcRouter, type RouterLogger } from './handle.ts';
import { createHandlers, type EnginePort, type RouteDeps, type ScannerPort, type UpdatePort } from './routes.ts';
import { pendingSaleView } from './sale-routes.ts';

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
  /** The desktop app's updates: their state is pushed as the `update` event. */
  updates?: (UpdatePort & { onState(listener: (s: UpdateState) => void): () => void }) | undefined;
}

export interface Bridge {
  router: IpcRouter;
  events: EventHub;
  /** Stops answering calls and detaches from the engine and the scanner. */
  close(): void;
}

/**
 * The envelope code of each refusal reason. Most are plain 'refused'; the others tell the screen
 * what kind of answer it is (ask for the PIN, the order is gone, the engine cannot serve now).
 * A Record over the contract's list: a reason added there does not compile until it is placed here.
 */
export const REASON_CODES: Readonly<Record<RefusalReason, ErrorCode>> = {
  INVALID_INPUT: 'invalid-request',
  INVALID_MOBILE: 'refused',
  INVALID_CUSTOMER_ID: 'refused',
  INVALID_AMOUNT: 'refused',
  UNKNOWN_CURRENCY: 'refused',
  SELF_REFERRAL: 'refused',
  REFERRAL_NOT_FIRST_PURCHASE: 'refused',
  INVALID_REFERRAL_CODE: 'refused',
  REFERRAL_LINK_WITHOUT_CODE: 'refused',
  DUPLICATE_RECEIPT: 'refused',
  RECEIPT_ALREADY_CAPTURED: 'refused',
  CLIENT_REF_REUSED: 'refused',
  NOTHING_TO_REFUND: 'refused',
  REFUND_TOO_LARGE: 'refused',
  ORDER_NOT_FOUND: 'not-found',
  ORDER_DISCARDED: 'wrong-state',
  NOT_IN_ATTENTION: 'wrong-state',
  ORDER_IN_FLIGHT: 'wrong-state',
  ALREADY_SYNCED: 'wrong-state',
  DISK_FULL: 'refused',
  DATA_FOLDER_READ_ONLY: 'refused',
  DATA_FOLDER_UNAVAILABLE: 'refused',
  DB_DAMAGED: 'unavailable',
  INVALID_SETTING: 'invalid-request',
  SECRETS_UNAVAILABLE: 'refused',
  PIN_REQUIRED: 'pin-required',
  PIN_WRONG: 'pin-wrong',
  PIN_LOCKED: 'pin-locked',
  // The stored PIN record cannot be read: nothing the person can type fixes it, store IT resets it.
  PIN_UNREADABLE: 'refused',
  INVALID_PIN: 'invalid-request',
  // Spending points: online only; refusals the screen says in the till's language.
  REDEEM_OFFLINE: 'refused',
  REDEEM_REFUSED: 'refused',
  REDEEM_UNCONFIRMED: 'refused',
  HOLD_NOT_USABLE: 'refused',
  HOLD_EXPIRED: 'refused',
};

/** Told about an engine error whose code is not a refusal reason of the contract (a bug). */
export type UnknownReasonListener = (code: string, err: Error) => void;

/**
 * Maps an error the engine throws on purpose (a named error class whose `code` is one of the
 * contract's REFUSAL_REASONS, with a message written for people, e.g. CaptureRefusedError) to the
 * envelope, by REASON_CODES. System errors (ENOENT, SQLITE_BUSY, ERR_*) and plain Errors are not
 * mapped: their messages may carry paths or internals, so the router answers 'internal' and logs
 * them instead.
 *
 * A named engine error whose code is not in the list is a programming error: it is not mapped
 * either (so 'internal', and `onUnknown` is told). Passing it on as 'refused' would put a sentence
 * on the screen that no dictionary has, in English whatever the till's language, and a code no
 * screen knows; 'internal' says "retry, tell support" and leaves the evidence in the log.
 */
export function mapEngineError(err: unknown, onUnknown?: UnknownReasonListener): ApiError | undefined {
  if (!(err instanceof Error)) return undefined;
  const { code } = err as Error & { code?: unknown };
  const e = err as Error & { field?: unknown; key?: unknown };
  const field = typeof e.field === 'string' ? e.field : typeof e.key === 'string' ? e.key : undefined;
  if (typeof code !== 'string' || code === '') return undefined;
  if (/^(E[A-Z]+|ERR_[A-Z_]+|SQLITE_[A-Z_]+)$/.test(code)) return undefined;
  if (err.name === 'Error' || err.name === 'TypeError' || err.name === 'RangeError' || err.name === 'SqliteError') return undefined;
  if (!isRefusalReason(code)) {
    onUnknown?.(code, err);
    return undefined;
  }
  const { folder, orderId } = err as Error & { folder?: unknown; orderId?: unknown };
  return {
    code: REASON_CODES[code],
    message: err.message,
    ...(field === undefined ? {} : { field }),
    reason: code,
    ...(typeof folder === 'string' ? { folder } : {}),
    ...(typeof orderId === 'string' ? { orderId } : {}),
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
    updates: opts.updates,
  });
  const router = createIpcRouter({
    handlers,
    trustedOrigins: opts.trustedOrigins,
    logger: opts.logger,
    mapError: (err) =>
      mapEngineError(err, (code, e) =>
        opts.logger.error(
          { code, name: e.name },
          'engine error code is not a refusal reason of the contract (REFUSAL_REASONS): answered as internal',
        ),
      ),
  });

  const detach: Array<() => void> = [];
  detach.push(opts.engine.onStatus((s) => events.emit('status', s)));
  if (opts.updates) detach.push(opts.updates.onState((s) => events.emit('update', s)));
  // The sale the POS sent without a customer, to the checkout screen (main/integration/intake.ts).
  if (opts.engine.sales) detach.push(opts.engine.sales.onPending((p) => events.emit('pending-sale', pendingSaleView(p))));
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
