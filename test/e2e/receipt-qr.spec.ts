// A Saudi receipt's ZATCA e-invoice QR, scanned by a keyboard-mode scanner: it fills the amount
// and shows the receipt's time and seller; once that sale is saved, scanning the same receipt
// again is refused at once, naming the order it was captured as, and nothing is filled.
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import Database from 'better-sqlite3';
import { keyboardScan, openTill, startTill } from './support/till.ts';
import type { Till } from './support/till.ts';

let till: Till;
test.beforeEach(async () => {
  till = await startTill();
});
test.afterEach(async () => {
  await till?.close();
});

/** Base64 of the TLV fields (tag byte, length byte, UTF-8 value), as ZATCA's guideline builds it. */
function zatcaQr(fields: string[]): string {
  return Buffer.concat(fields.map((v, i) => Buffer.concat([Buffer.from([i + 1, Buffer.byteLength(v)]), Buffer.from(v)]))).toString(
    'base64',
  );
}

test('a ZATCA receipt QR fills the sale; the same receipt scanned after the save is refused, naming the order', async ({ page }) => {
  // Printed two minutes ago, in whole seconds as a POS prints it: the order is dated then.
  const printedAt = `${new Date(Date.now() - 2 * 60_000).toISOString().slice(0, 19)}Z`;
  const receipt = zatcaQr(['مؤسسة البيع', '310122393500003', printedAt, '125.50', '16.37']);
  await openTill(page, till);
  await page.getByTestId('mobile-input').fill('0501234567');
  await page.getByTestId('mobile-input').focus();
  await keyboardScan(page, receipt);

  await expect(page.getByTestId('amount-input')).toHaveValue('125.50');
  // The scan went to the sale, not into the field that had focus.
  await expect(page.getByTestId('mobile-input')).toHaveValue('0501234567');
  await expect(page.getByTestId('receipt-scan')).toHaveAttribute('data-receipt-time', printedAt);
  await expect(page.getByTestId('receipt-scan')).toContainText('مؤسسة البيع');
  await expect(page.getByTestId('scan-note')).toHaveText(/Receipt scanned/);

  await page.getByTestId('submit-order').click();
  const saved = page.getByTestId('saved-card');
  await expect(saved).toBeVisible();
  const orderId = (await saved.getAttribute('data-order-id')) as string;
  expect(orderId).toBeTruthy();
  await expect(page.getByTestId('mobile-input')).toHaveValue('');
  // The order carries the receipt's time, not the moment it was saved.
  const db = new Database(join(till.dataDir, 'pos-companion.db'), { readonly: true });
  try {
    expect(db.prepare('SELECT order_date FROM orders WHERE order_id = ?').get(orderId)).toEqual({
      order_date: new Date(printedAt).toISOString(),
    });
  } finally {
    db.close();
  }

  // The same receipt again, for another customer: refused at the scan, the order named, nothing filled.
  await page.getByTestId('mobile-input').fill('0507654321');
  await keyboardScan(page, receipt);
  // The order id is isolated (U+2066 ... U+2069) so it reads left to right in Arabic too.
  await expect(page.getByTestId('scan-note')).toContainText(`already captured as order \u2068${orderId}\u2069`);
  await expect(page.getByTestId('amount-input')).toHaveValue('');
  await expect(page.getByTestId('receipt-scan')).toHaveCount(0);
  await expect(page.getByTestId('mobile-input')).toHaveValue('0507654321');
});
