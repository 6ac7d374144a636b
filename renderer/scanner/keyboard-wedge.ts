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
// 5. `incomplete` set: a scan was cut short (it paused for longer than `recoveryMs`, or a
//    non-text key broke it). Remove `leaked` from the focused field exactly as for a scan, so the
//    field is as it was before the burst, and tell the cashier to scan again.
//
// Rules: the first key of a burst always passes (a person's slow single key is never held); the
// second key within the gap starts holding keys; a terminator (Enter, Tab) within the gap after
// at least `minLength` characters ends a scan and is swallowed. Before a burst reaches
// `minLength` keys, a gap over the threshold, a key with Ctrl/Alt/Meta, a held-down repeat, a
// non-text key or a too-short burst ends it and gives the held keys back through `release`.
// Once it has `minLength` keys it is a scan in progress: a pause up to `recoveryMs` (a cordless
// scanner's radio, a busy page) is part of the same scan; a longer pause or a non-text key makes
// it `incomplete`. A short piece given back after a pause is remembered for `recoveryMs`: if a
// scan follows and the pieces together look like one scanner (the first piece a fast pair, at
// least two fast gaps per pause), they are the scan's start and are taken back out of the field
// (`leaked`). A single key before a pause cannot be told from a person's and stays typing.
// With framing (`prefix`/`suffix`), only a burst that starts and ends with the frame is a scan;
// the frame is removed. The gap threshold adapts: `gapFactor` times the median gap of the last
// accepted scans, within [minGapMs, maxGapMs]; `maxGapMs` until enough gaps are known.
// Characters are rebuilt from the physical key (`code`) and Shift on a US layout, so AZERTY or
// QWERTZ tills read US-configured scanners.
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
  /** Longest gap between two keys of one scan until the scanner's cadence is known. Scanners: 1-10 ms; people: 80-300 ms. */
  maxGapMs: number;
  /** Fewest characters (without the terminator or frame) a scan has. */
  minLength: number;
  /** Which keys end a scan. */
  terminators: ReadonlyArray<'Enter' | 'Tab'>;
  /** Characters kept per scan; a longer burst is still swallowed and reported with `overflow`. */
  maxLength: number;
  /** Longest pause inside a scan (after `minLength` keys, before the terminator) that is still the same scan. */
  recoveryMs: number;
  /**
   * After a scan broke off, a burst starting this soon after its last key is taken as the rest of
   * that scan and reported incomplete too (a person cannot read "scan again" and rescan so fast).
   */
  orphanMs: number;
  /** The learned gap threshold is this many times the median gap of accepted scans... */
  gapFactor: number;
  /** ...and never below this (it never goes above maxGapMs). */
  minGapMs: number;
  /** Characters a programmed scanner sends first / last (before the terminator); '' for none. */
  prefix: string;
  suffix: string;
}

export const DEFAULT_WEDGE_OPTIONS: WedgeOptions = Object.freeze({
  maxGapMs: 30,
  minLength: 4,
  terminators: Object.freeze(['Enter', 'Tab']) as ReadonlyArray<'Enter' | 'Tab'>,
  maxLength: 4096,
  recoveryMs: 250,
  orphanMs: 1500,
  gapFactor: 4,
  minGapMs: 15,
  prefix: '',
  suffix: '',
});

/** Gaps of accepted scans kept for the median, and how many are needed before it is used. */
const LEARNED_GAPS = 64;
const GAPS_BEFORE_ADAPTING = 16;

export interface WedgeScan {
  /** The scanned characters rebuilt on a US layout, without the terminator or frame. */
  text: string;
  terminator: 'Enter' | 'Tab';
  /** Text keys in the scan (more than text.length when it overflowed or was framed). */
  keys: number;
  /** From the first key to the terminator. */
  durationMs: number;
  overflow: boolean;
}

export interface WedgeIncomplete {
  /** What had been read before the scan broke off (US layout); never to be used as a scan. */
  text: string;
  keys: number;
  /** Set when the rest of a broken-off scan came with its terminator (which was swallowed). */
  terminator?: 'Enter' | 'Tab';
}

export interface WedgeDecision {
  swallow: boolean;
  /** Text to insert into the focused field before anything else (held keys that were typing). */
  release: string;
  /** With `scan` or `incomplete` only: text the burst already typed into the field; remove it. */
  leaked: string;
  scan?: WedgeScan;
  /** A scan broke off: remove `leaked` and ask for the code to be scanned again. */
  incomplete?: WedgeIncomplete;
  /** Call flush() at this time if no key comes first. */
  flushAt?: number;
}

interface HeldKey {
  /** What the key means on a US layout (the scan). */
  us: string;
  /** What the till's layout typed or would type (`KeyboardEvent.key`), for release and leak. */
  typed: string;
}

/** Pieces given back as typing just before the current burst: perhaps the start of a scan. */
interface Tail {
  us: string;
  typed: string;
  startAt: number;
  /** When its last key came. */
  lastAt: number;
  fast: number;
  pauses: number;
}

const PASS: WedgeDecision = Object.freeze({ swallow: false, release: '', leaked: '' });

export class KeyboardWedgeDetector {
  private readonly opts: WedgeOptions;
  private readonly usesControls: boolean;
  private burst: HeldKey[] = [];
  private keys = 0;
  private firstAt = 0;
  private lastAt = 0;
  private overflow = false;
  /** Gaps inside the current burst: within the threshold, and pauses (committed bursts only). */
  private gaps: number[] = [];
  private pauses = 0;
  private tail: Tail | null = null;
  private learned: number[] = [];
  /** Bursts starting up to this time are the rest of a scan that broke off. */
  private orphanUntil = -Infinity;

  constructor(opts: Partial<WedgeOptions> = {}) {
    this.opts = { ...DEFAULT_WEDGE_OPTIONS, ...opts };
    // Control characters in the frame (STX, ETX...) arrive as Ctrl+letter keys.
    this.usesControls = [...(this.opts.prefix + this.opts.suffix)].some((c) => c.charCodeAt(0) >= 1 && c.charCodeAt(0) <= 26);
  }

  /** True while keys are being held back (the screen may show a "scanning" hint). */
  get holding(): boolean {
    return this.keys > 1;
  }

  /**
   * The current longest gap between two keys of a scan: `gapFactor` x the median gap of recent
   * accepted scans, within [minGapMs, maxGapMs]; maxGapMs until enough scans were seen.
   */
  get gapMs(): number {
    if (this.learned.length < GAPS_BEFORE_ADAPTING) return this.opts.maxGapMs;
    const sorted = [...this.learned].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    return Math.min(this.opts.maxGapMs, Math.max(this.opts.minGapMs, Math.round(median * this.opts.gapFactor)));
  }

  onKeyDown(e: WedgeKeyEvent): WedgeDecision {
    if (isModifierCode(e.code)) return PASS; // Shift pressed before a shifted character
    const t = Number.isFinite(e.timeStamp) ? e.timeStamp : 0;
    let broke: WedgeDecision = PASS;
    let pause = false;
    if (this.keys > 0) {
      const dt = t - this.lastAt;
      if (dt < 0) broke = this.breakBurst('pause', false);
      else if (dt > this.gapMs) {
        if (this.committed && dt <= this.opts.recoveryMs) pause = true;
        else broke = this.breakBurst('pause', dt <= this.opts.recoveryMs);
      }
    }
    if (this.keys === 0 && this.tail !== null && (t < this.tail.lastAt || t - this.tail.lastAt > this.opts.recoveryMs)) this.tail = null;

    const terminator = terminatorForCode(e.code);
    const command = e.ctrlKey || e.altKey || e.metaKey || e.repeat === true || e.isComposing === true;
    if (terminator !== undefined && !command && !e.shiftKey && this.opts.terminators.includes(terminator)) {
      const scan = this.finish(terminator, t, pause);
      if (scan) return this.merge(broke, scan);
      return this.merge(broke, this.breakBurst('key', false));
    }
    const control = this.usesControls && e.ctrlKey && !e.altKey && !e.metaKey && /^Key[A-Z]$/.test(e.code);
    const us = control
      ? String.fromCharCode(e.code.charCodeAt(3) - 0x40)
      : command
        ? undefined
        : (usCharForCode(e.code, e.shiftKey) ?? (isOneChar(e.key) ? e.key : undefined));
    if (us === undefined || (command && !control)) return this.merge(broke, this.breakBurst('key', false));

    const typed = !control && isOneChar(e.key) ? e.key : '';
    if (this.keys === 0) {
      // Undecided: let it through; if the next key comes fast, it is reported as leaked.
      this.burst = [{ us, typed }];
      this.keys = 1;
      this.firstAt = t;
      this.lastAt = t;
      return broke;
    }
    if (pause) this.pauses += 1;
    else this.gaps.push(t - this.lastAt);
    this.keys += 1;
    this.lastAt = t;
    if (this.burst.length < this.opts.maxLength) this.burst.push({ us, typed });
    else this.overflow = true;
    const wait = this.committed ? this.opts.recoveryMs : this.gapMs;
    return { ...broke, swallow: true, flushAt: t + wait + 1 };
  }

  /**
   * Called by the screen's timer: a burst quiet for longer than the gap ends (held keys come
   * back as `release`), or, once it is a scan in progress, quiet for longer than `recoveryMs`
   * ends as `incomplete`. Safe to call at any time.
   */
  flush(now: number): WedgeDecision {
    if (this.keys === 0) return PASS;
    const quiet = now - this.lastAt;
    if (quiet <= this.gapMs || (this.committed && quiet <= this.opts.recoveryMs)) return PASS;
    return this.breakBurst('pause', true);
  }

  /** Forgets any burst without releasing it (window lost focus: its keys went elsewhere). */
  reset(): void {
    this.clearBurst();
    this.tail = null;
  }

  /** A burst of `minLength` keys at scanner speed: no person types like that. */
  private get committed(): boolean {
    return this.keys >= 2 && this.keys >= this.opts.minLength;
  }

  private clearBurst(): void {
    this.burst = [];
    this.keys = 0;
    this.overflow = false;
    this.gaps = [];
    this.pauses = 0;
  }

  /**
   * Ends the burst without a terminator. A scan in progress cut off by a pause is `incomplete`;
   * otherwise (a short burst, or one ended by a key the scanner does not end scans with) the held
   * keys go back as typing, and after a short pause (`keepTail`) the piece is remembered as the
   * possible start of a scan.
   */
  private breakBurst(by: 'pause' | 'key', keepTail: boolean): WedgeDecision {
    if (this.keys === 0) {
      if (!keepTail) this.tail = null;
      return PASS;
    }
    if (by === 'pause' && this.committed) {
      const prior = this.tail;
      const leaked = (prior?.typed ?? '') + (this.burst[0]?.typed ?? '');
      const incomplete = { text: (prior?.us ?? '') + this.burst.map((k) => k.us).join(''), keys: this.keys };
      this.orphanUntil = this.lastAt + this.opts.orphanMs;
      this.reset();
      return { swallow: false, release: '', leaked, incomplete };
    }
    const held = this.burst
      .slice(1)
      .map((k) => k.typed)
      .join('');
    if (keepTail) {
      const prior = this.tail;
      const tail: Tail = {
        us: (prior?.us ?? '') + this.burst.map((k) => k.us).join(''),
        typed: (prior?.typed ?? '') + this.burst.map((k) => k.typed).join(''),
        startAt: prior?.startAt ?? this.firstAt,
        lastAt: this.lastAt,
        fast: (prior?.fast ?? 0) + this.gaps.length,
        pauses: (prior ? prior.pauses + 1 : 0) + this.pauses,
      };
      // A possible scan start is scanner-like: it starts with a fast pair (a person's single keys
      // never start one) and has at least as many fast gaps as pauses.
      this.tail = tail.fast >= 1 && tail.fast >= tail.pauses ? tail : null;
    } else this.tail = null;
    this.clearBurst();
    return held === '' ? PASS : { swallow: false, release: held, leaked: '' };
  }

  /**
   * A terminator came. Returns the scan, or undefined when this is not one (the caller then ends
   * the burst as typing). `pause`: the terminator came after a pause inside a committed burst.
   */
  private finish(terminator: 'Enter' | 'Tab', t: number, pause: boolean): WedgeDecision | undefined {
    const tail = this.tail;
    if ((tail?.startAt ?? (this.keys > 0 ? this.firstAt : t)) <= this.orphanUntil) {
      // The rest of a scan that broke off (if only its terminator, which must not submit the
      // form): never a scan of its own; take it out of the field. Only when it looks like a
      // scanner: a fast key before the terminator, a fast piece, or the terminator alone.
      const alone = this.keys === 0 && tail === null;
      if (!(alone || (this.keys >= 1 && !pause && t - this.lastAt <= this.gapMs) || (tail !== null && tail.fast >= 1))) return undefined;
      this.orphanUntil = -Infinity;
      const incomplete = {
        text: (tail?.us ?? '') + this.burst.map((k) => k.us).join(''),
        keys: (tail?.us.length ?? 0) + this.keys,
        terminator,
      };
      const leaked = (tail?.typed ?? '') + (this.burst[0]?.typed ?? '');
      this.reset();
      return { swallow: true, release: '', leaked, incomplete };
    }
    let useTail = false;
    if (tail !== null) {
      // The pieces must look like one scanner: at least two fast gaps for every pause.
      const lastGapFast = this.keys > 0 && !pause;
      const fast = tail.fast + this.gaps.length + (lastGapFast ? 1 : 0);
      const pauses = tail.pauses + 1 + this.pauses + (this.keys > 0 && pause ? 1 : 0);
      useTail = fast >= 2 * pauses && tail.us.length + this.keys >= this.opts.minLength;
    }
    if (!useTail && !(this.keys > 1 && this.keys >= this.opts.minLength)) return undefined;

    let text = (useTail ? tail!.us : '') + this.burst.map((k) => k.us).join('');
    const { prefix, suffix } = this.opts;
    if (prefix !== '' || suffix !== '') {
      // Framing configured: anything not framed is typing, not a scan.
      if (this.overflow || text.length < prefix.length + suffix.length + 1 || !text.startsWith(prefix) || !text.endsWith(suffix))
        return undefined;
      text = text.slice(prefix.length, text.length - suffix.length);
    }
    const scan: WedgeScan = {
      text,
      terminator,
      keys: this.keys + (useTail ? tail!.us.length : 0),
      durationMs: t - (useTail ? tail!.startAt : this.firstAt),
      overflow: this.overflow,
    };
    const leaked = (useTail ? tail!.typed : '') + (this.burst[0]?.typed ?? '');
    if (!this.overflow) this.learn(this.gaps);
    this.reset();
    return { swallow: true, release: '', leaked, scan };
  }

  private learn(gaps: readonly number[]): void {
    this.learned.push(...gaps);
    if (this.learned.length > LEARNED_GAPS) this.learned.splice(0, this.learned.length - LEARNED_GAPS);
  }

  /** One decision from the end of the previous burst (`a`) and what this key did (`b`). */
  private merge(a: WedgeDecision, b: WedgeDecision): WedgeDecision {
    if (a === PASS) return b;
    if (b === PASS) return a;
    const out: WedgeDecision = { ...a, ...b, release: a.release + b.release, leaked: a.leaked + b.leaked };
    if (a.incomplete && b.incomplete) {
      // A scan broke off and its rest came with this key: one incomplete scan.
      out.incomplete = { ...b.incomplete, text: a.incomplete.text + b.incomplete.text, keys: a.incomplete.keys + b.incomplete.keys };
    }
    return out;
  }
}

function isOneChar(s: string): boolean {
  return s.length === 1 || (s.length === 2 && s.codePointAt(0)! > 0xffff);
}
