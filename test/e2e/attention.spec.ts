// Gameball refuses an order for a reason a person must look at: the queue shows Gameball's code
// and message, the cashier corrects the order and resends it, and it is synced with the points
// of the corrected amount.
import { expect, test } from '@playwright/test';
import { openTill, screenshot, startTill, typeOrder } from './support/till.ts';
import type { Till } from './support/till.ts';

let till: Till;
test.beforeEach(async () => {
  till = await startTill({ keys: true });
});
test.afterEach(async () => {
  await till?.close();
});

test('a needs-attention order is corrected and resent', async ({ page }) => {
  // Gameball's clock two hours behind the till's: every order date is "in the future" (9007).
  till.skewSimulatorClock(-2 * 3_600_000);
  await page.setViewportSize({ width: 1366, height: 820 });
  await openTill(page, till);
  await typeOrder(page, '0505550101', '49.90');
  await page.keyboard.press('Enter');
  const saved = page.getByTestId('saved-card');
  const orderId = (await saved.getAttribute('data-order-id')) as string;
  await expect(saved).toHaveAttribute('data-state', 'attention', { timeout: 20_000 });
  await expect(page.getByTestId('status-attention')).toBeVisible();

  await page.keyboard.press('F3');
  await page.getByTestId('filter-attention').click();
  const row = page.locator(`[role=row][data-order-id="${orderId}"]`);
  await expect(row).toHaveAttribute('data-state', 'attention');
  await expect(row.getByTestId('attention-code')).toHaveText('9007');
  await row.click();
  const drawer = page.getByTestId('order-drawer');
  await expect(drawer.getByTestId('attention-message')).toContainText('9007');
  await expect(drawer.getByTestId('attention-message')).toContainText(/future/i);
  await screenshot(page, 'queue-attention-en');

  // The clock is fixed; the cashier also corrects the amount they mistyped, then resends.
  till.skewSimulatorClock(0);
  await drawer.getByTestId('edit-order').click();
  const amount = drawer.getByTestId('edit-amount');
  await expect(drawer.getByTestId('edit-mobile')).toBeFocused();
  await amount.fill('94.90');
  await drawer.getByTestId('resend-order').click();

  await expect(drawer).toHaveAttribute('data-state', 'synced', { timeout: 30_000 });
  const order = till.sim.control.ledger().orders.find((o) => o.orderId === orderId);
  expect(order?.totalPaid).toBe(94.9);
  expect(order?.rewardedPoints).toBe(94);
  await expect(drawer.getByTestId('points')).toHaveAttribute('data-points', '94');
  await expect(drawer.getByTestId('sync-log')).toContainText('9007');
});

test('a needs-attention order can be discarded with a reason, which it keeps', async ({ page }) => {
  till.skewSimulatorClock(-2 * 3_600_000);
  await openTill(page, till);
  await typeOrder(page, '0505550102', '10');
  await page.keyboard.press('Enter');
  const saved = page.getByTestId('saved-card');
  const orderId = (await saved.getAttribute('data-order-id')) as string;
  await expect(saved).toHaveAttribute('data-state', 'attention', { timeout: 20_000 });

  await page.keyboard.press('F3');
  await page.locator(`[role=row][data-order-id="${orderId}"]`).click();
  const drawer = page.getByTestId('order-drawer');
  await drawer.getByTestId('discard-order').click();
  await drawer.getByTestId('confirm-discard').click();
  await expect(drawer.getByRole('alert')).toBeVisible(); // a reason is required
  await drawer.getByTestId('discard-reason').fill('Test sale, voided at the till');
  await drawer.getByTestId('confirm-discard').click();
  await expect(drawer).toHaveAttribute('data-state', 'discarded');
  await expect(drawer).toContainText('Test sale, voided at the till');
  expect(till.sim.control.ledger().orders.some((o) => o.orderId === orderId)).toBe(false);
});
