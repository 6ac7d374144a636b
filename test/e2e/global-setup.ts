// Builds the screen once before the end-to-end tests: `serve` serves build/renderer as it is.
// POS_COMPANION_E2E_SKIP_BUILD=1 reuses an existing build (e.g. when iterating on a spec).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export default function globalSetup(): void {
  const root = resolve(import.meta.dirname, '../..');
  mkdirSync(join(root, 'test-results', 'screenshots'), { recursive: true });
  if (process.env.POS_COMPANION_E2E_SKIP_BUILD === '1' && existsSync(join(root, 'build/renderer/index.html'))) return;
  execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
}
