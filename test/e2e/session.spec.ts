// Browser mode's session token stays with the till's own page. In a real Chromium: after the till
// is opened from the printed address, another server on 127.0.0.1 that the same browser visits
// receives no token and no session cookie (a cookie for 127.0.0.1 is sent to every port); the
// token leaves the address bar at once; a reload keeps working; a page opened without the token
// says how to get in; and no source map is built or served.
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { E2E_STATIC_DIR } from './support/static-dir.ts';
import { openTill, startTill } from './support/till.ts';
import type { Till } from './support/till.ts';

let till: Till;
test.beforeEach(async () => {
  till = await startTill({ keys: false });
});
test.afterEach(async () => {
  await till?.close();
});

/** Every file under `dir`, relative paths. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

test('the session token never reaches another local server, leaves the address bar, and survives a reload', async ({ page, context }) => {
  const token = new URL(till.openUrl).hash.replace(/^#token=/, '');
  expect(token.length).toBeGreaterThanOrEqual(16);
  // Another local service on this computer, recording everything the browser sends it.
  const seen: string[] = [];
  const other = createServer((req, res) => {
    seen.push(JSON.stringify({ url: req.url, headers: req.headers }));
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<!doctype html><title>another local service</title><img src="/pixel.png">');
  });
  other.listen(0, '127.0.0.1');
  await once(other, 'listening');
  const otherPort = (other.address() as AddressInfo).port;
  try {
    await openTill(page, till);
    // The address bar (and so history and bookmarks) no longer holds the token.
    expect(page.url()).toBe(`${till.origin}/`);
    expect(await context.cookies()).toEqual([]);

    // The same browser visits the other local server, from a new tab and from a link in the till's tab.
    const tab = await context.newPage();
    await tab.goto(`http://127.0.0.1:${otherPort}/`);
    await expect(tab).toHaveTitle('another local service');
    await tab.close();
    await page.goto(`http://127.0.0.1:${otherPort}/from-the-till-tab`);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const request of seen) {
      expect(request).not.toContain(token);
      expect(request).not.toContain('pos_companion_session');
    }

    // Back to the till and a reload: still connected, from the token kept for this tab.
    await page.goBack();
    await expect(page.getByTestId('checkout-form')).toBeVisible();
    await page.reload();
    await expect(page.getByTestId('checkout-form')).toBeVisible();
    await expect(page.getByTestId('status-online')).toBeVisible();
    expect(page.url()).toBe(`${till.origin}/`);
  } finally {
    other.close();
  }
});

test('a page opened without the printed address gets no session and says how to get in', async ({ browser }) => {
  const fresh = await browser.newContext();
  try {
    const page = await fresh.newPage();
    await page.goto(`${till.origin}/`);
    await expect(page.getByTestId('no-session')).toContainText('the address POS Companion printed');
    await expect(page.getByTestId('checkout-form')).toHaveCount(0);
  } finally {
    await fresh.close();
  }
});

test('no source map is built or served', async ({ request }) => {
  const files = filesUnder(E2E_STATIC_DIR);
  const scripts = files.filter((f) => f.endsWith('.js'));
  expect(scripts.length).toBeGreaterThan(0);
  expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
  for (const script of scripts) {
    const res = await request.get(`${till.origin}/${script}`);
    expect(res.status()).toBe(200);
    expect(await res.text()).not.toContain('sourceMappingURL');
    expect((await request.get(`${till.origin}/${script}.map`)).status()).toBe(404);
  }
});
