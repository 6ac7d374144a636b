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
