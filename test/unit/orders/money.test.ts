import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currencyExponent, formatMinor, isKnownCurrency, MAX_MAJOR_UNITS, MoneyError, toMinorUnits } from '../../../main/orders/money.ts';

describe('currencyExponent', () => {
  it.each([
    ['SAR', 2],
    ['AED', 2],
    ['EGP', 2],
    ['USD', 2],
    ['KWD', 3],
    ['BHD', 3],
    ['JPY', 0],
  ])('%s has %i decimals', (code, exp) => {
    expect(currencyExponent(code)).toBe(exp);
  });

  it('refuses codes that are not ISO currencies', () => {
    expect(isKnownCurrency('XYZ')).toBe(false);
    expect(isKnownCurrency('sar')).toBe(false);
    expect(() => currencyExponent('ABCD')).toThrow(MoneyError);
  });
});

describe('toMinorUnits', () => {
  it.each([
    ['125.50', 'SAR', 12550],
    ['125.5', 'SAR', 12550],
    ['125', 'SAR', 12500],
    ['0', 'SAR', 0],
    ['.5', 'SAR', 50],
    ['1.234', 'KWD', 1234],
    ['1.5', 'KWD', 1500],
    ['1.500', 'KWD', 1500],
    ['1500', 'JPY', 1500],
    ['1500.00', 'JPY', 1500],
    [' 7.25 ', 'USD', 725],
    ['١٢٥٫٥٠', 'SAR', 12550],
    ['۱۲', 'SAR', 1200],
    [19.99, 'SAR', 1999],
  ])('%j %s -> %i', (input, currency, minor) => {
    expect(toMinorUnits(input, currency)).toBe(minor);
  });

  it.each([
    ['-1', 'SAR', /negative/],
    ['1.234', 'SAR', /at most 2 decimals/],
    ['1.2345', 'KWD', /at most 3 decimals/],
    ['1.5', 'JPY', /no decimals/],
    ['1e3', 'SAR', /not an amount/],
    ['NaN', 'SAR', /not an amount/],
    ['Infinity', 'SAR', /not an amount/],
    ['', 'SAR', /not an amount/],
    ['12,50', 'SAR', /not an amount/],
    ['0x10', 'SAR', /not an amount/],
    [String(MAX_MAJOR_UNITS + 1), 'SAR', /too large/],
    ['99999999999999999999', 'SAR', /too large/],
    [Number.NaN, 'SAR', /not a number/],
    [1e21, 'SAR', /not an amount/],
  ])('refuses %j in %s', (input, currency, message) => {
    expect(() => toMinorUnits(input, currency)).toThrow(message);
  });

  it('round-trips every minor amount through its decimal form, for 0, 2 and 3 decimal currencies', () => {
    fc.assert(
      fc.property(fc.constantFrom('SAR', 'KWD', 'JPY'), fc.double({ min: 0, max: 1, noNaN: true }), (currency, share) => {
        const minor = Math.floor(share * MAX_MAJOR_UNITS * 10 ** currencyExponent(currency));
        expect(toMinorUnits(formatMinor(minor, currency), currency)).toBe(minor);
      }),
    );
  });
});

describe('formatMinor', () => {
  it.each([
    [12550, 'SAR', '125.50'],
    [5, 'SAR', '0.05'],
    [1234, 'KWD', '1.234'],
    [7, 'KWD', '0.007'],
    [1500, 'JPY', '1500'],
  ])('%i %s -> %s', (minor, currency, text) => {
    expect(formatMinor(minor, currency)).toBe(text);
  });
});
