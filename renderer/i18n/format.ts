// Numbers, money, dates and ages for the cashier, always through Intl in the screen's language.
// Codes and ids (order ids, referral codes, receipt numbers) are not numbers: they are shown as
// typed, never localised, and wrapped in <bdi> by the components so RTL text cannot reorder them.
import { clockAdviceUnit } from '../../preload/clock-advice.ts';
import { currencyDigits, minorToDecimalText } from '../lib/money.ts';

export type Language = 'en' | 'ar';

/**
 * BCP 47 locale used for Intl in each screen language. Arabic uses Western digits explicitly
 * (`nu-latn`): order ids, mobiles and codes on the same row are Latin digits, the keypad types
 * them, and the default numbering system for `ar` differs between ICU versions.
 */
export const LOCALES: Record<Language, string> = { en: 'en-GB', ar: 'ar-u-nu-latn' };

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat | Intl.RelativeTimeFormat>();
function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat | Intl.RelativeTimeFormat>(key: string, make: () => T): T {
  let f = cache.get(key);
  if (!f) {
    f = make();
    cache.set(key, f);
  }
  return f as T;
}

export function formatMoney(minor: number, currency: string, lang: Language): string {
  const digits = currencyDigits(currency);
  // Exact decimal text first, then Intl for symbols and digits: avoids float division of minor units.
  const decimal = minorToDecimalText(minor, digits);
  try {
    const nf = cached(
      `money:${lang}:${currency}`,
      () =>
        new Intl.NumberFormat(LOCALES[lang], { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits }),
    );
    // Intl accepts decimal strings exactly (no float rounding) in current engines.
    return nf.format(decimal as Intl.StringNumericLiteral);
  } catch {
    return `${decimal} ${currency}`;
  }
}

export function formatNumber(n: number, lang: Language): string {
  return cached(`num:${lang}`, () => new Intl.NumberFormat(LOCALES[lang])).format(n);
}

export function formatDateTime(iso: string | number | Date, lang: Language): string {
  const d = iso instanceof Date ? iso : new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return cached(`dt:${lang}`, () => new Intl.DateTimeFormat(LOCALES[lang], { dateStyle: 'medium', timeStyle: 'short' })).format(d);
}

/** Compact date and time for table rows ("26/11/2026, 13:01"). */
export function formatShortDateTime(iso: string | number | Date, lang: Language): string {
  const d = iso instanceof Date ? iso : new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return cached(`sdt:${lang}`, () => new Intl.DateTimeFormat(LOCALES[lang], { dateStyle: 'short', timeStyle: 'short' })).format(d);
}

export function formatTime(iso: string | number | Date, lang: Language): string {
  const d = iso instanceof Date ? iso : new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return cached(`t:${lang}`, () => new Intl.DateTimeFormat(LOCALES[lang], { timeStyle: 'medium' })).format(d);
}

/** "5 minutes ago" / "قبل ٥ دقائق" for an age in milliseconds, in the largest sensible unit. */
export function formatAge(ageMs: number, lang: Language): string {
  const rtf = cached(`rel:${lang}`, () => new Intl.RelativeTimeFormat(LOCALES[lang], { numeric: 'auto', style: 'long' }));
  const s = Math.max(0, Math.round(ageMs / 1000));
  if (s < 60) return rtf.format(-s, 'second');
  const m = Math.round(s / 60);
  if (m < 60) return rtf.format(-m, 'minute');
  const h = Math.round(m / 60);
  if (h < 48) return rtf.format(-h, 'hour');
  return rtf.format(-Math.round(h / 24), 'day');
}

/** "2 days" / "يومان": a length of time in the coarse unit the clock advice uses (see clockAdviceUnit). */
export function formatDuration(ms: number, lang: Language): string {
  const { unit, value } = clockAdviceUnit(ms);
  return cached(`dur:${lang}:${unit}`, () => new Intl.NumberFormat(LOCALES[lang], { style: 'unit', unit, unitDisplay: 'long' })).format(
    value,
  );
}
