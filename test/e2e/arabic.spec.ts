// The Arabic screen: right-to-left document, mirrored layout, Arabic words everywhere, and the
// codes and amounts still readable. Also saves the screenshot of every screen in both languages.
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { openTill, screenshot, startTill, typeOrder } from './support/till.ts';
import type { Till } from './support/till.ts';

let till: Till;
test.beforeEach(async () => {
  // No keys: training mode, with its banner.
  till = await startTill({ keys: false });
});
test.afterEach(async () => {
  await till?.close();
});

async function shootAllScreens(page: Page, lang: 'en' | 'ar') {
  await page.keyboard.press('F2');
  await typeOrder(page, '0501112233', '12.75');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('saved-card')).toHaveAttribute('data-state', 'synced', { timeout: 20_000 });
  await screenshot(page, `training-checkout-${lang}`);
  await page.keyboard.press('F3');
  await expect(page.locator('[role=row][data-order-id]').first()).toBeVisible();
  await page.locator('[role=row][data-order-id]').first().click();
  await expect(page.getByTestId('order-drawer')).toHaveAttribute('data-state', 'synced');
  await screenshot(page, `queue-${lang}`);
  await page.keyboard.press('F4');
  await expect(page.getByTestId('settings-form')).toBeVisible();
  await screenshot(page, `settings-${lang}`);
}

test('the Arabic screen is right-to-left, mirrored and translated', async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 820 });
  await openTill(page, till);
  await expect(page.getByTestId('training-banner')).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('dir', 'ltr');
  await shootAllScreens(page, 'en');

  // F4 is settings already; switch the language there.
  await page.getByTestId('language-ar').click();
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  await expect(page.locator('html')).toHaveAttribute('lang', 'ar');
  await expect(page.getByTestId('nav-checkout')).toContainText('البيع');
  await expect(page.getByTestId('training-banner')).toContainText('وضع التدريب');

  // Mirrored: the brand sits at the right, the navigation at the left.
  const brand = await page.locator('.brand').boundingBox();
  const nav = await page.locator('.tabs').boundingBox();
  expect(brand && nav && brand.x > nav.x).toBe(true);

  // Every text node in the frame and the checkout is Arabic, apart from codes, numbers and names.
  await page.keyboard.press('F2');
  const latinWords = await page.evaluate(() => {
    const allowed = /^(POS|Companion|Gameball|QR|SAR|Enter|Esc|F\d|API|CSV|HID|T\d*|v4\.\d|ر\.س\.?)$/;
    const found: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const parent = n.parentElement;
      if (!parent || parent.closest('bdi, input, [dir=ltr], .code, kbd, .visually-hidden')) continue;
      // Interpolated values (ids, codes) arrive wrapped in Unicode isolates: data, not wording.
      const text = (n.textContent ?? '').replace(/\u2068[^\u2069]*\u2069/g, ' ');
      for (const raw of text.split(/[^A-Za-z0-9.]+/)) {
        const word = raw.replace(/\.+$/, '');
        if (/[A-Za-z]{2,}/.test(word) && !allowed.test(word)) found.push(word);
      }
    }
    return found;
  });
  expect(latinWords).toEqual([]);

  // The language is kept by the engine: a reload comes back in Arabic.
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  await expect(page.getByTestId('checkout-form')).toBeVisible();
  await shootAllScreens(page, 'ar');

  // Mirrored inside the form too: the amount's currency sits at the left of the field in Arabic.
  await page.keyboard.press('F2');
  const input = await page.getByTestId('amount-input').boundingBox();
  const currency = await page.locator('.input-group:has([data-testid=amount-input]) .input-addon').boundingBox();
  expect(input && currency && currency.x < input.x).toBe(true);
});
