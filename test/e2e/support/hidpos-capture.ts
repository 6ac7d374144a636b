// Writes a scan as the capture file a Honeywell HID POS scanner (terminal ID 131) would have
// produced: 64-byte reports with id 0x02, the data length at byte 1, the AIM identifier at bytes
// 2-4, up to 56 data bytes from byte 5, Honeywell's code id at byte 61 and the "more data
// follows" flag at byte 63 (the layout of test/fixtures/scanner/hidpos-honeywell-*.cap). Used for
// scans only known at run time, such as the referral code the simulator gives a customer.
const REPORT_SIZE = 64;
const DATA_OFFSET = 5;
const MAX_DATA = 56;

const SYMBOLOGIES = {
  qr: { aim: ']Q1', codeId: 0x73 },
  ean13: { aim: ']E0', codeId: 0x64 },
} as const;

export function honeywellHidPosCapture(text: string, symbology: keyof typeof SYMBOLOGIES = 'qr', comment = 'generated'): string {
  const bytes = new TextEncoder().encode(text);
  const { aim, codeId } = SYMBOLOGIES[symbology];
  const lines = [`# ${comment}`, '# mode: hidpos', '# layout: honeywell'];
  for (let offset = 0, at = 0; offset < bytes.length; offset += MAX_DATA, at += 2) {
    const chunk = bytes.subarray(offset, offset + MAX_DATA);
    const report = new Uint8Array(REPORT_SIZE);
    report[0] = 0x02;
    report[1] = chunk.length;
    report.set(new TextEncoder().encode(aim), 2);
    report.set(chunk, DATA_OFFSET);
    report[61] = codeId;
    report[REPORT_SIZE - 1] = offset + MAX_DATA < bytes.length ? 0x01 : 0x00;
    lines.push(`@${at} ${Array.from(report, (b) => b.toString(16).padStart(2, '0')).join(' ')}`);
  }
  return `${lines.join('\n')}\n`;
}
