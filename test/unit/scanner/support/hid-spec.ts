// Test-side model of the wire formats, written from the specifications, NOT from the decoders:
// - USB HID Usage Tables, Keyboard/Keypad page (0x07), US layout legends;
// - boot keyboard input report: [modifiers, reserved, key1..key6] (+ a report-id byte first);
// - HID POS scanned-data reports per vendor layout (offsets from the vendors' HID POS docs).
// The encoders below turn text into the reports a scanner would send; tests then check that
// the product's decoders get the text back.

/** [usage id, unshifted legend, shifted legend] for every US key that types a character. */
export const US_KEYBOARD_USAGES: ReadonlyArray<readonly [number, string, string]> = [
  [0x04, 'a', 'A'],
  [0x05, 'b', 'B'],
  [0x06, 'c', 'C'],
  [0x07, 'd', 'D'],
  [0x08, 'e', 'E'],
  [0x09, 'f', 'F'],
  [0x0a, 'g', 'G'],
  [0x0b, 'h', 'H'],
  [0x0c, 'i', 'I'],
  [0x0d, 'j', 'J'],
  [0x0e, 'k', 'K'],
  [0x0f, 'l', 'L'],
  [0x10, 'm', 'M'],
  [0x11, 'n', 'N'],
  [0x12, 'o', 'O'],
  [0x13, 'p', 'P'],
  [0x14, 'q', 'Q'],
  [0x15, 'r', 'R'],
  [0x16, 's', 'S'],
  [0x17, 't', 'T'],
  [0x18, 'u', 'U'],
  [0x19, 'v', 'V'],
  [0x1a, 'w', 'W'],
  [0x1b, 'x', 'X'],
  [0x1c, 'y', 'Y'],
  [0x1d, 'z', 'Z'],
  [0x1e, '1', '!'],
  [0x1f, '2', '@'],
  [0x20, '3', '#'],
  [0x21, '4', '$'],
  [0x22, '5', '%'],
  [0x23, '6', '^'],
  [0x24, '7', '&'],
  [0x25, '8', '*'],
  [0x26, '9', '('],
  [0x27, '0', ')'],
  [0x2c, ' ', ' '],
  [0x2d, '-', '_'],
  [0x2e, '=', '+'],
  [0x2f, '[', '{'],
  [0x30, ']', '}'],
  [0x31, '\\', '|'],
  [0x33, ';', ':'],
  [0x34, "'", '"'],
  [0x35, '`', '~'],
  [0x36, ',', '<'],
  [0x37, '.', '>'],
  [0x38, '/', '?'],
];

/** Keypad usages (Num Lock on) and what they type. */
export const KEYPAD_USAGES: ReadonlyArray<readonly [number, string]> = [
  [0x54, '/'],
  [0x55, '*'],
  [0x56, '-'],
  [0x57, '+'],
  [0x59, '1'],
  [0x5a, '2'],
  [0x5b, '3'],
  [0x5c, '4'],
  [0x5d, '5'],
  [0x5e, '6'],
  [0x5f, '7'],
  [0x60, '8'],
  [0x61, '9'],
  [0x62, '0'],
  [0x63, '.'],
];

export const ENTER = 0x28;
export const TAB = 0x2b;
export const KEYPAD_ENTER = 0x58;
export const LEFT_SHIFT = 0x02;
export const RIGHT_SHIFT = 0x20;
export const LEFT_CTRL = 0x01;

export const PRINTABLE_ASCII = Array.from({ length: 0x7e - 0x20 + 1 }, (_, i) => String.fromCharCode(0x20 + i)).join('');

const KEYSTROKE = new Map<string, { usage: number; shift: boolean }>();
for (const [usage, plain, shifted] of US_KEYBOARD_USAGES) {
  if (!KEYSTROKE.has(plain)) KEYSTROKE.set(plain, { usage, shift: false });
  if (!KEYSTROKE.has(shifted)) KEYSTROKE.set(shifted, { usage, shift: true });
}

export function keystrokeFor(ch: string): { usage: number; shift: boolean } {
  const k = KEYSTROKE.get(ch);
  if (!k) throw new Error(`no US key types ${JSON.stringify(ch)}`);
  return k;
}

export interface KeyboardEncodeOptions {
  /** `release`: an all-zero report after every key (most scanners); `rollover`: next key straight away. */
  style?: 'release' | 'rollover';
  reportId?: number;
  terminator?: number;
  shiftBit?: number;
  /** Send Shift alone in its own report before a shifted key. */
  shiftFirst?: boolean;
}

function bootReport(mods: number, keys: number[], reportId?: number): Uint8Array {
  const body = [mods, 0, ...keys, 0, 0, 0, 0, 0, 0].slice(0, 8);
  return Uint8Array.from(reportId === undefined ? body : [reportId, ...body]);
}

/**
 * The boot reports a US-configured keyboard-mode scanner sends for `text` + terminator.
 * A repeated character always gets a release between its presses (a held key types once).
 */
export function encodeKeyboardScan(text: string, opts: KeyboardEncodeOptions = {}): Uint8Array[] {
  const style = opts.style ?? 'release';
  const shiftBit = opts.shiftBit ?? LEFT_SHIFT;
  const out: Uint8Array[] = [];
  let prevUsage = -1;
  const strokes = [...text].map(keystrokeFor);
  strokes.push({ usage: opts.terminator ?? ENTER, shift: false });
  for (const s of strokes) {
    const mods = s.shift ? shiftBit : 0;
    if (style === 'rollover' && s.usage === prevUsage) out.push(bootReport(mods, [], opts.reportId));
    if (opts.shiftFirst && s.shift) out.push(bootReport(mods, [], opts.reportId));
    out.push(bootReport(mods, [s.usage], opts.reportId));
    if (style === 'release') out.push(bootReport(0, [], opts.reportId));
    prevUsage = s.usage;
  }
  if (style === 'rollover') out.push(bootReport(0, [], opts.reportId));
  return out;
}

/** HID POS layouts as the vendors document them (offsets include the report-id byte). */
export interface SpecLayout {
  name: string;
  reportLength: number;
  reportId: number;
  lengthOffset: number;
  /** Where the AIM id goes in every report (Honeywell), or undefined. */
  aimOffset?: number;
  /** The AIM id is sent as the first 3 data bytes of the scan. */
  aimInData?: boolean;
  codeIdOffset?: number;
  dataOffset: number;
  maxData: number;
  moreOffset: number;
}

export const SPEC_LAYOUTS: Readonly<Record<string, SpecLayout>> = {
  generic: { name: 'generic', reportLength: 64, reportId: 0x02, lengthOffset: 1, dataOffset: 2, maxData: 56, moreOffset: 63 },
  'aim-in-data': {
    name: 'aim-in-data',
    reportLength: 64,
    reportId: 0x02,
    lengthOffset: 1,
    aimInData: true,
    dataOffset: 2,
    maxData: 56,
    moreOffset: 63,
  },
  honeywell: {
    name: 'honeywell',
    reportLength: 64,
    reportId: 0x02,
    lengthOffset: 1,
    aimOffset: 2,
    codeIdOffset: 61,
    dataOffset: 5,
    maxData: 56,
    moreOffset: 63,
  },
};

/** The reports a HID POS scanner sends for `data` (bytes) under `layout`. */
export function encodeHidPosScan(data: Uint8Array, layout: SpecLayout, opts: { aim?: string; codeId?: number } = {}): Uint8Array[] {
  let payload = data;
  if (layout.aimInData && opts.aim) payload = Uint8Array.from([...new TextEncoder().encode(opts.aim), ...data]);
  const out: Uint8Array[] = [];
  let i = 0;
  do {
    const chunk = payload.subarray(i, i + layout.maxData);
    i += chunk.length;
    const r = new Uint8Array(layout.reportLength);
    r[0] = layout.reportId;
    r[layout.lengthOffset] = chunk.length;
    r.set(chunk, layout.dataOffset);
    if (layout.aimOffset !== undefined && opts.aim) r.set(new TextEncoder().encode(opts.aim), layout.aimOffset);
    if (layout.codeIdOffset !== undefined && opts.codeId !== undefined) r[layout.codeIdOffset] = opts.codeId;
    r[layout.moreOffset] = i < payload.length ? 1 : 0;
    out.push(r);
  } while (i < payload.length);
  return out;
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
