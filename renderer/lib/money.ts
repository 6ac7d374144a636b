// Money on the screen: the cashier types a decimal amount, the contract carries integer minor
// units (SAR 2 digits, KWD 3, JPY 0). Conversion happens here, once, on exact digit strings:
// never through floating point, so 0.1 + 0.2 problems cannot reach an order.
import { normalizeDigits } from '../../preload/digits.ts';

/** Number of minor-unit digits of an ISO 4217 currency, as the browser's Intl data says. */
export function currencyDigits(currency: string): number {
  try {
    const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
    return digits ?? 2;
  } catch {
    return 2;
  }
}

export type AmountParse =
  { ok: true; minor: number } | { ok: false; reason: 'empty' | 'invalid' | 'too-many-decimals' | 'not-positive' | 'too-large' };

/**
 * Parses what a cashier typed ("12.5", "1,250.00", "١٢٫٥") into minor units of a currency with
 * `digits` decimals. Grouping commas and spaces are ignored; at most one decimal point; more
 * decimals than the currency has are refused rather than rounded (a typo must not change money).
 */
export function parseAmount(input: string, digits: number): AmountParse {
  const text = normalizeDigits(input).replace(/[\s,\u00a0\u202f]/g, '');
  if (text === '') return { ok: false, reason: 'empty' };
  const match = /^(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (match[1] === '' && (match[2] ?? '') === '')) return { ok: false, reason: 'invalid' };
  const whole = match[1] ?? '';
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > digits) return { ok: false, reason: 'too-many-decimals' };
  const minorText = (whole + fraction.padEnd(digits, '0')).replace(/^0+(?=\d)/, '');
  if (minorText.length > 15) return { ok: false, reason: 'too-large' };
  const minor = Number(minorText);
  if (!Number.isSafeInteger(minor)) return { ok: false, reason: 'too-large' };
  if (minor <= 0) return { ok: false, reason: 'not-positive' };
  return { ok: true, minor };
}

/** Minor units back to the plain decimal text an input field shows ("12.50"), no grouping. */
export function minorToDecimalText(minor: number, digits: number): string {
  const sign = minor < 0 ? '-' : '';
  const abs = String(Math.abs(Math.trunc(minor))).padStart(digits + 1, '0');
  if (digits === 0) return sign + abs;
  return `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
}
