// Immediate feedback on a typed mobile number with the same library and metadata the engine uses
// to normalise it, so "valid" on the screen means "accepted" at capture.
import { getCountryCallingCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js/max';
import { normalizeDigits } from '../../preload/digits.ts';

export type MobileCheck = { state: 'empty' } | { state: 'invalid' } | { state: 'valid'; e164: string; display: string };

export function checkMobile(input: string, country: string): MobileCheck {
  const text = normalizeDigits(input).trim();
  if (text === '') return { state: 'empty' };
  try {
    const parsed = parsePhoneNumberFromString(text, { defaultCountry: country as CountryCode, extract: false });
    if (!parsed || !parsed.isValid()) return { state: 'invalid' };
    return { state: 'valid', e164: parsed.number, display: parsed.formatInternational() };
  } catch {
    return { state: 'invalid' };
  }
}

/** The country's calling code ("+966") for the prefix shown beside the field; '' if unknown. */
export function callingCodeOf(country: string): string {
  try {
    return `+${getCountryCallingCode(country as CountryCode)}`;
  } catch {
    return '';
  }
}
