import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currencyDigits, minorToDecimalText, parseAmount } from '../../../../renderer/lib/money.ts';

describe('currencyDigits', () => {
  it('follows ISO 4217 minor units', () => {
    expect(currencyDigits('SAR')).toBe(2);
    expect(currencyDigits('KWD')).toBe(3);
    expect(currencyDigits('BHD')).toBe(3);
    expect(currencyDigits('JPY')).toBe(0);
    expect(currencyDigits('EGP')).toBe(2);
  });
});

describe('parseAmount', () => {
  const cases: Array<[string, number, ReturnType<typeof parseAmount>]> = [
    ['12.5', 2, { ok: true, minor: 1250 }],
    ['12.50', 2, { ok: true, minor: 1250 }],
    ['12', 2, { ok: true, minor: 1200 }],
    ['.5', 2, { ok: true, minor: 50 }],
    ['1,250.75', 2, { ok: true, minor: 125075 }],
    ['١٢٫٥', 2, { ok: true, minor: 1250 }],
    ['0.125', 3, { ok: true, minor: 125 }],
    ['7', 3, { ok: true, minor: 7000 }],
    ['1500', 0, { ok: true, minor: 1500 }],
    ['1500.0', 0, { ok: true, minor: 1500 }],
    ['0.1', 2, { ok: true, minor: 10 }],
    ['', 2, { ok: false, reason: 'empty' }],
    ['   ', 2, { ok: false, reason: 'empty' }],
    ['abc', 2, { ok: false, reason: 'invalid' }],
    ['1.2.3', 2, { ok: false, reason: 'invalid' }],
    ['-5', 2, { ok: false, reason: 'invalid' }],
    ['1e3', 2, { ok: false, reason: 'invalid' }],
    ['.', 2, { ok: false, reason: 'invalid' }],
    ['12.345', 2, { ok: false, reason: 'too-many-decimals' }],
    ['12.5', 0, { ok: false, reason: 'too-many-decimals' }],
    ['0', 2, { ok: false, reason: 'not-positive' }],
    ['0.00', 2, { ok: false, reason: 'not-positive' }],
    ['99999999999999999', 2, { ok: false, reason: 'too-large' }],
  ];
  it.each(cases)('%j with %i decimals', (input, digits, expected) => {
    expect(parseAmount(input, digits)).toEqual(expected);
  });

  it('round-trips every minor amount through its decimal text exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e13 }), fc.constantFrom(0, 2, 3), (minor, digits) => {
        expect(parseAmount(minorToDecimalText(minor, digits), digits)).toEqual({ ok: true, minor });
      }),
    );
  });

  it('never throws on any text', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom(0, 2, 3), (s, d) => {
        const r = parseAmount(s, d);
        expect(typeof r.ok).toBe('boolean');
      }),
    );
  });
});

describe('minorToDecimalText', () => {
  it('places the decimal point by the currency digits', () => {
    expect(minorToDecimalText(1250, 2)).toBe('12.50');
    expect(minorToDecimalText(5, 3)).toBe('0.005');
    expect(minorToDecimalText(1500, 0)).toBe('1500');
    expect(minorToDecimalText(-1250, 2)).toBe('-12.50');
  });
});
