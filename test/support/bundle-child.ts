// A child process's script bundled once with esbuild, so each start of it takes ~0.2 s instead of
// a TypeScript compile: the crash, restart and fleet tests start their till processes many times.
// better-sqlite3 stays outside the bundle (a native module; the child finds it through NODE_PATH).
import { resolve } from 'node:path';

const repoRoot = resolve(import.meta.dirname, '../..');

/** Bundles `entry` (a path from the repository's root) into `outfile` as CommonJS for Node 20. */
export async function bundleChild(entry: string, outfile: string): Promise<void> {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [resolve(repoRoot, entry)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    external: ['better-sqlite3'],
    logLevel: 'warning',
  });
}
