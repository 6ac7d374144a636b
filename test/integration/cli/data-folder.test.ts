// Every CLI command on a data folder it cannot use: read-only (a read-only mount; as root, chmod
// would not stop us), missing (a link to a drive that is not there), not a folder, and one the
// user may not write (run as an unprivileged user). Each says which folder, what is wrong and what
// to do in one line on stderr, exits 4, and prints no stack trace.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mountTmpfs, whyNoTmpfs } from '../../support/tmpfs.ts';
import type { Tmpfs } from '../../support/tmpfs.ts';

const repoRoot = resolve(import.meta.dirname, '../../..');
const bin = join(repoRoot, 'main/bin/pos-companion.mjs');
const NOBODY = 65534;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], opts: { uid?: number } = {}): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, HOME: tmpdir(), NODE_ENV: 'test' },
      ...(opts.uid === undefined ? {} : { uid: opts.uid, gid: opts.uid }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/** Runs the commands two at a time (each is a Node process with a TypeScript loader). */
async function all(runs: Array<() => Promise<Run>>): Promise<Run[]> {
  const out: Run[] = [];
  for (let i = 0; i < runs.length; i += 2) out.push(...(await Promise.all(runs.slice(i, i + 2).map((r) => r()))));
  return out;
}

/** One line on stderr, naming the folder, saying what is wrong; no stack, nothing on stdout. */
function expectOneLine(r: Run, folder: string, what: RegExp, label: string): void {
  expect(r.code, `${label}: ${r.stderr}`).toBe(4);
  expect(r.stdout, label).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, label).toHaveLength(1);
  expect(lines[0], label).toContain(`The data folder ${folder} `);
  expect(lines[0], label).toMatch(what);
  expect(r.stderr, label).not.toMatch(/\n\s+at |Error:|EROFS|ENOENT|ENOTDIR|EACCES|SQLITE_/);
}

// Everything that opens the data folder, with arguments that would otherwise succeed or be refused
// for another reason (the folder is checked first).
const COMMANDS: Array<{ label: string; args: string[] }> = [
  { label: 'order add', args: ['order', 'add', '--mobile', '0500001234', '--total', '5'] },
  { label: 'refund add', args: ['refund', 'add', '--order', 'till-0000000000-x'] },
  { label: 'status', args: ['status', '--json'] },
  { label: 'export', args: ['export', '--state', 'all'] },
  { label: 'retry', args: ['retry', '--all'] },
  { label: 'config get', args: ['config', 'get'] },
  { label: 'config set', args: ['config', 'set', 'currency', 'EGP'] },
  { label: 'sync', args: ['sync', '--until-empty', '--timeout', '5'] },
  { label: 'serve', args: ['serve', '--port', '0', '--no-hid'] },
];

const noTmpfs = whyNoTmpfs();
if (noTmpfs) console.warn(`CLI tests on a read-only mount skipped: ${noTmpfs}`);

describe.skipIf(noTmpfs !== null)('a read-only data folder', () => {
  let disk: Tmpfs | undefined;
  afterEach(() => {
    disk?.unmount();
    disk = undefined;
  });

  it('every command: one line, exit 4, no stack trace (a folder that would have to be created, on a read-only mount)', async () => {
    disk = mountTmpfs({ sizeKb: 64, readOnly: true });
    const folder = join(disk.dir, 'data');
    const runs = await all(COMMANDS.map((c) => () => cli([...c.args, '--data-dir', folder])));
    runs.forEach((r, i) =>
      expectOneLine(
        r,
        folder,
        /is read-only .*: make it writable again, or choose another folder with --data-dir or POS_COMPANION_DATA_DIR; nothing was changed\.$/,
        COMMANDS[i]?.label ?? '',
      ),
    );
  }, 180_000);

  it('a till whose folder was remounted read-only: its orders are kept, and commands say read-only', async () => {
    disk = mountTmpfs({ sizeKb: 1024 });
    const folder = join(disk.dir, 'data');
    const added = await cli(['order', 'add', '--mobile', '0500001234', '--total', '5', '--data-dir', folder]);
    expect(added.code, added.stderr).toBe(0);
    disk.remount('ro');
    const [status, order] = await all([
      () => cli(['status', '--data-dir', folder]),
      () => cli(['order', 'add', '--mobile', '0500001235', '--total', '6', '--data-dir', folder]),
    ]);
    expectOneLine(status as Run, folder, /is read-only/, 'status');
    expectOneLine(order as Run, folder, /is read-only/, 'order add');
    disk.remount('rw');
    const exported = await cli(['export', '--state', 'all', '--format', 'json', '--data-dir', folder]);
    expect(exported.code, exported.stderr).toBe(0);
    expect((JSON.parse(exported.stdout) as Array<{ orderId: string }>).map((o) => o.orderId)).toEqual([added.stdout.trim()]);
  }, 120_000);
});

describe('a data folder that is missing, or not a folder', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'pos-cli-folder-'));
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('a link to a drive that is not connected: "does not exist and cannot be created", exit 4', async () => {
    const folder = join(root, 'usb-data');
    symlinkSync(join(root, 'unplugged', 'POS'), folder);
    const runs = await all([
      () => cli(['status', '--data-dir', folder]),
      () => cli(['order', 'add', '--mobile', '0500001234', '--total', '5', '--data-dir', folder]),
    ]);
    for (const r of runs)
      expectOneLine(r, folder, /does not exist and cannot be created .*: connect the drive or create the folder/, 'missing');
  }, 60_000);

  it('a file in its place, or on its path: "is not a folder", exit 4', async () => {
    writeFileSync(join(root, 'a-file'), 'x');
    const runs = await all([
      () => cli(['sync', '--data-dir', join(root, 'a-file')]),
      () => cli(['config', 'get', '--data-dir', join(root, 'a-file', 'data')]),
    ]);
    expectOneLine(runs[0] as Run, join(root, 'a-file'), /is not a folder .*: move that file away/, 'file in place');
    expectOneLine(runs[1] as Run, join(root, 'a-file', 'data'), /is not a folder/, 'file on path');
  }, 60_000);
});

/** Why this machine cannot run the CLI as an unprivileged user (null: it can). */
function whyNoUnprivilegedRun(): string | null {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'running the CLI as another user needs root on Linux';
  const r = spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(join(repoRoot, 'main/cli.ts'))})`], {
    uid: NOBODY,
    gid: NOBODY,
  });
  return r.status === 0
    ? null
    : `user ${NOBODY} cannot read the repository here (${r.stderr.toString().trim().split('\n')[0] ?? r.status})`;
}
const noUnprivileged = whyNoUnprivilegedRun();
if (noUnprivileged) console.warn(`Permission-denied CLI test skipped: ${noUnprivileged}`);

describe.skipIf(noUnprivileged !== null)('a data folder the user may not write', () => {
  let root: string;
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('says "permission denied" and what to do, exit 4', async () => {
    root = mkdtempSync(join(tmpdir(), 'pos-cli-perm-'));
    chmodSync(root, 0o755);
    const folder = join(root, 'data');
    mkdirSync(folder, { mode: 0o755 });
    const runs = await all([
      () => cli(['order', 'add', '--mobile', '0500001234', '--total', '5', '--data-dir', folder], { uid: NOBODY }),
      () => cli(['status', '--data-dir', join(folder, 'sub')], { uid: NOBODY }),
    ]);
    expectOneLine(
      runs[0] as Run,
      folder,
      /cannot be written \(permission denied\): give the user who runs POS Companion write access to it/,
      'order add',
    );
    expectOneLine(runs[1] as Run, join(folder, 'sub'), /permission denied/, 'status, folder to create');
  }, 60_000);
});
