// The queue's two actions say what they do and report what happened: "Sync now" sends whatever
// waits at once and follows it to the end; "Retry needs-attention (N)" puts the orders Gameball
// refused back in the queue, unchanged, and says how many.
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { openTill, startTill, typeOrder } from './support/till.ts';
import type { Till } from './support/till.ts';

/** A number as the screen shows it inside a sentence: isolated, so it reads right in Arabic too. */
const n = (v: number) => `\u2068${v}\u2069`;

let till: Till;
test.beforeEach(async () => {
  till = await startTill({ keys: true });
});
test.afterEach(async () => {
  await till?.close();
});

/** Saves one order from the keyboard and returns its id (never the id of the card it replaced). */
async function saveOrder(page: Page, mobile: string, amount: string, previous = ''): Promise<string> {
  await typeOrder(page, mobile, amount);
  await page.keyboard.press('Enter');
  const saved = page.getByTestId('saved-card');
  await expect(saved).toBeVisible();
  // The card of the previous sale stays until this one is saved: wait for this sale's card.
  await expect(saved).not.toHaveAttribute('data-order-id', previous);
  const id = (await saved.getAttribute('data-order-id')) as string;
  await page.getByTestId('mobile-input').focus();
  return id;
}

test('"Sync now" sends the waiting orders at once and reports it, then the outcome', async ({ page }) => {
  till.sim.control.setOutage(true);
  await openTill(page, till);
  const first = await saveOrder(page, '0505550201', '12');
  const second = await saveOrder(page, '0505550202', '34', first);
  expect(second).not.toBe(first);
  await expect(page.getByTestId('status-online')).toHaveAttribute('data-online', 'false', { timeout: 20_000 });

  await page.keyboard.press('F3');
  const notice = page.getByTestId('queue-notice');
  const progress = page.getByTestId('queue-sync-status');
  // Still down: the press is reported, and so is why nothing leaves.
  await page.getByTestId('sync-now').click();
  await expect(notice).toHaveText(`Sending ${n(2)} waiting orders and refunds now…`);
  await expect(progress).toHaveText(`Gameball cannot be reached: ${n(2)} wait and are sent as soon as it can.`, { timeout: 20_000 });
  expect(till.sim.control.ledger().orders).toEqual([]);

  till.sim.control.setOutage(false);
  await page.getByTestId('sync-now').click();
  await expect(notice).toHaveText(`Sending ${n(2)} waiting orders and refunds now…`);
  await expect(progress).toHaveText(`Everything waiting was sent. Needs attention: ${n(0)}.`, { timeout: 20_000 });
  expect(
    till.sim.control
      .ledger()
      .orders.map((o) => o.orderId)
      .sort(),
  ).toEqual([first, second].sort());
  await expect(page.getByTestId('queue-error')).toHaveCount(0);

  // Nothing left: the press says so rather than pretending to send.
  await page.getByTestId('sync-now').click();
  await expect(notice).toHaveText('Nothing is waiting to be sent.');
  await expect(progress).toHaveCount(0);
});

test('"Retry needs-attention (N)" names what it retries and reports how many went back to the queue', async ({ page }) => {
  till.sim.control.setFaults({ refuseOrders: 1 });
  await openTill(page, till);
  const refused = await saveOrder(page, '0505550301', '20');
  await expect(page.getByTestId('saved-card')).toHaveAttribute('data-state', 'attention', { timeout: 20_000 });

  await page.keyboard.press('F3');
  const retry = page.getByTestId('retry-attention');
  await expect(retry).toHaveText(`Retry needs-attention (${n(1)})`);
  await expect(retry).toBeEnabled();
  await retry.click();
  await expect(page.getByTestId('queue-notice')).toHaveText(`Needs-attention orders and refunds queued to send again, unchanged: ${n(1)}`);
  // Gameball's refusal was a one-off: resent as it was, the order goes through.
  await expect(page.locator(`[role=row][data-order-id="${refused}"]`)).toHaveAttribute('data-state', 'synced', { timeout: 30_000 });
  await expect(retry).toHaveText(`Retry needs-attention (${n(0)})`);
  await expect(retry).toBeDisabled();
});
