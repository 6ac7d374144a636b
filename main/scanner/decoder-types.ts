// What a report decoder hands back. Decoders are pure state machines: bytes in, results out, no
// I/O, no clock of their own (the caller passes the time a report arrived, when it knows it).

/** A partial scan is given up on when the next report comes this long after the previous one. */
export const DEFAULT_STALE_AFTER_MS = 1_000;
/** Most bytes (HID POS) or characters (keyboard) one scan may hold before it is refused. */
export const DEFAULT_MAX_SCAN_SIZE = 4_096;

export type DecoderOutput =
  /** A complete scan. `symbology` is an AIM identifier (`]Q1`) when the report carried one. */
  | { type: 'scan'; text: string; symbology?: string; at?: number }
  /**
   * A scan that was refused: `overflow` (larger than the decoder's cap; the rest of it was
   * dropped), `incomplete` (cut off: the device went away or stalled between reports).
   * `text` is what had arrived, cut to 256 characters, for diagnostics only.
   */
  | { type: 'rejected'; reason: 'overflow' | 'incomplete'; text: string; at?: number }
  /** A report that could not be read (wrong size, impossible length byte). Any partial scan was dropped. */
  | { type: 'malformed'; detail: string; at?: number };

export interface ReportDecoder {
  /**
   * Feeds one input report exactly as read from the device (report-id byte first when the device
   * numbers its reports). Never throws; returns the scans this report completed (often none).
   */
  push(report: Uint8Array, at?: number): DecoderOutput[];
  /** Drops any partial scan (device gone, reopened); reports it as `incomplete` if there was one. */
  reset(at?: number): DecoderOutput[];
}

export const NOTHING: DecoderOutput[] = [];
const PREVIEW = 256;

export function partialPreview(text: string): string {
  return text.length > PREVIEW ? text.slice(0, PREVIEW) : text;
}

/** Attaches `at` only when known, so outputs compare cleanly in tests. */
export function withAt<T extends DecoderOutput>(out: T, at: number | undefined): T {
  if (at !== undefined) out.at = at;
  return out;
}
