// A sale the POS posts to the local API without a customer appears on the checkout screen with its
// amount and receipt, and the cashier's scan of the customer's QR completes it: one order, kept
// under the sale's posSaleId.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { apiCall } from '../support/api-client.ts';
import { keyboardScan, openTill, startTill } from './support/till.ts';
import type { Till } from './support/till.ts';

let till: Till;
test.beforeEach(async () => {
  till = await startTill({ serveArgs: ['--api-port', '0'] });
});
test.afterEach(async () => {
  await till?.close();
});

/** The text without the bidi isolation marks the translations put around each value. */
const plain = (text: string) => text.replace(/[\u2066-\u2069]/g, '').replace(/\s/g, ' ');

async function localApi(t: Till): Promise<{ origin: string; token: string }> {
  await expect.poll(() => /Local API for the POS: (http:\/\/127\.0\.0\.1:\d+)/.exec(t.output())?.[1] ?? null).not.toBeNull();
  const origin = /Local API for the POS: (http:\/\/127\.0\.0\.1:\d+)/.exec(t.output())?.[1] ?? '';
  const token = (await readFile(join(t.dataDir, 'api-token'), 'utf8')).trim();
  return { origin, token };
}

test('a sale without a customer waits on the screen and the customer scan completes it', async ({ page }) => {
  const { origin, token } = await localApi(till);
  await openTill(page, till);
  const sale = { posSaleId: 'S-1043', totalPaid: '125.50', currency: 'SAR', receiptNo: 'R-1043', soldAt: new Date().toISOString() };
  const posted = await apiCall(origin, 'POST', '/v1/sales', { token, body: sale });
  expect(posted.status).toBe(202);

  const banner = page.getByTestId('pending-sale');
  await expect(banner).toBeVisible();
  await expect
    .poll(async () => plain(await page.getByTestId('pending-sale-prompt').innerText()))
    .toBe('Sale R-1043, SAR 125.50: scan the customer or their friend’s referral QR');
  await expect(page.getByTestId('amount-input')).toHaveValue('125.50');
  await expect(page.getByTestId('receipt-input')).toHaveValue('R-1043');

  await keyboardScan(page, 'mobile_966500001043');
  await expect(page.getByTestId('saved-card')).toBeVisible();
  await expect(banner).toHaveCount(0);
  const orderId = await page.getByTestId('saved-order-id').innerText();

  const got = await apiCall(origin, 'GET', '/v1/sales/S-1043', { token });
  expect(got.body).toMatchObject({ state: 'captured', orderId, totalPaidMinor: 12550 });
  // The POS sending it again gets the same order.
  const again = await apiCall(origin, 'POST', '/v1/sales', { token, body: sale });
  expect(again.status).toBe(200);
  expect(again.body).toMatchObject({ orderId, replayed: true });
});

test('a pending sale reached by a page already open is shown, and typing the mobile completes it', async ({ page }) => {
  const { origin, token } = await localApi(till);
  const sale = { posSaleId: 'S-2001', totalPaid: '40', currency: 'SAR', receiptNo: 'R-2001', soldAt: new Date().toISOString() };
  expect((await apiCall(origin, 'POST', '/v1/sales', { token, body: sale })).status).toBe(202);
  await openTill(page, till);
  await expect.poll(async () => plain(await page.getByTestId('pending-sale-prompt').innerText())).toContain('Sale R-2001, SAR 40.00');
  await expect(page.getByTestId('amount-input')).toHaveValue('40.00');
  await page.getByTestId('mobile-input').fill('0500002001');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('saved-card')).toBeVisible();
  await expect(page.getByTestId('pending-sale')).toHaveCount(0);
  const got = await apiCall(origin, 'GET', '/v1/sales/S-2001', { token });
  expect(got.body).toMatchObject({ state: 'captured' });
});
