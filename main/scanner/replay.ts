// Replays a capture through the same decoders and classification the service uses. Pure: the
// CLI's `replay` and the tests share it.
import { DEFAULT_CLASSIFY_OPTIONS } from '../../preload/scan-classify.ts';
import type { ClassifyOptions, ScanClassification } from '../../preload/scan-classify.ts';
import type { Capture } from './capture.ts';
import type { ReportDecoder } from './decoder-types.ts';
import { HidPosDecoder } from './hidpos-decoder.ts';
import { guessLayout, HIDPOS_LAYOUTS, layoutByName } from './hidpos-layouts.ts';
import type { HidPosLayout } from './hidpos-layouts.ts';
import { KeyboardReportDecoder } from './keyboard-report-decoder.ts';
import { classifyDecoded } from './scan-result.ts';

export type ReplayMode = 'auto' | 'keyboard' | 'hidpos';

export interface ReplayOptions {
  mode?: ReplayMode;
  /** HID POS layout name; default: the capture's `# layout:` line, else guessed from its first report. */
  layout?: string;
  classify?: ClassifyOptions;
}

export interface ReplayResult {
  mode: 'keyboard' | 'hidpos';
  layout?: string;
  scans: ScanClassification[];
  /** Reports the decoder could not read (line numbers in the file). */
  malformed: Array<{ line: number; detail: string }>;
}

/** Keyboard when every report is a boot keyboard report (8 bytes, or 9 with an id), else HID POS. */
export function detectMode(capture: Capture): 'keyboard' | 'hidpos' {
  const m = capture.directives.mode?.toLowerCase();
  if (m === 'keyboard' || m === 'hidpos') return m;
  if (capture.reports.length > 0 && capture.reports.every((r) => r.bytes.length === 8 || r.bytes.length === 9)) return 'keyboard';
  return 'hidpos';
}

export function replayCapture(capture: Capture, opts: ReplayOptions = {}): ReplayResult {
  const mode = !opts.mode || opts.mode === 'auto' ? detectMode(capture) : opts.mode;
  let decoder: ReportDecoder;
  let layout: HidPosLayout | undefined;
  if (mode === 'keyboard') decoder = new KeyboardReportDecoder();
  else {
    const named = opts.layout ?? capture.directives.layout;
    const first = capture.reports[0]?.bytes;
    layout = (named ? layoutByName(named) : undefined) ?? (first ? guessLayout(first) : HIDPOS_LAYOUTS.generic!);
    decoder = new HidPosDecoder({ layout });
  }
  const result: ReplayResult = { mode, scans: [], malformed: [] };
  if (layout) result.layout = layout.name;
  const classify = opts.classify ?? DEFAULT_CLASSIFY_OPTIONS;
  for (const report of capture.reports) {
    for (const out of decoder.push(report.bytes, report.at)) {
      if (out.type === 'malformed') result.malformed.push({ line: report.line, detail: out.detail });
      const c = classifyDecoded(out, classify);
      if (c) result.scans.push(c);
    }
  }
  for (const out of decoder.reset()) {
    const c = classifyDecoded(out, classify);
    if (c) result.scans.push(c);
  }
  return result;
}
