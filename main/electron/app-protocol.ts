// The page's own origin, `app://pos-companion`: the built screen (build/renderer) served by a
// privileged custom protocol with the same CSP and security headers as browser mode. A standard,
// secure scheme gives the page a real origin (so the IPC sender check has something exact to
// compare) without file:// and its broad access.
import { readFile } from 'node:fs/promises';
import { protocol } from 'electron';
import { lookupStatic } from '../web/static-files.ts';
import { contentSecurityPolicy, securityHeaders } from '../web/security.ts';

export const APP_SCHEME = 'app';
export const APP_HOST = 'pos-companion';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/** Must run before `app.whenReady()`. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false, stream: false } },
  ]);
}

/** Serves `rendererDir` on app://pos-companion; anything else answers 404. */
export function serveAppProtocol(rendererDir: string): void {
  const headers = securityHeaders(contentSecurityPolicy());
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST || request.method !== 'GET') return new Response('Not found', { status: 404, headers });
    const found = lookupStatic(rendererDir, url.pathname);
    if (found.kind !== 'file') return new Response('Not found', { status: found.kind === 'bad-path' ? 400 : 404, headers });
    const body = await readFile(found.file);
    return new Response(body, { status: 200, headers: { ...headers, 'Content-Type': found.contentType, 'Cache-Control': 'no-store' } });
  });
}
