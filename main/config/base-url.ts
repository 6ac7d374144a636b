// Where the Gameball keys may be sent. Every request carries both keys in its headers, so the
// base URL must be https, except for a host on this computer (the training simulator, a test
// double, a local proxy), where nothing crosses a network: 127.0.0.0/8, ::1 and `localhost`.
// One rule for the stored setting (config/settings.ts) and the GAMEBALL_BASE_URL override
// (gameball/config.ts).

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
