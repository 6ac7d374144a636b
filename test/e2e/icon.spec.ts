// The app icon in browser mode: the page links its icons, each answers as an image from the
// built screen, and the browser's own /favicon.ico request finds one too (no 404 in the log).
import { expect, test } from '@playwright/test';
import { openTill, startTill } from './support/till.ts';
import type { Till } from './support/till.ts';

let till: Till;
test.beforeEach(async () => {
  till = await startTill({ keys: false });
});
test.afterEach(async () => {
  await till?.close();
});

test('the page links the app icon and every icon answers 200 as an image', async ({ page }) => {
  await openTill(page, till);
  const hrefs = await page.locator('link[rel="icon"]').evaluateAll((links) => links.map((l) => (l as HTMLLinkElement).href));
  expect(hrefs.map((h) => new URL(h).pathname).sort()).toEqual(['/favicon.ico', '/icon-256.png']);
  for (const href of [...hrefs, new URL('/favicon.ico', page.url()).href]) {
    const res = await page.request.get(href);
    expect(res.status(), href).toBe(200);
    expect(res.headers()['content-type'], href).toMatch(/^image\/(x-icon|png)$/);
    const body = await res.body();
    // An .ico (00 00 01 00) or a PNG (89 50 4E 47), not a page answered in their place.
    expect(body.subarray(0, 4).toString('hex'), href).toMatch(/^(00000100|89504e47)$/);
  }
});
