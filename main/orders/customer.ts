// Who an order belongs to. A mobile number is normalised to E.164 with the till's country as the
// default, and the Gameball customer id follows the POS guide: `mobile_<country code + national
// number>` (digits only). An explicit customer id wins as the id; the mobile is then kept as an
// attribute.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js/max';
import { normalizeDigits } from '../../preload/digits.ts';

export interface NormalisedMobile {
  e164: string;
  customerId: string;
}

export class CustomerIdentityError extends Error {
  override name = 'CustomerIdentityError';
  constructor(
    message: string,
    readonly field: 'mobile' | 'customerId',
  ) {
    super(message);
  }
}

/** Throws CustomerIdentityError (field 'mobile') when the text is not a valid mobile/phone number. */
export function normaliseMobile(raw: string, defaultCountry: string): NormalisedMobile {
  const text = normalizeDigits(raw).trim();
  const parsed = parsePhoneNumberFromString(text, { defaultCountry: defaultCountry as CountryCode, extract: false });
  if (!parsed || !parsed.isValid()) {
    throw new CustomerIdentityError(
      `"${raw}" is not a valid phone number for ${defaultCountry}. Check the digits, or type it with its country code (e.g. +966 50 000 1234).`,
      'mobile',
    );
  }
  const e164 = parsed.number;
  return { e164, customerId: `mobile_${e164.slice(1)}` };
}

const CUSTOMER_ID = /^[^\s\p{C}]{1,128}$/u;

/** Gameball ids are case-sensitive: kept as typed, only trimmed. */
export function normaliseCustomerId(raw: string): string {
  const id = raw.trim();
  if (!CUSTOMER_ID.test(id)) {
    throw new CustomerIdentityError('A customer id is 1-128 characters without spaces.', 'customerId');
  }
  return id;
}
