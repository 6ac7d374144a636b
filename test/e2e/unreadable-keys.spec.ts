// Keys stored by the desktop app (safeStorage) are opened in browser mode, which cannot read them:
// the till stays live (not training), the settings say the keys cannot be read on this computer,
// and entering them again sends the order that was waiting, without a restart.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { aesGcmDecrypt, aesGcmEncrypt } from '../../main/config/node-cipher.ts';
import type { SecretCipher } from '../../main/config/secrets.ts';
import { createEngine, noSync } from '../../main/engine.ts';
import { silentLogger } from '../../main/log.ts';
import { openTill, screenshot, startTill } from './support/till.ts';
import type { Till } from './support/till.ts';

let till: Till | undefined;
let dataDir: string | undefined;
test.afterEach(async () => {
  await till?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

test('keys this computer cannot read: live, said in the settings, and entering them again sends the waiting order', async ({ page }) => {
  dataDir = await mkdtemp(join(tmpdir(), 'pos-companion-e2e-unreadable-'));
  const key = randomBytes(32);
  const desktop: SecretCipher = {
    id: 'electron-safestorage-v1',
    available: () => true,
    encrypt: (p) => aesGcmEncrypt(key, p),
    decrypt: (b) => aesGcmDecrypt(key, b),
  };
  const seed = await createEngine({ dataDir, logger: silentLogger(), secretCipher: desktop, env: {}, sync: noSync, startSync: false });
  seed.setKeys({ apiKey: 'desktop-api-key-0001', secretKey: 'desktop-secret-key-0002' });
  const waiting = seed.captureOrder({ mobile: '0500001234', totalPaidMinor: 1250 });
  expect(waiting.training).toBe(false);
  await seed.close();

  const started = await startTill({ keys: false, dataDir });
  till = started;
  await page.setViewportSize({ width: 1366, height: 820 });
  await openTill(page, started);
  // Live: no training banner, and the order waits.
  await expect(page.getByTestId('training-banner')).toHaveCount(0);
  await page.keyboard.press('F4');
  await expect(page.getByTestId('keys-form')).toBeVisible();
  await expect(page.getByTestId('keys-training')).toHaveCount(0);
  for (const id of ['api-key-state', 'secret-key-state']) {
    await expect(page.getByTestId(id)).toHaveAttribute('data-set', 'false');
    await expect(page.getByTestId(id)).toHaveAttribute('data-unreadable', 'true');
    await expect(page.getByTestId(id)).toHaveText('Cannot be read here');
  }
  await expect(page.getByTestId('keys-unreadable')).toContainText('The till stays live and its orders wait: enter the keys again');
  await expect(page.getByTestId('remove-keys')).toBeVisible();
  await screenshot(page, 'settings-keys-unreadable-en');
  // In Arabic too.
  await page.getByTestId('language-ar').click();
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  await expect(page.getByTestId('api-key-state')).toHaveText('لا يمكن قراءته هنا');
  await expect(page.getByTestId('keys-unreadable')).toContainText('تبقى نقطة البيع في التشغيل الفعلي وتنتظر طلباتها');
  await screenshot(page, 'settings-keys-unreadable-ar');
  await page.getByTestId('language-en').click();
  await expect(page.locator('html')).toHaveAttribute('dir', 'ltr');
  expect(started.sim.control.ledger().orders).toEqual([]);

  await page.getByTestId('api-key-input').fill(started.apiKey);
  await page.getByTestId('secret-key-input').fill(started.secretKey);
  await page.getByTestId('save-keys').click();
  for (const id of ['api-key-state', 'secret-key-state']) {
    await expect(page.getByTestId(id)).toHaveAttribute('data-set', 'true');
    await expect(page.getByTestId(id)).toHaveAttribute('data-unreadable', 'false');
  }
  await expect(page.getByTestId('keys-message')).toContainText('This till is live');
  await expect(page.getByTestId('keys-unreadable')).toHaveCount(0);
  // The order that waited reaches Gameball (the test's simulator), once, without a restart.
  await expect
    .poll(() => started.sim.control.ledger().orders.filter((o) => o.orderId === waiting.orderId).length, { timeout: 15_000 })
    .toBe(1);
});
