// The installer ships package.json's `dependencies` (electron-builder copies them into the app)
// and the bundles in build/. Everything else (React, i18next, zod, pino, tsx, the bundlers) is
// compiled into the bundles, so it belongs in devDependencies: a runtime dependency that the
// bundle does not load from node_modules is dead weight in every till's install, and one the
// bundle loads but package.json does not list would be missing from it.
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { EXTERNAL } from '../../../main/tools/build.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};
const runtime = Object.keys(pkg.dependencies ?? {}).sort();
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** The bare packages the desktop main bundle still `require`s at run time. */
async function packagesLoadedAtRunTime(): Promise<string[]> {
  const result = await build({
    entryPoints: [join(repoRoot, 'main/index.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    external: EXTERNAL,
    write: false,
    metafile: true,
    logLevel: 'silent',
    define: { 'import.meta.url': '__importMetaUrl', 'import.meta.dirname': '__dirname' },
  });
  const loaded = new Set<string>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const imp of output.imports) {
      if (!imp.external || builtins.has(imp.path)) continue;
      const name = imp.path.startsWith('@') ? imp.path.split('/').slice(0, 2).join('/') : imp.path.split('/')[0]!;
      loaded.add(name);
    }
  }
  return [...loaded].sort();
}

describe('runtime dependencies', () => {
  it('are exactly the modules the bundles load from node_modules, less Electron itself', () => {
    expect(runtime).toEqual(EXTERNAL.filter((m) => m !== 'electron').sort());
  });

  it('Electron, the build tools and everything bundled are development dependencies', () => {
    const dev = Object.keys(pkg.devDependencies ?? {});
    for (const name of ['electron', 'electron-builder', 'tsx', 'esbuild', 'vite', 'react', 'react-dom', 'i18next', 'zod', 'pino']) {
      expect(dev, name).toContain(name);
    }
  });

  it('the main bundle loads nothing from node_modules but the runtime dependencies and Electron', async () => {
    const loaded = await packagesLoadedAtRunTime();
    expect(loaded.length).toBeGreaterThan(0);
    for (const name of loaded) expect([...runtime, 'electron'], name).toContain(name);
  }, 60_000);
});
