// Builds the screen once before the end-to-end tests, into a folder of their own
// (build/e2e-renderer, served with `serve --static-dir`), so a `npm run build` running at the
// same time cannot empty it under them. POS_COMPANION_E2E_SKIP_BUILD=1 reuses an existing build.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { E2E_STATIC_DIR } from './support/static-dir.ts';

export default function globalSetup(): void {
  const root = resolve(import.meta.dirname, '../..');
  mkdirSync(join(root, 'test-results', 'screenshots'), { recursive: true });
  if (process.env.POS_COMPANION_E2E_SKIP_BUILD === '1' && existsSync(join(E2E_STATIC_DIR, 'index.html'))) return;
  execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', E2E_STATIC_DIR, '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
}
