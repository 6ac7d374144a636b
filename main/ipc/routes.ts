// The router's handlers: one function per contract channel, translating the contract's request
// into an engine or scanner call and the answer back into the contract's shape. Every handler
// receives input already parsed by the contract (main/ipc/handle.ts) and its answer is parsed
// again on the way out, so this file only adapts shapes; it holds no business rules.
// Used unchanged by the Electron shell and by browser mode.
import type { AppInfo, AppNotice, OrderState, ScanEventWire, ScannerDevice, ScannerState } from '../../preload/api.ts';
import type { ClassifyOptions, ScanClassification } from '../../preload/scan-classify.ts';
import type { Clock } from '../clock.ts';
import type { EventHub } from './events.ts';
import { PosError, type Handlers } from './handle.ts';
import {
  fromEngineCapturedOrder,
  fromEngineOrderDetail,
  fromEngineSettings,
  fromEngineStatus,
  toEngineOrderInput,
  toEngineOrderPatch,
  toEngineRefundInput,
  toEngineSettingsPatch,
} from './wire.ts';

/** The part of the engine (main/engine.ts, `Engine`) the screen reaches. */
export interface EnginePort {
  readonly training: boolean;
  readonly dataDir: string;
  /** Problems for the screen (see AppInfo.notices); the list grows while the till runs. */
  readonly notices: readonly AppNotice[];
  captureOrder(input: unknown): unknown;
  captureRefund(input: unknown): unknown;
  checkReferral(input: { customer: { mobile?: string; customerId?: string }; referrerCode: string }): Promise<unknown>;
  listOrders(q: { state?: OrderState | 'all'; search?: string; offset: number; limit: number }): unknown;
  getOrder(orderId: string): unknown;
  retry(target: { orderId: string } | { all: true }): number;
  editAndResend(orderId: string, patch: unknown): unknown;
  discard(orderId: string, reason: string): unknown;
  exportOrders(q: { state: 'pending' | 'attention' | 'synced' | 'all'; format: 'csv' | 'json' }): string;
  status(): unknown;
  getSettings(): unknown;
  updateSettings(patch: unknown): unknown;
  setKeys(keys: { apiKey?: string | null; secretKey?: string | null }): void;
  /** The store PIN (main/config/store-pin.ts): verify() throws its refusals, mapped in bridge.ts. */
  readonly storePin: {
    isSet(): boolean;
    verify(pin: string | undefined): Promise<void>;
    change(next: string | null, current: string | undefined): Promise<void>;
  };
  /** Resolves once the sync part runs in the mode the keys and settings ask for. */
  whenModeSettled(): Promise<void>;
  testConnection(): Promise<{ ok: boolean; message: string }>;
  syncNow(): void;
}

/** Scanner settings as the service applies them. */
export interface ScannerSettings {
  mode: 'auto' | 'hidpos' | 'keyboard' | 'off';
  deviceId: string | null;
  classify: ClassifyOptions;
}

/**
 * The part of the scanner service (main/scanner/service.ts) the screen reaches, adapted by
 * main/ipc/scanner-port.ts. Absent where no HID transport runs.
 */
export interface ScannerPort {
  listDevices(): Promise<ScannerDevice[]>;
  state(): ScannerState;
  /** Applies scanner settings now (reopens the device when mode or device changed). */
  apply(settings: ScannerSettings): Promise<void>;
}

export interface RouteDeps {
  engine: EnginePort;
  scanner?: ScannerPort | undefined;
  events: EventHub;
  clock: Clock;
  /** Pure scan classification (preload/scan-classify.ts `classifyScan`). */
  classify: (raw: string, opts: ClassifyOptions) => ScanClassification;
  /** The parts of app:info that do not come from the engine. */
  app: Pick<AppInfo, 'name' | 'version' | 'shell' | 'platform'>;
}

const NO_SCANNER: ScannerState = { state: 'disabled', reason: 'no-hid-in-this-mode' };

/** Classification options from the engine's settings, tolerating a settings shape without them. */
function classifyOptionsFrom(settings: unknown): ClassifyOptions {
  const s = (settings ?? {}) as Partial<Record<'referralParams' | 'customerIdPrefixes' | 'receiptPattern', unknown>>;
  const strings = (v: unknown) => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);
  return {
    customerIdPrefixes: strings(s.customerIdPrefixes) ?? ['mobile_'],
    referralParams: strings(s.referralParams) ?? ['GBReferral', 'GbReferral', 'ReferralCode', 'referralCode', 'referrerCode', 'ref'],
    receiptPattern: typeof s.receiptPattern === 'string' ? s.receiptPattern : null,
  };
}

function scannerSettingsFrom(settings: unknown): ScannerSettings {
  const s = (settings ?? {}) as { scanner?: { mode?: ScannerSettings['mode']; deviceId?: string | null } };
  return { mode: s.scanner?.mode ?? 'auto', deviceId: s.scanner?.deviceId ?? null, classify: classifyOptionsFrom(settings) };
}

function keysStatusFrom(settings: unknown): { apiKeySet: boolean; secretKeySet: boolean } {
  const keys = (settings as { keys?: { apiKeySet?: unknown; secretKeySet?: unknown } } | undefined)?.keys;
  return { apiKeySet: keys?.apiKeySet === true, secretKeySet: keys?.secretKeySet === true };
}

/** The currency of an existing order (amounts in a patch or a refund are in it). */
function orderCurrency(engine: EnginePort, orderId: string): string {
  const order = engine.getOrder(orderId) as { currency?: unknown } | undefined;
  if (!order || typeof order.currency !== 'string') throw new PosError('not-found', 'No order with this number on this till.', 'orderId');
  return order.currency;
}

export function createHandlers(deps: RouteDeps): Handlers {
  const { engine, events, clock } = deps;
  return {
    'orders:capture': (req) => fromEngineCapturedOrder(engine.captureOrder(toEngineOrderInput(req))) as never,
    'orders:list': (req) => engine.listOrders(req) as never,
    'orders:get': (req) => fromEngineOrderDetail(engine.getOrder(req.orderId)) as never,
    'orders:retry': (req) => ({ count: engine.retry(req) }),
    'orders:edit-resend': (req) =>
      engine.editAndResend(req.orderId, toEngineOrderPatch(req.patch, orderCurrency(engine, req.orderId))) as never,
    'orders:discard': (req) => engine.discard(req.orderId, req.reason) as never,
    'orders:export': async (req) => {
      // Every customer's mobile, name and email in one file: the store PIN first, when one is set.
      await engine.storePin.verify(req.pin);
      const content = engine.exportOrders({ state: req.state, format: req.format });
      const day = new Date(clock.now()).toISOString().slice(0, 10);
      return {
        filename: `pos-companion-orders-${req.state}-${day}.${req.format}`,
        mimeType: req.format === 'csv' ? 'text/csv;charset=utf-8' : 'application/json',
        content,
      };
    },
    'refunds:capture': (req) => engine.captureRefund(toEngineRefundInput(req)) as never,
    'referrals:check': async (req) => (await engine.checkReferral(req)) as never,
    'status:get': () => fromEngineStatus(engine.status()),
    'sync:run-now': () => {
      engine.syncNow();
      return { ok: true as const };
    },
    'settings:get': () => fromEngineSettings(engine.getSettings()),
    'settings:update': async (req) => {
      const updated = engine.updateSettings(toEngineSettingsPatch(req, engine.getSettings()));
      // The scanner follows its settings at once (mode, device, referral parameter names).
      await deps.scanner?.apply(scannerSettingsFrom(updated));
      return fromEngineSettings(updated);
    },
    'settings:set-keys': async ({ pin, ...keys }) => {
      // New keys send every order to another Gameball account: the store PIN first, when one is set.
      await engine.storePin.verify(pin);
      engine.setKeys(keys);
      // Keys can switch the till between training and live: answer once it runs in that mode, so
      // a connection test that follows talks to the right Gameball.
      await engine.whenModeSettled();
      return { ...keysStatusFrom(engine.getSettings()), training: engine.training };
    },
    'settings:set-store-pin': async (req) => {
      await engine.storePin.change(req.pin, req.currentPin);
      return { storePinSet: engine.storePin.isSet() };
    },
    'settings:test-connection': () => engine.testConnection(),
    'scanner:list-devices': async () => (deps.scanner ? await deps.scanner.listDevices() : []),
    'scanner:get-state': () => (deps.scanner ? deps.scanner.state() : NO_SCANNER),
    'scanner:select': async (req) => {
      const scanner = deps.scanner;
      if (!scanner) throw new PosError('unavailable', 'USB scanners in HID POS mode are not available here; keyboard-mode scanners work as they are.');
      const updated = engine.updateSettings(toEngineSettingsPatch({ scanner: { deviceId: req.deviceId } }, engine.getSettings()));
      await scanner.apply(scannerSettingsFrom(updated));
      return scanner.state();
    },
    'scanner:submit-keyboard-scan': (req) => {
      const classification = deps.classify(req.text, classifyOptionsFrom(engine.getSettings()));
      const event: ScanEventWire = { source: req.source, classification, at: clock.now() };
      events.emit('scan', event);
      return event;
    },
    'app:info': () => ({ ...deps.app, training: engine.training, dataDir: engine.dataDir, notices: [...engine.notices] }),
  };
}
