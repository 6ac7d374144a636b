// A till whose database file was damaged on disk while it was off: the screen says so the moment
// it opens (in the till's language, with the full account for store IT under "Details"), the
// orders it could read are back in the queue, and `serve` prints the same story.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { createEngine, noSync } from '../../main/engine.ts';
import { silentLogger } from '../../main/log.ts';
import { overwritePage, pagesOf } from '../support/damage.ts';
import { openTill, screenshot, startTill } from './support/till.ts';
import type { Till } from './support/till.ts';

let till: Till | undefined;
let dataDir: string | undefined;
test.afterEach(async () => {
  await till?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

test('a damaged database is told on the screen, and the readable orders are back in the queue', async ({ page }) => {
  dataDir = await mkdtemp(join(tmpdir(), 'pos-companion-e2e-damaged-'));
  const seed = await createEngine({ dataDir, logger: silentLogger(), secretCipher: null, env: {}, sync: noSync, startSync: false });
  const tillId = seed.getSettings().tillId;
  for (let i = 0; i < 60; i++)
    seed.captureOrder({
      mobile: `+96650${String(5000 + i).padStart(7, '0')}`,
      totalPaidMinor: 450,
      name: `Customer ${i}, a name long enough to fill pages`,
    });
  await seed.close();
  const file = join(dataDir, 'pos-companion.db');
  overwritePage(file, pagesOf(file, 'orders')[1]!.pageno, 8, 3000);

  const started = await startTill({ keys: false, dataDir });
  till = started;
  // The notice line may follow the printed address by a moment.
  await expect.poll(() => started.output()).toMatch(/Notice: The till's database was damaged \(some of its pages are damaged/);
  await openTill(page, till);
  const notice = page.getByTestId('till-notice');
  await expect(notice).toHaveCount(1);
  await expect(notice).toHaveAttribute('data-code', 'DB_DAMAGED_PARTIAL');
  await expect(notice).toContainText('The till’s database was damaged. A new one was started with the same till id and keys');
  // Numbers come wrapped in direction isolates (FSI..PDI), so they read right in Arabic too.
  await expect(notice).toContainText(/but \u2068\d+\u2069 records could not be read\. Tell store IT today/);
  await expect(page.locator('.brand-till')).toContainText(tillId); // the same till
  await notice.getByText('Details for store IT').click();
  await expect(notice).toContainText('It was moved aside to');
  await expect(notice).toContainText('pos-companion.db.corrupt-');
  await screenshot(page, 'damaged-database-notice');

  // The orders it could read are in the queue, waiting to be sent.
  await page.keyboard.press('F3');
  await expect(page.locator('[role=row][data-order-id]').first()).toBeVisible();
});
