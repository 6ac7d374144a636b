// Receipt barcodes: the ZATCA e-invoice QR (Base64 of TLV: tag byte, length byte, UTF-8 value;
// tags 1-5 required, 6-9 in phase 2) and a store's receipt pattern with named groups. The QR
// texts here are built from the TLV rules with Node's own Buffer, not with the module under test.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeZatcaQr, readZatcaQr } from '../../../preload/receipt-qr.ts';
import { receiptPatternProblem } from '../../../preload/receipt-pattern.ts';
import { DEFAULT_CLASSIFY_OPTIONS, ScanClassificationSchema, classifyScan } from '../../../preload/scan-classify.ts';

/** One TLV field with the guideline's one-byte length (the value's length in bytes). */
function tlv(tag: number, value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  if (bytes.length > 255) throw new Error('test helper: value too long for one length byte');
  return Buffer.concat([Buffer.from([tag, bytes.length]), bytes]);
}
const qr = (...fields: Buffer[]): string => Buffer.concat(fields).toString('base64');

const SELLER = 'Bobs Records';
const VAT = '310122393500003';
const TIME = '2022-04-25T15:30:00Z';
const phase1 = (over: Partial<Record<1 | 2 | 3 | 4 | 5, string>> = {}): Buffer[] => [
  tlv(1, over[1] ?? SELLER),
  tlv(2, over[2] ?? VAT),
  tlv(3, over[3] ?? TIME),
  tlv(4, over[4] ?? '1000.00'),
  tlv(5, over[5] ?? '150.00'),
];
/** Phase 2 values: a hash as Base64 text, and binary signature, key and stamp with bytes that are not UTF-8. */
const phase2Tail = (): Buffer[] => [
  tlv(6, Buffer.alloc(32, 7).toString('base64')),
  tlv(7, Buffer.from(Array.from({ length: 72 }, (_, i) => (i * 37 + 0x80) & 0xff))),
  tlv(8, Buffer.from(Array.from({ length: 88 }, (_, i) => 0xff - i))),
  tlv(9, Buffer.from(Array.from({ length: 72 }, (_, i) => (i * 13) & 0xff))),
];

describe('ZATCA QR, phase 1', () => {
  it("reads the guideline's published example", () => {
    // ZATCA's QR code guideline example, as printed there.
    const text = 'AQxCb2JzIFJlY29yZHMCDzMxMDEyMjM5MzUwMDAwMwMUMjAyMi0wNC0yNVQxNTozMDowMFoEBzEwMDAuMDAFBjE1MC4wMA==';
    expect(readZatcaQr(text)).toEqual({
      ok: true,
      value: { sellerName: SELLER, vatNumber: VAT, time: TIME, total: '1000.00', vatTotal: '150.00', phase2: false },
    });
    expect(classifyScan(text)).toEqual({
      kind: 'receipt',
      text,
      sellerName: SELLER,
      vatNumber: VAT,
      time: TIME,
      total: '1000.00',
      vatTotal: '150.00',
      receiptKey: `zatca:${VAT}:${TIME}:1000.00`,
    });
  });

  it('counts lengths in bytes: an Arabic seller name of 2-byte letters', () => {
    const seller = 'شركة التموينات الحديثة';
    expect(Buffer.byteLength(seller)).toBeGreaterThan(seller.length);
    const text = qr(...phase1({ 1: seller }));
    expect(classifyScan(text)).toMatchObject({ kind: 'receipt', sellerName: seller, total: '1000.00' });
    // A generator that wrote the character count instead of the byte count leaves bytes over.
    const wrong = Buffer.concat([Buffer.from([1, seller.length]), Buffer.from(seller), ...phase1().slice(1)]).toString('base64');
    expect(classifyScan(wrong)).toMatchObject({ kind: 'rejected' });
  });

  it('reads a value of 128-255 bytes with its one length byte, and the ASN.1 long form (0x81 n) some generators write', () => {
    const seller = 'مؤسسة '.repeat(18).trim(); // 10 bytes a word: about 200 bytes
    const bytes = Buffer.byteLength(seller);
    expect(bytes).toBeGreaterThan(127);
    expect(bytes).toBeLessThan(256);
    expect(classifyScan(qr(...phase1({ 1: seller })))).toMatchObject({ kind: 'receipt', sellerName: seller });
    const asn1 = Buffer.concat([Buffer.from([1, 0x81, bytes]), Buffer.from(seller), ...phase1().slice(1)]).toString('base64');
    expect(classifyScan(asn1)).toMatchObject({ kind: 'receipt', sellerName: seller });
  });

  it('keeps the AIM identifier of a QR apart from the data', () => {
    const text = qr(...phase1());
    expect(classifyScan(`]Q1${text}`)).toMatchObject({ kind: 'receipt', symbology: ']Q1', text, vatNumber: VAT });
  });

  it('accepts the time forms invoices print: Z, an offset, local time, fractions', () => {
    for (const time of ['2022-04-25T15:30:00Z', '2022-04-25T15:30:00+03:00', '2022-04-25T15:30:00', '2022-04-25T15:30:00.123Z']) {
      expect(classifyScan(qr(...phase1({ 3: time })))).toMatchObject({ kind: 'receipt', time });
    }
  });

  it('gives two receipts the same key only when VAT number, time and total are the same', () => {
    const key = (over: Partial<Record<1 | 2 | 3 | 4 | 5, string>>) => classifyScan(qr(...phase1(over))).receiptKey;
    expect(key({})).toBe(key({ 1: 'Another name', 5: '1.00' }));
    expect(key({ 4: '1000.01' })).not.toBe(key({}));
    expect(key({ 3: '2022-04-25T15:30:01Z' })).not.toBe(key({}));
    expect(key({ 2: '300000000000003' })).not.toBe(key({}));
  });
});

describe('ZATCA QR, phase 2', () => {
  it('reads tags 1-5 and passes over the hash, signature, public key and stamp, binary or not', () => {
    const text = qr(...phase1(), ...phase2Tail());
    expect(readZatcaQr(text)).toMatchObject({ ok: true, value: { sellerName: SELLER, total: '1000.00', phase2: true } });
    expect(classifyScan(text)).toMatchObject({ kind: 'receipt', vatTotal: '150.00', receiptKey: `zatca:${VAT}:${TIME}:1000.00` });
  });

  it('gives a phase 2 QR the same key as the phase 1 QR of the same invoice', () => {
    expect(classifyScan(qr(...phase1(), ...phase2Tail())).receiptKey).toBe(classifyScan(qr(...phase1())).receiptKey);
  });
});

describe('malformed ZATCA QR: rejected with the reason, never thrown', () => {
  const valid = Buffer.concat(phase1());
  it.each([
    ['a length past the end', Buffer.concat([valid, Buffer.from([6, 200, 1, 2, 3])]).toString('base64'), 'receipt-tlv-overrun'],
    ['the last field cut short', valid.subarray(0, valid.length - 3).toString('base64'), 'receipt-tlv-overrun'],
    ['a lone tag byte at the end', Buffer.concat([valid, Buffer.from([6])]).toString('base64'), 'receipt-tlv-overrun'],
    ['an ASN.1 length form cut short', Buffer.concat([valid, Buffer.from([6, 0x82, 1])]).toString('base64'), 'receipt-tlv-overrun'],
    ['no VAT total (tag 5)', qr(...phase1().slice(0, 4), tlv(6, 'hash')), 'receipt-missing-field'],
    ['no VAT number (tag 2 given as tag 12)', qr(tlv(1, SELLER), tlv(12, VAT), ...phase1().slice(2)), 'receipt-missing-field'],
    ['tag 4 given twice', qr(...phase1(), tlv(4, '1.00')), 'receipt-missing-field'],
    ['a total with a comma', qr(...phase1({ 4: '1,000.00' })), 'receipt-bad-value'],
    ['a total in words', qr(...phase1({ 4: 'one thousand' })), 'receipt-bad-value'],
    ['a negative VAT total', qr(...phase1({ 5: '-150.00' })), 'receipt-bad-value'],
    ['an empty total', qr(...phase1({ 4: '' })), 'receipt-bad-value'],
    ['a VAT number of 14 digits', qr(...phase1({ 2: '31012239350000' })), 'receipt-bad-value'],
    ['a time that is not ISO 8601', qr(...phase1({ 3: '25/04/2022 15:30' })), 'receipt-bad-value'],
    ['month 13', qr(...phase1({ 3: '2022-13-25T15:30:00Z' })), 'receipt-bad-value'],
    ['a blank seller', qr(...phase1({ 1: '   ' })), 'receipt-bad-value'],
    ['a seller with a right-to-left override', qr(...phase1({ 1: 'Shop\u202eevil' })), 'receipt-bad-value'],
    ['a seller that is not UTF-8', qr(Buffer.from([1, 3, 0xff, 0xfe, 0x41]), ...phase1().slice(1)), 'receipt-bad-value'],
    // 70 bytes: 94 Base64 characters, then "==".
    ['Base64 with one "=" too few', `${valid.toString('base64').replace(/=+$/, '')}=`, 'receipt-not-base64'],
    ['Base64 of a length no bytes give (4n+1)', `${valid.toString('base64').replace(/=+$/, '')}AAA`, 'receipt-not-base64'],
  ])('%s', (_what, text, reason) => {
    const c = classifyScan(text);
    expect(c).toMatchObject({ kind: 'rejected', reason });
    expect(ScanClassificationSchema.safeParse(c).success).toBe(true);
  });

  it('leaves short Base64-looking texts to the other rules: a referral code starting AQ stays a code', () => {
    expect(classifyScan('AQUA1234')).toMatchObject({ kind: 'referral', referrerCode: 'AQUA1234' });
    expect(classifyScan('AQxCb2JzIFJlY29yZHMC').kind).toBe('referral');
  });
});

describe('receipt pattern with named groups', () => {
  const opts = { ...DEFAULT_CLASSIFY_OPTIONS, receiptPattern: 'R(?<receiptNo>\\d{4,8})\\*(?<total>[0-9.]{1,12})' };

  it('reads the receipt number and total from the groups and keys the receipt on its number', () => {
    expect(classifyScan('R1043*125.50', opts)).toEqual({
      kind: 'receipt',
      text: 'R1043*125.50',
      receiptNo: '1043',
      total: '125.50',
      receiptKey: 'receipt:1043',
    });
  });

  it('takes the whole text as the receipt number when the pattern names no group', () => {
    expect(classifyScan('R-000123', { ...opts, receiptPattern: 'R-\\d{6}' })).toEqual({
      kind: 'receipt',
      text: 'R-000123',
      receiptNo: 'R-000123',
      receiptKey: 'receipt:R-000123',
    });
  });

  it('refuses a scan whose total group holds no amount, rather than fill a wrong one', () => {
    expect(classifyScan('R1043*1.2.3', opts)).toMatchObject({ kind: 'rejected', reason: 'receipt-bad-value' });
  });

  it('refuses near misses of the group names when the pattern is set, and allows other names', () => {
    expect(receiptPatternProblem('R(?<receiptno>\\d+)')).toMatch(/<receiptno> would be ignored.*<receiptNo>/);
    expect(receiptPatternProblem('R(?<receipt_no>\\d+)')).toMatch(/<receiptNo>/);
    expect(receiptPatternProblem('R\\d+\\*(?<Total>\\d+)')).toMatch(/<Total> would be ignored.*<total>/);
    expect(receiptPatternProblem('(?<branch>[A-Z]{3})/(?<receiptNo>\\d+)')).toBeNull();
  });
});

const CONTROLS = '\\u0000-\\u001f';
const INVISIBLE = new RegExp(`[${CONTROLS}\\u007f-\\u009f\\u061c\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2069\\ufeff]`);

describe('properties', () => {
  const amount = fc.stringMatching(/^[0-9]{1,9}\.[0-9]{2}$/);
  const vat = fc.stringMatching(/^3[0-9]{13}3$/);
  // Any text a seller name can hold: letters of any script, no control or direction marks.
  const seller = fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 60 })
    .filter((s) => s.trim() !== '' && !INVISIBLE.test(s))
    .filter((s) => Buffer.byteLength(s) <= 255);
  const time = fc
    .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z'), noInvalidDate: true })
    .map((d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z'));

  it('any QR built from valid fields, with or without phase 2, reads back as those fields', () => {
    fc.assert(
      fc.property(seller, vat, time, amount, amount, fc.boolean(), (s, v, t, total, vatTotal, p2) => {
        const fields = [tlv(1, s), tlv(2, v), tlv(3, t), tlv(4, total), tlv(5, vatTotal), ...(p2 ? phase2Tail() : [])];
        const c = classifyScan(qr(...fields));
        expect(c).toMatchObject({ kind: 'receipt', sellerName: s.trim(), vatNumber: v, time: t, total, vatTotal });
        expect(c.receiptKey).toBe(`zatca:${v}:${t}:${total}`);
        // The module's own encoder agrees with the rules as written here.
        expect(encodeZatcaQr([1, 2, 3, 4, 5].map((tag, i) => ({ tag, value: [s, v, t, total, vatTotal][i]! })))).toBe(
          qr(...fields.slice(0, 5)),
        );
      }),
    );
  });

  it('a valid QR cut anywhere inside its five required fields is never a receipt', () => {
    fc.assert(
      fc.property(seller, vat, amount, fc.double({ min: 0, max: 1, noNaN: true }), (s, v, total, at) => {
        const whole = Buffer.concat([tlv(1, s), tlv(2, v), tlv(3, TIME), tlv(4, total), tlv(5, '1.00')]);
        const cut = whole.subarray(0, Math.floor(at * (whole.length - 1)));
        const c = classifyScan(cut.toString('base64'));
        expect(c.kind).not.toBe('receipt');
      }),
    );
  });

  it('classification of any Base64 text starting with tag 1 is total: a receipt or a rejection with a receipt reason', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 29, maxLength: 600 }), (bytes) => {
        bytes[0] = 1;
        const c = classifyScan(Buffer.from(bytes).toString('base64'));
        expect(ScanClassificationSchema.safeParse(c).success).toBe(true);
        if (c.kind !== 'receipt') expect(c).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/^receipt-/) as unknown });
      }),
    );
  });

  it('classification of any string never throws and always fits the schema', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 800 }), fc.base64String({ minLength: 40, maxLength: 800 })), (text) => {
        const c = classifyScan(text, { ...DEFAULT_CLASSIFY_OPTIONS, receiptPattern: 'R(?<receiptNo>\\d+)\\*(?<total>[0-9.]+)' });
        expect(ScanClassificationSchema.safeParse(c).success).toBe(true);
      }),
    );
  });
});
