// HID POS (usage page 0x8C) input report layouts, as data. Scanners in HID POS mode send the
// decoded data in fixed-size input reports; where the length byte, the data, the symbology and
// the "more data follows" flag sit differs by vendor and setting. Adding a scanner family means
// adding a row here, not a branch in the decoder.

export type SymbologySource =
  /** Three bytes at `offset` holding an AIM identifier (`]Q1`); zeros mean none. */
  | { kind: 'aim'; offset: number }
  /** One vendor code byte at `offset`, translated to an AIM identifier by `codes`. */
  | { kind: 'code'; offset: number; codes: Readonly<Record<number, string>> };

export interface HidPosLayout {
  name: string;
  description: string;
  /** First byte of every scanned-data report; other report ids are ignored. null: unnumbered. */
  reportId: number | null;
  /** Byte holding the number of data bytes in this report. */
  lengthOffset: number;
  /** First data byte. */
  dataOffset: number;
  /** Largest length byte that makes sense; a larger one marks the report as garbage. */
  maxData: number;
  /** Where the symbology is read from, first match wins (first report of a scan). */
  symbology: readonly SymbologySource[];
  /** The first three data bytes of a scan are an AIM identifier (scanner set to transmit AIM ids). */
  aimInData: boolean;
  /** Byte whose `continuationMask` bits say "more data follows in the next report". */
  continuationOffset: number;
  continuationMask: number;
}

/** Honeywell "Code ID" characters for the symbologies a till meets, as AIM identifiers. */
export const HONEYWELL_CODE_IDS: Readonly<Record<number, string>> = Object.freeze({
  0x73: ']Q1', // 's' QR Code
  0x64: ']E0', // 'd' EAN-13
  0x44: ']E4', // 'D' EAN-8
  0x63: ']E0', // 'c' UPC-A (AIM reports it as EAN-13)
  0x45: ']E0', // 'E' UPC-E
  0x6a: ']C0', // 'j' Code 128
  0x49: ']C1', // 'I' GS1-128
  0x62: ']A0', // 'b' Code 39
  0x77: ']d1', // 'w' Data Matrix
  0x72: ']L0', // 'r' PDF417
  0x7a: ']z0', // 'z' Aztec
});

export const HIDPOS_LAYOUTS: Readonly<Record<string, HidPosLayout>> = Object.freeze({
  /** The common 64-byte report: id 0x02, length, up to 56 data bytes, flag in the last byte. */
  generic: {
    name: 'generic',
    description: 'Report 0x02: length at byte 1, data from byte 2 (max 56), "more data" flag at byte 63',
    reportId: 0x02,
    lengthOffset: 1,
    dataOffset: 2,
    maxData: 56,
    symbology: [],
    aimInData: false,
    continuationOffset: 63,
    continuationMask: 0x01,
  },
  /** Same report with the scanner set to prefix each scan with its AIM id (`]Q1...`). */
  'aim-in-data': {
    name: 'aim-in-data',
    description: 'As generic, with the AIM identifier as the first three data bytes of a scan',
    reportId: 0x02,
    lengthOffset: 1,
    dataOffset: 2,
    maxData: 56,
    symbology: [],
    aimInData: true,
    continuationOffset: 63,
    continuationMask: 0x01,
  },
  /**
   * Honeywell HID POS (terminal ID 131): AIM id in bytes 2-4 of every report, data from byte 5,
   * Honeywell code id at byte 61, "more data" flag at byte 63.
   */
  honeywell: {
    name: 'honeywell',
    description: 'Report 0x02: length at byte 1, AIM id at bytes 2-4, data from byte 5 (max 56), code id at 61, flag at 63',
    reportId: 0x02,
    lengthOffset: 1,
    dataOffset: 5,
    maxData: 56,
    symbology: [
      { kind: 'aim', offset: 2 },
      { kind: 'code', offset: 61, codes: HONEYWELL_CODE_IDS },
    ],
    aimInData: false,
    continuationOffset: 63,
    continuationMask: 0x01,
  },
});

export type HidPosLayoutName = keyof typeof HIDPOS_LAYOUTS;

/** USB vendor ids of the scanner makers a store is likely to plug in. */
export const SCANNER_VENDORS: Readonly<Record<number, { name: string; layout: string }>> = Object.freeze({
  0x0c2e: { name: 'Honeywell', layout: 'honeywell' }, // also Metrologic
  0x05e0: { name: 'Zebra', layout: 'generic' }, // Symbol Technologies
  0x05f9: { name: 'Datalogic', layout: 'generic' },
  0x1eab: { name: 'Newland', layout: 'generic' },
});

export function layoutByName(name: string): HidPosLayout | undefined {
  return Object.hasOwn(HIDPOS_LAYOUTS, name) ? HIDPOS_LAYOUTS[name] : undefined;
}

/** The layout a vendor's scanners use in HID POS mode; `generic` when the vendor is unknown. */
export function layoutForVendor(vendorId: number | undefined): HidPosLayout {
  const byVendor = vendorId === undefined ? undefined : SCANNER_VENDORS[vendorId];
  return layoutByName(byVendor?.layout ?? 'generic') ?? HIDPOS_LAYOUTS.generic!;
}

/**
 * Guesses a layout from the first report of a capture when nothing else says (a capture file's
 * `# layout:` line wins). An AIM id at bytes 2-4 means Honeywell's layout or `aim-in-data`:
 * Honeywell's when its code-id byte (61) holds a known code, or when the length byte only fits
 * data that starts at byte 5 (the bytes right after `2 + length` are still data).
 */
export function guessLayout(report: Uint8Array): HidPosLayout {
  const aimAt = (i: number): boolean => report[i] === 0x5d && isAlpha(report[i + 1]) && isAlnum(report[i + 2]);
  if (report[0] !== 0x02 || report.length < 64 || !aimAt(2)) return HIDPOS_LAYOUTS.generic!;
  const code = report[61] ?? 0;
  if (code !== 0 && Object.hasOwn(HONEYWELL_CODE_IDS, code)) return HIDPOS_LAYOUTS.honeywell!;
  const len = report[1] ?? 0;
  const last = (report[63] ?? 0) & 0x01;
  if (last === 0 && len >= 1 && len + 2 < 61 && report[2 + len] !== 0 && report[5 + len - 1] !== 0) return HIDPOS_LAYOUTS.honeywell!;
  return HIDPOS_LAYOUTS['aim-in-data']!;
}

function isAlpha(b: number | undefined): boolean {
  return b !== undefined && ((b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a));
}
function isAlnum(b: number | undefined): boolean {
  return b !== undefined && (isAlpha(b) || (b >= 0x30 && b <= 0x39));
}
