// `customer show` and `order add --coupon` as an operator runs them: the real entry point in a child
// process, live keys in the environment, the simulator over real HTTP (and a closed port for
// offline).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../../main/simulator/index.ts';
import type { RunningSimulator } from '../../../main/simulator/index.ts';
import { runCli, type CliRun } from '../../support/cli-run.ts';

const KEYS = { GAMEBALL_API_KEY: 'cli-api-key-0001', GAMEBALL_SECRET_KEY: 'cli-secret-key-0002' };

let sim: RunningSimulator | undefined;
let dir = '';
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[], baseUrl: string): Promise<CliRun> {
  return runCli([...args, '--data-dir', dir], { env: { HOME: dir, XDG_CONFIG_HOME: dir, GAMEBALL_BASE_URL: baseUrl, ...KEYS } });
}

async function start(): Promise<RunningSimulator> {
  dir = mkdtempSync(join(tmpdir(), 'pos-cli-customer-'));
  sim = await startSimulator({ apiKey: KEYS.GAMEBALL_API_KEY, secretKey: KEYS.GAMEBALL_SECRET_KEY, rateLimit: false, seed: 5 });
  return sim;
}

describe('pos-companion customer show', () => {
  it('prints the points, tier and referral code Gameball holds; --json for scripts; offline the kept answer with its age', async () => {
    const s = await start();
    const fresh = await cli(['customer', 'show', '--mobile', '0500007777', '--json'], s.url);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(JSON.parse(fresh.stdout)).toMatchObject({ status: 'new', availablePoints: 0, tier: null, referralCode: null });

    const add = await cli(['order', 'add', '--mobile', '0500007777', '--total', '640'], s.url);
    expect(add.code, add.stderr).toBe(0);
    const sync = await cli(['sync', '--until-empty'], s.url);
    expect(sync.code, sync.stderr).toBe(0);

    const code = s.control.ledger().customers.find((c) => c.customerId === 'mobile_966500007777')?.referralCode;
    const json = await cli(['customer', 'show', '--customer-id', 'mobile_966500007777', '--json'], s.url);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      status: 'live',
      availablePoints: 640,
      tier: 'Silver',
      referralCode: code,
      referredCount: 0,
    });

    const text = await cli(['customer', 'show', '--mobile', '0500007777'], s.url);
    expect(text.stdout).toContain('640 available');
    expect(text.stdout).toContain(`Referral:  ${code as string}`);

    const offline = await cli(['customer', 'show', '--mobile', '0500007777'], 'http://127.0.0.1:9');
    expect(offline.code, offline.stderr).toBe(0);
    expect(offline.stdout).toMatch(/as Gameball answered .* ago/);
    expect(offline.stdout).toContain('640 available');
    const never = await cli(['customer', 'show', '--mobile', '0500008888'], 'http://127.0.0.1:9');
    expect(never.code).toBe(1);
    expect(never.stderr).toMatch(/Gameball did not answer.*kept no earlier answer/);
  }, 60_000);
});

describe('pos-companion order add --coupon', () => {
  it('locks the coupon online and the order carries the lock; offline it refuses (exit 2) and saves nothing', async () => {
    const s = await start();
    const add = await cli(['order', 'add', '--mobile', '0500006666', '--total', '90', '--price', '100', '--coupon', 'welcome10'], s.url);
    expect(add.code, add.stderr).toBe(0);
    const orderId = add.stdout.trim();
    const lock = s.control.ledger().couponLocks.find((l) => l.customerId === 'mobile_966500006666');
    expect(lock?.state).toBe('locked');
    const db = new BetterSqlite3(join(dir, 'pos-companion.db'));
    try {
      expect(db.prepare('SELECT coupon_code, coupon_lock_reference FROM orders WHERE order_id = ?').get(orderId)).toEqual({
        coupon_code: 'WELCOME10',
        coupon_lock_reference: lock?.lockReference,
      });
    } finally {
      db.close();
    }
    expect((await cli(['sync', '--until-empty'], s.url)).code).toBe(0);
    expect(s.control.ledger().couponLocks.find((l) => l.lockReference === lock?.lockReference)?.state).toBe('burned');

    const offline = await cli(['order', 'add', '--mobile', '0500006666', '--total', '50', '--coupon', 'WELCOME10'], 'http://127.0.0.1:9');
    expect(offline.code).toBe(2);
    expect(offline.stderr).toMatch(/Coupon WELCOME10 was not locked: Gameball did not answer.*Nothing was saved/);
    const after = new BetterSqlite3(join(dir, 'pos-companion.db'));
    try {
      expect(after.prepare('SELECT count(*) AS n FROM orders').get()).toEqual({ n: 1 });
    } finally {
      after.close();
    }
  }, 60_000);
});
