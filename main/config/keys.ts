// What a Gameball key may look like, and how key values are kept out of recorded text.
//
// Gameball's keys are long strings of letters and digits (hex in the dashboard). The rule here is
// what an HTTP header can carry without surprise and what a pasted key plausibly is: 8 to 256
// letters, digits or `- _ . ~ + / =` (which also covers base64 and base64url). Anything else (a
// line break from a paste of two lines, a space, a quote, a non-ASCII letter) is refused where a
// key enters the till: `setKeys` (screen and CLI), the environment (GAMEBALL_API_KEY /
// GAMEBALL_SECRET_KEY, checked when the Gameball client is built) and the screen's contract
// (preload/api.ts re-declares the same pattern; a test keeps the two in step). A refusal names
// what is wrong, never the value.
import { z } from 'zod';
import { REDACTED } from '../log.ts';
import { KEY_RULE, keyProblem } from './key-rule.ts';

export { GAMEBALL_KEY_PATTERN, KEY_RULE, keyProblem } from './key-rule.ts';

const KEY_LABEL = { apiKey: 'API key', secretKey: 'secret key' } as const;

/** A key as `setKeys` takes it: trimmed at both ends, then checked; the message never quotes it. */
export const gameballKeySchema = (name: keyof typeof KEY_LABEL) =>
  z
    .string()
    .trim()
    .superRefine((v, ctx) => {
      const problem = keyProblem(v);
      if (problem !== null)
        ctx.addIssue({ code: 'custom', message: `The ${KEY_LABEL[name]} cannot be used: ${problem}. Nothing was saved; ${KEY_RULE}.` });
    });

/**
 * `text` with every occurrence of a key value replaced by `[Redacted]`: as written, as it appears
 * inside a JSON string, and, for a value that holds line breaks or spaces (a key from an older
 * version, before keys were checked), each of its pieces of 6 or more characters, since an error
 * can quote one line of it. Values shorter than 6 characters are skipped: they would scrub
 * ordinary words, and no valid key is that short.
 */
export function redactKeys(text: string, keys: Iterable<string | null | undefined>): string {
  let out = text;
  for (const key of keys) {
    if (!key) continue;
    const forms = new Set([key, JSON.stringify(key).slice(1, -1), ...key.split(/\s+/)]);
    for (const form of [...forms].sort((a, b) => b.length - a.length)) {
      if (form.length >= 6 && out.includes(form)) out = out.split(form).join(REDACTED);
    }
  }
  return out;
}

/**
 * A copy of `record` whose top-level text fields have the keys redacted (see redactKeys): for a
 * call's result before its message, code or request id is stored, logged or shown. The same
 * object when there is nothing to redact.
 */
export function withoutKeys<T extends object>(record: T, keys: Iterable<string | null | undefined> | undefined): T {
  if (keys === undefined) return record;
  const list = [...keys];
  let out: T | undefined;
  for (const [field, value] of Object.entries(record)) {
    if (typeof value !== 'string') continue;
    const clean = redactKeys(value, list);
    if (clean === value) continue;
    out ??= { ...record };
    (out as Record<string, unknown>)[field] = clean;
  }
  return out ?? record;
}
