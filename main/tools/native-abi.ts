// Native add-ons (better-sqlite3, node-hid) are compiled for one ABI at a time: Node's for the CLI,
// tests and browser mode, Electron's for the desktop app. `npm start` rebuilds them for Electron;
// this check (run before `npm test`) rebuilds them for Node again when they no longer load here.
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const NATIVE_MODULES = ['better-sqlite3', 'node-hid'] as const;

/** Loads the module in a fresh Node process (a failed native load cannot be retried in-process). */
export function loadsInNode(moduleName: string): { ok: boolean; detail: string } {
  const probe =
    moduleName === 'better-sqlite3'
      ? "const D=require('better-sqlite3'); new D(':memory:').close();"
      : `require(${JSON.stringify(moduleName)});`;
  const run = spawnSync(process.execPath, ['-e', probe], { cwd: repoRoot, encoding: 'utf8' });
  return { ok: run.status === 0, detail: (run.stderr || '').split('\n').find((l) => /NODE_MODULE_VERSION|Error/.test(l)) ?? '' };
}

/** True when the failure is an ABI mismatch (built for Electron), the one thing a rebuild fixes. */
export const isAbiMismatch = (detail: string): boolean =>
  /NODE_MODULE_VERSION|was compiled against a different Node\.js version/.test(detail);

export function ensureNodeAbi(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): boolean {
  const stale = NATIVE_MODULES.filter((m) => {
    const r = loadsInNode(m);
    return !r.ok && isAbiMismatch(r.detail);
  });
  if (stale.length === 0) return true;
  log(`Native modules built for Electron (${stale.join(', ')}): rebuilding them for Node ${process.versions.node}...`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const run = spawnSync(npm, ['rebuild', ...stale], { cwd: repoRoot, stdio: 'inherit' });
  if (run.status !== 0) return false;
  return stale.every((m) => loadsInNode(m).ok);
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  process.exitCode = ensureNodeAbi() ? 0 : 1;
}
