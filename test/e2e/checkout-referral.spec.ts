// A new customer's checkout with a friend's referral, scanned by a keyboard-mode scanner while
// the cursor sits in another field: the code lands in the referral field, the field that had
// focus is left as typed, the order is saved at once and then synced with its points.
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

test('new customer with a referral scanned in keyboard mode is saved, synced and shown with points', async ({ page }) => {
  // The page runs under a CSP without 'unsafe-eval': nothing it does may be reported against it.
  const cspViolations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  const code = await seedReferrer(till);
  await page.setViewportSize({ width: 1366, height: 820 });
  await openTill(page, till);
  await expect(page.getByTestId('training-banner')).toHaveCount(0);

  await typeOrder(page, '0501234567', '125.50');
  // The scanner types into the amount field, which has focus.
  await expect(page.getByTestId('amount-input')).toBeFocused();
  await keyboardScan(page, `${till.sim.url}/referral?GBReferral=${code}`);

  await expect(page.getByTestId('referral-input')).toHaveValue(code);
  await expect(page.getByTestId('amount-input')).toHaveValue('125.50');
  await expect(page.getByTestId('mobile-input')).toHaveValue('0501234567');
  await expect(page.getByTestId('scan-note')).toHaveText(/Referral code scanned/);
  // Online advice from Gameball (the simulator) about the code.
  await expect(page.getByTestId('referral-feedback')).toHaveAttribute('data-status', 'ok');
  await screenshot(page, 'checkout-en');

  // Enter saves; the order id is shown at once.
  await page.getByTestId('amount-input').focus();
  const started = Date.now();
  await page.keyboard.press('Enter');
  const saved = page.getByTestId('saved-card');
  await expect(saved).toBeVisible();
  expect(Date.now() - started).toBeLessThan(1_000);
  const orderId = await saved.getAttribute('data-order-id');
  expect(orderId).toBeTruthy();
  await expect(page.getByTestId('saved-order-id')).toHaveText(orderId as string);
  // The form is ready for the next customer.
  await expect(page.getByTestId('mobile-input')).toHaveValue('');
  await expect(page.getByTestId('mobile-input')).toBeFocused();

  await expect(saved).toHaveAttribute('data-state', 'synced', { timeout: 20_000 });
  const ledger = till.sim.control.ledger();
  const order = ledger.orders.find((o) => o.orderId === orderId);
  expect(order, 'the order reached Gameball').toBeTruthy();
  await expect(saved.getByTestId('points')).toHaveAttribute('data-points', String(order?.rewardedPoints));
  expect(order?.rewardedPoints).toBeGreaterThan(0);
  // Gameball linked the new customer to the friend who referred them.
  expect(ledger.referrals.some((r) => r.referrerCode === code && r.referredCustomerId === order?.customerId)).toBe(true);
  await screenshot(page, 'checkout-saved-en');

  // The queue shows it synced with the same points.
  await page.keyboard.press('F3');
  const row = page.locator(`[role=row][data-order-id="${orderId}"]`);
  await expect(row).toHaveAttribute('data-state', 'synced');
  await expect(row.getByTestId('points')).toHaveAttribute('data-points', String(order?.rewardedPoints));
  expect(cspViolations).toEqual([]);
});

test('a person typing in the referral field is never taken for a scanner', async ({ page }) => {
  await openTill(page, till);
  await page.getByTestId('referral-input').focus();
  await page.keyboard.type('FRIEND42', { delay: 90 });
  await expect(page.getByTestId('referral-input')).toHaveValue('FRIEND42');
  await expect(page.getByTestId('scan-note')).toHaveText('');
});

test('a product barcode scanned at checkout fills nothing and says why', async ({ page }) => {
  await openTill(page, till);
  await page.getByTestId('mobile-input').focus();
  await keyboardScan(page, '4006381333931');
  await expect(page.getByTestId('scan-note')).toHaveText(/product barcode/i);
  await expect(page.getByTestId('mobile-input')).toHaveValue('');
  await expect(page.getByTestId('referral-input')).toHaveValue('');
});
