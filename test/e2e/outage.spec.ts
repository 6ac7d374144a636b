// Gameball down: the order is still saved at once with its id, waits in the queue, and goes out
// with its points once Gameball is back, without anyone touching it.
import { expect, test } from '@playwright/test';
import { keyboardScan, openTill, screenshot, seedReferrer, startTill, typeOrder } from './support/till.ts';
import type { Till } from './support/till.ts';

let till: Till;
test.beforeEach(async () => {
  till = await startTill({ keys: true });
});
test.afterEach(async () => {
  await till?.close();
});

test('during an outage the order is queued, then sent with its points when Gameball recovers', async ({ page }) => {
  const code = await seedReferrer(till);
  till.sim.control.setOutage(true);
  await openTill(page, till);

  await typeOrder(page, '0509876543', '80');
  await keyboardScan(page, code);
  await expect(page.getByTestId('referral-input')).toHaveValue(code);
  await page.keyboard.press('Enter');

  const saved = page.getByTestId('saved-card');
  await expect(saved).toBeVisible({ timeout: 1_000 });
  const orderId = (await saved.getAttribute('data-order-id')) as string;
  expect(orderId).toBeTruthy();
  await expect(saved).toHaveAttribute('data-state', /pending|sending/);

  // The status bar is honest about it.
  await expect(page.getByTestId('status-pending')).not.toHaveAttribute('data-count', '0');
  await expect(page.getByTestId('status-online')).toHaveAttribute('data-online', 'false', { timeout: 20_000 });
  await page.keyboard.press('F3');
  const row = page.locator(`[role=row][data-order-id="${orderId}"]`);
  await expect(row).toHaveAttribute('data-state', /pending|sending/);
  await screenshot(page, 'queue-outage-en');
  expect(till.sim.control.ledger().orders.some((o) => o.orderId === orderId)).toBe(false);

  till.sim.control.setOutage(false);
  await expect(row).toHaveAttribute('data-state', 'synced', { timeout: 45_000 });
  const order = till.sim.control.ledger().orders.find((o) => o.orderId === orderId);
  expect(order?.rewardedPoints).toBeGreaterThan(0);
  await expect(row.getByTestId('points')).toHaveAttribute('data-points', String(order?.rewardedPoints));
  await expect(page.getByTestId('status-online')).toHaveAttribute('data-online', 'true');
  await expect(page.getByTestId('status-pending')).toHaveAttribute('data-count', '0');
});
