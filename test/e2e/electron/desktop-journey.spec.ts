// The desktop app's journey in real Electron: launch on a temporary data folder against the
// simulator (as Gameball), capture a new customer's order with a referral code, and see it synced
// with points in the queue. Runs only where the Electron binary is installed; otherwise every test
// here is SKIPPED with the reason (a skip never counts as a pass).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { electronBinary } from '../../../main/tools/electron-binary.ts';
import { startSimulator, type RunningSimulator } from '../../../main/simulator/index.ts';

const repoRoot = resolve(import.meta.dirname, '../../..');
const binary = electronBinary();
const SKIP_REASON = 'Electron binary not installed (ELECTRON_SKIP_BINARY_DOWNLOAD): the desktop journey cannot run on this machine.';
if (binary === undefined) process.stderr.write(`SKIPPED test/e2e/electron: ${SKIP_REASON}\n`);

test.describe('desktop app (Electron)', () => {
  test.skip(binary === undefined, SKIP_REASON);

  let sim: RunningSimulator;
  let dataDir: string;

  test.beforeAll(async () => {
    // The native add-ons must match Electron's ABI, and the app must be built.
    const rebuild = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        "const { rebuild } = await import('@electron/rebuild'); const { electronVersion } = await import('./main/tools/electron-binary.ts'); await rebuild({ buildPath: process.cwd(), electronVersion: electronVersion(), onlyModules: ['better-sqlite3', 'node-hid'] });",
      ],
      { cwd: repoRoot, stdio: 'inherit' },
    );
    expect(rebuild.status).toBe(0);
    const build = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'main/tools/build.ts')], {
      cwd: repoRoot,
      stdio: 'inherit',
    });
    expect(build.status).toBe(0);
    sim = await startSimulator({ port: 0, apiKey: 'e2e-api-key-123456', secretKey: 'e2e-secret-key-123456' });
    dataDir = mkdtempSync(join(tmpdir(), 'pos-electron-e2e-'));
  });

  test.afterAll(async () => {
    await sim?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    // Leave the add-ons usable by Node for the rest of the suite.
    spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'main/tools/native-abi.ts')], { cwd: repoRoot, stdio: 'inherit' });
  });

  test('capture an order with a referral and see it synced', async () => {
    const app = await electron.launch({
      executablePath: binary!,
      args: [repoRoot, `--data-dir=${dataDir}`],
      env: {
        ...process.env,
        GAMEBALL_BASE_URL: sim.url,
        GAMEBALL_API_KEY: 'e2e-api-key-123456',
        GAMEBALL_SECRET_KEY: 'e2e-secret-key-123456',
      },
    });
    try {
      const page = await app.firstWindow();
      await expect(page).toHaveURL(/^app:\/\/pos-companion\//);
      // The page has the bridge and nothing of Node.
      expect(await page.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined');
      expect(
        await page.evaluate(() =>
          Object.keys((window as unknown as { posCompanion: object }).posCompanion)
            .sort()
            .includes('captureOrder'),
        ),
      ).toBe(true);

      const captured = await page.evaluate(() =>
        (
          window as unknown as { posCompanion: { captureOrder: (r: unknown) => Promise<{ ok: boolean; value?: { orderId: string } }> } }
        ).posCompanion.captureOrder({
          customer: { mobile: '0500007777' },
          currency: 'SAR',
          totalPaidMinor: 15000,
          referrerCode: 'REF123456',
        }),
      );
      expect(captured.ok).toBe(true);
      const orderId = captured.value!.orderId;
      await expect
        .poll(
          async () =>
            page.evaluate(
              async (id) =>
                (
                  await (
                    window as unknown as {
                      posCompanion: { getOrder: (r: unknown) => Promise<{ ok: boolean; value?: { state: string } | null }> };
                    }
                  ).posCompanion.getOrder({ orderId: id })
                ).value?.state,
              orderId,
            ),
          { timeout: 30_000 },
        )
        .toBe('synced');
      expect(sim.control.ledger().orders).toBeTruthy();
      await page.screenshot({ path: test.info().outputPath('desktop-queue.png') });
    } finally {
      await app.close();
    }
  });
});
