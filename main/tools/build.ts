// `npm run build`: the desktop app's three parts into build/ —
//   build/app/main/index.cjs     the Electron main process (esbuild, CommonJS, Node target)
//   build/app/preload/index.cjs  the preload bridge (esbuild, CommonJS: sandboxed preloads cannot import)
//   build/renderer/              the screen (vite, see vite.config.ts)
// Needs no Electron binary. Native modules (better-sqlite3, node-hid) and electron stay external:
// they are loaded from node_modules (unpacked from the asar in a package).
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild, type BuildOptions } from 'esbuild';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BUILD_DIR = join(repoRoot, 'build');

/** Modules loaded at run time instead of bundled: Electron itself and the native add-ons. */
export const EXTERNAL = ['electron', 'better-sqlite3', 'node-hid'];

// Main and preload keep linked source maps beside their bundles (readable stack traces): nothing
// serves build/app (browser mode and app:// serve build/renderer only, and never a .map), and the
// installers leave every *.map out (electron-builder.yml). The screen is built without them.
const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  sourcemap: 'linked',
  external: EXTERNAL,
  logLevel: 'warning',
  legalComments: 'none',
  // ESM sources read import.meta.url; in the CommonJS bundle it is the bundle file's URL.
  define: { 'import.meta.url': '__importMetaUrl', 'import.meta.dirname': '__dirname' },
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
};

/** Builds main and preload into `outDir` (default build/app): main/index.cjs and preload/index.cjs. */
export async function buildMainAndPreload(outDir = join(BUILD_DIR, 'app')): Promise<void> {
  rmSync(outDir, { recursive: true, force: true });
  await Promise.all([
    esbuild({ ...common, entryPoints: [join(repoRoot, 'main/index.ts')], outfile: join(outDir, 'main/index.cjs') }),
    // The preload runs sandboxed: only `electron` may be required; everything else is bundled in.
    esbuild({
      ...common,
      entryPoints: [join(repoRoot, 'preload/index.ts')],
      outfile: join(outDir, 'preload/index.cjs'),
      external: ['electron'],
      platform: 'browser',
      target: 'chrome130',
      banner: {},
      define: {},
    }),
  ]);
}

export async function buildRenderer(): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: join(repoRoot, 'vite.config.ts'), logLevel: 'warn' });
}

export async function buildAll(): Promise<void> {
  await buildMainAndPreload();
  await buildRenderer();
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const only = process.argv[2];
  const job = only === 'app' ? buildMainAndPreload() : only === 'renderer' ? buildRenderer() : buildAll();
  job.then(
    () => process.stdout.write(`Built into ${BUILD_DIR}\n`),
    (err: unknown) => {
      process.stderr.write(`build failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
