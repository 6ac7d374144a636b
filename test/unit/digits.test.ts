import { describe, expect, it } from 'vitest';
import { normalizeDigits } from '../../preload/digits.ts';

describe('normalizeDigits (screen, engine and CLI alike)', () => {
  it('turns Arabic-Indic and Persian digits and Arabic separators into ASCII', () => {
    expect(normalizeDigits('١٢٣٫٤٥')).toBe('123.45');
    expect(normalizeDigits('۰۵۰۰')).toBe('0500');
    expect(normalizeDigits('١٬٢٥٠')).toBe('1,250');
    expect(normalizeDigits('\u0660\u0665\u0660 \u0661\u0662\u0663')).toBe('050 123');
    expect(normalizeDigits('\u06f1\u06f2\u066b\u06f5')).toBe('12.5');
    expect(normalizeDigits('05\u0660\u0660')).toBe('0500');
  });

  it('leaves everything else alone', () => {
    expect(normalizeDigits('AB-12')).toBe('AB-12');
    expect(normalizeDigits('+966 50 000 1234')).toBe('+966 50 000 1234');
    expect(normalizeDigits('\u0661\u066a')).toBe('1\u066a'); // Arabic percent sign: not a digit
  });
});
