// From a decoder's output to the classification the app sees, and to the one-line JSON shape
// `replay`, `listen` and `scan-parse` print. Shared so the CLI and the service never differ.
import { classifyScan, DEFAULT_CLASSIFY_OPTIONS } from '../../preload/scan-classify.ts';
import type { ClassifyOptions, ScanClassification } from '../../preload/scan-classify.ts';
import type { DecoderOutput } from './decoder-types.ts';

/** Undefined for `malformed` outputs: those are diagnostics, not scans. */
export function classifyDecoded(out: DecoderOutput, opts: ClassifyOptions = DEFAULT_CLASSIFY_OPTIONS): ScanClassification | undefined {
  if (out.type === 'malformed') return undefined;
  if (out.type === 'rejected') {
    const c = classifyScan(out.text, opts);
    // The text is only a preview of what arrived; the decoder's reason is what counts.
    return { kind: 'rejected', text: c.kind === 'rejected' ? c.text : out.text, reason: out.reason };
  }
  const c = classifyScan(out.text, opts);
  // The report's own symbology (Honeywell's AIM bytes) when the text carried none.
  if (out.symbology !== undefined && c.symbology === undefined) return { ...c, symbology: out.symbology };
  return c;
}

export interface ScanLine {
  text: string;
  kind: ScanClassification['kind'];
  symbology?: string;
  referrerCode?: string;
  customerId?: string;
  hash?: string;
  reason?: string;
  /** receipt (see ReceiptFieldsSchema): receiptNo only when a pattern's group took it from a longer text. */
  receiptNo?: string;
  total?: string;
  vatTotal?: string;
  sellerName?: string;
  vatNumber?: string;
  time?: string;
}

/** The fields printed per scan, in a fixed order; absent ones are left out. */
export function toScanLine(c: ScanClassification): ScanLine {
  const line: ScanLine = { text: c.text, kind: c.kind };
  if (c.symbology !== undefined) line.symbology = c.symbology;
  if (c.referrerCode !== undefined) line.referrerCode = c.referrerCode;
  if (c.customerId !== undefined) line.customerId = c.customerId;
  if (c.hash !== undefined) line.hash = c.hash;
  if (c.reason !== undefined) line.reason = c.reason;
  if (c.receiptNo !== undefined && c.receiptNo !== c.text) line.receiptNo = c.receiptNo;
  for (const key of ['total', 'vatTotal', 'sellerName', 'vatNumber', 'time'] as const) {
    const value = c[key];
    if (value !== undefined) line[key] = value;
  }
  return line;
}
