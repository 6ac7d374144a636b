// A keyboard-mode scan broken by pauses (a cordless scanner's radio, a busy page) is never read
// in part: the detector gives the whole scan or reports it incomplete, and the focused field
// ends exactly as it was (value and caret). Also framing and the adaptive gap.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_WEDGE_OPTIONS, KeyboardWedgeDetector } from '../../../renderer/scanner/keyboard-wedge.ts';
import type { WedgeDecision, WedgeKeyEvent } from '../../../renderer/scanner/keyboard-wedge.ts';
import { insertText, removeLeakedText } from '../../../renderer/scan/leaked-text.ts';

const KEYS = new Map<string, { code: string; shift: boolean }>();
for (const c of 'abcdefghijklmnopqrstuvwxyz') {
  KEYS.set(c, { code: `Key${c.toUpperCase()}`, shift: false });
  KEYS.set(c.toUpperCase(), { code: `Key${c.toUpperCase()}`, shift: true });
}
for (const d of '0123456789') KEYS.set(d, { code: `Digit${d}`, shift: false });
for (const [ch, code, shift] of [
  ['-', 'Minus', false],
  ['_', 'Minus', true],
  ['/', 'Slash', false],
  ['?', 'Slash', true],
  [':', 'Semicolon', true],
  ['.', 'Period', false],
  ['=', 'Equal', false],
  ['&', 'Digit7', true],
  ['#', 'Digit3', true],
] as const)
  KEYS.set(ch, { code, shift });
const CHARS = [...KEYS.keys()].filter((c) => c !== '#');

function key(code: string, keyText: string, t: number, extra: Partial<WedgeKeyEvent> = {}): WedgeKeyEvent {
  return { code, key: keyText, shiftKey: false, altKey: false, ctrlKey: false, metaKey: false, timeStamp: t, ...extra };
}

/** Key events for one character (Shift first when it needs it), at time t. */
function charEvents(ch: string, t: number): WedgeKeyEvent[] {
  const k = KEYS.get(ch)!;
  const out: WedgeKeyEvent[] = [];
  if (k.shift) out.push(key('ShiftLeft', 'Shift', t, { shiftKey: true }));
  out.push(key(k.code, ch, t, { shiftKey: k.shift }));
  return out;
}

interface Field {
  value: string;
  caret: number;
}

/**
 * The page, modelled: a focused text field that keys type into at the caret, the hook's handling
 * of each decision (release, then leaked removal with the real leaked-text helpers), and the
 * flush timer, which fires during a pause unless `lateTimer` (a busy page) delays it past the
 * next key. A terminator that is not swallowed counts as reaching the field.
 */
function drive(d: KeyboardWedgeDetector, events: Array<{ e: WedgeKeyEvent; lateTimer?: boolean }>, start: Field) {
  const field: Field = { ...start };
  const scans: string[] = [];
  let incomplete = 0;
  let terminatorsPassed = 0;
  let unrestorable = 0;
  let timer: number | undefined;
  const apply = (dec: WedgeDecision) => {
    if (dec.release !== '') Object.assign(field, insertText(field.value, field.caret, field.caret, dec.release));
    if (dec.scan || dec.incomplete) {
      if (dec.leaked !== '') {
        const edit = removeLeakedText(field.value, field.caret, dec.leaked);
        if (edit) Object.assign(field, edit);
        else unrestorable += 1;
      }
      if (dec.scan) scans.push(dec.scan.text);
      else incomplete += 1;
    }
    timer = dec.flushAt;
  };
  for (const { e, lateTimer } of events) {
    if (timer !== undefined && timer <= e.timeStamp && !lateTimer) apply(d.flush(timer));
    const dec = d.onKeyDown(e);
    apply(dec);
    if (!dec.swallow) {
      if (e.code === 'Enter' || e.code === 'Tab') terminatorsPassed += 1;
      else if (e.key.length === 1 && !e.ctrlKey && !e.altKey && !e.metaKey)
        Object.assign(field, insertText(field.value, field.caret, field.caret, e.key));
    }
  }
  if (timer !== undefined) apply(d.flush(timer + 10_000));
  return { field, scans, incomplete, terminatorsPassed, unrestorable };
}

const { recoveryMs, orphanMs, minLength, maxGapMs } = DEFAULT_WEDGE_OPTIONS;

/** A scan as a scanner sends it: keys 1-8 ms apart, pauses before some characters, then Enter. */
function scanEvents(text: string, pauses: Map<number, { ms: number; lateTimer: boolean }>, start = 10_000) {
  let t = start;
  const out: Array<{ e: WedgeKeyEvent; lateTimer?: boolean }> = [];
  [...text, '\n'].forEach((ch, i) => {
    const pause = pauses.get(i);
    t += pause ? pause.ms : 1 + (i % 8);
    const events = ch === '\n' ? [key('Enter', 'Enter', t)] : charEvents(ch, t);
    for (const e of events) out.push({ e, lateTimer: pause?.lateTimer ?? false });
  });
  return out;
}

describe('KeyboardWedgeDetector: a scan broken by pauses', () => {
  const scanArb = fc
    .record({
      text: fc.array(fc.constantFrom(...CHARS), { minLength: 10, maxLength: 60 }).map((a) => a.join('')),
      prior: fc.array(fc.constantFrom(...CHARS), { maxLength: 20 }).map((a) => a.join('')),
      caretPick: fc.nat(),
      shortCuts: fc.array(fc.record({ at: fc.nat(), ms: fc.integer({ min: maxGapMs + 1, max: recoveryMs }), lateTimer: fc.boolean() }), {
        maxLength: 3,
      }),
      long: fc.option(fc.record({ at: fc.nat(), ms: fc.integer({ min: recoveryMs + 1, max: orphanMs }), lateTimer: fc.boolean() })),
    })
    .map(({ text, prior, caretPick, shortCuts, long }) => {
      const pauses = new Map<number, { ms: number; lateTimer: boolean }>();
      // A long pause comes after at least minLength characters in one burst: before that, a
      // scanner's first keys look like a quick typist's and are given back as typing.
      let longAt: number | undefined;
      if (long) {
        longAt = minLength + (long.at % (text.length + 1 - minLength));
        pauses.set(longAt, { ms: long.ms, lateTimer: long.lateTimer });
      }
      for (const c of shortCuts) {
        // Pieces of at least 2 keys: a single key before a pause is a person's as far as anyone can tell.
        const at = 2 + (c.at % (text.length - 1));
        if (pauses.has(at - 1) || pauses.has(at + 1)) continue;
        // After a long pause the scan's rest comes in one burst (see the report of what is left out).
        if (longAt !== undefined && at > longAt - minLength) continue;
        if (!pauses.has(at)) pauses.set(at, { ms: c.ms, lateTimer: c.lateTimer });
      }
      return { text, prior: { value: prior, caret: caretPick % (prior.length + 1) }, pauses, long: longAt !== undefined };
    });

  it('property: the outcome is the whole scan or "incomplete", and the field is given back exactly', () => {
    fc.assert(
      fc.property(scanArb, ({ text, prior, pauses, long }) => {
        const r = drive(new KeyboardWedgeDetector(), scanEvents(text, pauses), prior);
        expect(r.field).toEqual(prior);
        expect(r.unrestorable).toBe(0);
        expect(r.terminatorsPassed).toBe(0);
        if (long) {
          expect(r.scans).toEqual([]);
          expect(r.incomplete).toBeGreaterThanOrEqual(1);
        } else {
          // Pauses up to recoveryMs are recovered: the whole scan, nothing incomplete.
          expect(r.scans).toEqual([text]);
          expect(r.incomplete).toBe(0);
        }
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('reads a scan whose first keys came before a pause (the piece already typed is taken back)', () => {
    const pauses = new Map([[2, { ms: 120, lateTimer: false }]]);
    const r = drive(new KeyboardWedgeDetector(), scanEvents('REF123456', pauses), { value: 'ab', caret: 1 });
    expect(r.scans).toEqual(['REF123456']);
    expect(r.field).toEqual({ value: 'ab', caret: 1 });
  });

  it('reports a scan that stops without its terminator as incomplete once the recovery window passes', () => {
    const d = new KeyboardWedgeDetector();
    let last: WedgeDecision | undefined;
    'REF123'.split('').forEach((ch, i) => {
      for (const e of charEvents(ch, 100 + i * 3)) last = d.onKeyDown(e);
    });
    expect(last!.flushAt).toBe(115 + recoveryMs + 1);
    expect(d.flush(115 + recoveryMs)).toMatchObject({ release: '' });
    expect(d.flush(last!.flushAt!)).toMatchObject({ leaked: 'R', release: '', incomplete: { text: 'REF123', keys: 6 } });
    // The rest of that scan, arriving late with its Enter, is not a scan of its own.
    const rest = drive(d, scanEvents('789', new Map(), 900), { value: '', caret: 0 });
    expect(rest.scans).toEqual([]);
    expect(rest.incomplete).toBe(1);
    expect(rest.field).toEqual({ value: '', caret: 0 });
    // A rescan after that is read normally.
    expect(drive(d, scanEvents('REF123789', new Map(), 5000), { value: '', caret: 0 }).scans).toEqual(['REF123789']);
  });

  it('keys a person typed just before a scan stay theirs: the scan is read alone', () => {
    const typedKeys = [...'125.50'].flatMap((ch, i) => charEvents(ch, i * 60));
    const events = [...typedKeys.map((e) => ({ e })), ...scanEvents('REF123456', new Map(), 400)];
    const r = drive(new KeyboardWedgeDetector(), events, { value: '', caret: 0 });
    expect(r.scans).toEqual(['REF123456']);
    expect(r.field).toEqual({ value: '125.50', caret: 6 });
  });

  it("still gives a quick typist's keys back: a pair, then a pause, then slow keys and Enter", () => {
    const events = [
      ...charEvents('t', 0),
      ...charEvents('h', 15),
      ...charEvents('e', 150),
      ...charEvents('r', 300),
      ...charEvents('e', 450),
    ];
    events.push(key('Enter', 'Enter', 460));
    const r = drive(
      new KeyboardWedgeDetector(),
      events.map((e) => ({ e })),
      { value: '', caret: 0 },
    );
    expect(r.scans).toEqual([]);
    expect(r.field).toEqual({ value: 'there', caret: 5 });
    expect(r.terminatorsPassed).toBe(1);
  });
});

describe('KeyboardWedgeDetector: framing', () => {
  const read = (d: KeyboardWedgeDetector, events: WedgeKeyEvent[]) =>
    drive(
      d,
      events.map((e) => ({ e })),
      { value: '', caret: 0 },
    );
  const typed = (text: string, start = 0) => [...text].flatMap((ch, i) => charEvents(ch, start + i * 3));

  it('with a prefix, only framed input is a scan and the frame is removed', () => {
    const d = new KeyboardWedgeDetector({ prefix: '#', suffix: '.' });
    const framed = read(d, [...typed('#REF123.'), key('Enter', 'Enter', 30)]);
    expect(framed.scans).toEqual(['REF123']);
    expect(framed.field.value).toBe('');
    const bare = read(d, [...typed('REF123', 1000), key('Enter', 'Enter', 1020)]);
    expect(bare.scans).toEqual([]);
    expect(bare.field.value).toBe('REF123');
  });

  it('reads an STX prefix sent as Ctrl+B', () => {
    const d = new KeyboardWedgeDetector({ prefix: '\u0002' });
    const r = read(d, [key('KeyB', 'b', 0, { ctrlKey: true }), ...typed('REF123', 3), key('Enter', 'Enter', 30)]);
    expect(r.scans).toEqual(['REF123']);
    expect(r.field.value).toBe('');
    // Without framing, Ctrl+B is a shortcut and ends a burst, as before.
    expect(
      read(new KeyboardWedgeDetector(), [key('KeyB', 'b', 0, { ctrlKey: true }), ...typed('REF123', 3), key('Enter', 'Enter', 30)]).scans,
    ).toEqual(['REF123']);
  });
});

describe('KeyboardWedgeDetector: the gap adapts to the scanner', () => {
  const scan = (d: KeyboardWedgeDetector, text: string, start: number, gap: number) => {
    let dec: WedgeDecision | undefined;
    [...text].forEach((ch, i) => {
      for (const e of charEvents(ch, start + i * gap)) dec = d.onKeyDown(e);
    });
    return d.onKeyDown(key('Enter', 'Enter', start + text.length * gap)).scan?.text ?? dec?.scan?.text;
  };

  it('starts at maxGapMs and moves to gapFactor x the median gap of accepted scans, within bounds', () => {
    const fastScanner = new KeyboardWedgeDetector();
    expect(fastScanner.gapMs).toBe(30);
    for (let i = 0; i < 3; i++) expect(scan(fastScanner, 'ABCDEFGH', i * 1000, 2)).toBe('ABCDEFGH');
    expect(fastScanner.gapMs).toBe(DEFAULT_WEDGE_OPTIONS.minGapMs); // 4 x 2 ms = 8, raised to 15
    // A 20 ms burst now looks like typing: it is given back, not read as a scan.
    expect(scan(fastScanner, 'ABCDEFGH', 10_000, 20)).toBeUndefined();

    const steady = new KeyboardWedgeDetector();
    for (let i = 0; i < 3; i++) scan(steady, 'ABCDEFGH', i * 1000, 5);
    expect(steady.gapMs).toBe(20);

    const slow = new KeyboardWedgeDetector();
    for (let i = 0; i < 3; i++) scan(slow, 'ABCDEFGH', i * 1000, 12);
    expect(slow.gapMs).toBe(30); // 48 capped at maxGapMs
  });

  it('learns nothing from bursts that were not scans', () => {
    const d = new KeyboardWedgeDetector();
    for (let i = 0; i < 5; i++) scan(d, 'AB', i * 1000, 2);
    expect(d.gapMs).toBe(30);
  });
});
