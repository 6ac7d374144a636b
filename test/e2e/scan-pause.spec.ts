// A keyboard-mode scanner that stops mid-scan (a cordless scanner's radio, a busy page) never
// fills a partial code: a short pause is still one scan, a long one says "scan again", and the
// field the cashier was typing in keeps its text and caret either way.
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { keyboardScan, keyboardScanWithPauses, openTill, startTill } from './support/till.ts';
import type { Till } from './support/till.ts';

let till: Till;
test.beforeEach(async () => {
  till = await startTill({ keys: true });
});
test.afterEach(async () => {
  await till?.close();
});

const CODE = 'FRIEND42XYZ';

/** Types a mobile number and moves the caret three places left: the field a scan must not touch. */
async function typeMobileWithCaret(page: Page): Promise<void> {
  const mobile = page.getByTestId('mobile-input');
  await expect(mobile).toBeFocused();
  await page.keyboard.type('0501234567', { delay: 60 });
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowLeft');
  await expect(mobile).toHaveValue('0501234567');
}

async function expectMobileUntouched(page: Page): Promise<void> {
  const mobile = page.getByTestId('mobile-input');
  await expect(mobile).toHaveValue('0501234567');
  expect(await mobile.evaluate((el: HTMLInputElement) => [el.selectionStart, el.selectionEnd])).toEqual([7, 7]);
}

test('a scan with a short pause in the middle is read whole', async ({ page }) => {
  await openTill(page, till);
  await typeMobileWithCaret(page);
  await keyboardScanWithPauses(page, ['FRIE', 'ND42XYZ'], 150);
  await expect(page.getByTestId('referral-input')).toHaveValue(CODE);
  await expect(page.getByTestId('scan-note')).toHaveText(/Referral code scanned/);
  await expectMobileUntouched(page);
});

test('a scan whose first two keys came before the pause is still read whole', async ({ page }) => {
  await openTill(page, till);
  await typeMobileWithCaret(page);
  await keyboardScanWithPauses(page, ['FR', 'IEND42XYZ'], 180);
  await expect(page.getByTestId('referral-input')).toHaveValue(CODE);
  await expectMobileUntouched(page);
});

test('a scan cut by a long pause fills nothing, says scan again, and a rescan works', async ({ page }) => {
  await openTill(page, till);
  await typeMobileWithCaret(page);
  await keyboardScanWithPauses(page, ['FRIEND', '42XYZ'], 700);
  await expect(page.getByTestId('scan-note')).toHaveText(/cut short.*Scan again/);
  await expect(page.getByTestId('referral-input')).toHaveValue('');
  await expectMobileUntouched(page);
  // Nothing more arrives as a scan of its own (not the rest, not its Enter).
  await page.waitForTimeout(1600);
  await expect(page.getByTestId('referral-input')).toHaveValue('');
  await expectMobileUntouched(page);

  await keyboardScan(page, CODE);
  await expect(page.getByTestId('referral-input')).toHaveValue(CODE);
  await expect(page.getByTestId('mobile-input')).toHaveValue('0501234567');
});
