// The connection between the page and the till app drops in the middle of a save: the engine has
// saved the order, but its answer never reaches the page. The screen says so, saves again with the
// same clientRef once the connection is back, and shows the order it already had: one order in
// the queue and one at Gameball, never two.
import { expect, test } from '@playwright/test';
import { openTill, startTill, typeOrder } from './support/till.ts';
import type { Till } from './support/till.ts';

let till: Till;
test.beforeEach(async () => {
  till = await startTill({ keys: true });
});
test.afterEach(async () => {
  await till?.close();
});

test('a save whose answer is lost with the connection is retried with the same clientRef: exactly one order', async ({ page }) => {
  const captures: Array<{ clientRef?: string }> = [];
  let dropped = 0;
  let releaseReconnect!: () => void;
  const reconnectAllowed = new Promise<void>((r) => (releaseReconnect = r));
  await page.routeWebSocket(/\/ws$/, async (ws) => {
    // After the drop, the till app stays unreachable until the test has seen the screen say so.
    if (dropped > 0) await reconnectAllowed;
    const server = ws.connectToServer();
    const captureIds = new Set<number>();
    ws.onMessage((message) => {
      const frame = JSON.parse(String(message)) as { id: number; channel: string; request?: { clientRef?: string } };
      if (frame.channel === 'orders:capture') {
        captureIds.add(frame.id);
        captures.push({ clientRef: frame.request?.clientRef });
      }
      server.send(message);
    });
    server.onMessage((message) => {
      const frame = JSON.parse(String(message)) as { id?: number };
      if (dropped === 0 && frame.id !== undefined && captureIds.has(frame.id)) {
        // Saved by the engine, answer lost: the connection goes down with it.
        dropped += 1;
        void ws.close({ code: 4000, reason: 'connection lost' });
        void server.close();
        return;
      }
      ws.send(message);
    });
  });

  await page.setViewportSize({ width: 1366, height: 820 });
  await openTill(page, till);
  await typeOrder(page, '0507654321', '88.00');
  await page.keyboard.press('Enter');

  await expect(page.getByTestId('save-retrying')).toBeVisible();
  await expect(page.getByTestId('submit-order')).toBeDisabled();
  await expect(page.getByTestId('saved-card')).toHaveCount(0);
  releaseReconnect();

  const saved = page.getByTestId('saved-card');
  await expect(saved).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('save-retrying')).toHaveCount(0);
  await expect(page.getByTestId('save-error')).toHaveCount(0);
  const orderId = (await saved.getAttribute('data-order-id')) as string;
  expect(dropped).toBe(1);
  expect(captures).toHaveLength(2);
  expect(captures[0]?.clientRef).toMatch(/^[0-9a-f-]{36}$/);
  expect(captures[1]?.clientRef).toBe(captures[0]?.clientRef);
  await expect(page.getByTestId('recent-list').locator('li')).toHaveCount(1);
  // The form is ready for the next sale.
  await expect(page.getByTestId('mobile-input')).toHaveValue('');

  // One order in the queue, and one at Gameball once sent.
  await expect(saved).toHaveAttribute('data-state', 'synced', { timeout: 20_000 });
  await page.keyboard.press('F3');
  await expect(page.locator('[role=row][data-order-id]')).toHaveCount(1);
  await expect(page.locator(`[role=row][data-order-id="${orderId}"]`)).toBeVisible();
  const atGameball = till.sim.control.ledger().orders.filter((o) => o.customerId === 'mobile_966507654321');
  expect(atGameball.map((o) => o.orderId)).toEqual([orderId]);
});
