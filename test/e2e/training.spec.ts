// Training mode tells the truth: no keys are configured, so Settings says so (and that the till
// works against the built-in simulator), and the status bar shows whether that simulator answers,
// from the engine's own reachability check, before anything has been sent.
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

test('training mode: keys shown as not set, the simulator named, and online before the first send', async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 820 });
  await openTill(page, till);
  await expect(page.getByTestId('training-banner')).toBeVisible();
  await expect(page.getByTestId('status-training')).toBeVisible();
  // Nothing saved, nothing sent: online comes from the engine's probe of its simulator.
  await expect(page.getByTestId('status-online')).toHaveAttribute('data-online', 'true', { timeout: 15_000 });
  await expect(page.getByTestId('status-pending')).toHaveAttribute('data-count', '0');

  await page.keyboard.press('F4');
  await expect(page.getByTestId('api-key-state')).toHaveAttribute('data-set', 'false');
  await expect(page.getByTestId('secret-key-state')).toHaveAttribute('data-set', 'false');
  await expect(page.getByTestId('keys-training')).toContainText('built-in Gameball simulator');
  await expect(page.getByTestId('remove-keys')).toHaveCount(0);
});

test('keys saved take the running till live, without a reload; removed, it is back in training', async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 820 });
  await openTill(page, till);
  await expect(page.getByTestId('training-banner')).toBeVisible();
  await page.keyboard.press('F4');
  await page.getByTestId('api-key-input').fill(till.apiKey);
  await page.getByTestId('secret-key-input').fill(till.secretKey);
  await page.getByTestId('save-keys').click();
  await expect(page.getByTestId('keys-message')).toContainText('This till is live');
  await expect(page.getByTestId('training-banner')).toHaveCount(0);
  await expect(page.getByTestId('status-training')).toHaveCount(0);
  await expect(page.getByTestId('keys-training')).toHaveCount(0);

  // A sale now is live: it goes to Gameball (the test's simulator).
  await page.keyboard.press('F2');
  await page.getByTestId('mobile-input').fill('0500001234');
  await page.getByTestId('amount-input').fill('25');
  await page.keyboard.press('Enter');
  await expect.poll(() => till.sim.control.ledger().orders.length, { timeout: 15_000 }).toBe(1);

  await page.keyboard.press('F4');
  await page.getByTestId('remove-keys').click();
  await expect(page.getByTestId('keys-message')).toContainText('training mode');
  await expect(page.getByTestId('training-banner')).toBeVisible();
  await expect(page.getByTestId('status-training')).toBeVisible();
  await expect(page.getByTestId('keys-training')).toContainText('built-in Gameball simulator');
});
