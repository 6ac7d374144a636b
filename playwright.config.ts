import { defineConfig } from '@playwright/test';

// End-to-end tests drive the real screen in Debian's Chromium (never a downloaded browser).
export const chromiumExecutable = process.env.POS_COMPANION_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'test/e2e',
  // Builds the screen (build/renderer) once; `serve` serves it as it is.
  globalSetup: './test/e2e/global-setup.ts',
  outputDir: 'test-results',
  timeout: 60_000,
  workers: 1,
  reporter: [['list']],
  use: {
    launchOptions: {
      executablePath: chromiumExecutable,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
});
