// A service URL in a setting (the fleet's Pushgateway, the update server), with the keys' rule
// for its scheme (./base-url.ts).
import { z } from 'zod';
import { isPlainHttpUrl, keysMayTravelToUrl, withoutTrailingSlash } from './base-url.ts';

/**
 * A service URL in a setting (the fleet's Pushgateway, the update server): possibly with a path,
 * no credentials, query or fragment (a password is a secret, never a setting), and the keys' rule
 * for the scheme. The trailing slash is dropped. `example` completes the error message.
 */
export function serviceUrlSchema(example: string) {
  return z
    .string()
    .trim()
    .refine((s) => isPlainHttpUrl(s, true), `a URL without credentials, query or fragment, e.g. ${example}`)
    .refine(keysMayTravelToUrl, 'must be https://, or http:// only to this computer (127.0.0.1, ::1 or localhost)')
    .transform(withoutTrailingSlash);
}
