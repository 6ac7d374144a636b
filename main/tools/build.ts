// `npm run build`: the desktop app's three parts into build/ —
//   build/app/main/index.cjs     the Electron main process (esbuild, CommonJS, Node target)
//   build/app/preload/index.cjs  the preload bridge (esbuild, CommonJS: sandboxed preloads cannot import)
//   build/renderer/              the screen (vite, see vite.config.ts)
//   build/cli/pos-companion.cjs  the admin CLI (esbuild, CommonJS), with status.cjs (the quick
//                                `status`) and pos-companion.inputs.json: the files they were built
//                                from, which `npx pos-companion` checks to run them only while they
//                                match the sources (main/bin/cli-bundle.mjs)
// Needs no Electron binary. Native modules (better-sqlite3, node-hid) and electron stay external:
// they are loaded from node_modules (unpacked from the asar in a package).
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild, type BuildOptions, type Plugin } from 'esbuild';

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

/**
 * zod's `locales` namespace holds every language's error messages (about 350 KiB of the CLI's
 * start); the code reads none of them (zod loads English itself, and the screen words its own
 * messages), so the CLI bundle keeps English only.
 */
const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
      contents: "export { default as en } from './en.js';",
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

/** Where `npx pos-companion` looks for the built CLI (see main/bin/cli-bundle.mjs). */
export const CLI_DIR = join(BUILD_DIR, 'cli');

/** The quick `status` (main/cli/status.ts), bundled on its own so that `status` loads only what it reads. */
export const QUICK_STATUS_BUNDLE = 'status.cjs';

/**
 * Builds the admin CLI into `outDir`: pos-companion.cjs (the whole CLI), status.cjs (the quick
 * `status`, see main/cli/status.ts) and pos-companion.inputs.json (each input of either bundle:
 * its path from the repository, size and mtime). All are written beside and renamed into place,
 * the bundles first, so a CLI starting meanwhile runs either the old or the new ones whole.
 */
export async function buildCli(outDir = CLI_DIR): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const bundles = [
    { entry: 'main/cli.ts', file: 'pos-companion.cjs' },
    { entry: 'main/cli/status.ts', file: QUICK_STATUS_BUNDLE },
  ].map((b) => ({ ...b, out: join(outDir, b.file), tmp: join(outDir, `${b.file}.${process.pid}.tmp`) }));
  const results = await Promise.all(
    bundles.map((b) =>
      esbuild({
        ...common,
        entryPoints: [join(repoRoot, b.entry)],
        outfile: b.tmp,
        absWorkingDir: repoRoot,
        metafile: true,
        plugins: [zodEnglishOnly],
        // Stack traces point into the bundle; the sources are beside it in a development checkout.
        sourcemap: false,
      }),
    ),
  );
  // The sources one by one; the installed packages through the lock file npm rewrites at every
  // install (a few hundred fewer files to look at when the CLI starts).
  const sources = new Set(
    results.flatMap((r) => Object.keys(r.metafile.inputs)).filter((p) => !p.startsWith('<') && !p.includes('node_modules/')),
  );
  const inputs = [...sources, 'node_modules/.package-lock.json']
    .filter((p) => existsSync(join(repoRoot, p)))
    .map((p) => {
      const st = statSync(join(repoRoot, p));
      return [p, st.size, st.mtimeMs] as const;
    });
  const manifest = join(outDir, 'pos-companion.inputs.json');
  writeFileSync(
    `${manifest}.${process.pid}.tmp`,
    `${JSON.stringify({ bundle: 'pos-companion.cjs', quickStatus: QUICK_STATUS_BUNDLE, inputs })}\n`,
  );
  for (const b of bundles) renameSync(b.tmp, b.out);
  renameSync(`${manifest}.${process.pid}.tmp`, manifest);
}

export async function buildRenderer(): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: join(repoRoot, 'vite.config.ts'), logLevel: 'warn' });
}

export async function buildAll(): Promise<void> {
  await buildMainAndPreload();
  await buildCli();
  await buildRenderer();
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const only = process.argv[2];
  const job = only === 'app' ? buildMainAndPreload() : only === 'renderer' ? buildRenderer() : only === 'cli' ? buildCli() : buildAll();
  job.then(
    () => process.stdout.write(`Built into ${BUILD_DIR}\n`),
    (err: unknown) => {
      process.stderr.write(`build failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
