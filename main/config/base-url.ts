// Where the Gameball keys may be sent. Every request carries both keys in its headers, so the
// base URL must be https, except for a host on this computer (the training simulator, a test
// double, a local proxy), where nothing crosses a network: 127.0.0.0/8, ::1 and `localhost`.
// One rule for the stored setting (config/settings.ts) and the GAMEBALL_BASE_URL override
// (gameball/config.ts).
import { z } from 'zod';

export const BASE_URL_RULE =
  'https://, or http:// only to this computer (127.0.0.1, ::1 or localhost), so the keys never cross a network in clear';

/** True for a URL hostname that names this computer: 127.0.0.0/8, [::1], localhost. */
export function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  // WHATWG URL parsing has already normalised IPv4 forms (0x7f.1, 2130706433) to dotted decimal.
  const octets = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(hostname);
  return octets !== null && octets[1] === '127' && octets.slice(2).every((o) => Number(o) <= 255);
}

/** True when the keys may be sent to `url`: https anywhere, http to this computer only. */
export function keysMayTravelTo(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}

/**
 * A service URL in a setting (the fleet's Pushgateway, the update server): possibly with a path,
 * no credentials, query or fragment (a password is a secret, never a setting), and the keys' rule
 * for the scheme. The trailing slash is dropped. `example` completes the error message.
 */
export function serviceUrlSchema(example: string) {
  return z
    .string()
    .trim()
    .refine((s) => {
      try {
        const u = new URL(s);
        return (u.protocol === 'https:' || u.protocol === 'http:') && !u.search && !u.hash && !u.username && !u.password;
      } catch {
        return false;
      }
    }, `a URL without credentials, query or fragment, e.g. ${example}`)
    .refine(
      (s) => URL.canParse(s) && keysMayTravelTo(new URL(s)),
      'must be https://, or http:// only to this computer (127.0.0.1, ::1 or localhost)',
    )
    .transform((s) => s.replace(/\/+$/, ''));
}
