// The data folder holds customers' mobile numbers, orders and the log: only the till's own user
// may read it. With the usual umask 022 the folder used to be 755 and the database, its WAL, the
// log and the training ledger 644, readable by every local user. Real folders, real files, modes
// read back with stat.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensurePrivateDataDir } from '../../../main/config/private-files.ts';
import { createEngine, noSync } from '../../../main/engine.ts';
import { tempDir } from '../../support/till-fixture.ts';

const posix = process.platform !== 'win32';
const repoRoot = resolve(import.meta.dirname, '../../..');
const bin = join(repoRoot, 'main/bin/pos-companion.mjs');
const mode = (p: string) => (statSync(p).mode & 0o7777).toString(8).padStart(4, '0');

let cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});
function folder(): string {
  const t = tempDir('pos-private-');
  cleanups.push(t.cleanup);
  return t.dir;
}

async function until(what: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.runIf(posix)('the data folder is private to the till user', () => {
  it('the admin CLI, started with umask 022, leaves the folder 0700 and every file in it 0600', () => {
    const dir = join(folder(), 'data');
    const r = spawnSync(
      '/bin/sh',
      [
        '-c',
        'umask 022; exec "$0" "$@"',
        process.execPath,
        bin,
        'order',
        'add',
        '--data-dir',
        dir,
        '--mobile',
        '0500001234',
        '--total',
        '10',
      ],
      {
        cwd: repoRoot,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test' },
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(mode(dir)).toBe('0700');
    expect(mode(join(dir, 'pos-companion.db'))).toBe('0600');
    expect(mode(join(dir, 'logs'))).toBe('0700');
    expect(mode(join(dir, 'logs', 'pos-companion.log'))).toBe('0600');
    for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      const p = join(entry.parentPath, entry.name);
      expect(mode(p), p).toBe(entry.isDirectory() ? '0700' : '0600');
    }
  });

  it('an engine on an existing install tightens the folder and its files; what it creates next (WAL, log) is private too', async () => {
    const previous = process.umask(0o022);
    cleanups.push(() => void process.umask(previous));
    const dir = join(folder(), 'data');
    // A folder as an older version left it: open to everyone.
    mkdirSync(join(dir, 'logs'), { recursive: true, mode: 0o755 });
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'logs', 'pos-companion.log'), '', { mode: 0o644 });
    writeFileSync(join(dir, 'training-ledger.json'), '{}', { mode: 0o644 });

    const engine = await createEngine({ dataDir: dir, env: {}, secretCipher: null, sync: noSync });
    cleanups.push(() => engine.close());
    engine.captureOrder({ mobile: '0500001234', totalPaidMinor: 1000 });
    expect(mode(dir)).toBe('0700');
    expect(mode(join(dir, 'logs'))).toBe('0700');
    expect(mode(join(dir, 'logs', 'pos-companion.log'))).toBe('0600');
    expect(mode(join(dir, 'training-ledger.json'))).toBe('0600');
    expect(mode(join(dir, 'pos-companion.db'))).toBe('0600');
    // The WAL and its index exist while the database is open.
    await until(() => existsSync(join(dir, 'pos-companion.db-wal')));
    expect(mode(join(dir, 'pos-companion.db-wal'))).toBe('0600');
    expect(mode(join(dir, 'pos-companion.db-shm'))).toBe('0600');
  });

  it("on Windows leaves modes and the umask alone (the folder is in the user's own AppData, whose ACL is theirs)", () => {
    const dir = folder();
    chmodSync(dir, 0o755);
    const before = process.umask();
    ensurePrivateDataDir(join(dir, 'data'), 'win32');
    expect(existsSync(join(dir, 'data'))).toBe(true);
    expect(mode(dir)).toBe('0755');
    expect(process.umask()).toBe(before);
  });

  it('refuses a shared folder such as /tmp as the data folder instead of changing its mode', async () => {
    const shared = folder();
    chmodSync(shared, 0o1777);
    await expect(createEngine({ dataDir: shared, env: {}, secretCipher: null, sync: noSync })).rejects.toThrow(/shared folder/);
    expect(mode(shared)).toBe('1777');
  });
});
