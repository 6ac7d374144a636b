// Decodes HID POS scanned-data reports into scans, joining the reports of a long code (a
// referral URL is often 60-150 bytes, a report carries at most 56) until one arrives without
// the "more data follows" flag. The layout (where each field sits) is data: hidpos-layouts.ts.
import { DEFAULT_MAX_SCAN_SIZE, DEFAULT_STALE_AFTER_MS, NOTHING, partialPreview, withAt } from './decoder-types.ts';
import type { DecoderOutput, ReportDecoder } from './decoder-types.ts';
import { HIDPOS_LAYOUTS } from './hidpos-layouts.ts';
import type { HidPosLayout } from './hidpos-layouts.ts';

export interface HidPosDecoderOptions {
  layout?: HidPosLayout;
  staleAfterMs?: number;
  /** Bytes one scan may hold; more is refused as `overflow` (the buffer never grows past it). */
  maxBytes?: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

export class HidPosDecoder implements ReportDecoder {
  readonly layout: HidPosLayout;
  private readonly staleAfterMs: number;
  private readonly buf: Uint8Array;
  private len = 0;
  private overflowed = false;
  private inScan = false;
  private symbology: string | undefined;
  private lastAt: number | undefined;

  constructor(opts: HidPosDecoderOptions = {}) {
    this.layout = opts.layout ?? HIDPOS_LAYOUTS.generic!;
    this.staleAfterMs = opts.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
    this.buf = new Uint8Array(Math.max(1, Math.min(opts.maxBytes ?? DEFAULT_MAX_SCAN_SIZE, 1 << 20)));
  }

  push(report: Uint8Array, at?: number): DecoderOutput[] {
    if (!(report instanceof Uint8Array)) return this.malformed('not a byte array', at);
    const l = this.layout;
    if (l.reportId !== null && report[0] !== l.reportId) return NOTHING; // status or other reports

    let out: DecoderOutput[] = NOTHING;
    if (at !== undefined && this.lastAt !== undefined && at - this.lastAt > this.staleAfterMs && this.inScan) {
      out = [this.incomplete(this.lastAt)];
    }
    if (at !== undefined) this.lastAt = at;

    if (report.length <= l.continuationOffset || report.length <= l.lengthOffset) {
      return [...out, ...this.malformed(`HID POS report of ${report.length} bytes is too short for layout ${l.name}`, at)];
    }
    const n = report[l.lengthOffset] ?? 0;
    if (n > l.maxData || l.dataOffset + n > report.length) {
      return [...out, ...this.malformed(`length byte ${n} does not fit layout ${l.name}`, at)];
    }
    const more = ((report[l.continuationOffset] ?? 0) & l.continuationMask) !== 0;

    let start = l.dataOffset;
    let count = n;
    if (!this.inScan) {
      this.symbology = this.readSymbology(report);
      if (l.aimInData && count >= 3 && isAim(report, start)) {
        this.symbology = String.fromCharCode(report[start]!, report[start + 1]!, report[start + 2]!);
        start += 3;
        count -= 3;
      }
    }
    if (count > 0 || more) this.inScan = true;
    if (this.len + count > this.buf.length) {
      this.overflowed = true;
    } else if (!this.overflowed) {
      this.buf.set(report.subarray(start, start + count), this.len);
      this.len += count;
    }
    if (more || !this.inScan) return out;

    const done: DecoderOutput = this.overflowed
      ? withAt({ type: 'rejected', reason: 'overflow', text: partialPreview(this.text()) }, at)
      : withAt(
          this.symbology === undefined
            ? { type: 'scan', text: this.text() }
            : { type: 'scan', text: this.text(), symbology: this.symbology },
          at,
        );
    this.clear();
    return out === NOTHING ? [done] : [...out, done];
  }

  reset(at?: number): DecoderOutput[] {
    const partial = this.inScan ? [this.incomplete(at)] : NOTHING;
    this.lastAt = undefined;
    return partial;
  }

  private readSymbology(report: Uint8Array): string | undefined {
    for (const s of this.layout.symbology) {
      if (s.kind === 'aim') {
        if (isAim(report, s.offset)) return String.fromCharCode(report[s.offset]!, report[s.offset + 1]!, report[s.offset + 2]!);
      } else {
        const code = report[s.offset];
        if (code !== undefined && code !== 0 && Object.hasOwn(s.codes, code)) return s.codes[code];
      }
    }
    return undefined;
  }

  private text(): string {
    return utf8.decode(this.buf.subarray(0, this.len));
  }

  private clear(): void {
    this.len = 0;
    this.overflowed = false;
    this.inScan = false;
    this.symbology = undefined;
  }

  private incomplete(at: number | undefined): DecoderOutput {
    const out = withAt({ type: 'rejected', reason: 'incomplete', text: partialPreview(this.text()) } as DecoderOutput, at);
    this.clear();
    return out;
  }

  /** Garbage resets the decoder: a partial scan around it could not be trusted. */
  private malformed(detail: string, at: number | undefined): DecoderOutput[] {
    const out: DecoderOutput[] = [withAt({ type: 'malformed', detail } as DecoderOutput, at)];
    if (this.inScan) out.push(this.incomplete(at));
    return out;
  }
}

function isAim(b: Uint8Array, i: number): boolean {
  const c1 = b[i + 1];
  const c2 = b[i + 2];
  return (
    b[i] === 0x5d &&
    c1 !== undefined &&
    ((c1 >= 0x41 && c1 <= 0x5a) || (c1 >= 0x61 && c1 <= 0x7a)) &&
    c2 !== undefined &&
    ((c2 >= 0x30 && c2 <= 0x39) || (c2 >= 0x41 && c2 <= 0x5a) || (c2 >= 0x61 && c2 <= 0x7a))
  );
}
