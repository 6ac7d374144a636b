// The app's version, for the fleet view, the support bundle and the CLI. Kept apart from the
// fleet's metrics so a command that only needs the version does not load prom-client.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedVersion: string | undefined;

/** The app's version: package.json's, found above this file (the sources and the bundles alike). */
export function appVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i += 1) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'pos-companion' && typeof pkg.version === 'string') return (cachedVersion = pkg.version);
    } catch {
      // not here: one folder up
    }
    dir = dirname(dir);
  }
  return (cachedVersion = '0.0.0');
}
