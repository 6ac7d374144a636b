import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HidPosDecoder } from '../../../main/scanner/hidpos-decoder.ts';
import { HIDPOS_LAYOUTS, layoutByName } from '../../../main/scanner/hidpos-layouts.ts';
import { KeyboardReportDecoder } from '../../../main/scanner/keyboard-report-decoder.ts';
import type { DecoderOutput, ReportDecoder } from '../../../main/scanner/decoder-types.ts';
import { classifyDecoded } from '../../../main/scanner/scan-result.ts';
import { ScanKindSchema } from '../../../preload/scan-classify.ts';
import { encodeHidPosScan, encodeKeyboardScan, PRINTABLE_ASCII, SPEC_LAYOUTS, utf8 } from './support/hid-spec.ts';

const CAP = 256;
const anyReport = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 70 }),
  fc.uint8Array({ minLength: 8, maxLength: 9 }),
  // Mostly-valid HID POS reports with random length/flag bytes.
  fc
    .tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ minLength: 62, maxLength: 62 }), fc.integer({ min: 0, max: 3 }))
    .map(([len, body, more]) => Uint8Array.from([0x02, len, ...body.slice(0, 61), more])),
);

function checkOutputs(outs: DecoderOutput[]): void {
  for (const o of outs) {
    expect(['scan', 'rejected', 'malformed']).toContain(o.type);
    if (o.type === 'scan') expect(utf8(o.text).length).toBeLessThanOrEqual(CAP * 3);
    if (o.type === 'rejected') expect(o.text.length).toBeLessThanOrEqual(CAP);
    const c = classifyDecoded(o);
    if (c) expect(ScanKindSchema.options).toContain(c.kind);
  }
}

describe('decoders on random report streams', () => {
  const decoders = (): Array<[string, ReportDecoder]> => [
    ['keyboard auto', new KeyboardReportDecoder({ maxChars: CAP })],
    ['keyboard id 1', new KeyboardReportDecoder({ reportId: 1, maxChars: CAP })],
    ['keyboard no id', new KeyboardReportDecoder({ reportId: null, maxChars: CAP })],
    ...Object.values(HIDPOS_LAYOUTS).map((l): [string, ReportDecoder] => [
      `hidpos ${l.name}`,
      new HidPosDecoder({ layout: l, maxBytes: CAP }),
    ]),
  ];

  it('never throw, keep every output within the cap, and classify totally', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(anyReport, fc.integer({ min: 0, max: 3_000 })), { maxLength: 120 }), (stream) => {
        for (const [, d] of decoders()) {
          let t = 0;
          for (const [r, gap] of stream) {
            t += gap;
            checkOutputs(d.push(r, t));
          }
          checkOutputs(d.reset(t));
        }
      }),
      { numRuns: 400, seed: 1234 },
    );
  });

  it('survive inputs of the wrong type at run time', () => {
    for (const [, d] of decoders()) {
      for (const bad of [undefined, null, 'abc', 42, {}, [1, 2, 3]]) expect(() => d.push(bad as unknown as Uint8Array)).not.toThrow();
    }
  });

  it('recover after garbage: a valid scan after any junk decodes exactly', () => {
    fc.assert(
      fc.property(fc.array(anyReport, { maxLength: 30 }), fc.stringMatching(/^[A-Za-z0-9]{1,40}$/), (junk, text) => {
        const kb = new KeyboardReportDecoder();
        junk.forEach((r) => kb.push(r, 0));
        kb.reset();
        const kbOut = encodeKeyboardScan(text).flatMap((r) => kb.push(r, 10_000));
        expect(kbOut.filter((o) => o.type === 'scan')).toEqual([{ type: 'scan', text, at: 10_000 }]);

        const pos = new HidPosDecoder({ layout: HIDPOS_LAYOUTS.generic! });
        junk.forEach((r) => pos.push(r, 0));
        pos.reset();
        const posOut = encodeHidPosScan(utf8(text), SPEC_LAYOUTS.generic!).flatMap((r) => pos.push(r, 10_000));
        expect(posOut).toEqual([{ type: 'scan', text, at: 10_000 }]);
      }),
      { numRuns: 300, seed: 77 },
    );
  });
});

describe('round trips from the spec encoders', () => {
  const printable = fc.string({ unit: fc.constantFrom(...PRINTABLE_ASCII), minLength: 1, maxLength: 300 });

  it('keyboard: any printable ASCII text, either release style, with or without report id', () => {
    fc.assert(
      fc.property(
        printable,
        fc.constantFrom('release' as const, 'rollover' as const),
        fc.option(fc.integer({ min: 1, max: 255 }), { nil: undefined }),
        (text, style, reportId) => {
          const d = new KeyboardReportDecoder();
          const outs = encodeKeyboardScan(text, { style, ...(reportId === undefined ? {} : { reportId }) }).flatMap((r) => d.push(r));
          expect(outs).toEqual([{ type: 'scan', text }]);
        },
      ),
      { numRuns: 300, seed: 5 },
    );
  });

  it('HID POS: any UTF-8 text under every layout', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 400 }), fc.constantFrom(...Object.keys(SPEC_LAYOUTS)), (text, name) => {
        fc.pre(!(name === 'aim-in-data' && /^\][A-Za-z][0-9A-Za-z]/.test(text)));
        const d = new HidPosDecoder({ layout: layoutByName(name)! });
        const outs = encodeHidPosScan(utf8(text), SPEC_LAYOUTS[name]!).flatMap((r) => d.push(r));
        expect(outs).toEqual([{ type: 'scan', text }]);
      }),
      { numRuns: 300, seed: 11 },
    );
  });
});
