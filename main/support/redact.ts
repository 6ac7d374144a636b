// What the support bundle does to every file before it goes into the zip, whatever wrote the file
// (an older version's log line, a status message quoting Gameball, a settings dump). Pure: the
// caller passes the secret values and the customers' ids it knows.
//  - Secret values (the keys in use, the push password, a session token in the environment) are
//    replaced wherever they appear, raw or JSON-escaped; key fields (`"apiKey": ...`, an
//    `authorization` header) and a `token=` in an address are censored by name too.
//  - Customer mobiles are masked as the logs mask them (`+9665*****234`, mask-id.ts): any number
//    written as a mobile (`+` and 8-15 digits, or `mobile_` and digits), the value of a field named
//    like a mobile, and any digit run that is one of the till's known customer mobiles or ids, in
//    international or local form (compared on the last 9 digits).
import { REDACTED } from '../log.ts';
import { maskCustomerId } from '../orders/mask-id.ts';

export interface Redaction {
  /** Values never to appear (shorter than 6 characters: ignored, they would hit ordinary words). */
  secrets: Iterable<string>;
  /** The till's known customer ids and mobiles (any form). */
  customerIds: Iterable<string>;
}

const KEY_FIELD =
  /("(?:apiKey|secretKey|APIKey|SecretKey|apikey|secretkey|transactionKey|TransactionKey|password|token|authorization|Authorization)"\s*:\s*)"(?:[^"\\]|\\.)*"/g;
const HEADER_LINE = /^((?:authorization|apikey|secretkey)\s*:\s*).+$/gim;
const TOKEN_PARAM = /([?&#](?:token|access_token|password)=)[^&\s"']+/gi;
const MOBILE_FIELD = /("(?:mobile|mobileNumber|phone|phoneNumber|msisdn)"\s*:\s*)"((?:[^"\\]|\\.)*)"/gi;
/** A digit run with what may precede it: `+`, or a short prefix such as `mobile_`. */
const DIGIT_RUN = /(\+|(?<![A-Za-z])[A-Za-z]{1,10}_)?(?<!\d)(\d{6,15})(?!\d)/g;

const digitsOf = (s: string): string => s.replace(/\D/g, '');
const tail9 = (d: string): string => (d.length > 9 ? d.slice(-9) : d);

export interface Redactor {
  (text: string): string;
}

/** A function that redacts one file's text (built once per bundle: the id set is made here). */
export function redactor(r: Redaction): Redactor {
  const secrets = [...r.secrets].filter((s) => s.length >= 6);
  const known = new Set<string>();
  for (const id of r.customerIds) {
    const d = digitsOf(id);
    if (d.length >= 6) known.add(tail9(d));
  }
  return (text: string): string => {
    let out = text;
    for (const s of secrets) {
      for (const form of new Set([s, JSON.stringify(s).slice(1, -1)])) if (out.includes(form)) out = out.split(form).join(REDACTED);
    }
    out = out
      .replace(KEY_FIELD, (_m, head: string) => `${head}"${REDACTED}"`)
      .replace(HEADER_LINE, (_m, head: string) => `${head}${REDACTED}`)
      .replace(TOKEN_PARAM, (_m, head: string) => `${head}${REDACTED}`)
      .replace(MOBILE_FIELD, (_m, head: string, value: string) => `${head}"${value.length > 0 ? maskCustomerId(value) : value}"`);
    return out.replace(DIGIT_RUN, (m, prefix: string | undefined, digits: string) => {
      const mobileShaped = prefix === '+' ? digits.length >= 8 : prefix !== undefined && /^mobile_$/i.test(prefix);
      if (mobileShaped || known.has(tail9(digits))) return (prefix ?? '') + maskCustomerId(digits);
      return m;
    });
  };
}
