// Writes the capture files in test/fixtures/scanner from the spec encoders. Run it only to
// refresh the fixtures: `npx tsx test/unit/scanner/support/make-fixtures.ts`. The tests check
// the fixtures against hand-written expectations, not against this script.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatCaptureLine } from '../../../../main/scanner/capture.ts';
import { encodeHidPosScan, encodeKeyboardScan, SPEC_LAYOUTS, utf8 } from './hid-spec.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/scanner');
const LINK =
  'https://shop.example.com/pages/invite/friends-and-family/welcome?utm_source=qr&utm_medium=till&utm_campaign=spring-2025&GBReferral=Vg6945F76CkP1B&lang=ar';

function write(name: string, header: string[], reports: Array<{ bytes: Uint8Array; at: number }>): void {
  const lines = [...header.map((h) => `# ${h}`), ...reports.map((r) => formatCaptureLine(r.bytes, r.at))];
  writeFileSync(join(dir, name), `${lines.join('\n')}\n`);
}
const timed = (reports: Uint8Array[], start: number, step: number) => reports.map((bytes, i) => ({ bytes, at: start + i * step }));

write(
  'hidpos-honeywell-referral-link.cap',
  ['Honeywell HID POS (terminal 131): a 150-character referral link QR over three reports', 'mode: hidpos', 'layout: honeywell'],
  timed(encodeHidPosScan(utf8(LINK), SPEC_LAYOUTS.honeywell!, { aim: ']Q1', codeId: 0x73 }), 0, 2),
);
write(
  'hidpos-aim-referral-link.cap',
  ['HID POS with the AIM id sent as the first data bytes: the same link, no layout line (guessed)'],
  timed(encodeHidPosScan(utf8(LINK), SPEC_LAYOUTS['aim-in-data']!, { aim: ']Q1' }), 0, 2),
);
write(
  'hidpos-generic-customer-then-product.cap',
  ['Generic HID POS: a customer Gameball QR, then a product EAN-13', 'mode: hidpos', 'layout: generic'],
  [
    ...timed(encodeHidPosScan(utf8('mobile_966500001234123456'), SPEC_LAYOUTS.generic!), 0, 2),
    ...timed(encodeHidPosScan(utf8('4006381333931'), SPEC_LAYOUTS.generic!), 1500, 2),
  ],
);
write(
  'hidpos-stalled-scan.cap',
  ['Generic HID POS: a long scan cut off after its first report (cable pulled), then a fresh scan', 'mode: hidpos', 'layout: generic'],
  [
    { bytes: encodeHidPosScan(utf8(LINK), SPEC_LAYOUTS.generic!)[0]!, at: 0 },
    ...timed(encodeHidPosScan(utf8('REF123456'), SPEC_LAYOUTS.generic!), 6000, 2),
  ],
);
write(
  'keyboard-referral-code.cap',
  ['Keyboard-mode scanner read through hidraw: 8-byte boot reports, release after each key', 'referral code REF123456 then Enter'],
  timed(encodeKeyboardScan('REF123456'), 0, 2),
);
write(
  'keyboard-rollover-customer.cap',
  ['Keyboard-mode scanner with numbered reports (id 1), straight rollover, Tab suffix', 'customer QR mobile_966500001234123456'],
  timed(encodeKeyboardScan('mobile_966500001234123456', { style: 'rollover', reportId: 1, terminator: 0x2b }), 0, 1),
);
write(
  'keyboard-referral-link.cap',
  ['Keyboard-mode scanner: the referral link typed key by key (shift for capitals and ? & =)'],
  timed(encodeKeyboardScan(LINK, { shiftFirst: true }), 0, 1),
);
