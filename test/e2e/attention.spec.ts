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
  // Gameball refuses the next order with a payload error (422/3003): a person must look at it.
  till.sim.control.setFaults({ refuseOrders: 1 });
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
  await expect(row.getByTestId('attention-code')).toHaveText('3003');
  await row.click();
  const drawer = page.getByTestId('order-drawer');
  await expect(drawer.getByTestId('attention-message')).toContainText('3003');
  await expect(drawer.getByTestId('attention-message')).toContainText(/invalid order/i);
  await screenshot(page, 'queue-attention-en');

  // The cashier corrects the amount they mistyped, then resends.
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
  await expect(drawer.getByTestId('sync-log')).toContainText('3003');
});

test('a needs-attention order can be discarded with a reason, which it keeps', async ({ page }) => {
  till.sim.control.setFaults({ refuseOrders: 1 });
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

test('a till clock two hours ahead of Gameball: the order still reaches Gameball, and the status bar says to set the clock', async ({
  page,
}) => {
  // Gameball's clock two hours behind the till's: the order's date is in Gameball's future (9007)
  // unless the till sends it with Gameball's time, which it does.
  till.skewSimulatorClock(-2 * 3_600_000);
  await openTill(page, till);
  await typeOrder(page, '0505550103', '20');
  await page.keyboard.press('Enter');
  const saved = page.getByTestId('saved-card');
  const orderId = (await saved.getAttribute('data-order-id')) as string;
  await expect(saved).toHaveAttribute('data-state', 'synced', { timeout: 20_000 });
  expect(till.sim.control.ledger().orders.filter((o) => o.orderId === orderId)).toHaveLength(1);
  const clock = page.getByTestId('status-clock');
  await expect(clock).toBeVisible();
  await expect(clock).toHaveAttribute('data-kind', 'ahead');
  // Interpolated values are wrapped in Unicode isolates (U+2068 ... U+2069) for mixed-direction text.
  await expect(clock).toContainText(/clock is \u20682 hours\u2069 ahead of Gameball: set the date and time/);
});
