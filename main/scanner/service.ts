// The scanner service: owns the one open HID scanner, decodes its reports, classifies the
// scans and tells the app what it is doing. Side effects (HID, clock, timers, logger) are
// passed in; nothing here imports node-hid.
//
// Connection contract:
// - start(): lists devices once and opens the configured scanner. While none is open it looks
//   again on a slow backoff (pollMs.min, x1.5 per attempt, capped at pollMs.max: 2 s .. 5 s by
//   default) and sooner when the transport's OS hint says devices changed. While connected it
//   never lists devices.
// - A read error (unplug, re-enumeration) closes the handle, drops a partial scan (reported as a
//   `rejected`/`incomplete` scan so the cashier scans again), emits `disconnected` and goes back
//   to the backoff. An open failure emits `error` with the OS reason and retries the same way.
// - stop() cancels every timer, closes the device and emits `disabled`.
import type { Clock } from '../clock.ts';
import { DEFAULT_CLASSIFY_OPTIONS } from '../../preload/scan-classify.ts';
import type { ClassifyOptions, ScanEvent } from '../../preload/scan-classify.ts';
import type { DecoderOutput, ReportDecoder } from './decoder-types.ts';
import { describeDevice, pickDevice } from './devices.ts';
import type { ScannerDeviceInfo } from './devices.ts';
import { HidPosDecoder } from './hidpos-decoder.ts';
import { layoutByName, layoutForVendor } from './hidpos-layouts.ts';
import type { HidPosLayout } from './hidpos-layouts.ts';
import { KeyboardReportDecoder } from './keyboard-report-decoder.ts';
import { classifyDecoded } from './scan-result.ts';
import { toHex } from './capture.ts';
import type { HidDeviceHandle, HidTransport } from './transport.ts';

export type ScannerMode = 'auto' | 'hidpos' | 'keyboard' | 'off';

export interface ScannerServiceConfig {
  /** `off`: nothing opened. `keyboard`: the window reads the scanner; main opens nothing. */
  mode: ScannerMode;
  /** Device id, OS path or `vid:pid`; null: the first HID POS scanner. */
  device?: string | null;
  /** HID POS layout name (hidpos-layouts.ts); default: by vendor. */
  layout?: string | null;
  classify?: ClassifyOptions;
  /** Slow look-again delays while no scanner is open. */
  pollMs?: { min: number; max: number };
  /** Wait after an OS arrival hint before listing (device nodes appear before they are ready). */
  settleMs?: number;
  staleAfterMs?: number;
  /** OS name (`process.platform`): keyboards are readable only on Linux. */
  platform: string;
}

export type ScannerStateCode = 'connected' | 'not-found' | 'keyboard-mode' | 'open-failed' | 'device-lost' | 'disabled';

export interface ScannerStateEvent {
  state: 'connected' | 'disconnected' | 'error' | 'disabled';
  device?: { id: string; product?: string; kind: ScannerDeviceInfo['kind']; vendorName?: string; layout?: string };
  /** For people: what happened and what to do. */
  reason?: string;
  /** Stable code for the screen to translate. */
  code: ScannerStateCode;
}

export interface ScannerReportEvent {
  deviceId?: string;
  /** The raw input report as lowercase hex. */
  hex: string;
  at: number;
}

export interface ScannerEvents {
  scan: ScanEvent;
  state: ScannerStateEvent;
  report: ScannerReportEvent;
}

export interface ScannerTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The subset of the app's pino logger this service uses. */
export interface ScannerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface ScannerServiceDeps {
  transport: HidTransport;
  clock: Clock;
  logger?: ScannerLogger;
  config: ScannerServiceConfig;
  timers?: ScannerTimers;
}

export interface ScannerService {
  start(): void;
  stop(): Promise<void>;
  /** Applies new settings: closes the current device if it no longer fits and looks again. */
  reconfigure(patch: Partial<ScannerServiceConfig>): Promise<void>;
  getState(): ScannerStateEvent;
  /** Lists devices now (an explicit request from settings or the CLI, not the poll). */
  listDevices(): Promise<ScannerDeviceInfo[]>;
  on<E extends keyof ScannerEvents>(event: E, listener: (value: ScannerEvents[E]) => void): () => void;
}

/** The till settings the scanner follows (a structural subset of main/config's Settings). */
export interface ScannerSettingsSource {
  scanner: { mode: ScannerMode; deviceId: string | null };
  customerIdPrefixes: string[];
  referralParams: string[];
  receiptPattern: string | null;
}

/**
 * The service config the till's settings ask for on this OS. Every shell that runs a scanner
 * (the desktop app, browser mode) starts it from here, so they read the same settings the same way.
 */
export function scannerConfigFrom(settings: ScannerSettingsSource, platform: string): ScannerServiceConfig {
  return {
    mode: settings.scanner.mode,
    device: settings.scanner.deviceId,
    classify: {
      customerIdPrefixes: settings.customerIdPrefixes,
      referralParams: settings.referralParams,
      receiptPattern: settings.receiptPattern,
    },
    platform,
  };
}

const DEFAULT_POLL = { min: 2_000, max: 5_000 };
const DEFAULT_SETTLE_MS = 300;
const quietLogger: ScannerLogger = { info() {}, warn() {}, debug() {} };
const systemTimers: ScannerTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export function createScannerService(deps: ScannerServiceDeps): ScannerService {
  const { transport, clock } = deps;
  const logger = deps.logger ?? quietLogger;
  const timers = deps.timers ?? systemTimers;
  let config: ScannerServiceConfig = { ...deps.config };
  const listeners: { [E in keyof ScannerEvents]: Set<(v: ScannerEvents[E]) => void> } = {
    scan: new Set(),
    state: new Set(),
    report: new Set(),
  };

  let running = false;
  let generation = 0; // bumps on stop/reconfigure so stale async work drops its result
  let handle: HidDeviceHandle | null = null;
  let current: ScannerDeviceInfo | null = null;
  let decoder: ReportDecoder | null = null;
  let timer: unknown = null;
  let attempt = 0;
  let connecting = false;
  let unwatch: (() => void) | null = null;
  let state: ScannerStateEvent = { state: 'disabled', code: 'disabled', reason: 'The scanner service is not running.' };

  function emit<E extends keyof ScannerEvents>(event: E, value: ScannerEvents[E]): void {
    for (const l of listeners[event]) {
      try {
        l(value);
      } catch (err) {
        logger.warn({ err, event }, 'scanner listener threw');
      }
    }
  }

  function setState(next: ScannerStateEvent): void {
    const same =
      next.state === state.state && next.code === state.code && next.reason === state.reason && next.device?.id === state.device?.id;
    state = next;
    if (!same) emit('state', next);
  }

  function cancelTimer(): void {
    if (timer !== null) timers.clearTimeout(timer);
    timer = null;
  }

  function schedule(ms: number): void {
    cancelTimer();
    if (!running || handle) return;
    timer = timers.setTimeout(() => {
      timer = null;
      void connect();
    }, ms);
  }

  function backoffDelay(): number {
    const poll = config.pollMs ?? DEFAULT_POLL;
    const ms = Math.min(poll.max, poll.min * 1.5 ** attempt);
    attempt += 1;
    return ms;
  }

  function layoutFor(device: ScannerDeviceInfo): HidPosLayout {
    return (config.layout ? layoutByName(config.layout) : undefined) ?? layoutForVendor(device.vendorId);
  }

  function makeDecoder(device: ScannerDeviceInfo): ReportDecoder {
    const stale = config.staleAfterMs === undefined ? {} : { staleAfterMs: config.staleAfterMs };
    if (device.kind === 'keyboard') return new KeyboardReportDecoder(stale);
    return new HidPosDecoder({ layout: layoutFor(device), ...stale });
  }

  function stateDevice(d: ScannerDeviceInfo): ScannerStateEvent['device'] {
    const out: NonNullable<ScannerStateEvent['device']> = { id: d.id, kind: d.kind };
    if (d.product) out.product = d.product;
    if (d.vendorName) out.vendorName = d.vendorName;
    if (d.kind !== 'keyboard') out.layout = layoutFor(d).name;
    return out;
  }

  function deliver(outs: DecoderOutput[], device: ScannerDeviceInfo, at: number): void {
    for (const out of outs) {
      if (out.type === 'malformed') {
        logger.debug({ deviceId: device.id, detail: out.detail }, 'unreadable scanner report ignored');
        continue;
      }
      const classification = classifyDecoded(out, config.classify ?? DEFAULT_CLASSIFY_OPTIONS);
      if (!classification) continue;
      if (classification.kind === 'rejected') logger.info({ deviceId: device.id, reason: classification.reason }, 'scan rejected');
      emit('scan', { source: device.kind === 'keyboard' ? 'hid-keyboard' : 'hidpos', classification, at, deviceId: device.id });
    }
  }

  function wantsDevice(): boolean {
    return running && (config.mode === 'auto' || config.mode === 'hidpos');
  }

  async function connect(): Promise<void> {
    if (!wantsDevice() || handle || connecting) return;
    connecting = true;
    const gen = generation;
    try {
      const infos = await transport.list();
      if (gen !== generation) return;
      const devices = infos.map((d) => describeDevice(d, config.platform));
      const pick = pickDevice(devices, config.device);
      if (!pick.device) {
        setState({ state: 'disconnected', code: pick.code, reason: pick.reason });
        schedule(backoffDelay());
        return;
      }
      const device = pick.device;
      let opened: HidDeviceHandle;
      try {
        opened = await transport.open(device.path);
      } catch (err) {
        if (gen !== generation) return;
        const message = err instanceof Error ? err.message : String(err);
        logger.warn({ deviceId: device.id, err: message }, 'could not open scanner');
        setState({
          state: 'error',
          code: 'open-failed',
          device: stateDevice(device),
          reason: openFailureReason(device, message, config.platform),
        });
        schedule(backoffDelay());
        return;
      }
      if (gen !== generation || !running) {
        await opened.close().catch(() => undefined);
        return;
      }
      handle = opened;
      current = device;
      decoder = makeDecoder(device);
      attempt = 0;
      cancelTimer();
      opened.on('data', (report) => onData(opened, report));
      opened.on('error', (err) => void onDeviceError(opened, err));
      logger.info({ deviceId: device.id, kind: device.kind }, 'scanner connected');
      setState({ state: 'connected', code: 'connected', device: stateDevice(device) });
    } catch (err) {
      if (gen !== generation) return;
      const message = err instanceof Error ? err.message : String(err);
      logger.warn({ err: message }, 'could not list HID devices');
      setState({ state: 'error', code: 'open-failed', reason: `Could not look for scanners: ${message}. Retrying.` });
      schedule(backoffDelay());
    } finally {
      connecting = false;
    }
  }

  function onData(from: HidDeviceHandle, report: Uint8Array): void {
    if (from !== handle || !decoder || !current) return;
    const at = clock.now();
    emit('report', { deviceId: current.id, hex: toHex(report), at });
    deliver(decoder.push(report, at), current, at);
  }

  async function onDeviceError(from: HidDeviceHandle, err: Error): Promise<void> {
    if (from !== handle || !current) return;
    const device = current;
    const at = clock.now();
    if (decoder) deliver(decoder.reset(at), device, at);
    handle = null;
    current = null;
    decoder = null;
    const message = err instanceof Error ? err.message : String(err);
    logger.warn({ deviceId: device.id, err: message }, 'scanner lost');
    const gen = generation;
    await from.close().catch(() => undefined);
    if (gen !== generation || !running) return;
    setState({
      state: 'disconnected',
      code: 'device-lost',
      device: stateDevice(device),
      reason: 'The scanner was disconnected. Check the cable; it reconnects by itself.',
    });
    attempt = 0;
    schedule(backoffDelay());
  }

  async function closeDevice(): Promise<void> {
    const h = handle;
    const device = current;
    handle = null;
    current = null;
    if (decoder && device) deliver(decoder.reset(clock.now()), device, clock.now());
    decoder = null;
    if (h) await h.close().catch(() => undefined);
  }

  function onHint(): void {
    if (!wantsDevice() || handle || connecting) return;
    attempt = 0;
    schedule(config.settleMs ?? DEFAULT_SETTLE_MS);
  }

  function begin(): void {
    if (config.mode === 'off') {
      setState({ state: 'disabled', code: 'disabled', reason: 'Scanner input is turned off in settings.' });
      return;
    }
    if (config.mode === 'keyboard') {
      setState({ state: 'disabled', code: 'keyboard-mode', reason: 'Keyboard mode: scans are read from key presses in the app window.' });
      return;
    }
    if (transport.watch && !unwatch) unwatch = transport.watch(onHint);
    attempt = 0;
    void connect();
  }

  return {
    start() {
      if (running) return;
      running = true;
      begin();
    },
    async stop() {
      running = false;
      generation += 1;
      cancelTimer();
      unwatch?.();
      unwatch = null;
      await closeDevice();
      setState({ state: 'disabled', code: 'disabled', reason: 'The scanner service is stopped.' });
    },
    async reconfigure(patch) {
      config = { ...config, ...patch };
      generation += 1;
      cancelTimer();
      await closeDevice();
      unwatch?.();
      unwatch = null;
      if (running) begin();
    },
    getState: () => state,
    async listDevices() {
      return (await transport.list()).map((d) => describeDevice(d, config.platform));
    },
    on(event, listener) {
      const set = listeners[event] as Set<typeof listener>;
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
  };
}

function openFailureReason(d: ScannerDeviceInfo, message: string, platform: string): string {
  const name = d.product ?? d.id;
  if (d.kind === 'keyboard' && platform !== 'linux') {
    return `${name} is a keyboard to this computer and the system does not let apps open it. Use keyboard mode, or put the scanner in HID POS mode.`;
  }
  if (platform === 'linux') {
    return `Could not open ${name} (${message}). Check that this user may read ${d.path} (a udev rule granting access to hidraw devices). Retrying.`;
  }
  return `Could not open ${name} (${message}). Another program may be using it. Retrying.`;
}
