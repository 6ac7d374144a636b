// The built CLI (main/tools/build.ts `cli`): the same answers as the sources, its lazily loaded
// parts (the zip, the metrics library) present in the bundle, and the bin's choice between the
// bundle and the sources (main/bin/cli-bundle.mjs): only a bundle that matches the sources runs.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli, builtCliToRun, cacheFor, matchesSources } from '../../../main/bin/cli-bundle.mjs';
import type { CliManifest } from '../../../main/bin/cli-bundle.mjs';
import { buildCli, QUICK_STATUS_BUNDLE } from '../../../main/tools/build.ts';
import { tempDir } from '../../support/till-fixture.ts';

const repoRoot = resolve(import.meta.dirname, '../../..');
const sourcesBin = join(repoRoot, 'main/bin/pos-companion.mjs');

let out: { dir: string; cleanup: () => void };
let bundle: string;
beforeAll(async () => {
  out = tempDir('pos-built-cli-');
  // The bundle leaves better-sqlite3 and node-hid to node_modules, found from where it lies.
  symlinkSync(join(repoRoot, 'node_modules'), join(out.dir, 'node_modules'));
  await buildCli(join(out.dir, 'build', 'cli'));
  bundle = join(out.dir, 'build', 'cli', 'pos-companion.cjs');
}, 120_000);
afterAll(() => out.cleanup());

function run(args: string[], opts: { env?: Record<string, string>; cwd?: string; input?: string } = {}) {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', ...opts.env };
  const r = spawnSync(process.execPath, args, {
    cwd: opts.cwd ?? repoRoot,
    env,
    input: opts.input ?? '',
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the built CLI', () => {
  it('answers status and help as the sources do', () => {
    const data = join(out.dir, 'data');
    const add = run([bundle, 'order', 'add', '--data-dir', data, '--mobile', '0500001234', '--total', '10']);
    expect(add.code, add.stderr).toBe(0);
    const built = run([bundle, 'status', '--json', '--data-dir', data]);
    const sources = run([sourcesBin, 'status', '--json', '--data-dir', data], { env: { POS_COMPANION_CLI_SOURCES: '1' } });
    expect(built.code, built.stderr).toBe(0);
    const strip = (s: string) => ({ ...(JSON.parse(s) as Record<string, unknown>), oldestPendingAgeMs: 0 });
    expect(strip(built.stdout)).toEqual(strip(sources.stdout));
    expect(strip(built.stdout)).toMatchObject({ counts: { pending: 1 } });
    const help = run([bundle, '--help']);
    expect(help.stdout).toBe(run([sourcesBin, '--help'], { env: { POS_COMPANION_CLI_SOURCES: '1' } }).stdout);
    expect(help.stdout).toMatch(/support-bundle/);
    // serve's port default is said in its help, the server itself loaded only when it runs.
    expect(run([bundle, 'serve', '--help']).stdout).toMatch(/default 4477/);
  }, 60_000);

  it('loads its lazy parts: the support zip and the metrics push', () => {
    const data = join(out.dir, 'data-lazy');
    const zip = join(out.dir, 'lazy.zip');
    const r = run([bundle, 'support-bundle', '--data-dir', data, '--out', zip]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(strFromU8(unzipSync(readFileSync(zip))['manifest.json'] as Uint8Array))).toMatchObject({ app: 'POS Companion' });
    const push = run([bundle, 'metrics', 'push', '--data-dir', data, '--url', 'http://127.0.0.1:9']);
    expect(push.code).toBe(1);
    expect(push.stderr).toMatch(/the Pushgateway at http:\/\/127\.0\.0\.1:9 could not be reached/);
  }, 60_000);

  it('runs through runBuiltCli with its code cache, the first run writing it and the next reading it', () => {
    const data = join(out.dir, 'data-cache');
    // The CLI runs when started as `pos-companion...`: a launcher of that name, like the bin.
    const launcher = join(out.dir, 'pos-companion.mjs');
    writeFileSync(
      launcher,
      `import { runBuiltCli } from ${JSON.stringify(pathToFileURL(join(repoRoot, 'main/bin/cli-bundle.mjs')).href)};\nrunBuiltCli(${JSON.stringify(bundle)});\n`,
    );
    const first = run([launcher, 'status', '--json', '--data-dir', data]);
    expect(first.code, first.stderr).toBe(0);
    expect(existsSync(`${bundle}.cache`)).toBe(true);
    const second = run([launcher, 'status', '--json', '--data-dir', data]);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ tillId: (JSON.parse(first.stdout) as { tillId: string }).tillId });
  }, 60_000);
});

describe('the quick status bundle', () => {
  /** A launcher like the bin, for the bundles of this run: runBuilt with the arguments it is given. */
  function launcher(): string {
    // Named like the bin: the whole CLI runs when started as `pos-companion...`.
    mkdirSync(join(out.dir, 'quick'), { recursive: true });
    const file = join(out.dir, 'quick', 'pos-companion.mjs');
    const built = { bundle, quickStatus: join(out.dir, 'build', 'cli', QUICK_STATUS_BUNDLE) };
    writeFileSync(
      file,
      `import { runBuilt } from ${JSON.stringify(pathToFileURL(join(repoRoot, 'main/bin/cli-bundle.mjs')).href)};\nrunBuilt(${JSON.stringify(built)}, process.argv.slice(2));\n`,
    );
    return file;
  }

  it('is built beside the CLI, listed in its manifest with its inputs, and small (no zod)', () => {
    const dir = join(out.dir, 'build', 'cli');
    const manifest = JSON.parse(readFileSync(join(dir, 'pos-companion.inputs.json'), 'utf8')) as CliManifest;
    expect(manifest.quickStatus).toBe(QUICK_STATUS_BUNDLE);
    const inputs = manifest.inputs.map(([p]) => p);
    expect(inputs).toEqual(expect.arrayContaining(['main/cli.ts', 'main/cli/status.ts', 'main/config/till-id.ts', 'main/sync/status.ts']));
    const quick = readFileSync(join(dir, QUICK_STATUS_BUNDLE), 'utf8');
    expect(quick).not.toMatch(/node_modules\/zod\//);
    expect(quick.length).toBeLessThan(100_000);
  });

  it('answers a plain status as the sources do, without starting the engine; anything else goes to the whole CLI', () => {
    const data = join(out.dir, 'data-quick');
    const launch = launcher();
    const add = run([bundle, 'order', 'add', '--data-dir', data, '--mobile', '0500001234', '--total', '10']);
    expect(add.code, add.stderr).toBe(0);
    // The engine logs each start in the data folder's log; the quick status starts none.
    const log = join(data, 'logs', 'pos-companion.log');
    const logged = readFileSync(log, 'utf8');
    expect(logged).toMatch(/engine started/);
    // Which bundle ran shows in the code caches each writes beside itself on its first run.
    rmSync(`${bundle}.cache`, { force: true });
    const quickCache = join(out.dir, 'build', 'cli', `${QUICK_STATUS_BUNDLE}.cache`);
    rmSync(quickCache, { force: true });
    const oldest = (s: string) => s.replace(/^Oldest not yet synced: .*$/m, 'Oldest not yet synced: (age)');
    const quick = run([launch, 'status', '--data-dir', data]);
    expect(quick.code, quick.stderr).toBe(0);
    const sources = run([sourcesBin, 'status', '--data-dir', data], { env: { POS_COMPANION_CLI_SOURCES: '1' } });
    expect(oldest(quick.stdout)).toBe(oldest(sources.stdout));
    expect(quick.stdout).toMatch(/^Orders: {2}1 pending/m);
    const json = run([launch, 'status', '--json', `--data-dir=${data}`]);
    expect(JSON.parse(json.stdout)).toMatchObject({ counts: { pending: 1 }, training: true, online: null, dataDir: data });
    // None of these started the engine (the sources try the quick way first too), and the whole
    // CLI's bundle was not even loaded.
    expect(readFileSync(log, 'utf8')).toBe(logged);
    expect(existsSync(quickCache)).toBe(true);
    expect(existsSync(`${bundle}.cache`)).toBe(false);
    // Help is the whole CLI's.
    expect(run([launch, 'status', '--help']).stdout).toMatch(/^Usage: pos-companion status \[options\]/);
    // A folder the quick way cannot read (no database yet): the whole CLI answers, and makes one.
    const fresh = join(out.dir, 'data-quick-fresh');
    const first = run([launch, 'status', '--data-dir', fresh]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^Orders: {2}0 pending/m);
    expect(existsSync(join(fresh, 'pos-companion.db'))).toBe(true);
    expect(existsSync(`${bundle}.cache`)).toBe(true);
  }, 60_000);

  it('answers a live till as the sources do, its keys read through the master key file, without starting the engine', () => {
    const data = join(out.dir, 'data-live');
    const keyFile = join(out.dir, 'live-master.key');
    const env = { POS_COMPANION_MASTER_KEY_FILE: keyFile };
    const keys = run([bundle, 'config', 'set', 'apiKey', '-', '--data-dir', data], { env, input: 'live-api-key-0001\n' });
    expect(keys.code, keys.stderr).toBe(0);
    const secret = run([bundle, 'config', 'set', 'secretKey', '-', '--data-dir', data], { env, input: 'live-secret-key-0002\n' });
    expect(secret.code, secret.stderr).toBe(0);
    const add = run([bundle, 'order', 'add', '--data-dir', data, '--mobile', '0500001234', '--total', '10'], { env });
    expect(add.code, add.stderr).toBe(0);
    const log = join(data, 'logs', 'pos-companion.log');
    const logged = readFileSync(log, 'utf8');
    const quickCache = join(out.dir, 'build', 'cli', `${QUICK_STATUS_BUNDLE}.cache`);
    rmSync(quickCache, { force: true });
    rmSync(`${bundle}.cache`, { force: true });
    const launch = launcher();
    // The age ticks, and a not-configured reason is dated when it is read.
    const oldest = (t: string) =>
      t.replace(/^Oldest not yet synced: .*$/m, 'Oldest not yet synced: (age)').replace(/^Last error: \S+Z /m, 'Last error: (now) ');
    for (const [what, envOf] of [
      ['keys read', env],
      ['keys this process cannot read (no master key file)', {}],
    ] as const) {
      const quick = run([launch, 'status', '--data-dir', data], { env: envOf });
      expect(quick.code, quick.stderr).toBe(0);
      expect(quick.stdout, what).toMatch(/^Till till-[0-9a-f]{10}, data folder/);
      expect(quick.stdout, what).toMatch(/^Orders: {2}1 pending/m);
      const sources = run([sourcesBin, 'status', '--data-dir', data], { env: { ...envOf, POS_COMPANION_CLI_SOURCES: '1' } });
      expect(oldest(quick.stdout), what).toBe(oldest(sources.stdout));
    }
    expect(run([launch, 'status', '--data-dir', data]).stdout).toMatch(
      /^Last error: \S+ The Gameball keys are stored on this till but cannot be read here/m,
    );
    expect(run([launch, 'status', '--data-dir', data], { env }).stdout).toMatch(/^Last error: none$/m);
    expect(readFileSync(log, 'utf8')).toBe(logged);
    expect(existsSync(quickCache)).toBe(true);
    expect(existsSync(`${bundle}.cache`)).toBe(false);
  }, 60_000);
});

describe('the code cache', () => {
  it('is taken only for the bundle file it was made from: a rebuild of the same length runs its new code', () => {
    // V8 checks only the length of the source a cache was made for; without the stamp, the old
    // code would run after a one-character fix.
    const dir = join(out.dir, 'cache-stamp');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'b.cjs');
    const loader = join(dir, 'load.mjs');
    writeFileSync(
      loader,
      `import { loadBuiltBundle } from ${JSON.stringify(pathToFileURL(join(repoRoot, 'main/bin/cli-bundle.mjs')).href)};\nprocess.stdout.write(String(loadBuiltBundle(${JSON.stringify(file)}).answer()));\n`,
    );
    const write = (text: string) => {
      writeFileSync(`${file}.tmp`, `exports.answer = function () { return '${text}'; };\n`);
      renameSync(`${file}.tmp`, file);
    };
    write('AAAA');
    expect(run([loader]).stdout).toBe('AAAA');
    expect(existsSync(`${file}.cache`)).toBe(true);
    expect(run([loader]).stdout).toBe('AAAA');
    const size = statSync(file).size;
    write('BBBB');
    expect(statSync(file).size).toBe(size);
    expect(run([loader]).stdout).toBe('BBBB');
    expect(run([loader]).stdout).toBe('BBBB');
  }, 30_000);

  it('cacheFor: the V8 data after a matching stamp, nothing for another stamp, a short file or none', () => {
    const data = Buffer.from([1, 2, 3]);
    const file = Buffer.concat([Buffer.from('stamp A\n'), data]);
    expect(cacheFor(file, 'stamp A\n')).toEqual(data);
    expect(cacheFor(file, 'stamp B\n')).toBeUndefined();
    expect(cacheFor(Buffer.from('stamp A\n'), 'stamp A\n')).toBeUndefined();
    expect(cacheFor(undefined, 'stamp A\n')).toBeUndefined();
    // A cache written before the stamp existed (bare V8 data) is not taken.
    expect(cacheFor(data, 'stamp A\n')).toBeUndefined();
  });
});

describe('which CLI the bin runs', () => {
  it('matchesSources: every input with its size and mtime, nothing missing', () => {
    const manifest = {
      bundle: 'x.cjs',
      inputs: [['a.ts', 10, 1000] as [string, number, number], ['b.ts', 20, 2000] as [string, number, number]],
    };
    const facts = new Map<string, { size: number; mtimeMs: number } | null>([
      ['a.ts', { size: 10, mtimeMs: 1000 }],
      ['b.ts', { size: 20, mtimeMs: 2000 }],
    ]);
    expect(matchesSources(manifest, (p) => facts.get(p) ?? null)).toBe(true);
    expect(matchesSources(manifest, (p) => (p === 'b.ts' ? { size: 20, mtimeMs: 2001 } : (facts.get(p) ?? null)))).toBe(false);
    expect(matchesSources(manifest, (p) => (p === 'a.ts' ? { size: 11, mtimeMs: 1000 } : (facts.get(p) ?? null)))).toBe(false);
    expect(matchesSources(manifest, (p) => (p === 'a.ts' ? null : (facts.get(p) ?? null)))).toBe(false);
  });

  it('builtCliToRun: the bundle while it matches the sources, the sources after an edit, the bundle where there are no sources', () => {
    // A checkout in miniature: the built CLI of this run and two "sources" it lists.
    const root = join(out.dir, 'checkout');
    mkdirSync(join(root, 'main'), { recursive: true });
    cpSync(join(out.dir, 'build'), join(root, 'build'), { recursive: true });
    writeFileSync(join(root, 'main', 'cli.ts'), 'cli');
    writeFileSync(join(root, 'main', 'engine.ts'), 'engine');
    const manifestFile = join(root, 'build', 'cli', 'pos-companion.inputs.json');
    const facts = (p: string): [string, number, number] => {
      const st = spawnSync(
        process.execPath,
        ['-p', `JSON.stringify((s => [s.size, s.mtimeMs])(require('fs').statSync(${JSON.stringify(join(root, p))})))`],
        { encoding: 'utf8' },
      );
      const [size, mtimeMs] = JSON.parse(st.stdout) as [number, number];
      return [p, size, mtimeMs];
    };
    writeFileSync(manifestFile, JSON.stringify({ bundle: 'pos-companion.cjs', inputs: [facts('main/cli.ts'), facts('main/engine.ts')] }));
    const built = join(root, 'build', 'cli', 'pos-companion.cjs');
    expect(builtCliToRun(root)).toBe(built);
    // A manifest of an older build names no quick status bundle: the whole CLI runs everything.
    expect(builtCli(root)).toEqual({ bundle: built, quickStatus: null });
    const inputs = [facts('main/cli.ts'), facts('main/engine.ts')];
    writeFileSync(manifestFile, JSON.stringify({ bundle: 'pos-companion.cjs', quickStatus: 'status.cjs', inputs }));
    expect(builtCli(root)).toEqual({ bundle: built, quickStatus: join(root, 'build', 'cli', 'status.cjs') });
    // A developer's edit: the sources run, so the edit takes effect at once.
    writeFileSync(join(root, 'main', 'engine.ts'), 'engine, edited');
    expect(builtCliToRun(root)).toBeNull();
    // Same size, touched: still the sources (a save in an editor).
    writeFileSync(join(root, 'main', 'engine.ts'), 'engine');
    utimesSync(join(root, 'main', 'engine.ts'), new Date(), new Date(Date.now() + 5_000));
    expect(builtCliToRun(root)).toBeNull();
    // No sources beside it (an installed copy): the bundle is what there is.
    spawnSync('rm', ['-rf', join(root, 'main')]);
    expect(builtCliToRun(root)).toBe(built);
    // No manifest (never built, or cleaned): the sources.
    spawnSync('rm', ['-f', manifestFile]);
    expect(builtCliToRun(root)).toBeNull();
  });
});
