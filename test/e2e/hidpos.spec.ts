// HID POS mode: the scanner is a data device read by main (here a virtual one that replays capture
// files through the real scanner service, decoders and classification). Its scans reach the
// screen as `scan` events and fill the right field whatever has focus.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { honeywellHidPosCapture } from './support/hidpos-capture.ts';
import { openTill, repoRoot, screenshot, seedReferrer, startTill } from './support/till.ts';
import type { Till } from './support/till.ts';

const fixture = (name: string) => readFile(join(repoRoot, 'test/fixtures/scanner', name), 'utf8');

let till: Till;
let replayFile: string;
// Playwright needs the destructuring pattern in the first argument, even when empty.
// eslint-disable-next-line no-empty-pattern
test.beforeEach(async ({}, testInfo) => {
  replayFile = testInfo.outputPath('hid-replay.cap');
  await writeFile(replayFile, '# nothing scanned yet\n');
  till = await startTill({ keys: true, serveArgs: ['--hid-replay', replayFile] });
});
test.afterEach(async () => {
  await till?.close();
});

test('a referral scanned on a HID POS scanner: new customer from their QR, synced with points', async ({ page }) => {
  const code = await seedReferrer(till);
  await page.setViewportSize({ width: 1366, height: 820 });
  await openTill(page, till);
  await expect(page.getByTestId('status-scanner')).toHaveAttribute('data-state', 'connected');

  // A recorded Honeywell scan of a 150-character referral link, over three reports.
  await writeFile(replayFile, await fixture('hidpos-honeywell-referral-link.cap'));
  await expect(page.getByTestId('referral-input')).toHaveValue('Vg6945F76CkP1B');

  // The customer's own Gameball QR (id + rotating hash), then a product barcode by mistake.
  await writeFile(replayFile, honeywellHidPosCapture('mobile_966500001234123456', 'qr', 'customer QR'));
  await expect(page.getByTestId('customer-id')).toHaveText('mobile_966500001234');
  await writeFile(replayFile, honeywellHidPosCapture('4006381333931', 'ean13', 'product'));
  await expect(page.getByTestId('scan-note')).toHaveText(/product barcode/i);
  await expect(page.getByTestId('amount-input')).toBeFocused();
  await page.keyboard.type('230', { delay: 60 });

  // The friend's real referral link, scanned while the amount field has focus.
  await writeFile(replayFile, honeywellHidPosCapture(`${till.sim.url}/referral?GBReferral=${code}`, 'qr', 'referral link'));
  await expect(page.getByTestId('referral-input')).toHaveValue(code);
  await expect(page.getByTestId('amount-input')).toHaveValue('230');
  await expect(page.getByTestId('referral-feedback')).toHaveAttribute('data-status', 'ok');
  await screenshot(page, 'checkout-hidpos-en');

  await page.keyboard.press('Enter');
  const saved = page.getByTestId('saved-card');
  const orderId = (await saved.getAttribute('data-order-id')) as string;
  await expect(saved).toHaveAttribute('data-state', 'synced', { timeout: 20_000 });
  const ledger = till.sim.control.ledger();
  const order = ledger.orders.find((o) => o.orderId === orderId);
  expect(order?.customerId).toBe('mobile_966500001234');
  expect(order?.rewardedPoints).toBe(230);
  await expect(saved.getByTestId('points')).toHaveAttribute('data-points', '230');
  expect(ledger.referrals.some((r) => r.referrerCode === code && r.referredCustomerId === 'mobile_966500001234')).toBe(true);

  // Settings shows the scanner and what it read.
  await page.keyboard.press('F4');
  await writeFile(replayFile, await fixture('hidpos-honeywell-referral-link.cap'));
  await expect(page.getByTestId('live-scans').locator('tr[data-kind=referral]')).toHaveCount(1);
  await expect(page.getByTestId('raw-reports').locator('li').first()).toBeVisible();
  await screenshot(page, 'settings-scanner-en');
});
