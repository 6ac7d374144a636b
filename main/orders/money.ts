// Money is integers: amounts live as minor units with the currency's exponent (SAR 2, KWD 3,
// JPY 0). Decimal strings from a person or a POS are converted here, once, exactly (no floats).
import { normalizeDigits } from '../../preload/digits.ts';

/** Largest amount accepted for one order or line, in major units. Anything above is a typo. */
export const MAX_MAJOR_UNITS = 1_000_000_000;

const exponentCache = new Map<string, number>();
let knownCurrencies: Set<string> | undefined;

export function isKnownCurrency(code: string): boolean {
  if (!/^[A-Z]{3}$/.test(code)) return false;
  knownCurrencies ??= new Set(Intl.supportedValuesOf('currency'));
  return knownCurrencies.has(code);
}

/** The number of decimals a currency has (ISO 4217 as Intl knows it): SAR 2, KWD 3, JPY 0. */
export function currencyExponent(currency: string): number {
  const cached = exponentCache.get(currency);
  if (cached !== undefined) return cached;
  if (!isKnownCurrency(currency)) throw new MoneyError(`Unknown currency "${currency}".`);
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  exponentCache.set(currency, digits);
  return digits;
}

export class MoneyError extends Error {
  override name = 'MoneyError';
}

const DECIMAL = /^(\d+)(?:\.(\d*))?$/;

/**
 * "12.5" SAR -> 1250. Accepts plain non-negative decimals (also written with Arabic-Indic digits
 * or a leading "."); trailing zeros beyond the exponent are fine ("1.500" KWD, "3.00" JPY).
 * Throws MoneyError for negatives, exponents, NaN/Infinity, more decimals than the currency has,
 * and amounts above MAX_MAJOR_UNITS.
 */
export function toMinorUnits(amount: string | number, currency: string): number {
  const exp = currencyExponent(currency);
  let text: string;
  if (typeof amount === 'number') {
    if (!Number.isFinite(amount)) throw new MoneyError('The amount is not a number.');
    text = String(amount);
  } else {
    text = normalizeDigits(amount.trim());
  }
  if (text.startsWith('.')) text = `0${text}`;
  if (text.startsWith('-')) throw new MoneyError('The amount cannot be negative.');
  const m = DECIMAL.exec(text);
  if (!m) throw new MoneyError(`"${String(amount)}" is not an amount (use digits and a "." for decimals, e.g. 125.50).`);
  const whole = m[1] ?? '0';
  const frac = (m[2] ?? '').replace(/0+$/, '');
  if (frac.length > exp) {
    throw new MoneyError(exp === 0 ? `${currency} amounts have no decimals.` : `${currency} amounts have at most ${exp} decimals.`);
  }
  const wholeN = Number(whole);
  if (!Number.isSafeInteger(wholeN) || wholeN > MAX_MAJOR_UNITS) {
    throw new MoneyError(`The amount is too large (at most ${MAX_MAJOR_UNITS.toLocaleString('en')}).`);
  }
  return wholeN * 10 ** exp + Number(frac.padEnd(exp, '0') || '0');
}

/** 1250 SAR -> "12.50". Exact for every value toMinorUnits produces. */
export function formatMinor(minor: number, currency: string): string {
  const exp = currencyExponent(currency);
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  if (exp === 0) return `${sign}${abs}`;
  const s = String(abs).padStart(exp + 1, '0');
  return `${sign}${s.slice(0, -exp)}.${s.slice(-exp)}`;
}

/** Gameball wants JSON numbers; the conversion happens once, at the edge, from minor units. */
export function minorToNumber(minor: number, currency: string): number {
  return Number(formatMinor(minor, currency));
}
