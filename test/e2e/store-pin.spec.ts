// The store PIN as a manager and a cashier meet it: set in Settings, then asked for (and checked
// by the till app, not the page) before the Gameball keys change or the orders are exported; a
// wrong PIN is refused with a message, Cancel sends nothing; the prompt speaks Arabic too.
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { openTill, screenshot, startTill } from './support/till.ts';
import type { Till } from './support/till.ts';

const PIN = '48260193';

let till: Till;
test.beforeEach(async () => {
  till = await startTill({ keys: false });
});
test.afterEach(async () => {
  await till?.close();
});

async function enterPin(page: Page, pin: string): Promise<void> {
  await expect(page.getByTestId('pin-input')).toBeFocused();
  // A person's pace: a faster burst of digits is what the scanner detector takes for a scan.
  await page.keyboard.type(pin, { delay: 60 });
  await page.keyboard.press('Enter');
}

test('with a store PIN set, saving keys and exporting ask for it; a wrong one is refused, Cancel sends nothing', async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 900 });
  await openTill(page, till);
  await page.keyboard.press('F4');

  // The manager sets the PIN (typed twice).
  await expect(page.getByTestId('store-pin-state')).toHaveAttribute('data-set', 'false');
  await page.getByTestId('new-pin-input').fill(PIN);
  await page.getByTestId('repeat-pin-input').fill('48260194');
  await page.getByTestId('save-pin').click();
  await expect(page.getByTestId('store-pin-message')).toContainText('not the same');
  await expect(page.getByTestId('store-pin-state')).toHaveAttribute('data-set', 'false');
  await page.getByTestId('new-pin-input').fill(PIN);
  await page.getByTestId('repeat-pin-input').fill(PIN);
  await page.getByTestId('save-pin').click();
  await expect(page.getByTestId('store-pin-message')).toContainText('Store PIN saved');
  await expect(page.getByTestId('store-pin-state')).toHaveAttribute('data-set', 'true');
  await expect(page.getByTestId('new-pin-input')).toHaveValue('');

  // Saving the Gameball keys now asks for it.
  await page.getByTestId('api-key-input').fill(till.apiKey);
  await page.getByTestId('secret-key-input').fill(till.secretKey);
  await page.getByTestId('save-keys').click();
  await expect(page.getByTestId('pin-dialog')).toHaveAttribute('data-why', 'required');
  await expect(page.getByTestId('pin-dialog')).toContainText('This action needs the store PIN.');
  await enterPin(page, '11112222');
  await expect(page.getByTestId('pin-dialog')).toHaveAttribute('data-why', 'wrong');
  await expect(page.getByTestId('pin-dialog')).toContainText('That is not the store PIN. Try again.');
  await expect(page.getByTestId('api-key-state')).toHaveAttribute('data-set', 'false');
  await screenshot(page, 'store-pin-wrong-en');
  await enterPin(page, PIN);
  await expect(page.getByTestId('pin-dialog')).toHaveCount(0);
  await expect(page.getByTestId('keys-message')).toContainText('This till is live');
  await expect(page.getByTestId('api-key-state')).toHaveAttribute('data-set', 'true');

  // Exporting every order asks for it too: Cancel downloads nothing, the right PIN the file.
  await page.keyboard.press('F3');
  await page.getByTestId('export-csv').click();
  await expect(page.getByTestId('pin-dialog')).toHaveAttribute('data-why', 'required');
  let downloads = 0;
  page.on('download', () => (downloads += 1));
  await page.getByTestId('pin-cancel').click();
  await expect(page.getByTestId('pin-dialog')).toHaveCount(0);
  await page.getByTestId('export-csv').click();
  // The dialog opens once main has answered that a PIN is needed: Escape closes it from then on.
  await expect(page.getByTestId('pin-dialog')).toHaveAttribute('data-why', 'required');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('pin-dialog')).toHaveCount(0);
  expect(downloads).toBe(0);
  await page.getByTestId('export-csv').click();
  const download = page.waitForEvent('download');
  await enterPin(page, PIN);
  expect((await download).suggestedFilename()).toMatch(/^pos-companion-orders-all-\d{4}-\d{2}-\d{2}\.csv$/);
  await expect(page.getByTestId('queue-notice')).toContainText('Saved');
});

test('the PIN prompt in Arabic, with Arabic-Indic digits', async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 900 });
  await openTill(page, till);
  await page.keyboard.press('F4');
  await page.getByTestId('new-pin-input').fill(PIN);
  await page.getByTestId('repeat-pin-input').fill(PIN);
  await page.getByTestId('save-pin').click();
  await expect(page.getByTestId('store-pin-state')).toHaveAttribute('data-set', 'true');
  await page.getByTestId('language-ar').click();
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');

  await page.keyboard.press('F3');
  await page.getByTestId('export-csv').click();
  await expect(page.getByTestId('pin-dialog')).toContainText('يتطلب هذا الإجراء الرمز السري للمتجر.');
  await enterPin(page, '١١١١٢٢٢٢');
  await expect(page.getByTestId('pin-dialog')).toContainText('هذا ليس الرمز السري للمتجر');
  await screenshot(page, 'store-pin-wrong-ar');
  const download = page.waitForEvent('download');
  await enterPin(page, '٤٨٢٦٠١٩٣');
  expect((await download).suggestedFilename()).toMatch(/\.csv$/);
});
