// `pos-companion support-bundle` as IT runs it: the real entry point in a child process, on a temp
// data folder holding stored keys, an order with a mobile, and log lines an older version could
// have written with a key, a token and mobiles in clear. The zip is opened with fflate and every
// file in it is searched for each planted value.
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../support/till-fixture.ts';
import { REPO_ROOT as repoRoot, runCliSync, type CliRun } from '../../support/cli-run.ts';

const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});
function folder(): string {
  const t = tempDir('pos-support-');
  cleanups.push(t.cleanup);
  return t.dir;
}

function cli(args: string[], opts: { input?: string; env?: Record<string, string>; cwd?: string } = {}): CliRun {
  return runCliSync(args, { ...opts, timeoutMs: 30_000 });
}
function ok(args: string[], opts: { input?: string; env?: Record<string, string>; cwd?: string } = {}): string {
  const r = cli(args, opts);
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

const API_KEY = 'planted-api-key-7f3a9c21';
const SECRET_KEY = 'planted-secret-key-c0ffee42';
const SESSION_TOKEN = 'planted-session-token-9d8e7f6a5b4c';
const PUSH_PASSWORD = 'planted-push-password-1234';
const MOBILE = '+966500001234';
/** Every form the mobile may take in a file. */
const MOBILE_FORMS = ['966500001234', '0500001234', '500001234', '050 000 1234'];

describe('pos-companion support-bundle', () => {
  it('writes one zip with logs, status, settings, database check, scanners and versions; no key, token or mobile in clear', () => {
    const home = folder();
    const dir = join(home, 'data');
    const env = {
      POS_COMPANION_MASTER_KEY_FILE: join(home, 'master.key'),
      POS_COMPANION_SESSION_TOKEN: SESSION_TOKEN,
      POS_COMPANION_PUSH_PASSWORD: PUSH_PASSWORD,
    };
    expect(ok(['config', 'set', '--data-dir', dir, 'apiKey', '-'], { input: `${API_KEY}\n`, env })).toBe('apiKey=set\n');
    expect(ok(['config', 'set', '--data-dir', dir, 'secretKey', '-'], { input: `${SECRET_KEY}\n`, env })).toBe('secretKey=set\n');
    ok(['order', 'add', '--data-dir', dir, '--mobile', '050 000 1234', '--total', '125.50', '--receipt', 'R-1'], { env });
    ok(['config', 'set', '--data-dir', dir, 'scanner.mode', 'keyboard'], { env });
    // Lines an older version (or a bug) could have written, in the log and in a rotated one.
    const logs = join(dir, 'logs');
    appendFileSync(
      join(logs, 'pos-companion.log'),
      [
        JSON.stringify({ level: 50, msg: `request failed with APIKey ${API_KEY}`, headers: { secretKey: SECRET_KEY } }),
        JSON.stringify({
          level: 40,
          msg: `customer ${MOBILE} (local 0500001234) not found`,
          customerId: 'mobile_966500001234',
          mobile: '050 000 1234',
        }),
        JSON.stringify({ level: 30, msg: `browser mode at http://127.0.0.1:4455/#token=${SESSION_TOKEN}` }),
        JSON.stringify({ level: 30, msg: `pushing with ${PUSH_PASSWORD}` }),
        '',
      ].join('\n'),
    );
    writeFileSync(join(logs, 'pos-companion.log.1'), `${JSON.stringify({ level: 30, msg: 'older file', mobile: MOBILE })}\n`);
    const status = JSON.parse(ok(['status', '--data-dir', dir, '--json'], { env })) as Record<string, unknown>;

    const out = join(home, 'bundle.zip');
    const r = cli(['support-bundle', '--data-dir', dir, '--out', out], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${out}\n`);
    expect(r.stderr).toMatch(/^Support bundle: 8 files, \d+ KiB/);
    expect(statSync(out).mode & 0o077).toBe(0);

    const files = unzipSync(readFileSync(out));
    expect(Object.keys(files).sort()).toEqual(
      [
        'database.json',
        'logs/pos-companion.log',
        'logs/pos-companion.log.1',
        'manifest.json',
        'scanner.json',
        'settings.json',
        'status.json',
        'system.json',
      ].sort(),
    );
    const text = (name: string): string => strFromU8(files[name] as Uint8Array);
    const json = (name: string) => JSON.parse(text(name)) as Record<string, unknown>;

    // Nothing planted survives, in any file.
    for (const [name, bytes] of Object.entries(files)) {
      const content = Buffer.from(bytes).toString('latin1');
      for (const planted of [API_KEY, SECRET_KEY, SESSION_TOKEN, PUSH_PASSWORD, ...MOBILE_FORMS])
        expect(content, `${planted} in ${name}`).not.toContain(planted);
    }

    const manifest = json('manifest.json');
    expect(manifest.version).toBe(version);
    expect(manifest.problems).toEqual([]);
    const { oldestPendingAgeMs: _a, ...statusRest } = status;
    expect(json('status.json')).toMatchObject({ ...statusRest, counts: { pending: 1 } });
    expect(json('settings.json')).toMatchObject({
      tillId: status.tillId,
      keys: { apiKeySet: true, secretKeySet: true },
      scanner: { mode: 'keyboard' },
    });
    expect(json('database.json')).toMatchObject({ exists: true, quickCheck: ['ok'], error: null });
    expect((json('database.json').userVersion as number) > 0).toBe(true);
    expect(json('scanner.json')).toMatchObject({ settings: { mode: 'keyboard' } });
    expect(json('system.json')).toMatchObject({ node: process.versions.node, os: { platform: process.platform } });
    // The lines are kept, masked and redacted, so support can still read them.
    const log = text('logs/pos-companion.log');
    expect(log).toContain('request failed with APIKey [Redacted]');
    expect(log).toContain('"secretKey":"[Redacted]"');
    expect(log).toContain('customer +9665*****234');
    expect(log).toContain('mobile_9665*****234');
    expect(log).toContain('#token=[Redacted]');
    expect(log).toContain('"msg":"engine started"');
    expect(text('logs/pos-companion.log.1')).toContain('"mobile":"+9665*****234"');
    // The source files are left as they were.
    expect(readFileSync(join(logs, 'pos-companion.log'), 'utf8')).toContain(API_KEY);
  }, 90_000);

  it('refuses an --out it must not write (exists, no such folder, not .zip) with exit 2 and writes nothing', () => {
    const home = folder();
    const dir = join(home, 'data');
    mkdirSync(dir);
    const taken = join(home, 'taken.zip');
    writeFileSync(taken, 'keep me');
    const cases: [string, RegExp][] = [
      [taken, /taken\.zip already exists: give another --out/],
      [join(home, 'missing', 'b.zip'), /the folder .*missing does not exist/],
      [join(home, 'b.txt'), /must end in \.zip/],
    ];
    for (const [out, why] of cases) {
      const r = cli(['support-bundle', '--data-dir', dir, '--out', out]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(why);
      expect(r.stderr).toMatch(/Nothing was written\.\n$/);
      expect(r.stdout).toBe('');
    }
    expect(readFileSync(taken, 'utf8')).toBe('keep me');
    expect(existsSync(join(home, 'b.txt'))).toBe(false);
  }, 60_000);

  it('without --out writes pos-companion-support-<till>-<time>.zip in the current folder', () => {
    const home = folder();
    const dir = join(home, 'data');
    const r = cli(['support-bundle', '--data-dir', dir], { cwd: home });
    expect(r.code, r.stderr).toBe(0);
    const path = r.stdout.trim();
    expect(path).toMatch(
      new RegExp(`^${home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/pos-companion-support-till-[0-9a-f]{10}-\\d{8}T\\d{6}Z\\.zip$`),
    );
    expect(Object.keys(unzipSync(readFileSync(path)))).toContain('status.json');
  }, 60_000);

  it('a data folder that is a file: exit 4, one line, no zip', () => {
    const home = folder();
    const notAFolder = join(home, 'file');
    writeFileSync(notAFolder, 'x');
    const r = cli(['support-bundle', '--data-dir', notAFolder, '--out', join(home, 'b.zip')]);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(home, 'b.zip'))).toBe(false);
  }, 60_000);
});
