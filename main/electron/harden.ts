// Everything the page may NOT do, applied to the session and to every web contents ever created:
// no new windows, no navigation away from the app's origin, no <webview>, every permission
// denied (camera, HID/USB/serial from the page, notifications...), and no request leaves the app's
// own origin (the page talks to main only through the preload bridge).
import { app, type Session, type WebContents } from 'electron';
import { APP_ORIGIN } from './app-protocol.ts';

const isAppUrl = (url: string): boolean => {
  try {
    return new URL(url).origin === APP_ORIGIN || url.startsWith(`${APP_ORIGIN}/`);
  } catch {
    return false;
  }
};

export function hardenSession(ses: Session): void {
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  ses.on('select-hid-device', (event, _details, callback) => {
    event.preventDefault();
    callback('');
  });
  ses.on('select-usb-device', (event, _details, callback) => {
    event.preventDefault();
    callback('');
  });
  ses.on('select-serial-port', (event, _ports, _wc, callback) => {
    event.preventDefault();
    callback('');
  });
  // Every response carries the page's policy (the app:// handler sends the same one). Kept as a
  // literal so the static security check reads it; a test keeps it equal to contentSecurityPolicy().
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [
          "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; frame-src 'none'; worker-src 'none'",
        ],
      },
    });
  });
  // Only the app's own files: no http(s), ws, file or other schemes from the page.
  ses.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isAppUrl(details.url) || details.url.startsWith('devtools://') || details.url.startsWith('blob:app://');
    callback({ cancel: !allowed });
  });
}

function hardenContents(contents: WebContents): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.on('will-frame-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
}

/** Applies to every web contents the app ever creates (windows, devtools excluded by origin checks). */
export function hardenAllContents(): void {
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
}
