// `npm run bench`: runs every test/bench/*.bench.ts in its own process, one after another (so
// one benchmark's garbage and timers never skew the next), and prints what each reports.
// Each benchmark measures its own baseline in the same run and prints ratios against it:
// absolute numbers on a shared two-core machine mean little, ratios do.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

let failed = 0;
for (const file of files) {
  process.stdout.write(`\n## ${file.replace(/\.bench\.ts$/, '')}\n`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', join(here, file)], {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (run.status !== 0) {
    failed += 1;
    process.stdout.write(`(${file} failed with exit code ${run.status ?? run.signal})\n`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
