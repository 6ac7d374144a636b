// Scanner decode throughput: how many input reports per second the decoders (and decoders plus
// classification, as the service runs them) handle, against a USB full-speed scanner's maximum
// of 1,000 reports per second (one 64-byte interrupt report per 1 ms frame). Baseline in the
// same run: a bare pass over the same bytes (copying each report), so the ratio says what the
// decoding itself costs on this machine.
import { HidPosDecoder } from '../../main/scanner/hidpos-decoder.ts';
import { HIDPOS_LAYOUTS } from '../../main/scanner/hidpos-layouts.ts';
import { KeyboardReportDecoder } from '../../main/scanner/keyboard-report-decoder.ts';
import type { ReportDecoder } from '../../main/scanner/decoder-types.ts';
import { classifyDecoded } from '../../main/scanner/scan-result.ts';
import { encodeHidPosScan, encodeKeyboardScan, SPEC_LAYOUTS, utf8 } from '../unit/scanner/support/hid-spec.ts';

const USB_FULL_SPEED_REPORTS_PER_S = 1_000;
const TARGET_RATIO = 100; // decode with ample headroom: a busy till must never fall behind a scanner
const LINK =
  'https://shop.example.com/pages/invite/friends-and-family/welcome?utm_source=qr&utm_medium=till&GBReferral=Vg6945F76CkP1B&lang=ar';

function stream(make: (i: number) => Uint8Array[], scans: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < scans; i += 1) out.push(...make(i));
  return out;
}

const keyboardReports = stream((i) => encodeKeyboardScan(i % 2 === 0 ? LINK : `REF${100000 + i}`), 200);
const hidposReports = stream(
  (i) =>
    encodeHidPosScan(utf8(i % 2 === 0 ? LINK : `mobile_9665000${i.toString().padStart(5, '0')}123456`), SPEC_LAYOUTS.honeywell!, {
      aim: ']Q1',
    }),
  2_000,
);

/** Reports per second over at least `minMs`, best of 3 rounds (the machine is shared). */
function measure(reports: Uint8Array[], work: (r: Uint8Array) => void, minMs = 400): number {
  let best = 0;
  for (let round = 0; round < 3; round += 1) {
    globalThis.gc?.();
    let n = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < minMs) {
      for (const r of reports) work(r);
      n += reports.length;
      elapsed = performance.now() - start;
    }
    best = Math.max(best, (n / elapsed) * 1_000);
  }
  return best;
}

let sink = 0;
const scratch = new Uint8Array(64);
const copy = (r: Uint8Array): void => {
  scratch.set(r.subarray(0, 64));
  sink += scratch[1]!;
};

function bench(name: string, reports: Uint8Array[], make: () => ReportDecoder): boolean {
  const base = measure(reports, copy);
  const decoder = make();
  const decode = measure(reports, (r) => {
    sink += decoder.push(r).length;
  });
  const full = make();
  const decodeClassify = measure(reports, (r) => {
    for (const out of full.push(r)) sink += classifyDecoded(out)?.text.length ?? 0;
  });
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  const ratio = decodeClassify / USB_FULL_SPEED_REPORTS_PER_S;
  const pass = ratio >= TARGET_RATIO;
  process.stdout.write(
    `${name}: bare copy ${fmt(base)} reports/s; decode ${fmt(decode)} reports/s (${(base / decode).toFixed(1)}x the copy's cost)\n`,
  );
  process.stdout.write(
    `${name} decode+classify ${fmt(decodeClassify)} reports/s vs USB full-speed max ${fmt(USB_FULL_SPEED_REPORTS_PER_S)} reports/s: ${ratio.toFixed(0)}x (target >= ${TARGET_RATIO}x) ${pass ? 'PASS' : 'FAIL'}\n`,
  );
  return pass;
}

const ok = [
  bench('keyboard boot reports', keyboardReports, () => new KeyboardReportDecoder()),
  bench('HID POS reports (Honeywell layout)', hidposReports, () => new HidPosDecoder({ layout: HIDPOS_LAYOUTS.honeywell! })),
].every(Boolean);
if (sink === -1) process.stdout.write('\n');
process.exitCode = ok ? 0 : 1;
