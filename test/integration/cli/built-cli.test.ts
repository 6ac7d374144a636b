// The built CLI (main/tools/build.ts `cli`): the same answers as the sources, its lazily loaded
// parts (the zip, the metrics library) present in the bundle, and the bin's choice between the
// bundle and the sources (main/bin/cli-bundle.mjs): only a bundle that matches the sources runs.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCliToRun, matchesSources } from '../../../main/bin/cli-bundle.mjs';
import { buildCli } from '../../../main/tools/build.ts';
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

function run(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}) {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', ...opts.env };
  const r = spawnSync(process.execPath, args, { cwd: opts.cwd ?? repoRoot, env, encoding: 'utf8', timeout: 30_000 });
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
