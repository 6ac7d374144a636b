// Where the Gameball keys may be sent. Every request carries both keys in its headers, so the
// base URL must be https, except for a host on this computer (the training simulator, a test
// double, a local proxy), where nothing crosses a network: 127.0.0.0/8, ::1 and `localhost`.
// One rule for the stored setting (config/settings.ts) and the GAMEBALL_BASE_URL override
// (gameball/config.ts). No dependency: the quick `status` (main/cli/status.ts) reads the stored
// base URL with it, without loading zod.

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
 * True for a URL that is a scheme and a host (and port) only: http or https, no path, no query, no
 * fragment, no credentials (a password is a secret, never a setting, and fetch refuses a URL
 * carrying one). The stored setting's rule and the GAMEBALL_BASE_URL override's.
 */
export function isSchemeAndHostOnly(s: string): boolean {
  return isPlainHttpUrl(s, false);
}

/**
 * True for an http or https URL without query, fragment or credentials; with a path only when
 * `path` says so (a service URL may have one, a base URL may not).
 */
export function isPlainHttpUrl(s: string, path: boolean): boolean {
  try {
    const u = new URL(s);
    return (
      (u.protocol === 'https:' || u.protocol === 'http:') &&
      (path || u.pathname === '/' || u.pathname === '') &&
      !u.search &&
      !u.hash &&
      !u.username &&
      !u.password
    );
  } catch {
    return false;
  }
}

/** True when `s` parses as a URL the keys may be sent to (see keysMayTravelTo). */
export function keysMayTravelToUrl(s: string): boolean {
  return URL.canParse(s) && keysMayTravelTo(new URL(s));
}

/** A base URL without its trailing slashes (`https://api.gameball.co/` -> `https://api.gameball.co`). */
export function withoutTrailingSlash(s: string): string {
  return s.replace(/\/+$/, '');
}

/**
 * The `apiBaseUrl` setting as the settings store takes a stored value (config/settings.ts
 * BaseUrlSchema, which is built from these same checks; a test keeps the two in step): trimmed,
 * scheme and host only, keys' rule, without its trailing slash. null when the value is not one
 * (the store then keeps the default).
 */
export function storedBaseUrl(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const s = raw.trim();
  return isSchemeAndHostOnly(s) && keysMayTravelToUrl(s) ? withoutTrailingSlash(s) : null;
}
