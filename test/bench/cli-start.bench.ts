// CLI start: `pos-companion status` on an existing data folder (1,000 orders) through the bin as a
// POS script runs it (the built CLI checked against the sources: for a plain `status` its quick
// status bundle, main/cli/status.ts, loaded with its code cache),
// against a bare Node process that opens the same database with better-sqlite3 and counts the
// outbox by state, in the same run, on a training till and on a live till (keys stored, encrypted
// under a master key file: the quick status decrypts them as the engine would, to give the same
// last error). The runs are interleaved run by run, so a busy neighbour on the shared machine hits
// all alike; medians and minimums are printed. Also, for the record: the built CLI run directly
// (`node build/cli/pos-companion.cjs`, no code cache) and the sources through tsx (what every run
// cost before the CLI was built).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MASTER_KEY_FILE_ENV } from '../../main/config/node-cipher.ts';
import { createEngine, noSync } from '../../main/engine.ts';
import { silentLogger } from '../../main/log.ts';
import { buildCli, CLI_DIR } from '../../main/tools/build.ts';

const TARGET = 2;
const ROUNDS = Number(process.env.CLI_BENCH_ROUNDS ?? 15);
const TSX_ROUNDS = 3;
const repoRoot = resolve(import.meta.dirname, '../..');
const bin = join(repoRoot, 'main/bin/pos-companion.mjs');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

/** Wall time of one run, in ms; throws when it fails. */
function timed(args: string[], env: NodeJS.ProcessEnv = {}): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pos-cli-bench-'));
  const cleanupDirs: string[] = [];
  try {
    const engine = await createEngine({ dataDir: dir, logger: silentLogger(), sync: noSync, startSync: false });
    for (let i = 0; i < 1000; i++)
      engine.captureOrder({ mobile: `05${String(10_000_000 + i).slice(-8)}`, totalPaidMinor: 1000 + i, receiptNo: `R-${i}` });
    await engine.close();

    const t0 = performance.now();
    await buildCli();
    const buildMs = performance.now() - t0;

    const bare = join(dir, 'bare.cjs');
    writeFileSync(
      bare,
      `const Database = require(${JSON.stringify(createRequire(join(repoRoot, 'package.json')).resolve('better-sqlite3'))});
const db = new Database(process.argv[2]);
db.pragma('journal_mode = WAL');
process.stdout.write(JSON.stringify(db.prepare('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state').all()) + '\\n');
db.close();
`,
    );
    // A live till: keys stored, encrypted with a master key file (an OS key store would add its
    // own process to both the quick status and the engine alike).
    const live = mkdtempSync(join(tmpdir(), 'pos-cli-bench-live-'));
    const keyDir = mkdtempSync(join(tmpdir(), 'pos-cli-bench-key-'));
    const keyEnv = { [MASTER_KEY_FILE_ENV]: join(keyDir, 'master.key') };
    writeFileSync(keyEnv[MASTER_KEY_FILE_ENV], `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    const liveEngine = await createEngine({ dataDir: live, logger: silentLogger(), sync: noSync, startSync: false, env: keyEnv });
    liveEngine.setKeys({ apiKey: 'bench-api-key', secretKey: 'bench-secret-key' });
    for (let i = 0; i < 1000; i++)
      liveEngine.captureOrder({ mobile: `05${String(10_000_000 + i).slice(-8)}`, totalPaidMinor: 1000 + i, receiptNo: `L-${i}` });
    await liveEngine.close();
    cleanupDirs.push(live, keyDir);
    const runs = {
      bin: () => timed([bin, 'status', '--data-dir', dir]),
      bare: () => timed([bare, join(dir, 'pos-companion.db')]),
      bundle: () => timed([join(CLI_DIR, 'pos-companion.cjs'), 'status', '--data-dir', dir]),
      live: () => timed([bin, 'status', '--data-dir', live], keyEnv),
    };
    // The first run through the bin writes the code cache, as the first run on a till would.
    for (const run of Object.values(runs)) run();
    const ms: Record<keyof typeof runs, number[]> = { bin: [], bare: [], bundle: [], live: [] };
    for (let i = 0; i < ROUNDS; i++) for (const [name, run] of Object.entries(runs)) ms[name as keyof typeof runs].push(run());
    const tsx: number[] = [];
    for (let i = 0; i < TSX_ROUNDS; i++) tsx.push(timed([bin, 'status', '--data-dir', dir], { POS_COMPANION_CLI_SOURCES: '1' }));

    const line = (label: string, xs: number[]) =>
      `${label.padEnd(44)} median ${median(xs).toFixed(0).padStart(5)} ms  min ${Math.min(...xs)
        .toFixed(0)
        .padStart(5)} ms  ` +
      `${(median(xs) / median(ms.bare)).toFixed(2)}x (min ${(Math.min(...xs) / Math.min(...ms.bare)).toFixed(2)}x)\n`;
    process.stdout.write(
      `status on a data folder with 1,000 orders; ${ROUNDS} interleaved rounds; the built CLI built in ${buildMs.toFixed(0)} ms\n`,
    );
    process.stdout.write(line('bare node + better-sqlite3 (baseline)', ms.bare));
    process.stdout.write(line('npx pos-companion status (built, code cache)', ms.bin));
    process.stdout.write(line('node build/cli/pos-companion.cjs status', ms.bundle));
    process.stdout.write(line('npx pos-companion status, a live till', ms.live));
    process.stdout.write(line(`the sources through tsx (${TSX_ROUNDS} runs)`, tsx));
    for (const [what, xs] of [
      ['a training till', ms.bin],
      ['a live till', ms.live],
    ] as const) {
      const ratio = median(xs) / median(ms.bare);
      process.stdout.write(
        `CLI start, ${what}: ${ratio.toFixed(2)}x the bare process (target <= ${TARGET}x): ${ratio <= TARGET ? 'met' : 'MISSED'}\n`,
      );
    }
  } finally {
    for (const d of [dir, ...cleanupDirs]) rmSync(d, { recursive: true, force: true });
  }
}

await main();
