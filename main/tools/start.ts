// `npm start`: the desktop app from a checkout. Rebuilds the native add-ons for Electron's ABI
// (@electron/rebuild; `npm test` switches them back for Node, see native-abi.ts), builds main,
// preload and the screen, then launches Electron on the repository (package.json "main").
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAll } from './build.ts';
import { electronBinary, electronVersion } from './electron-binary.ts';
import { NATIVE_MODULES } from './native-abi.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

async function main(): Promise<number> {
  const bin = electronBinary();
  if (!bin) {
    process.stderr.write(
      'The Electron binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD, or its download failed).\n' +
        'Install it with `node node_modules/electron/install.js`, or use browser mode: `npm run serve`.\n',
    );
    return 1;
  }
  const version = electronVersion();
  process.stdout.write(`Rebuilding ${NATIVE_MODULES.join(', ')} for Electron ${version}...\n`);
  const { rebuild } = await import('@electron/rebuild');
  await rebuild({ buildPath: repoRoot, electronVersion: version, onlyModules: [...NATIVE_MODULES], force: false });
  process.stdout.write('Building...\n');
  await buildAll();
  const child = spawn(bin, [repoRoot, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, ELECTRON_ENABLE_LOGGING: '1' },
  });
  return new Promise((resolveExit) => child.on('exit', (code, signal) => resolveExit(code ?? (signal ? 1 : 0))));
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`npm start failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
