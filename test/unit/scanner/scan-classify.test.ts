import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  classifyScan,
  DEFAULT_CLASSIFY_OPTIONS,
  isValidGtin,
  ScanClassificationSchema,
  ScanEventSchema,
  ScanKindSchema,
  stripAim,
} from '../../../preload/scan-classify.ts';
import type { ClassifyOptions, ScanClassification } from '../../../preload/scan-classify.ts';
import * as api from '../../../preload/api.ts';

type Row = [string, string, Partial<ScanClassification>];

const customer: Row[] = [
  ['Gameball customer QR', 'mobile_966500001234123456', { kind: 'customer', customerId: 'mobile_966500001234', hash: '123456' }],
  [
    'customer QR with AIM id',
    ']Q1mobile_965500001234000001',
    { kind: 'customer', symbology: ']Q1', customerId: 'mobile_965500001234', hash: '000001' },
  ],
  // A bare customer id is the customer, whole: never an id and a hash (the misreading was
  // `mobile_966500` + hash `001234`, a different customer).
  ["bare customer id (the POS guide's mobile id)", 'mobile_966500001234', { kind: 'customer', customerId: 'mobile_966500001234' }],
  ['bare customer id, 15 digits (the longest E.164)', 'mobile_123456789012345', { kind: 'customer', customerId: 'mobile_123456789012345' }],
  ['bare customer id with AIM id', ']Q1mobile_96550000123', { kind: 'customer', symbology: ']Q1', customerId: 'mobile_96550000123' }],
  [
    'QR of the longest id (15 + 6 digits)',
    'mobile_123456789012345000042',
    { kind: 'customer', customerId: 'mobile_123456789012345', hash: '000042' },
  ],
  ['QR of a 10-digit id', 'mobile_1234567890654321', { kind: 'customer', customerId: 'mobile_1234567890', hash: '654321' }],
  ['prefix then an id that is not digits', 'mobile_96650000123a', { kind: 'customer', customerId: 'mobile_96650000123a' }],
  ['prefix then six digits', 'mobile_123456', { kind: 'customer', customerId: 'mobile_123456' }],
  ['prefix then more digits than any QR holds', `mobile_${'1'.repeat(22)}`, { kind: 'customer', customerId: `mobile_${'1'.repeat(22)}` }],
  ['the prefix alone', 'mobile_', { kind: 'referral', referrerCode: 'mobile_' }],
  ['prefix then a character no customer id has', 'mobile_9665!0001234', { kind: 'unknown', reason: 'unrecognised' }],
];

const referral: Row[] = [
  ['GBReferral link', 'https://shop.example/join?GBReferral=Vg6945F76CkP1B', { kind: 'referral', referrerCode: 'Vg6945F76CkP1B' }],
  ['GbReferral link', 'https://shop.example/?a=1&GbReferral=REF123456', { kind: 'referral', referrerCode: 'REF123456' }],
  ['ReferralCode link', 'http://shop.example/r?ReferralCode=AB12', { kind: 'referral', referrerCode: 'AB12' }],
  ['referralCode link', 'https://shop.example/r?referralCode=abc_123', { kind: 'referral', referrerCode: 'abc_123' }],
  ['referrerCode link', 'https://shop.example/r?referrerCode=X-1-Y', { kind: 'referral', referrerCode: 'X-1-Y' }],
  ['ref link', 'https://shop.example/r?ref=FRIEND10', { kind: 'referral', referrerCode: 'FRIEND10' }],
  ['parameter name in another case', 'https://shop.example/r?gbreferral=Code99', { kind: 'referral', referrerCode: 'Code99' }],
  ['upper-case QR alphanumeric link', 'HTTPS://SHOP.EXAMPLE/R?REF=ABC12', { kind: 'referral', referrerCode: 'ABC12' }],
  ['code in a fragment route', 'https://shop.example/#/join?referralCode=QQ11', { kind: 'referral', referrerCode: 'QQ11' }],
  [
    'store preference order wins over ref',
    'https://shop.example/?ref=generic1&GBReferral=Preferred1',
    { kind: 'referral', referrerCode: 'Preferred1' },
  ],
  ['AIM-prefixed link', ']Q1https://shop.example/?ref=AIMCODE1', { kind: 'referral', symbology: ']Q1', referrerCode: 'AIMCODE1' }],
  ['bare code', 'REF123456', { kind: 'referral', referrerCode: 'REF123456' }],
  ['bare code with - and _', 'ab-cd_12', { kind: 'referral', referrerCode: 'ab-cd_12' }],
  ['bare code of 4', 'AB12', { kind: 'referral', referrerCode: 'AB12' }],
  ['bare code of 32', 'A'.repeat(32), { kind: 'referral', referrerCode: 'A'.repeat(32) }],
  ['trailing CR LF from the scanner', 'REF123456\r\n', { kind: 'referral', referrerCode: 'REF123456', text: 'REF123456' }],
];

const product: Row[] = [
  ['EAN-13', '4006381333931', { kind: 'product', format: 'ean13' }],
  ['EAN-13 with AIM ]E0', ']E04006381333931', { kind: 'product', format: 'ean13', symbology: ']E0', text: '4006381333931' }],
  ['EAN-8', '96385074', { kind: 'product', format: 'ean8' }],
  ['UPC-A', '036000291452', { kind: 'product', format: 'upca' }],
  // Check digits computed by hand with the GS1 mod-10 rule (weights 3,1 from the right).
  ['EAN-13, ISBN (978)', '9780201379624', { kind: 'product', format: 'ean13' }],
  ['EAN-13, Saudi GS1 prefix 629', '6291041500213', { kind: 'product', format: 'ean13' }],
  ['EAN-8 with AIM ]E4', ']E440170725', { kind: 'product', format: 'ean8', symbology: ']E4', text: '40170725' }],
  ['UPC-A 012345678905', '012345678905', { kind: 'product', format: 'upca' }],
];

const unknown: Row[] = [
  ['EAN-13 with a wrong check digit', '4006381333932', { kind: 'unknown', reason: 'bad-check-digit' }],
  ['UPC-A with a wrong check digit', '036000291453', { kind: 'unknown', reason: 'bad-check-digit' }],
  ['digits of no GTIN length', '1234567', { kind: 'unknown', reason: 'unrecognised' }],
  ['EAN-8 with a wrong check digit', '40170726', { kind: 'unknown', reason: 'bad-check-digit' }],
  ['13 digits with a wrong check digit never become a bare code', '6291041500214', { kind: 'unknown', reason: 'bad-check-digit' }],
  ['digits only, 9 long (a bare code needs a letter)', '123456789', { kind: 'unknown', reason: 'unrecognised' }],
  ['bare code with a character outside letters, digits, - and _', 'REF12!34', { kind: 'unknown', reason: 'unrecognised' }],
  ['bare code with a dot', 'REF.1234', { kind: 'unknown', reason: 'unrecognised' }],
  [
    'link whose only parameters are not referral ones',
    'https://shop.example/p?utm_source=qr&id=42',
    { kind: 'unknown', reason: 'link-without-referral-code' },
  ],
  ['short dynamic link (no code)', 'https://gb.page.link/AbCd', { kind: 'unknown', reason: 'link-without-referral-code' }],
  ['link with an empty referral parameter', 'https://shop.example/?ref=', { kind: 'unknown', reason: 'referral-code-invalid' }],
  ['link with a hostile referral value', 'https://shop.example/?ref=%3Cscript%3E', { kind: 'unknown', reason: 'referral-code-invalid' }],
  ['link with a too-long code', `https://shop.example/?ref=${'a'.repeat(65)}`, { kind: 'unknown', reason: 'referral-code-invalid' }],
  [
    'link with an extra slash (read as the host, like a browser does)',
    'https:///shop.example?ref=ABCD',
    { kind: 'referral', referrerCode: 'ABCD' },
  ],
  ['malformed link', 'http://[::1', { kind: 'unknown', reason: 'malformed-link' }],
  ['bare code of 3', 'AB1', { kind: 'unknown', reason: 'unrecognised' }],
  ['bare code of 33', 'A'.repeat(33), { kind: 'unknown', reason: 'unrecognised' }],
  ['words with spaces', 'hello world', { kind: 'unknown', reason: 'unrecognised' }],
  ['symbols only', '----', { kind: 'unknown', reason: 'unrecognised' }],
  ['Arabic text', 'مرحبا بكم', { kind: 'unknown', reason: 'unrecognised' }],
  ['empty', '', { kind: 'unknown', reason: 'empty' }],
  ['only whitespace', ' \t\r\n', { kind: 'unknown', reason: 'empty' }],
  ['only an AIM id', ']Q1', { kind: 'unknown', reason: 'empty', symbology: ']Q1' }],
];

const rejected: Row[] = [
  ['javascript: URL', 'javascript:alert(1)', { kind: 'rejected', reason: 'scheme-not-allowed' }],
  ['JavaScript: in mixed case', 'JaVaScRiPt:alert(1)', { kind: 'rejected', reason: 'scheme-not-allowed' }],
  ['data: URL', 'data:text/html,<script>alert(1)</script>', { kind: 'rejected', reason: 'scheme-not-allowed' }],
  ['file: URL', 'file:///etc/passwd', { kind: 'rejected', reason: 'scheme-not-allowed' }],
  ['AIM + javascript:', ']Q1javascript:alert(1)', { kind: 'rejected', reason: 'scheme-not-allowed' }],
  ['NUL inside', 'REF\u0000123', { kind: 'rejected', reason: 'control-characters', text: 'REF\\x00123' }],
  ['ESC sequence', '\u001b[2JREF1234', { kind: 'rejected', reason: 'control-characters' }],
  ['GS separator inside', 'ABC\u001dDEF', { kind: 'rejected', reason: 'control-characters' }],
  ['DEL', 'ABCD\u007f', { kind: 'rejected', reason: 'control-characters' }],
  ['C1 control', 'ABCD\u0085', { kind: 'rejected', reason: 'control-characters' }],
  ['bidi override (trojan source)', 'REF\u202e4321', { kind: 'rejected', reason: 'control-characters', text: 'REF\\u202e4321' }],
  ['zero-width space', 'REF\u200b1234', { kind: 'rejected', reason: 'control-characters' }],
  ['vbscript: URL', 'vbscript:msgbox(1)', { kind: 'rejected', reason: 'scheme-not-allowed' }],
  ['javascript: after leading spaces', '  javascript:alert(1)', { kind: 'rejected', reason: 'scheme-not-allowed' }],
  ['javascript: split by a tab', 'java\tscript:alert(1)', { kind: 'rejected', reason: 'control-characters' }],
  ['data: with AIM ]Q1', ']Q1data:text/html;base64,PHNjcmlwdD4=', { kind: 'rejected', reason: 'scheme-not-allowed', symbology: ']Q1' }],
  ['FILE: in capitals', 'FILE:///C:/Windows/win.ini', { kind: 'rejected', reason: 'scheme-not-allowed' }],
  ['Arabic letter mark (bidi)', 'REF\u061c1234', { kind: 'rejected', reason: 'control-characters', text: 'REF\\u061c1234' }],
  ['right-to-left isolate', '\u2067REF1234', { kind: 'rejected', reason: 'control-characters' }],
  ['left-to-right mark', 'REF1234\u200e', { kind: 'rejected', reason: 'control-characters' }],
  ['soft hyphen', 'REF\u00ad1234', { kind: 'rejected', reason: 'control-characters' }],
  ['line separator', 'REF\u20281234', { kind: 'rejected', reason: 'control-characters' }],
  ['BOM', '\ufeffREF1234', { kind: 'rejected', reason: 'control-characters' }],
  ['interlinear annotation', 'REF\ufff91234', { kind: 'rejected', reason: 'control-characters' }],
  ['NUL inside a referral link', 'https://shop.example/?ref=AB\u000012', { kind: 'rejected', reason: 'control-characters' }],
  ['2,049 characters', 'A'.repeat(2049), { kind: 'rejected', reason: 'too-long' }],
  ['a link of 3,000 characters', `https://shop.example/?ref=ABCD&pad=${'x'.repeat(3000)}`, { kind: 'rejected', reason: 'too-long' }],
];

describe('classifyScan', () => {
  it.each([...customer, ...referral, ...product, ...unknown, ...rejected])('%s', (_name, input, expected) => {
    const c = classifyScan(input);
    expect(c).toMatchObject(expected);
    expect(ScanClassificationSchema.safeParse(c).success).toBe(true);
    if (c.kind === 'referral') expect(c.referrerCode).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    if (c.kind !== 'referral') expect(c.referrerCode).toBeUndefined();
    if (c.kind !== 'customer') expect(c.customerId).toBeUndefined();
  });

  it('accepts exactly 2,048 characters', () => {
    expect(classifyScan(`https://shop.example/?ref=ABCD&p=${'x'.repeat(2048 - 33)}`)).toMatchObject({ kind: 'referral' });
  });

  it('shows a rejected scan as a bounded, escaped preview, never the raw text', () => {
    const c = classifyScan(`\u0000${'A'.repeat(5000)}`);
    expect(c.kind).toBe('rejected');
    expect(c.text.length).toBeLessThanOrEqual(260);
    expect(c.text.includes(String.fromCharCode(0))).toBe(false);
  });

  it('uses configured customer prefixes and referral parameters', () => {
    const opts: ClassifyOptions = { customerIdPrefixes: ['cust-', 'mobile_'], referralParams: ['invite'], receiptPattern: null };
    expect(classifyScan('cust-4200123456234567', opts)).toMatchObject({ kind: 'customer', customerId: 'cust-4200123456', hash: '234567' });
    // A bare id after any configured prefix is that customer, never split.
    expect(classifyScan('cust-42001234567', opts)).toEqual({ kind: 'customer', text: 'cust-42001234567', customerId: 'cust-42001234567' });
    expect(classifyScan('https://shop.example/?invite=FRIEND1', opts)).toMatchObject({ kind: 'referral', referrerCode: 'FRIEND1' });
    // Not one of this store's names any more.
    expect(classifyScan('https://shop.example/?ref=FRIEND1', opts)).toMatchObject({
      kind: 'unknown',
      reason: 'link-without-referral-code',
    });
  });

  it('recognises receipt numbers only when the store sets a pattern, before product and code rules', () => {
    expect(classifyScan('R-000123').kind).toBe('referral');
    const opts: ClassifyOptions = { ...DEFAULT_CLASSIFY_OPTIONS, receiptPattern: 'R-\\d{6}|\\d{13}|POS:\\d+' };
    expect(classifyScan('R-000123', opts)).toMatchObject({ kind: 'receipt', text: 'R-000123' });
    expect(classifyScan('4006381333931', opts)).toMatchObject({ kind: 'receipt' });
    expect(classifyScan('POS:1234', opts)).toMatchObject({ kind: 'receipt' });
    // The pattern must match the whole text.
    expect(classifyScan('xR-000123', opts).kind).not.toBe('receipt');
    // Hostile text stays rejected even when a lax pattern would match it.
    expect(classifyScan('javascript:alert(1)', { ...opts, receiptPattern: '.*' })).toMatchObject({
      kind: 'rejected',
      reason: 'scheme-not-allowed',
    });
    expect(classifyScan('mailto:x@y.z', { ...opts, receiptPattern: null })).toMatchObject({
      kind: 'rejected',
      reason: 'scheme-not-allowed',
    });
    expect(classifyScan('a\u0000b', { ...opts, receiptPattern: '.*' }).kind).toBe('rejected');
  });

  it('never runs a receipt pattern that could backtrack for long, whatever options it is given, and bounds what it runs', () => {
    const time = (text: string, receiptPattern: string) => {
      const started = performance.now();
      const c = classifyScan(text, { ...DEFAULT_CLASSIFY_OPTIONS, receiptPattern });
      return { kind: c.kind, ms: performance.now() - started };
    };
    // (a+)+ took over a minute on 28 characters; 24 are enough to take seconds.
    expect(time(`${'a'.repeat(24)}!`, '(a+)+')).toMatchObject({ kind: 'unknown' });
    expect(time(`${'a'.repeat(24)}!`, '(a+)+').ms).toBeLessThan(100);
    expect(time(`${'a'.repeat(24)}c`, '(a|aa)*b').ms).toBeLessThan(100);
    // An allowed pattern with three open repeats side by side is only ever tried on a text of
    // receipt-number length: a 2,000-character scan is not a receipt and costs nothing.
    expect(time(`${'1'.repeat(2000)}!`, '\\d*\\d*\\d*')).toMatchObject({ kind: 'unknown' });
    expect(time(`${'1'.repeat(2000)}!`, '\\d*\\d*\\d*').ms).toBeLessThan(100);
    expect(classifyScan('1234567-89', { ...DEFAULT_CLASSIFY_OPTIONS, receiptPattern: '\\d*\\d*-\\d*' }).kind).toBe('receipt');
  });

  it('ignores an invalid receipt pattern instead of throwing', () => {
    expect(classifyScan('R-1', { ...DEFAULT_CLASSIFY_OPTIONS, receiptPattern: '([' }).kind).toBe('unknown');
  });

  it('is total even for non-strings and broken options at run time', () => {
    for (const bad of [undefined, null, 42, {}, [], Symbol('x')]) {
      expect(classifyScan(bad as unknown as string)).toMatchObject({ kind: 'rejected', reason: 'not-text' });
    }
    expect(ScanKindSchema.options).toContain(classifyScan('REF1234', {} as ClassifyOptions).kind);
  });
});

describe('GTIN check digits (GS1 General Specifications, mod 10 with weights 3,1)', () => {
  it.each([
    ['4006381333931', true],
    ['4006381333930', false],
    ['96385074', true],
    ['96385075', false],
    ['036000291452', true],
    ['5901234123457', true],
    ['abc', false],
    ['', false],
  ])('%s -> %s', (digits, ok) => expect(isValidGtin(digits)).toBe(ok));
});

describe('AIM symbology identifiers (ISO/IEC 15424: "]" + symbology letter + modifier)', () => {
  // QR Code modifiers 0..6 (model 1; model 2 with or without ECI; FNC1 in first or second place).
  it.each(['0', '1', '2', '3', '4', '5', '6'])(']Q%s is stripped and kept; the data is classified on its own', (m) => {
    expect(classifyScan(`]Q${m}https://shop.example/?GBReferral=QR${m}CODE`)).toMatchObject({
      kind: 'referral',
      symbology: `]Q${m}`,
      referrerCode: `QR${m}CODE`,
      text: `https://shop.example/?GBReferral=QR${m}CODE`,
    });
    expect(classifyScan(`]Q${m}mobile_966500001234123456`)).toMatchObject({
      kind: 'customer',
      symbology: `]Q${m}`,
      customerId: 'mobile_966500001234',
    });
  });
  it.each([
    [']E0', '4006381333931', 'product'], // EAN-13 / UPC-A
    [']E4', '96385074', 'product'], // EAN-8
    [']C0', 'R-000123', 'referral'], // Code 128
    [']C1', '0104006381333931', 'unknown'], // GS1-128
    [']A0', 'REF123456', 'referral'], // Code 39
    [']d1', 'REF123456', 'referral'], // Data Matrix
    [']d2', '0104006381333931', 'unknown'], // GS1 DataMatrix
    [']L0', 'REF123456', 'referral'], // PDF417
    [']z0', 'REF123456', 'referral'], // Aztec
    [']I0', '12345678', 'unknown'], // Interleaved 2 of 5 (8 digits, bad GTIN check digit)
    [']e0', '0104006381333931', 'unknown'], // GS1 DataBar
  ])('%s', (aim, data, kind) => {
    expect(classifyScan(`${aim}${data}`)).toMatchObject({ kind, symbology: aim, text: data });
  });
  it('only one identifier is stripped, and only at the start', () => {
    expect(classifyScan(']Q1]Q1REF1234')).toMatchObject({ symbology: ']Q1', text: ']Q1REF1234', kind: 'unknown' });
    expect(classifyScan('REF]Q11234')).toMatchObject({ kind: 'unknown' });
    expect(classifyScan('REF]Q11234').symbology).toBeUndefined();
  });
});

describe('stripAim', () => {
  it.each([
    [']Q1abc', ']Q1', 'abc'],
    [']E04006381333931', ']E0', '4006381333931'],
    [']d1x', ']d1', 'x'],
    ['Q1abc', undefined, 'Q1abc'],
    [']1Qabc', undefined, ']1Qabc'],
  ])('%s', (input, symbology, data) => expect(stripAim(input)).toEqual(symbology ? { symbology, data } : { data }));
});

describe('properties', () => {
  const kinds = new Set(ScanKindSchema.options);
  it('classification of any string is one of the six kinds and a valid ScanClassification', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 3000 }),
          fc.string({ unit: 'binary', maxLength: 300 }),
          fc.webUrl({ withQueryParameters: true, withFragments: true }),
        ),
        (s) => {
          const c = classifyScan(s);
          expect(kinds.has(c.kind)).toBe(true);
          expect(ScanClassificationSchema.safeParse(c).success).toBe(true);
          if (c.kind === 'unknown' || c.kind === 'rejected') expect(c.reason).toBeDefined();
        },
      ),
      { numRuns: 1500, seed: 4242 },
    );
  });
  it('any referral link built from a known parameter and a valid code gives that code back', () => {
    const code = fc.stringMatching(/^[A-Za-z0-9_-]{4,32}$/);
    const param = fc.constantFrom(...DEFAULT_CLASSIFY_OPTIONS.referralParams);
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: false, withFragments: false }), param, code, (url, p, c) => {
        const link = `${url}${url.includes('?') ? '&' : '?'}${p}=${c}`;
        fc.pre(link.length <= 2048);
        expect(classifyScan(link)).toMatchObject({ kind: 'referral', referrerCode: c });
      }),
      { numRuns: 500, seed: 7 },
    );
  });
  const prefixes = ['mobile_', 'cust-', 'gb.'];
  const opts: ClassifyOptions = { customerIdPrefixes: prefixes, referralParams: ['ref'], receiptPattern: null };
  it('a bare customer id after any configured prefix is that customer, whole, with no hash', () => {
    const mobileId = fc.stringMatching(/^[1-9][0-9]{0,14}$/);
    const otherId = fc.stringMatching(/^[A-Za-z0-9_.@+-]{1,120}$/).filter((b) => !/^[0-9]{16,21}$/.test(b));
    fc.assert(
      fc.property(fc.constantFrom(...prefixes), fc.oneof(mobileId, otherId), (prefix, body) => {
        expect(classifyScan(prefix + body, opts)).toEqual({ kind: 'customer', text: prefix + body, customerId: prefix + body });
      }),
      { numRuns: 1000, seed: 11 },
    );
  });
  it('a Gameball QR (an id of 10-15 digits, then 6 digits) gives that id and hash back', () => {
    const id = fc.stringMatching(/^[1-9][0-9]{9,14}$/);
    const hash = fc.stringMatching(/^[0-9]{6}$/);
    fc.assert(
      fc.property(fc.constantFrom(...prefixes), id, hash, fc.constantFrom('', ']Q1', ']Q0'), (prefix, body, h, aim) => {
        expect(classifyScan(`${aim}${prefix}${body}${h}\r\n`, opts)).toMatchObject({
          kind: 'customer',
          customerId: prefix + body,
          hash: h,
        });
      }),
      { numRuns: 1000, seed: 12 },
    );
  });
  it('events carry a classification the schema accepts', () => {
    const c = classifyScan('REF123456');
    expect(ScanEventSchema.parse({ source: 'keyboard', classification: c, at: 1 })).toEqual({
      source: 'keyboard',
      classification: c,
      at: 1,
    });
  });
});

// The contract (preload/api.ts) re-declares the scan event the classifier makes: the two stay in step.
describe('scans on the wire', () => {
  it('the contract names the same scan kinds, sources and fields as the classifier', () => {
    expect(api.ScanKindSchema.options).toEqual(ScanClassificationSchema.shape.kind.options);
    expect(api.ScanSourceSchema.options).toEqual(ScanEventSchema.shape.source.options);
    expect(Object.keys(api.ScanEventWireSchema.shape).sort()).toEqual(Object.keys(ScanEventSchema.shape).sort());
  });

  it.each([
    'https://shop.example/r?GBReferral=REF123456',
    'mobile_966500001234123456',
    '6291041500213',
    'javascript:alert(1)',
    '',
    ']Q1REF777777',
  ])('a classified scan of %j fits the contract and keeps every classifier field', (text) => {
    const event = { source: 'keyboard' as const, classification: classifyScan(text), at: 1 };
    const wire = api.ScanEventWireSchema.parse(ScanEventSchema.parse(event));
    expect(wire.classification).toEqual(event.classification);
  });
});
