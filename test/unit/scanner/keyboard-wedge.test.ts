import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyboardWedgeDetector } from '../../../renderer/scanner/keyboard-wedge.ts';
import type { WedgeDecision, WedgeKeyEvent } from '../../../renderer/scanner/keyboard-wedge.ts';
import { PRINTABLE_ASCII } from './support/hid-spec.ts';

// Physical key (KeyboardEvent.code) and shift for each US character, from the US layout legends.
const US_ROWS: Array<[string, string, string]> = [
  ['Backquote', '`', '~'],
  ['Digit1', '1', '!'],
  ['Digit2', '2', '@'],
  ['Digit3', '3', '#'],
  ['Digit4', '4', '$'],
  ['Digit5', '5', '%'],
  ['Digit6', '6', '^'],
  ['Digit7', '7', '&'],
  ['Digit8', '8', '*'],
  ['Digit9', '9', '('],
  ['Digit0', '0', ')'],
  ['Minus', '-', '_'],
  ['Equal', '=', '+'],
  ['BracketLeft', '[', '{'],
  ['BracketRight', ']', '}'],
  ['Backslash', '\\', '|'],
  ['Semicolon', ';', ':'],
  ['Quote', "'", '"'],
  ['Comma', ',', '<'],
  ['Period', '.', '>'],
  ['Slash', '/', '?'],
  ['Space', ' ', ' '],
  ...'abcdefghijklmnopqrstuvwxyz'.split('').map((c): [string, string, string] => [`Key${c.toUpperCase()}`, c, c.toUpperCase()]),
];
const US_KEY = new Map<string, { code: string; shift: boolean }>();
for (const [code, a, b] of US_ROWS) {
  if (!US_KEY.has(a)) US_KEY.set(a, { code, shift: false });
  if (!US_KEY.has(b)) US_KEY.set(b, { code, shift: true });
}

// What other OS layouts type for some physical keys: [unshifted, shifted].
type Layout = Record<string, [string, string]>;
const AZERTY: Layout = {
  KeyQ: ['a', 'A'],
  KeyA: ['q', 'Q'],
  KeyW: ['z', 'Z'],
  KeyZ: ['w', 'W'],
  KeyM: [',', '?'],
  Semicolon: ['m', 'M'],
  Digit1: ['&', '1'],
  Digit2: ['é', '2'],
  Digit3: ['"', '3'],
  Digit4: ["'", '4'],
  Digit5: ['(', '5'],
  Digit6: ['-', '6'],
  Digit7: ['è', '7'],
  Digit8: ['_', '8'],
  Digit9: ['ç', '9'],
  Digit0: ['à', '0'],
  Minus: [')', '°'],
  Slash: ['!', '§'],
  Period: [':', '/'],
  Comma: [';', '.'],
  Equal: ['=', '+'],
};
const QWERTZ: Layout = {
  KeyY: ['z', 'Z'],
  KeyZ: ['y', 'Y'],
  Minus: ['ß', '?'],
  Slash: ['-', '_'],
  Digit2: ['2', '"'],
  Digit3: ['3', '§'],
  Equal: ['´', '`'],
};

function typedBy(layout: Layout | null, code: string, shift: boolean, us: string): string {
  const pair = layout?.[code];
  return pair ? pair[shift ? 1 : 0] : us;
}

function key(code: string, keyText: string, t: number, extra: Partial<WedgeKeyEvent> = {}): WedgeKeyEvent {
  return { code, key: keyText, shiftKey: false, altKey: false, ctrlKey: false, metaKey: false, timeStamp: t, ...extra };
}

/** The keydowns a US-configured keyboard-mode scanner produces for `text` + terminator. */
function scannerEvents(
  text: string,
  opts: { start?: number; gap?: number; layout?: Layout | null; terminator?: 'Enter' | 'Tab' } = {},
): WedgeKeyEvent[] {
  let t = opts.start ?? 1000;
  const gap = opts.gap ?? 4;
  const out: WedgeKeyEvent[] = [];
  for (const ch of text) {
    const k = US_KEY.get(ch)!;
    if (k.shift) out.push(key('ShiftLeft', 'Shift', t, { shiftKey: true }));
    out.push(key(k.code, typedBy(opts.layout ?? null, k.code, k.shift, ch), t + 1, { shiftKey: k.shift }));
    t += gap;
  }
  const term = opts.terminator ?? 'Enter';
  out.push(key(term, term, t));
  return out;
}

/**
 * A model of the focused text field driven by the detector's decisions, following the
 * documented contract. Terminators that pass type '\n' / '\t'; other non-text keys type nothing.
 */
function runField(d: KeyboardWedgeDetector, events: WedgeKeyEvent[], finalFlush = true) {
  let field = '';
  const scans: string[] = [];
  const incomplete: string[] = [];
  const decisions: WedgeDecision[] = [];
  const apply = (dec: WedgeDecision, e?: WedgeKeyEvent) => {
    decisions.push(dec);
    field += dec.release;
    if (dec.scan || dec.incomplete) {
      expect(field.endsWith(dec.leaked)).toBe(true);
      field = field.slice(0, field.length - dec.leaked.length);
    }
    if (dec.scan) scans.push(dec.scan.text);
    if (dec.incomplete) incomplete.push(dec.incomplete.text);
    if (e && !dec.swallow) {
      if (e.key.length === 1 && !e.ctrlKey && !e.altKey && !e.metaKey) field += e.key;
      else if (e.code === 'Enter') field += '\n';
      else if (e.code === 'Tab') field += '\t';
    }
  };
  for (const e of events) apply(d.onKeyDown(e), e);
  if (finalFlush) apply(d.flush(Number.MAX_SAFE_INTEGER));
  return { field, scans, incomplete, decisions };
}

describe('KeyboardWedgeDetector: scanner bursts', () => {
  it('recognises a US scan, swallows all but the first key, and reports the first as leaked', () => {
    const d = new KeyboardWedgeDetector();
    const events = scannerEvents('REF123456');
    const decisions = events.map((e) => d.onKeyDown(e));
    const charDecisions = decisions.filter((_, i) => events[i]!.code !== 'ShiftLeft' && events[i]!.code !== 'Enter');
    expect(charDecisions[0]!.swallow).toBe(false);
    expect(charDecisions.slice(1).every((x) => x.swallow)).toBe(true);
    const last = decisions.at(-1)!;
    expect(last).toMatchObject({
      swallow: true,
      leaked: 'R',
      release: '',
      scan: { text: 'REF123456', terminator: 'Enter', keys: 9, overflow: false },
    });
  });

  it('reads every printable ASCII character from the physical keys', () => {
    const { scans, field } = runField(new KeyboardWedgeDetector(), scannerEvents(PRINTABLE_ASCII));
    expect(scans).toEqual([PRINTABLE_ASCII]);
    expect(field).toBe('');
  });

  it('reads a US-configured scanner correctly on an AZERTY till (HA112 is typed as HQ&&é)', () => {
    const events = scannerEvents('HA112', { layout: AZERTY });
    expect(
      events
        .filter((e) => e.code !== 'ShiftLeft')
        .map((e) => e.key)
        .join(''),
    ).toBe('HQ&&éEnter');
    const { scans, field } = runField(new KeyboardWedgeDetector(), events);
    expect(scans).toEqual(['HA112']);
    expect(field).toBe('');
  });

  it('reads a referral link correctly on AZERTY and QWERTZ tills', () => {
    const link = 'https://shop.example/join?GBReferral=Zy-92_Ma';
    for (const layout of [AZERTY, QWERTZ]) {
      const { scans, field } = runField(new KeyboardWedgeDetector(), scannerEvents(link, { layout }));
      expect(scans).toEqual([link]);
      expect(field).toBe('');
    }
  });

  it('keypad digits and keypad Enter count as a scan', () => {
    const events = ['Numpad4', 'Numpad0', 'Numpad0', 'Numpad6', 'NumpadDecimal'].map((c, i) =>
      key(c, c === 'NumpadDecimal' ? '.' : c.slice(-1), 10 + i * 3),
    );
    events.push(key('NumpadEnter', 'Enter', 30));
    expect(runField(new KeyboardWedgeDetector(), events).scans).toEqual(['4006.']);
  });

  it('ends a scan on Tab, unless only Enter is configured', () => {
    expect(runField(new KeyboardWedgeDetector(), scannerEvents('ABCD1234', { terminator: 'Tab' })).scans).toEqual(['ABCD1234']);
    const onlyEnter = runField(new KeyboardWedgeDetector({ terminators: ['Enter'] }), scannerEvents('ABCD1234', { terminator: 'Tab' }));
    expect(onlyEnter.scans).toEqual([]);
    expect(onlyEnter.field).toBe('ABCD1234\t');
  });

  it('accepts gaps up to maxGapMs and no more', () => {
    expect(runField(new KeyboardWedgeDetector(), scannerEvents('ABCDEF', { gap: 30 })).scans).toEqual(['ABCDEF']);
    const slow = runField(new KeyboardWedgeDetector(), scannerEvents('ABCDEF', { gap: 31 }));
    expect(slow.scans).toEqual([]);
    expect(slow.field).toBe('ABCDEF\n');
    expect(runField(new KeyboardWedgeDetector({ maxGapMs: 50 }), scannerEvents('ABCDEF', { gap: 45 })).scans).toEqual(['ABCDEF']);
  });

  it('reports an over-long burst as overflow and keeps only maxLength characters', () => {
    const dec = runField(new KeyboardWedgeDetector({ maxLength: 10 }), scannerEvents('x'.repeat(30))).decisions.find((x) => x.scan)!;
    expect(dec.scan).toMatchObject({ overflow: true, keys: 30 });
    expect(dec.scan!.text).toBe('x'.repeat(10));
  });

  it('tells two scans in a row apart', () => {
    const a = scannerEvents('FIRST1', { start: 0 });
    const b = scannerEvents('SECOND2', { start: 500 });
    expect(runField(new KeyboardWedgeDetector(), [...a, ...b]).scans).toEqual(['FIRST1', 'SECOND2']);
  });
});

describe("KeyboardWedgeDetector: never eats a person's typing", () => {
  const person = (text: string, gap = 150, start = 0): WedgeKeyEvent[] =>
    [...text].map((ch, i) => {
      const k = US_KEY.get(ch)!;
      return key(k.code, ch, start + i * gap, { shiftKey: k.shift });
    });

  it('passes normal typing and Enter straight through', () => {
    const events = [...person('Hello 123'), key('Enter', 'Enter', 5000)];
    const { field, scans, decisions } = runField(new KeyboardWedgeDetector(), events);
    expect(scans).toEqual([]);
    expect(decisions.every((x) => !x.swallow && x.release === '')).toBe(true);
    expect(field).toBe('Hello 123\n');
  });

  it('gives back a fast pair of keys on the next slow key, in order', () => {
    const events = [key('KeyA', 'a', 0), key('KeyB', 'b', 20), key('KeyC', 'c', 200)];
    const d = new KeyboardWedgeDetector();
    const decisions = events.map((e) => d.onKeyDown(e));
    expect(decisions[1]).toMatchObject({ swallow: true, release: '', flushAt: 51 });
    expect(decisions[2]).toMatchObject({ swallow: false, release: 'b' });
  });

  it('gives back held keys when the flush timer fires after the gap, not before', () => {
    const d = new KeyboardWedgeDetector();
    d.onKeyDown(key('KeyA', 'a', 0));
    const second = d.onKeyDown(key('KeyB', 'b', 10));
    expect(d.flush(second.flushAt! - 2)).toMatchObject({ release: '' });
    expect(d.holding).toBe(true);
    expect(d.flush(second.flushAt!)).toMatchObject({ swallow: false, release: 'b' });
    expect(d.holding).toBe(false);
  });

  it('gives back a burst too short to be a scan and lets its Enter through', () => {
    const events = [key('KeyO', 'o', 0), key('KeyK', 'k', 8), key('Enter', 'Enter', 16)];
    const { field, scans } = runField(new KeyboardWedgeDetector(), events, false);
    expect(scans).toEqual([]);
    expect(field).toBe('ok\n');
  });

  it('ends a burst on shortcuts, held-down repeats, Shift+Tab and non-text keys', () => {
    const cases: WedgeKeyEvent[] = [
      key('KeyV', 'v', 10, { ctrlKey: true }),
      key('KeyC', 'c', 10, { metaKey: true }),
      key('KeyX', 'x', 10, { repeat: true }),
      key('Tab', 'Tab', 10, { shiftKey: true }),
      key('Backspace', 'Backspace', 10),
      key('ArrowLeft', 'ArrowLeft', 10),
    ];
    for (const breaker of cases) {
      const d = new KeyboardWedgeDetector();
      d.onKeyDown(key('KeyA', 'a', 0));
      d.onKeyDown(key('KeyB', 'b', 5));
      expect(d.onKeyDown(breaker), breaker.code).toMatchObject({ swallow: false, release: 'b' });
      expect(d.holding).toBe(false);
    }
  });

  it("gives back the person's own characters (their layout), not the US ones", () => {
    const events = [key('Digit2', 'é', 0), key('Digit1', '&', 5), key('KeyQ', 'a', 300)];
    const { field } = runField(new KeyboardWedgeDetector(), events);
    expect(field).toBe('é&a');
  });

  it('property: for any key stream and timing, typing is never lost and scans (whole or incomplete) account for every swallowed key', () => {
    const chars = [...PRINTABLE_ASCII];
    const ev = fc.record({
      kind: fc.constantFrom('char', 'char', 'char', 'char', 'enter', 'tab', 'backspace', 'shift', 'ctrl'),
      ch: fc.constantFrom(...chars),
      gap: fc.oneof(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 400 })),
    });
    fc.assert(
      fc.property(fc.array(ev, { maxLength: 80 }), fc.integer({ min: 1, max: 6 }), (stream, minLength) => {
        let t = 0;
        const events: WedgeKeyEvent[] = [];
        let expected = '';
        for (const s of stream) {
          t += s.gap;
          if (s.kind === 'char') {
            const k = US_KEY.get(s.ch)!;
            events.push(key(k.code, s.ch, t, { shiftKey: k.shift }));
            expected += s.ch;
          } else if (s.kind === 'enter') {
            events.push(key('Enter', 'Enter', t));
            expected += '\n';
          } else if (s.kind === 'tab') {
            events.push(key('Tab', 'Tab', t));
            expected += '\t';
          } else if (s.kind === 'backspace') events.push(key('Backspace', 'Backspace', t));
          else if (s.kind === 'shift') events.push(key('ShiftLeft', 'Shift', t, { shiftKey: true }));
          else events.push(key('KeyV', 'v', t, { ctrlKey: true }));
        }
        const d = new KeyboardWedgeDetector({ minLength });
        let field = '';
        for (const e of events) {
          const dec = d.onKeyDown(e);
          field += dec.release;
          if (dec.scan) {
            expect(field.endsWith(dec.leaked)).toBe(true);
            field = field.slice(0, field.length - dec.leaked.length) + dec.scan.text + (dec.scan.terminator === 'Enter' ? '\n' : '\t');
            expect(dec.scan.text.length).toBeGreaterThanOrEqual(minLength);
          }
          if (dec.incomplete) {
            // A scan cut short by a pause: its keys are dropped and the field given back.
            expect(field.endsWith(dec.leaked)).toBe(true);
            const term = dec.incomplete.terminator === 'Enter' ? '\n' : dec.incomplete.terminator === 'Tab' ? '\t' : '';
            field = field.slice(0, field.length - dec.leaked.length) + dec.incomplete.text + term;
            expect(dec.incomplete.keys).toBeGreaterThanOrEqual(term === '' ? minLength : 0);
          }
          if (!dec.swallow && !e.ctrlKey) {
            if (e.key.length === 1) field += e.key;
            else if (e.code === 'Enter') field += '\n';
            else if (e.code === 'Tab' && !e.shiftKey) field += '\t';
          }
        }
        const last = d.flush(Number.MAX_SAFE_INTEGER);
        field += last.release;
        if (last.incomplete) {
          expect(field.endsWith(last.leaked)).toBe(true);
          field = field.slice(0, field.length - last.leaked.length) + last.incomplete.text;
        }
        // With scans put back where they were read, the stream is exactly what was typed.
        expect(field).toBe(expected);
      }),
      { numRuns: 2000, seed: 99 },
    );
  });

  it('property: keys at human speed (> maxGapMs apart) are never swallowed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...US_KEY.keys(), '\n'), fc.integer({ min: 31, max: 1000 })), { maxLength: 60 }),
        (stream) => {
          const d = new KeyboardWedgeDetector();
          let t = 0;
          for (const [ch, gap] of stream) {
            t += gap;
            const e = ch === '\n' ? key('Enter', 'Enter', t) : key(US_KEY.get(ch)!.code, ch, t, { shiftKey: US_KEY.get(ch)!.shift });
            const dec = d.onKeyDown(e);
            expect(dec.swallow).toBe(false);
            expect(dec.scan).toBeUndefined();
          }
        },
      ),
      { numRuns: 500, seed: 3 },
    );
  });
});
