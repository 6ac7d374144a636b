// The checks that keep browser mode a loopback-only, one-page app: the Content-Security-Policy and
// security headers sent with every response (the Electron shell sends the same policy), the
// Host-header check against DNS rebinding, the Origin check on the WebSocket upgrade, and the
// session token compare. Pure functions: main/web/server.ts applies them.
//
// The session token is never a cookie: browsers send a cookie for 127.0.0.1 to every port of
// 127.0.0.1, so any other local server the till's browser talks to would receive it. The page
// gets the token from the address's fragment (never sent to a server) and offers it only on its
// own WebSocket upgrade.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The page's Content-Security-Policy: only its own scripts and styles (no inline script, no eval),
 * no plugins, no frames in or out, no forms posting anywhere, and connections only to its own
 * origin (`connect` adds the browser-mode WebSocket origins).
 */
export function contentSecurityPolicy(connect: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    `connect-src 'self'${connect.length > 0 ? ` ${connect.join(' ')}` : ''}`,
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "frame-src 'none'",
    "worker-src 'none'",
  ].join('; ');
}

/** Headers sent on every browser-mode response, errors included. */
export function securityHeaders(csp: string): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Permissions-Policy':
      'camera=(), microphone=(), geolocation=(), usb=(), hid=(), serial=(), bluetooth=(), payment=(), clipboard-read=()',
    'X-DNS-Prefetch-Control': 'off',
  };
}

/** The Host header values a loopback server on `port` answers: anything else may be a rebinding. */
export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

/** Origins the page can have when served on `port`. */
export function allowedOrigins(port: number): string[] {
  return allowedHosts(port).map((h) => `http://${h}`);
}

export function isAllowedHost(host: string | undefined, port: number): boolean {
  return host !== undefined && allowedHosts(port).includes(host.toLowerCase());
}

export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  return origin !== undefined && allowedOrigins(port).includes(origin.toLowerCase());
}

/** A fresh session token: 256 random bits, URL-safe. */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Tokens given on the command line must be long enough not to be guessed. */
export const MIN_TOKEN_LENGTH = 16;
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]+$/;

/**
 * Constant-time token compare. Both sides are hashed first so the compare takes the same time
 * whatever the lengths, and a wrong length is not revealed by an early exit.
 */
export function tokenMatches(given: string | undefined | null, expected: string): boolean {
  if (typeof given !== 'string' || given.length === 0 || given.length > 512) return false;
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}
