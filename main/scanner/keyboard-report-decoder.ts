// Decodes boot-protocol keyboard reports (a keyboard-mode scanner read through hidraw on Linux,
// or a capture file) into scans. Report: [modifiers, reserved, key1..key6], optionally preceded
// by a report-id byte. A key types when its usage appears in a report and did not in the one
// before (so a held key types once, a repeated character needs a release in between, and
// rollover without release reports works); Enter, keypad Enter or Tab ends the scan.
import { DEFAULT_MAX_SCAN_SIZE, DEFAULT_STALE_AFTER_MS, NOTHING, partialPreview, withAt } from './decoder-types.ts';
import type { DecoderOutput, ReportDecoder } from './decoder-types.ts';
import { isTerminatorUsage, MOD_COMMAND, MOD_SHIFT, USAGE_ERROR_MAX, usCharForUsage } from './hid-usage.ts';

export interface KeyboardDecoderOptions {
  /**
   * `auto` (default): a 9-byte report starts with a report id, an 8-byte one does not.
   * A number: only reports starting with this id are keyboard reports (others are ignored).
   * `null`: reports never carry an id (bytes after the 8th are ignored).
   */
  reportId?: 'auto' | number | null;
  staleAfterMs?: number;
  /** Characters one scan may hold; more is refused as `overflow`. */
  maxChars?: number;
}

export class KeyboardReportDecoder implements ReportDecoder {
  private readonly reportId: 'auto' | number | null;
  private readonly staleAfterMs: number;
  private readonly maxChars: number;
  private held = new Uint8Array(6);
  private heldCount = 0;
  private next = new Uint8Array(6);
  private text = '';
  private overflowed = false;
  private lastAt: number | undefined;

  constructor(opts: KeyboardDecoderOptions = {}) {
    this.reportId = opts.reportId ?? 'auto';
    this.staleAfterMs = opts.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
    this.maxChars = Math.max(1, Math.min(opts.maxChars ?? DEFAULT_MAX_SCAN_SIZE, 1 << 20));
  }

  push(report: Uint8Array, at?: number): DecoderOutput[] {
    if (!(report instanceof Uint8Array)) return this.malformed('not a byte array', at);
    let off: number;
    if (this.reportId === 'auto') {
      if (report.length === 8) off = 0;
      else if (report.length === 9) off = 1;
      else return this.malformed(`keyboard report of ${report.length} bytes (expected 8, or 9 with a report id)`, at);
    } else if (this.reportId === null) {
      if (report.length < 8) return this.malformed(`keyboard report of ${report.length} bytes (expected 8)`, at);
      off = 0;
    } else {
      if (report.length === 0 || report[0] !== this.reportId) return NOTHING; // another report of the device
      if (report.length < 9) return this.malformed(`keyboard report of ${report.length} bytes (expected 9 with its report id)`, at);
      off = 1;
    }

    let out: DecoderOutput[] = NOTHING;
    if (at !== undefined && this.lastAt !== undefined && at - this.lastAt > this.staleAfterMs && this.hasPartial()) {
      out = [this.incomplete(this.lastAt)];
    }
    if (at !== undefined) this.lastAt = at;

    for (let i = 0; i < 6; i += 1) {
      const k = report[off + 2 + i] ?? 0;
      // Phantom state (too many keys): the report says nothing about which keys are down.
      if (k !== 0 && k <= USAGE_ERROR_MAX) return out;
    }

    const mods = report[off] ?? 0;
    const shift = (mods & MOD_SHIFT) !== 0;
    const command = (mods & MOD_COMMAND) !== 0;
    let nextCount = 0;
    for (let i = 0; i < 6; i += 1) {
      const k = report[off + 2 + i] ?? 0;
      if (k === 0) continue;
      this.next[nextCount] = k;
      nextCount += 1;
      if (this.isHeld(k)) continue;
      if (isTerminatorUsage(k)) {
        const done = this.finish(at);
        if (done) out = out === NOTHING ? [done] : [...out, done];
        continue;
      }
      if (command) continue;
      const ch = usCharForUsage(k, shift);
      if (ch === undefined) continue;
      if (this.text.length >= this.maxChars) this.overflowed = true;
      else this.text += ch;
    }
    const swap = this.held;
    this.held = this.next;
    this.next = swap;
    this.heldCount = nextCount;
    return out;
  }

  reset(at?: number): DecoderOutput[] {
    const partial = this.hasPartial() ? [this.incomplete(at)] : NOTHING;
    this.heldCount = 0;
    this.lastAt = undefined;
    return partial;
  }

  private isHeld(k: number): boolean {
    for (let j = 0; j < this.heldCount; j += 1) if (this.held[j] === k) return true;
    return false;
  }

  private hasPartial(): boolean {
    return this.text.length > 0 || this.overflowed;
  }

  private finish(at: number | undefined): DecoderOutput | undefined {
    if (!this.hasPartial()) return undefined; // a lone Enter or Tab is not a scan
    const out: DecoderOutput = this.overflowed
      ? withAt({ type: 'rejected', reason: 'overflow', text: partialPreview(this.text) }, at)
      : withAt({ type: 'scan', text: this.text }, at);
    this.text = '';
    this.overflowed = false;
    return out;
  }

  private incomplete(at: number | undefined): DecoderOutput {
    const out = withAt({ type: 'rejected', reason: 'incomplete', text: partialPreview(this.text) } as DecoderOutput, at);
    this.text = '';
    this.overflowed = false;
    return out;
  }

  /** Garbage resets everything: a partial scan after it could not be trusted. */
  private malformed(detail: string, at: number | undefined): DecoderOutput[] {
    const out: DecoderOutput[] = [withAt({ type: 'malformed', detail } as DecoderOutput, at)];
    if (this.hasPartial()) out.push(this.incomplete(at));
    this.heldCount = 0;
    return out;
  }
}
