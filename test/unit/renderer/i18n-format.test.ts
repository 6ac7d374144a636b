import { describe, expect, it } from 'vitest';
import { formatAge, formatDuration, formatMoney, formatNumber } from '../../../renderer/i18n/format.ts';

describe('formatting through Intl', () => {
  it('shows money with the currency digits, never float noise', () => {
    expect(formatMoney(1250, 'SAR', 'en')).toMatch(/SAR\s?12\.50/);
    expect(formatMoney(1005, 'KWD', 'en')).toMatch(/1\.005/);
    expect(formatMoney(1500, 'JPY', 'en')).toMatch(/1,500/);
    expect(formatMoney(1500, 'JPY', 'en')).not.toMatch(/\./);
    // 0.1 + 0.2 style amounts stay exact.
    expect(formatMoney(30, 'SAR', 'en')).toMatch(/0\.30/);
  });

  it('uses the Arabic currency symbol with Western digits in Arabic, whatever the ICU default', () => {
    const text = formatMoney(125075, 'SAR', 'ar');
    expect(text).toContain('ر.س');
    expect(text).toContain('1,250.75');
    expect(text).not.toMatch(/[\u0660-\u0669]/);
    expect(formatNumber(100000, 'ar')).toBe('100,000');
  });

  it('says ages in the largest sensible unit', () => {
    expect(formatAge(5 * 60_000, 'en')).toBe('5 minutes ago');
    expect(formatAge(3 * 3_600_000, 'en')).toBe('3 hours ago');
    expect(formatAge(5 * 60_000, 'ar')).toMatch(/دقائق/);
  });

  it('says a length of time (the clock warning) in the unit it rounds to', () => {
    expect(formatDuration(2 * 86_400_000, 'en')).toBe('2 days');
    expect(formatDuration(3_600_000, 'en')).toBe('1 hour');
    expect(formatDuration(5 * 60_000, 'en')).toBe('5 minutes');
    expect(formatDuration(2 * 86_400_000, 'ar')).toBe('يومان');
    expect(formatDuration(5 * 60_000, 'ar')).not.toMatch(/[\u0660-\u0669]/);
  });
});
