import { describe, expect, it } from 'vitest';
import { KeyboardReportDecoder } from '../../../main/scanner/keyboard-report-decoder.ts';
import { usCharForUsage } from '../../../main/scanner/hid-usage.ts';
import type { DecoderOutput } from '../../../main/scanner/decoder-types.ts';
import {
  encodeKeyboardScan,
  ENTER,
  KEYPAD_ENTER,
  KEYPAD_USAGES,
  LEFT_CTRL,
  PRINTABLE_ASCII,
  RIGHT_SHIFT,
  TAB,
  US_KEYBOARD_USAGES,
} from './support/hid-spec.ts';

function feed(decoder: KeyboardReportDecoder, reports: Uint8Array[], at?: (i: number) => number): DecoderOutput[] {
  return reports.flatMap((r, i) => decoder.push(r, at?.(i)));
}
const texts = (outs: DecoderOutput[]): string[] => outs.filter((o) => o.type === 'scan').map((o) => (o as { text: string }).text);
/** An 8-byte boot report: modifiers, reserved, then up to six key usages. */
const report = (...bytes: number[]): Uint8Array => Uint8Array.from([...bytes, 0, 0, 0, 0, 0, 0, 0, 0].slice(0, Math.max(8, bytes.length)));
const raw = (...bytes: number[]): Uint8Array => Uint8Array.from(bytes);

describe('US usage table (HID Usage Tables, keyboard page 0x07)', () => {
  it.each(US_KEYBOARD_USAGES.map(([u, a, b]) => [u.toString(16), a, b, u] as const))(
    'usage 0x%s types %j, with shift %j',
    (_h, plain, shifted, usage) => {
      expect(usCharForUsage(usage, false)).toBe(plain);
      expect(usCharForUsage(usage, true)).toBe(shifted);
    },
  );
  it.each(KEYPAD_USAGES.map(([u, c]) => [u.toString(16), c, u] as const))(
    'keypad usage 0x%s types %j with or without shift',
    (_h, ch, usage) => {
      expect(usCharForUsage(usage, false)).toBe(ch);
      expect(usCharForUsage(usage, true)).toBe(ch);
    },
  );
  it('types nothing for control keys (Enter, Esc, Backspace, Tab, arrows, F1) and unused ids', () => {
    for (const u of [0x00, 0x01, 0x28, 0x29, 0x2a, 0x2b, 0x3a, 0x4f, 0x52, 0x58, 0xe0, 0xff, 300, -1])
      expect(usCharForUsage(u, false)).toBeUndefined();
  });
  it('covers every printable ASCII character', () => {
    const typed = new Set(US_KEYBOARD_USAGES.flatMap(([u]) => [usCharForUsage(u, false), usCharForUsage(u, true)]));
    for (const ch of PRINTABLE_ASCII) expect(typed.has(ch), JSON.stringify(ch)).toBe(true);
  });
});

describe('KeyboardReportDecoder', () => {
  it('decodes every printable ASCII character, with a release between keys', () => {
    const d = new KeyboardReportDecoder();
    expect(texts(feed(d, encodeKeyboardScan(PRINTABLE_ASCII)))).toEqual([PRINTABLE_ASCII]);
  });

  it('decodes straight rollover (no release between different keys) and right shift', () => {
    const d = new KeyboardReportDecoder();
    const text = 'Referral-CODE_2024?x=1&y="a b"';
    expect(texts(feed(d, encodeKeyboardScan(text, { style: 'rollover', shiftBit: RIGHT_SHIFT })))).toEqual([text]);
  });

  it('types a repeated character once per press: released between presses, held otherwise', () => {
    const d = new KeyboardReportDecoder();
    expect(texts(feed(d, encodeKeyboardScan('aa11zz')))).toEqual(['aa11zz']);
    // Held: the same usage in consecutive reports is one press.
    const held = [report(0, 0, 0x04), report(0, 0, 0x04), report(0, 0, 0x04), report(0, 0, 0), report(0, 0, ENTER)];
    expect(texts(feed(d, held))).toEqual(['a']);
  });

  it('reads 9-byte reports with a report-id prefix (auto and explicit id)', () => {
    const reports = encodeKeyboardScan('REF123456', { reportId: 0x01 });
    expect(reports[0]).toHaveLength(9);
    expect(texts(feed(new KeyboardReportDecoder(), reports))).toEqual(['REF123456']);
    expect(texts(feed(new KeyboardReportDecoder({ reportId: 1 }), reports))).toEqual(['REF123456']);
    // Another report id of the same device (e.g. consumer keys) is not keyboard input.
    const other = new KeyboardReportDecoder({ reportId: 1 });
    expect(other.push(raw(2, 0, 0, 0x04, 0, 0, 0, 0, 0))).toEqual([]);
  });

  it('handles shift sent in its own report before the key', () => {
    expect(texts(feed(new KeyboardReportDecoder(), encodeKeyboardScan('AbC', { shiftFirst: true })))).toEqual(['AbC']);
  });

  it('ends a scan on Tab and keypad Enter, and reads keypad digits', () => {
    const d = new KeyboardReportDecoder();
    expect(texts(feed(d, encodeKeyboardScan('abc', { terminator: TAB })))).toEqual(['abc']);
    const keypad = [
      report(0, 0, 0x59),
      report(0, 0, 0),
      report(0, 0, 0x62),
      report(0, 0, 0),
      report(0, 0, 0x63),
      report(0, 0, 0),
      report(0, 0, KEYPAD_ENTER),
    ];
    expect(texts(feed(d, keypad))).toEqual(['10.']);
  });

  it('decodes several keys newly pressed in one report in slot order', () => {
    const d = new KeyboardReportDecoder();
    expect(texts(feed(d, [report(0, 0, 0x04, 0x05, 0x06), report(0, 0, 0), report(0, 0, ENTER)]))).toEqual(['abc']);
  });

  it('ignores phantom (ErrorRollOver) reports and keys pressed with Ctrl', () => {
    const d = new KeyboardReportDecoder();
    const reports = [
      report(0, 0, 0x04),
      report(0, 0, 1, 1, 1, 1, 1, 1),
      report(LEFT_CTRL, 0, 0x06),
      report(0, 0, 0),
      report(0, 0, 0x05),
      report(0, 0, ENTER),
    ];
    expect(texts(feed(d, reports))).toEqual(['ab']);
  });

  it('does not report a lone Enter as a scan', () => {
    expect(feed(new KeyboardReportDecoder(), [report(0, 0, ENTER), report(0, 0, 0)])).toEqual([]);
  });

  it('refuses a scan over the size cap as overflow, then decodes the next one', () => {
    const d = new KeyboardReportDecoder({ maxChars: 10 });
    const outs = feed(d, [...encodeKeyboardScan('x'.repeat(25)), ...encodeKeyboardScan('next')]);
    expect(outs.map((o) => o.type)).toEqual(['rejected', 'scan']);
    expect(outs[0]).toMatchObject({ reason: 'overflow', text: 'x'.repeat(10) });
    expect(texts(outs)).toEqual(['next']);
  });

  it('drops a partial scan that stalls longer than staleAfterMs', () => {
    const d = new KeyboardReportDecoder({ staleAfterMs: 500 });
    const part = encodeKeyboardScan('abc').slice(0, 4); // "ab" pressed and released, no Enter
    const rest = encodeKeyboardScan('xyz');
    const outs = [...feed(d, part, (i) => i * 5), ...feed(d, rest, (i) => 2_000 + i * 5)];
    expect(outs[0]).toMatchObject({ type: 'rejected', reason: 'incomplete', text: 'ab' });
    expect(texts(outs)).toEqual(['xyz']);
  });

  it('reports wrong-sized reports as malformed and drops the partial scan', () => {
    const d = new KeyboardReportDecoder();
    const outs = [...feed(d, encodeKeyboardScan('ab').slice(0, 2)), ...d.push(raw(1, 2, 3)), ...feed(d, encodeKeyboardScan('cd'))];
    expect(outs.map((o) => o.type)).toEqual(['malformed', 'rejected', 'scan']);
    expect(texts(outs)).toEqual(['cd']);
  });

  it('reset() reports a partial scan as incomplete and starts clean', () => {
    const d = new KeyboardReportDecoder();
    feed(d, encodeKeyboardScan('abc').slice(0, 3));
    expect(d.reset(7)).toEqual([{ type: 'rejected', reason: 'incomplete', text: 'ab', at: 7 }]);
    expect(d.reset()).toEqual([]);
    expect(texts(feed(d, encodeKeyboardScan('abc')))).toEqual(['abc']);
  });
});
