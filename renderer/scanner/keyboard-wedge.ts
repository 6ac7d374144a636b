// Tells a keyboard-mode scanner's key burst from a person typing, from key timings alone. Pure:
// it sees plain objects shaped like `KeyboardEvent` and returns what to do with each; the
// screen wires it to a window `keydown` listener in the capture phase (so it works whichever
// field has focus) and to a timer.
//
// Contract with the screen (per keydown, in order):
// 1. `release` non-empty: insert that text into the focused field first. They are keys this
//    detector held back because they looked like a scan but turned out to be typing.
// 2. `swallow`: call preventDefault() and stopPropagation() on this keydown.
// 3. `scan` set: a scan was recognised. Remove `leaked` from the focused field (the burst's
//    first key, which reached the field before the second key showed it was a scan; it sits
//    right before the caret, as `KeyboardEvent.key` typed it), then handle `scan.text`.
// 4. `flushAt` set: call flush(flushAt-or-later) if no other key arrives by then (a timer of
//    flushAt - event.timeStamp ms); its result is handled the same way. Clear the timer on the
//    next keydown.
// `timeStamp` and flush's `now` must come from the same clock (`event.timeStamp` and
// `performance.now()` in a page).
//
// Rules: the first key of a burst always passes (a person's slow single key is never held); the
// second key within `maxGapMs` starts holding keys; a terminator (Enter, Tab) within the gap
// after at least `minLength` characters ends a scan and is swallowed. A gap over `maxGapMs`, a
// key with Ctrl/Alt/Meta, a held-down repeat, a non-text key or a too-short burst ends the burst
// and gives the held keys back through `release`. Characters are rebuilt from the physical key
// (`code`) and Shift on a US layout, so AZERTY or QWERTZ tills read US-configured scanners.
import { isModifierCode, terminatorForCode, usCharForCode } from './us-key-codes.ts';

export interface WedgeKeyEvent {
  code: string;
  key: string;
  shiftKey: boolean;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  timeStamp: number;
  repeat?: boolean;
  isComposing?: boolean;
}

export interface WedgeOptions {
  /** Longest gap between two keys of one scan. Scanners: 1-10 ms; people: 80-300 ms. */
  maxGapMs: number;
  /** Fewest characters (without the terminator) a scan has. */
  minLength: number;
  /** Which keys end a scan. */
  terminators: ReadonlyArray<'Enter' | 'Tab'>;
  /** Characters kept per scan; a longer burst is still swallowed and reported with `overflow`. */
  maxLength: number;
}

export const DEFAULT_WEDGE_OPTIONS: WedgeOptions = Object.freeze({
  maxGapMs: 30,
  minLength: 4,
  terminators: Object.freeze(['Enter', 'Tab']) as ReadonlyArray<'Enter' | 'Tab'>,
  maxLength: 4096,
});

export interface WedgeScan {
  /** The scanned characters rebuilt on a US layout, without the terminator. */
  text: string;
  terminator: 'Enter' | 'Tab';
  /** Text keys in the burst (more than text.length when it overflowed). */
  keys: number;
  /** From the first key to the terminator. */
  durationMs: number;
  overflow: boolean;
}

export interface WedgeDecision {
  swallow: boolean;
  /** Text to insert into the focused field before anything else (held keys that were typing). */
  release: string;
  /** With `scan` only: text the burst's first key already typed into the field; remove it. */
  leaked: string;
  scan?: WedgeScan;
  /** Call flush() at this time if no key comes first. */
  flushAt?: number;
}

interface HeldKey {
  /** What the key means on a US layout (the scan). */
  us: string;
  /** What the till's layout typed or would type (`KeyboardEvent.key`), for release and leak. */
  typed: string;
}

const PASS: WedgeDecision = Object.freeze({ swallow: false, release: '', leaked: '' });

export class KeyboardWedgeDetector {
  private readonly opts: WedgeOptions;
  private burst: HeldKey[] = [];
  private keys = 0;
  private firstAt = 0;
  private lastAt = 0;
  private overflow = false;

  constructor(opts: Partial<WedgeOptions> = {}) {
    this.opts = { ...DEFAULT_WEDGE_OPTIONS, ...opts };
  }

  /** True while keys are being held back (the screen may show a "scanning" hint). */
  get holding(): boolean {
    return this.keys > 1;
  }

  onKeyDown(e: WedgeKeyEvent): WedgeDecision {
    if (isModifierCode(e.code)) return PASS; // Shift pressed before a shifted character
    const t = Number.isFinite(e.timeStamp) ? e.timeStamp : 0;
    let release = '';
    if (this.keys > 0 && (t - this.lastAt > this.opts.maxGapMs || t < this.lastAt)) release = this.end();

    const terminator = terminatorForCode(e.code);
    const command = e.ctrlKey || e.altKey || e.metaKey || e.repeat === true || e.isComposing === true;
    if (terminator !== undefined && !command && !e.shiftKey && this.opts.terminators.includes(terminator)) {
      if (this.keys > 1 && this.keys >= this.opts.minLength) return this.finish(terminator, t, release);
      return { swallow: false, release: release + this.end(), leaked: '' };
    }
    const us = command ? undefined : (usCharForCode(e.code, e.shiftKey) ?? (isOneChar(e.key) ? e.key : undefined));
    if (us === undefined) return { swallow: false, release: release + this.end(), leaked: '' };

    const typed = isOneChar(e.key) ? e.key : '';
    if (this.keys === 0) {
      // Undecided: let it through; if the next key comes fast, it is reported as leaked.
      this.burst = [{ us, typed }];
      this.keys = 1;
      this.firstAt = t;
      this.lastAt = t;
      return release === '' ? PASS : { swallow: false, release, leaked: '' };
    }
    this.keys += 1;
    this.lastAt = t;
    if (this.burst.length < this.opts.maxLength) this.burst.push({ us, typed });
    else this.overflow = true;
    return { swallow: true, release, leaked: '', flushAt: t + this.opts.maxGapMs + 1 };
  }

  /**
   * Called by the screen's timer: when the burst has gone quiet for longer than `maxGapMs` it
   * ends, and the keys held back are returned as `release`. Safe to call at any time.
   */
  flush(now: number): WedgeDecision {
    if (this.keys === 0 || now - this.lastAt <= this.opts.maxGapMs) return PASS;
    const release = this.end();
    return release === '' ? PASS : { swallow: false, release, leaked: '' };
  }

  /** Forgets any burst without releasing it (window lost focus: its keys went elsewhere). */
  reset(): void {
    this.burst = [];
    this.keys = 0;
    this.overflow = false;
  }

  private finish(terminator: 'Enter' | 'Tab', t: number, release: string): WedgeDecision {
    const first = this.burst[0];
    const scan: WedgeScan = {
      text: this.burst.map((k) => k.us).join(''),
      terminator,
      keys: this.keys,
      durationMs: t - this.firstAt,
      overflow: this.overflow,
    };
    this.reset();
    return { swallow: true, release, leaked: first?.typed ?? '', scan };
  }

  /** Ends the burst as typing: the held keys (all but the first, which passed) go back. */
  private end(): string {
    const held =
      this.keys > 1
        ? this.burst
            .slice(1)
            .map((k) => k.typed)
            .join('')
        : '';
    this.reset();
    return held;
  }
}

function isOneChar(s: string): boolean {
  return s.length === 1 || (s.length === 2 && s.codePointAt(0)! > 0xffff);
}
