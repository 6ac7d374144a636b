// What each HID interface is, for `devices --json`, the settings screen and the service's
// choice of what to open: a HID POS scanner (usage page 0x8C), a keyboard (0x01/0x06; a
// keyboard-mode scanner looks exactly like one, told apart only by its maker), or other.
import { SCANNER_VENDORS } from './hidpos-layouts.ts';
import type { HidDeviceInfo } from './transport.ts';

export const USAGE_PAGE_POS_SCANNER = 0x8c;
export const USAGE_PAGE_GENERIC_DESKTOP = 0x01;
export const USAGE_KEYBOARD = 0x06;

export type DeviceKind = 'hidpos' | 'keyboard' | 'other';

/**
 * The HID interface as the OS lists it (its release number left out), plus what this app makes
 * of it. Compatible with the screen contract's ScannerDevice, plus details for support.
 */
export interface ScannerDeviceInfo extends Omit<HidDeviceInfo, 'release'> {
  /** Stable across replugs: `vid:pid[:serial]/usagePage:usage` in hex. */
  id: string;
  kind: DeviceKind;
  /** Maker when it is a known scanner maker (Honeywell, Zebra, Datalogic, Newland). */
  vendorName?: string;
  /** A HID POS scanner, or a keyboard interface from a scanner maker. */
  likelyScanner: boolean;
  /** Whether this app can read it on this OS (keyboards only through Linux hidraw). */
  readable: boolean;
}

const hex = (n: number, w: number): string => n.toString(16).padStart(w, '0');

export function deviceKind(d: Pick<HidDeviceInfo, 'usagePage' | 'usage'>): DeviceKind {
  if (d.usagePage === USAGE_PAGE_POS_SCANNER) return 'hidpos';
  if (d.usagePage === USAGE_PAGE_GENERIC_DESKTOP && d.usage === USAGE_KEYBOARD) return 'keyboard';
  return 'other';
}

export function deviceId(d: HidDeviceInfo): string {
  const serial = d.serialNumber ? `:${d.serialNumber}` : '';
  return `${hex(d.vendorId, 4)}:${hex(d.productId, 4)}${serial}/${hex(d.usagePage ?? 0, 2)}:${hex(d.usage ?? 0, 2)}`;
}

export function describeDevice(d: HidDeviceInfo, platform: string): ScannerDeviceInfo {
  const kind = deviceKind(d);
  const vendorName = SCANNER_VENDORS[d.vendorId]?.name;
  const out: ScannerDeviceInfo = {
    id: deviceId(d),
    path: d.path,
    vendorId: d.vendorId,
    productId: d.productId,
    kind,
    likelyScanner: kind === 'hidpos' || (kind === 'keyboard' && vendorName !== undefined),
    readable: kind === 'hidpos' || (kind === 'keyboard' && platform === 'linux') || kind === 'other',
  };
  if (d.product) out.product = d.product;
  if (d.manufacturer) out.manufacturer = d.manufacturer;
  if (d.serialNumber) out.serialNumber = d.serialNumber;
  if (d.usagePage !== undefined) out.usagePage = d.usagePage;
  if (d.usage !== undefined) out.usage = d.usage;
  if (d.interface !== undefined) out.interface = d.interface;
  if (vendorName) out.vendorName = vendorName;
  return out;
}

/** Parses a `vid:pid` selector (hex, `0x` optional). */
function parseVidPid(selector: string): { vid: number; pid: number } | undefined {
  const m = /^(?:0x)?([0-9a-f]{1,4}):(?:0x)?([0-9a-f]{1,4})$/i.exec(selector.trim());
  if (!m) return undefined;
  return { vid: parseInt(m[1]!, 16), pid: parseInt(m[2]!, 16) };
}

export type DevicePick = { device: ScannerDeviceInfo } | { device?: undefined; code: 'not-found' | 'keyboard-mode'; reason: string };

/**
 * Chooses what to open. `selector`: a device id, an OS path, or `vid:pid` (hex); without one,
 * the first HID POS scanner. A keyboard interface is opened only when explicitly selected (and
 * only Linux can read it), because the window already receives its keys.
 */
export function pickDevice(devices: readonly ScannerDeviceInfo[], selector: string | null | undefined): DevicePick {
  if (selector) {
    const exact = devices.find((d) => d.id === selector || d.path === selector);
    if (exact) return { device: exact };
    const vp = parseVidPid(selector);
    if (vp) {
      const same = devices.filter((d) => d.vendorId === vp.vid && d.productId === vp.pid);
      const best = same.find((d) => d.kind === 'hidpos') ?? same.find((d) => d.kind === 'keyboard' && d.readable);
      if (best) return { device: best };
    }
    return { code: 'not-found', reason: `The selected scanner (${selector}) is not connected. Plug it in or choose another in settings.` };
  }
  const pos = devices.find((d) => d.kind === 'hidpos');
  if (pos) return { device: pos };
  const wedge = devices.find((d) => d.kind === 'keyboard' && d.likelyScanner);
  if (wedge) {
    return {
      code: 'keyboard-mode',
      reason: `${wedge.vendorName ?? 'A'} scanner is attached in keyboard mode: scans are read from key presses in the app window. Put it in HID POS mode for more reliable scans.`,
    };
  }
  return { code: 'not-found', reason: 'No HID POS scanner is connected. Keyboard-mode scanners still work through the app window.' };
}
