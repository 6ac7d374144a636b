import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatCaptureLine, parseCapture } from '../../../main/scanner/capture.ts';
import { detectMode, replayCapture } from '../../../main/scanner/replay.ts';
import { toScanLine } from '../../../main/scanner/scan-result.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/scanner');
const fixture = (name: string) => parseCapture(readFileSync(join(FIXTURES, name), 'utf8'));
const LINK =
  'https://shop.example.com/pages/invite/friends-and-family/welcome?utm_source=qr&utm_medium=till&utm_campaign=spring-2025&GBReferral=Vg6945F76CkP1B&lang=ar';

describe('parseCapture', () => {
  it('reads spaces, colons, no separators, @ times, comments and directives', () => {
    const c = parseCapture(
      [
        '# a comment',
        '# mode: keyboard',
        '#layout: honeywell',
        '',
        '@12 00 00 04 00 00 00 00 00',
        '00:00:05:00:00:00:00:00',
        '@3.5 0000060000000000  # trailing note',
        '  @ 7 0x02 0x03',
      ].join('\r\n'),
    );
    expect(c.errors).toEqual([]);
    expect(c.directives).toEqual({ mode: 'keyboard', layout: 'honeywell' });
    expect(c.reports.map((r) => [r.at, Array.from(r.bytes), r.line])).toEqual([
      [12, [0, 0, 4, 0, 0, 0, 0, 0], 5],
      [undefined, [0, 0, 5, 0, 0, 0, 0, 0], 6],
      [3.5, [0, 0, 6, 0, 0, 0, 0, 0], 7],
      [7, [2, 3], 8],
    ]);
  });

  it('lists bad lines with their numbers and keeps going', () => {
    const c = parseCapture(['zz 00', '0', '@ab 00', '@5', `${'00 '.repeat(1025)}`, '01 02'].join('\n'));
    expect(c.errors.map((e) => e.line)).toEqual([1, 2, 3, 4, 5]);
    expect(c.reports.map((r) => Array.from(r.bytes))).toEqual([[1, 2]]);
  });

  it('writes lines it reads back', () => {
    const bytes = Uint8Array.from([0, 0x2a, 0xff]);
    expect(formatCaptureLine(bytes, 12.4)).toBe('@12 00 2a ff');
    expect(Array.from(parseCapture(formatCaptureLine(bytes)).reports[0]!.bytes)).toEqual([0, 0x2a, 0xff]);
  });
});

describe('replay of the capture fixtures', () => {
  it.each([
    ['hidpos-honeywell-referral-link.cap', 'hidpos', [{ text: LINK, kind: 'referral', symbology: ']Q1', referrerCode: 'Vg6945F76CkP1B' }]],
    ['hidpos-aim-referral-link.cap', 'hidpos', [{ text: LINK, kind: 'referral', symbology: ']Q1', referrerCode: 'Vg6945F76CkP1B' }]],
    [
      'hidpos-generic-customer-then-product.cap',
      'hidpos',
      [
        { text: 'mobile_966500001234123456', kind: 'customer', customerId: 'mobile_966500001234', hash: '123456' },
        { text: '4006381333931', kind: 'product' },
      ],
    ],
    [
      'hidpos-stalled-scan.cap',
      'hidpos',
      [
        { text: 'https://shop.example.com/pages/invite/friends-and-family', kind: 'rejected', reason: 'incomplete' },
        { text: 'REF123456', kind: 'referral', referrerCode: 'REF123456' },
      ],
    ],
    ['keyboard-referral-code.cap', 'keyboard', [{ text: 'REF123456', kind: 'referral', referrerCode: 'REF123456' }]],
    [
      'keyboard-rollover-customer.cap',
      'keyboard',
      [{ text: 'mobile_966500001234123456', kind: 'customer', customerId: 'mobile_966500001234', hash: '123456' }],
    ],
    ['keyboard-referral-link.cap', 'keyboard', [{ text: LINK, kind: 'referral', referrerCode: 'Vg6945F76CkP1B' }]],
  ])('%s', (name, mode, expected) => {
    const capture = fixture(name);
    expect(capture.errors).toEqual([]);
    expect(detectMode(capture)).toBe(mode);
    const result = replayCapture(capture);
    expect(result.malformed).toEqual([]);
    expect(result.scans.map(toScanLine)).toEqual(expected);
  });

  it('decoding a HID POS capture as keyboard finds nothing readable', () => {
    const result = replayCapture(fixture('hidpos-honeywell-referral-link.cap'), { mode: 'keyboard' });
    expect(result.scans).toEqual([]);
    expect(result.malformed.length).toBe(3);
  });

  it('a wrong layout gives a different (wrong) text, so the layout matters', () => {
    const result = replayCapture(fixture('hidpos-honeywell-referral-link.cap'), { layout: 'generic' });
    expect(result.scans.map((s) => s.text)).not.toEqual([LINK]);
  });
});
