// The admin CLI as a user runs it: the real entry point in a child process, on a temp data folder.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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
function folder(): string {
  const t = tempDir('pos-cli-');
  cleanups.push(t.cleanup);
  return t.dir;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}
function cli(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Run {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', ...opts.env };
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repoRoot, env, input: opts.input ?? '', encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
/** Runs a command that must succeed (exit 0, the child's stderr in the failure message); its stdout. */
function ok(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): string {
  const r = cli(args, opts);
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}
const ORDER_ID = /^till-[0-9a-f]{10}-[0-9a-f-]{36}$/;

function db(dir: string): BetterSqlite3.Database {
  const d = new BetterSqlite3(join(dir, 'pos-companion.db'));
  cleanups.unshift(() => d.close());
  return d;
}

describe('pos-companion order add', () => {
  it('prints only the order id, after the order is on disk; status and export see it', () => {
    const dir = folder();
    const r = cli([
      'order',
      'add',
      '--data-dir',
      dir,
      '--mobile',
      '050 000 1234',
      '--name',
      'Sara',
      '--total',
      '125.50',
      '--price',
      '150',
      '--receipt',
      'R-1',
      '--referrer',
      'https://shop.example/?ref=FRIEND1',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^till-[0-9a-f]{10}-[0-9a-f-]{36}\n$/);
    const id = r.stdout.trim();
    expect(db(dir).prepare('SELECT order_id, customer_id, total_paid_minor, referrer_code FROM orders').all()).toEqual([
      { order_id: id, customer_id: 'mobile_966500001234', total_paid_minor: 12550, referrer_code: 'FRIEND1' },
    ]);
    const status = cli(['status', '--json', '--data-dir', dir]);
    expect(status.code, status.stderr).toBe(0);
    // Training mode needs no keys (nothing is wrong), and this process runs no sync (online unknown).
    expect(JSON.parse(status.stdout)).toMatchObject({
      counts: { pending: 1 },
      training: true,
      dataDir: dir,
      lastError: null,
      online: null,
    });
    const text = cli(['status', '--data-dir', dir]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Last error: none$/m);
    expect(text.stdout).toMatch(/^Online: unknown \(no sync running in this process\)$/m);
    const csv = cli(['export', '--data-dir', dir, '--state', 'pending']);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout.split('\n')[0]).toMatch(/^orderId,state,customerId/);
    expect(csv.stdout).toContain(`${id},pending,mobile_966500001234,+966500001234,Sara`);
    expect(JSON.parse(ok(['export', '--data-dir', dir, '--format', 'json', '--state', 'synced']))).toEqual([]);
  });

  it('--referrer takes a customer id too: kept as the referrer id, its code looked up at sync; the own id is refused', () => {
    const dir = folder();
    const id = ok([
      'order',
      'add',
      '--data-dir',
      dir,
      '--mobile',
      '0500001234',
      '--total',
      '10',
      '--referrer',
      'mobile_966511112222',
    ]).trim();
    expect(db(dir).prepare('SELECT order_id, referrer_code, referrer_customer_id FROM orders').all()).toEqual([
      { order_id: id, referrer_code: null, referrer_customer_id: 'mobile_966511112222' },
    ]);
    expect(db(dir).prepare('SELECT kind FROM outbox WHERE entity_id = ? ORDER BY id').all(id)).toEqual([
      { kind: 'register_customer' },
      { kind: 'track_order' },
    ]);
    const self = cli(['order', 'add', '--data-dir', dir, '--mobile', '0500004321', '--total', '10', '--referrer', 'mobile_966500004321']);
    expect(self.code, self.stderr).toBe(2);
    expect(self.stderr).toMatch(/refused \(SELF_REFERRAL\).*cannot refer themselves/);
  });

  it('export neutralises cells a spreadsheet would run as formulas', () => {
    const dir = folder();
    ok([
      'order',
      'add',
      '--data-dir',
      dir,
      '--mobile',
      '0500001234',
      '--name',
      '=HYPERLINK("http://x","y")',
      '--total',
      '10',
      '--receipt',
      "+cmd|' /C calc'!A0",
    ]);
    const csv = ok(['export', '--data-dir', dir, '--format', 'csv']);
    expect(csv).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csv).toContain(`'+cmd|' /C calc'!A0`);
    expect(csv).not.toMatch(/(^|,)"?(=|@|\+cmd)/m);
    expect(csv).toContain(',+966500001234,');
  });

  it('a refused order exits 2 with the reason on stderr, nothing on stdout, and nothing written', () => {
    const dir = folder();
    ok(['order', 'add', '--data-dir', dir, '--customer-id', 'c1', '--total', '10']);
    const r = cli(['order', 'add', '--data-dir', dir, '--customer-id', 'c1', '--total', '20', '--referrer', 'FRIEND1']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/refused \(REFERRAL_NOT_FIRST_PURCHASE\).*Remove the referral code and capture the order again/);
    const bad = cli(['order', 'add', '--data-dir', dir, '--mobile', '0500001234', '--total', '10.999']);
    expect(bad.code, bad.stderr).toBe(2);
    expect(bad.stderr).toMatch(/INVALID_AMOUNT.*at most 2 decimals/);
    expect(db(dir).prepare('SELECT COUNT(*) AS n FROM orders').get()).toEqual({ n: 1 });
    expect(db(dir).prepare('SELECT COUNT(*) AS n FROM outbox').get()).toEqual({ n: 1 });
  });

  it('takes the order as JSON inline or from stdin, but not mixed with flags', () => {
    const dir = folder();
    const inline = cli(['order', 'add', '--data-dir', dir, '--json', '{"customerId":"j1","totalPaid":"3.250","currency":"KWD"}']);
    expect(inline.code, inline.stderr).toBe(0);
    expect(inline.stdout.trim()).toMatch(ORDER_ID);
    const stdin = cli(['order', 'add', '--data-dir', dir, '--json-file', '-'], {
      input: JSON.stringify({
        mobile: '+201001234567',
        totalPaid: '99',
        currency: 'EGP',
        lineItems: [{ productId: 'p1', quantity: 2, price: '49.5' }],
      }),
    });
    expect(stdin.code, stdin.stderr).toBe(0);
    const rows = db(dir).prepare('SELECT customer_id, currency, total_paid_minor FROM orders ORDER BY created_at').all();
    expect(rows).toEqual([
      { customer_id: 'j1', currency: 'KWD', total_paid_minor: 3250 },
      { customer_id: 'mobile_201001234567', currency: 'EGP', total_paid_minor: 9900 },
    ]);
    const mixed = cli(['order', 'add', '--data-dir', dir, '--json', '{}', '--total', '1']);
    expect(mixed.code, mixed.stderr).toBe(2);
    expect(mixed.stderr).toMatch(/either as flags or as --json/);
    const broken = cli(['order', 'add', '--data-dir', dir, '--json-file', '-'], { input: '{"customerId":' });
    expect(broken.code, broken.stderr).toBe(2);
    expect(broken.stderr).toMatch(/does not parse/);
  });

  it("stores decimal flags and JSON in minor units of the order's currency (KWD: 3 decimals); a refund in the original order's", () => {
    const dir = folder();
    const byFlags = ok([
      'order',
      'add',
      '--data-dir',
      dir,
      '--customer-id',
      'k1',
      '--total',
      '125.50',
      '--price',
      '130',
      '--currency',
      'KWD',
    ]).trim();
    const byJson = ok([
      'order',
      'add',
      '--data-dir',
      dir,
      '--json',
      '{"customerId":"k2","totalPaid":"1.5","currency":"KWD","lineItems":[{"productId":"p","quantity":1,"price":"1.5","discount":"0.25"}]}',
    ]).trim();
    const d = db(dir);
    const order = (id: string) =>
      d.prepare('SELECT currency, total_paid_minor, total_price_minor, line_items_json FROM orders WHERE order_id = ?').get(id);
    expect(order(byFlags)).toEqual({ currency: 'KWD', total_paid_minor: 125500, total_price_minor: 130000, line_items_json: null });
    expect(order(byJson)).toEqual({
      currency: 'KWD',
      total_paid_minor: 1500,
      total_price_minor: null,
      line_items_json: JSON.stringify([{ productId: 'p', quantity: 1, priceMinor: 1500, discountMinor: 250 }]),
    });
    // The till's currency is SAR; the refund takes the order's.
    const refundId = ok(['refund', 'add', '--data-dir', dir, '--order', byJson, '--amount', '0.75']).trim();
    expect(d.prepare('SELECT currency, amount_minor FROM refunds WHERE refund_id = ?').get(refundId)).toEqual({
      currency: 'KWD',
      amount_minor: 750,
    });
    const tooPrecise = cli(['refund', 'add', '--data-dir', dir, '--order', byJson, '--amount', '0.0001']);
    expect(tooPrecise.code, tooPrecise.stderr).toBe(2);
    expect(tooPrecise.stderr).toMatch(/refused \(INVALID_AMOUNT\): amount: KWD amounts have at most 3 decimals/);
    const noOrder = cli(['refund', 'add', '--data-dir', dir, '--order', 'till-0000000000-x', '--amount', '1']);
    expect(noOrder.code, noOrder.stderr).toBe(2);
    expect(noOrder.stderr).toMatch(/refused \(ORDER_NOT_FOUND\): There is no order till-0000000000-x on this till/);
    expect(tooPrecise.stdout + noOrder.stdout).toBe('');
    expect(d.prepare('SELECT COUNT(*) AS n FROM refunds').get()).toEqual({ n: 1 });
  });

  it('uses POS_COMPANION_DATA_DIR when --data-dir is not given, and --data-dir over it', () => {
    const envDir = folder();
    const flagDir = folder();
    ok(['order', 'add', '--customer-id', 'e', '--total', '1'], { env: { POS_COMPANION_DATA_DIR: envDir } });
    ok(['order', 'add', '--data-dir', flagDir, '--customer-id', 'f', '--total', '1'], { env: { POS_COMPANION_DATA_DIR: envDir } });
    expect(db(envDir).prepare('SELECT customer_id FROM orders').all()).toEqual([{ customer_id: 'e' }]);
    expect(db(flagDir).prepare('SELECT customer_id FROM orders').all()).toEqual([{ customer_id: 'f' }]);
  });

  it('refuses a database from a newer version with a clear message', () => {
    const dir = folder();
    ok(['status', '--data-dir', dir]);
    const d = new BetterSqlite3(join(dir, 'pos-companion.db'));
    d.pragma('user_version = 99');
    d.close();
    const r = cli(['status', '--data-dir', dir]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/newer version of POS Companion/);
  });
});

describe('pos-companion refund add / retry', () => {
  it('queues refunds, refuses too much, and retries needs-attention orders', () => {
    const dir = folder();
    const id = ok(['order', 'add', '--data-dir', dir, '--customer-id', 'c1', '--total', '100']).trim();
    const refund = cli(['refund', 'add', '--data-dir', dir, '--order', id, '--amount', '40']);
    expect(refund.code, refund.stderr).toBe(0);
    expect(refund.stdout).toMatch(/^till-\S+\n$/);
    const tooMuch = cli(['refund', 'add', '--data-dir', dir, '--order', id, '--amount', '70']);
    expect(tooMuch.code, tooMuch.stderr).toBe(2);
    expect(tooMuch.stderr).toMatch(/REFUND_TOO_LARGE.*60\.00 SAR/);

    const d = db(dir);
    d.prepare("UPDATE orders SET state = 'attention', attention_code = '3016', attention_message = 'bad' WHERE order_id = ?").run(id);
    d.prepare("UPDATE outbox SET state = 'attention' WHERE entity_id = ?").run(id);
    const notThere = cli(['retry', '--data-dir', dir, 'no-such-order']);
    expect(notThere.code, notThere.stderr).toBe(2);
    const retried = cli(['retry', '--data-dir', dir, id]);
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stdout).toBe('1\n');
    expect(d.prepare('SELECT state FROM orders WHERE order_id = ?').get(id)).toEqual({ state: 'pending' });
    expect(ok(['retry', '--data-dir', dir, '--all'])).toBe('0\n');
    const noTarget = cli(['retry', '--data-dir', dir]);
    expect(noTarget.code, noTarget.stderr).toBe(1);
  });
});

describe('pos-companion config', () => {
  it('shows and changes settings, validating each', () => {
    const dir = folder();
    const all = cli(['config', 'get', '--data-dir', dir]);
    expect(all.stdout).toMatch(/^tillId=till-[0-9a-f]{10}$/m);
    expect(all.stdout).toMatch(/^currency=SAR$/m);
    expect(all.stdout).toMatch(/^apiKey=not set$/m);
    expect(ok(['config', 'set', '--data-dir', dir, 'currency', 'kwd'])).toBe('currency=KWD\n');
    expect(ok(['config', 'set', '--data-dir', dir, 'scanner.mode', 'keyboard'])).toBe('scanner.mode=keyboard\n');
    expect(ok(['config', 'get', '--data-dir', dir, 'currency'])).toBe('KWD\n');
    const bad = cli(['config', 'set', '--data-dir', dir, 'retentionDays', 'soon']);
    expect(bad.code, bad.stderr).toBe(2);
    expect(bad.stderr).toMatch(/Invalid value for retentionDays/);
    const unknown = cli(['config', 'set', '--data-dir', dir, 'colour', 'red']);
    expect(unknown.code, unknown.stderr).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown setting "colour"/);
    // The changed currency is the default for the next order.
    const id = ok(['order', 'add', '--data-dir', dir, '--customer-id', 'k', '--total', '1.125']).trim();
    expect(db(dir).prepare('SELECT currency, total_paid_minor FROM orders WHERE order_id = ?').get(id)).toEqual({
      currency: 'KWD',
      total_paid_minor: 1125,
    });
  });

  it('sets and clears the store PIN from stdin (how a forgotten one is reset); only its hash is stored, never printed', () => {
    const dir = folder();
    expect(ok(['config', 'get', '--data-dir', dir, 'storePin'])).toBe('not set\n');
    expect(ok(['config', 'set', '--data-dir', dir, 'storePin', '-'], { input: '73915628\n' })).toBe('storePin=set\n');
    expect(ok(['config', 'get', '--data-dir', dir])).toMatch(/^storePin=set$/m);
    const row = db(dir).prepare("SELECT value FROM settings WHERE key = 'storePin'").get() as { value: string };
    expect(JSON.parse(row.value)).toMatchObject({ v: 1, N: 32768, salt: expect.any(String), hash: expect.any(String) });
    expect(row.value).not.toContain('73915628');
    const bad = cli(['config', 'set', '--data-dir', dir, 'storePin', '-'], { input: '12\n' });
    expect(bad.code, bad.stderr).toBe(2);
    expect(bad.stderr).toMatch(/A store PIN is 4 to 12 digits/);
    expect(ok(['config', 'set', '--data-dir', dir, 'storePin', 'null'])).toBe('storePin=not set\n');
    expect(readFileSync(join(dir, 'logs', 'pos-companion.log'), 'utf8')).not.toContain('73915628');
  });

  it('never prints a key: keys from the environment show as set; storing without a key store is refused', () => {
    const dir = folder();
    const env = { GAMEBALL_API_KEY: 'env-api-key-shh-1', GAMEBALL_SECRET_KEY: 'env-secret-key-shh-2' };
    const all = cli(['config', 'get', '--data-dir', dir], { env });
    expect(all.stdout).toMatch(/^apiKey=set$/m);
    expect(all.stdout).toMatch(/^secretKey=set$/m);
    expect(ok(['config', 'get', '--data-dir', dir, 'secretKey'], { env })).toBe('set\n');
    const status = cli(['status', '--data-dir', dir, '--json'], { env });
    expect(JSON.parse(status.stdout).training).toBe(false);
    // No OS key store on this machine: refused, the key is not echoed, nothing stored.
    const set = cli(['config', 'set', '--data-dir', dir, 'apiKey', '-'], {
      input: 'typed-key-never-shown\n',
      env: { XDG_RUNTIME_DIR: '/nonexistent', DBUS_SESSION_BUS_ADDRESS: 'disabled:' },
    });
    if (set.code === 0) {
      // A machine with a working Secret Service stores it (encrypted) instead.
      expect(set.stdout).toBe('apiKey=set\n');
    } else {
      expect(set.code, set.stderr).toBe(2);
      expect(set.stderr).toMatch(/cannot be stored.*GAMEBALL_API_KEY/);
      expect(db(dir).prepare('SELECT COUNT(*) AS n FROM secrets').get()).toEqual({ n: 0 });
    }
    for (const r of [all, set, status]) expect(r.stdout + r.stderr).not.toMatch(/env-api-key-shh|env-secret-key-shh|typed-key-never-shown/);
    const logs = join(dir, 'logs', 'pos-companion.log');
    expect(existsSync(logs)).toBe(true);
    expect(readFileSync(logs, 'utf8')).toContain('engine started');
    expect(readFileSync(logs, 'utf8')).not.toMatch(/env-api-key-shh|env-secret-key-shh|typed-key-never-shown/);
  });
});
