// Keys and the browser-mode session token never ride on the command line, where `ps` shows them
// to every user of the computer and the shell keeps them in its history: the CLI refuses them
// there and says how to give them instead (stdin, a file, the environment). A key that could never
// be sent (two lines pasted, a space) is refused where it enters. The real entry point runs in a
// child process on a temp data folder, with a master key file as the key store.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../support/till-fixture.ts';

const repoRoot = resolve(import.meta.dirname, '../../..');
const bin = join(repoRoot, 'main/bin/pos-companion.mjs');

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

function setup(): { dir: string; env: Record<string, string>; secretCount(): number } {
  const t = tempDir('pos-secret-args-');
  cleanups.push(t.cleanup);
  const dir = join(t.dir, 'data');
  const keys = join(t.dir, 'keys');
  mkdirSync(keys, { mode: 0o700 });
  return {
    dir,
    env: { POS_COMPANION_MASTER_KEY_FILE: join(keys, 'master.key') },
    secretCount() {
      // A refusal before the data folder is opened leaves no database at all.
      if (!existsSync(join(dir, 'pos-companion.db'))) return 0;
      const db = new BetterSqlite3(join(dir, 'pos-companion.db'), { readonly: true });
      try {
        return (db.prepare('SELECT COUNT(*) AS n FROM secrets').get() as { n: number }).n;
      } finally {
        db.close();
      }
    },
  };
}

function cli(args: string[], opts: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}) {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', ...opts.env };
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: repoRoot,
    env,
    input: opts.input ?? '',
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 20_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const KEY = 'gb-api-key-5f3c9a7e21d04b86';

describe('config set apiKey / secretKey', () => {
  it('refuses a key given on the command line, says how to give it, and stores nothing', () => {
    const t = setup();
    const r = cli(['config', 'set', '--data-dir', t.dir, 'apiKey', KEY], { env: t.env });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('pos-companion: a key on the command line is visible to every user of this computer');
    expect(r.stderr).toMatch(/config set apiKey -/);
    expect(r.stderr).toMatch(/--from-file FILE/);
    expect(r.stderr).toMatch(/GAMEBALL_API_KEY/);
    expect(r.stdout + r.stderr).not.toContain(KEY);
    expect(t.secretCount()).toBe(0);
  });

  it('refuses a key of two lines from stdin (only its ends used to be trimmed), without echoing it', () => {
    const t = setup();
    const r = cli(['config', 'set', '--data-dir', t.dir, 'apiKey', '-'], { env: t.env, input: 'KEYAAAAAAAAAAAA\nKEYBBBBBBBBBBBB\n' });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/The API key cannot be used: it contains a line break/);
    expect(r.stdout + r.stderr).not.toMatch(/KEYAAAA|KEYBBBB/);
    expect(t.secretCount()).toBe(0);
  });

  it('takes a key from stdin or from a file; "null" on the command line removes it; empty stdin changes nothing', () => {
    const t = setup();
    expect(cli(['config', 'set', '--data-dir', t.dir, 'apiKey', '-'], { env: t.env, input: `${KEY}\n` })).toMatchObject({
      code: 0,
      stdout: 'apiKey=set\n',
    });
    const file = join(t.dir, '..', 'secret.txt');
    writeFileSync(file, 'gb-secret-key-88b1d0c4e7aa\n', { mode: 0o600 });
    expect(cli(['config', 'set', '--data-dir', t.dir, 'secretKey', '--from-file', file], { env: t.env })).toMatchObject({
      code: 0,
      stdout: 'secretKey=set\n',
    });
    expect(t.secretCount()).toBe(2);
    const empty = cli(['config', 'set', '--data-dir', t.dir, 'apiKey', '-'], { env: t.env, input: '' });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/No API key was given.*config set apiKey null/);
    expect(t.secretCount()).toBe(2);
    expect(cli(['config', 'set', '--data-dir', t.dir, 'apiKey', 'null'], { env: t.env })).toMatchObject({
      code: 0,
      stdout: 'apiKey=not set\n',
    });
    expect(t.secretCount()).toBe(1);
    const missing = cli(['config', 'set', '--data-dir', t.dir, 'apiKey', '--from-file', join(t.dir, 'nope.txt')], { env: t.env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nope\.txt/);
  });
});

describe('serve --token', () => {
  it('refuses a session token on the command line before serving anything, and says how to give it', () => {
    const t = setup();
    const token = 'tok-0123456789abcdefghij';
    const r = cli(['serve', '--port', '0', '--data-dir', t.dir, '--no-hid', '--token', token], { timeoutMs: 15_000 });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain('pos-companion: a session token on the command line is visible to every user of this computer');
    expect(r.stderr).toMatch(/--token -/);
    expect(r.stderr).toMatch(/POS_COMPANION_SESSION_TOKEN/);
    expect(r.stdout).toBe('');
    expect(r.stdout + r.stderr).not.toContain(token);
  });
});
