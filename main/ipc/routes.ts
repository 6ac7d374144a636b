// The router's handlers: one function per contract channel, each an engine or scanner call. The
// engine takes and answers the contract's shapes (money in minor units), so a handler passes the
// request on and hands the answer back as it is. Every handler receives input already parsed by
// the contract (main/ipc/handle.ts) and its answer is parsed again on the way out (which leaves
// out what the contract does not name); this file holds no business rules.
// Used unchanged by the Electron shell and by browser mode.
import type { AppInfo, ScanEventWire, ScannerDevice, ScannerState, SettingsPatch, UpdateState } from '../../preload/api.ts';
import type { ClassifyOptions, ScanClassification } from '../../preload/scan-classify.ts';
import type { Clock } from '../clock.ts';
import type { Settings } from '../config/settings.ts';
import type { Engine } from '../engine.ts';
import type { EventHub } from './events.ts';
import { PosError, type Handlers } from './handle.ts';
import { createPointsHandlers } from './points-routes.ts';
import { createSaleHandlers, type SaleRouteEngine } from './sale-routes.ts';

/**
 * The part of the engine (main/engine.ts, `Engine`) the screen reaches, typed from the engine
 * itself: its answers are the contract's shapes (money in minor units), so each handler hands
 * them on as they are and the compiler checks them against the channel's response.
 */
export type EnginePort = Pick<
  Engine,
  | 'training'
  | 'dataDir'
  | 'notices'
  | 'captureOrder'
  | 'findReceipt'
  | 'captureRefund'
  | 'checkReferral'
  | 'listOrders'
  | 'getOrder'
  | 'retry'
  | 'editAndResend'
  | 'discard'
  | 'exportOrders'
  | 'status'
  | 'getSettings'
  | 'updateSettings'
  | 'setKeys'
  | 'whenModeSettled'
  | 'testConnection'
  | 'syncNow'
  | 'loyalty'
  | 'points'
> & {
  /** The store PIN (main/config/store-pin.ts): verify() throws its refusals, mapped in bridge.ts. */
  readonly storePin: Pick<Engine['storePin'], 'isSet' | 'verify' | 'change'>;
} & Pick<SaleRouteEngine, 'sales'>;

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
  /** The desktop app's updates (main/update/update-center.ts); absent in browser mode. */
  updates?: UpdatePort | undefined;
}

/** What the screen reaches of the updates: their state, and its "a sale is being entered" signal. */
export interface UpdatePort {
  state(): UpdateState;
  saleActivity(active: boolean): void;
}

const NO_UPDATE: UpdateState = { state: 'none', version: null, waitingFor: null, forced: false };

const NO_SCANNER: ScannerState = { state: 'disabled', reason: 'no-hid-in-this-mode' };

/** Classification options from the engine's settings. */
function classifyOptionsFrom(settings: Settings): ClassifyOptions {
  return {
    customerIdPrefixes: settings.customerIdPrefixes,
    referralParams: settings.referralParams,
    receiptPattern: settings.receiptPattern,
  };
}

function scannerSettingsFrom(settings: Settings): ScannerSettings {
  return { mode: settings.scanner.mode, deviceId: settings.scanner.deviceId, classify: classifyOptionsFrom(settings) };
}

/**
 * The contract's settings patch as the engine takes it. The engine replaces the `scanner` object
 * as a whole, so a patch of one scanner field is completed from the current settings.
 */
type ScannerSetting = Omit<Settings['scanner'], 'prefix' | 'suffix'> & Partial<Pick<Settings['scanner'], 'prefix' | 'suffix'>>;

export function settingsPatchFor(
  patch: SettingsPatch,
  current: Omit<Settings, 'scanner'> & { scanner: ScannerSetting },
): Omit<SettingsPatch, 'scanner'> & { scanner?: ScannerSetting } {
  const { scanner, ...rest } = patch;
  if (scanner === undefined) return rest;
  return {
    ...rest,
    scanner: {
      mode: scanner.mode ?? current.scanner.mode,
      deviceId: scanner.deviceId === undefined ? current.scanner.deviceId : scanner.deviceId,
      // Absent stays absent (the settings store then keeps none); null clears the frame.
      prefix: scanner.prefix === undefined ? current.scanner.prefix : scanner.prefix,
      suffix: scanner.suffix === undefined ? current.scanner.suffix : scanner.suffix,
    },
  };
}

export function createHandlers(deps: RouteDeps): Handlers {
  const { engine, events, clock } = deps;
  return {
    'orders:capture': (req) => engine.captureOrder(req),
    'orders:list': (req) => engine.listOrders(req),
    'orders:get': (req) => engine.getOrder(req.orderId) ?? null,
    'orders:find-receipt': (req) => engine.findReceipt(req.receiptKey),
    'orders:retry': (req) => ({ count: engine.retry(req) }),
    'orders:edit-resend': (req) => engine.editAndResend(req.orderId, req.patch),
    'orders:discard': (req) => engine.discard(req.orderId, req.reason),
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
    'refunds:capture': (req) => engine.captureRefund(req),
    'referrals:check': (req) => engine.checkReferral(req),
    'status:get': () => engine.status(),
    'sync:run-now': () => {
      engine.syncNow();
      return { ok: true as const };
    },
    'settings:get': () => engine.getSettings(),
    'settings:update': async (req) => {
      const updated = engine.updateSettings(settingsPatchFor(req, engine.getSettings()));
      // The scanner follows its settings at once (mode, device, referral parameter names).
      await deps.scanner?.apply(scannerSettingsFrom(updated));
      return updated;
    },
    'settings:set-keys': async ({ pin, ...keys }) => {
      // New keys send every order to another Gameball account: the store PIN first, when one is set.
      await engine.storePin.verify(pin);
      engine.setKeys(keys);
      // Keys can switch the till between training and live: answer once it runs in that mode, so
      // a connection test that follows talks to the right Gameball.
      await engine.whenModeSettled();
      return { ...engine.getSettings().keys, training: engine.training };
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
      if (!scanner)
        throw new PosError('unavailable', 'USB scanners in HID POS mode are not available here; keyboard-mode scanners work as they are.');
      const updated = engine.updateSettings(settingsPatchFor({ scanner: { deviceId: req.deviceId } }, engine.getSettings()));
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
    // ---- loyalty at the till ----
    'loyalty:customer': (req) => engine.loyalty.customer(req),
    'loyalty:coupon-lock': (req) => engine.loyalty.lockCoupon(req),
    'loyalty:coupon-unlock': (req) => engine.loyalty.unlockCoupon(req),
    'loyalty:reward-preview': (req) => engine.loyalty.preview(req),
    ...createPointsHandlers(engine),
    'app:sale-activity': (req) => {
      deps.updates?.saleActivity(req.active);
      return { ok: true as const };
    },
    'update:get-state': () => deps.updates?.state() ?? NO_UPDATE,
    ...createSaleHandlers(engine),
  };
}
