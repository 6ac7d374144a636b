// `pos-companion order add ... --redeem-points N` as an admin runs it: the real entry point in a
// child process, against a simulator standing in for Gameball over real HTTP. Online it holds the
// points and saves the order carrying the hold (spent once at sync); offline it refuses with a
// non-zero exit and a clear message, saving nothing.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { startSimulator } from '../../../main/simulator/index.ts';
import type { RunningSimulator } from '../../../main/simulator/index.ts';
import { runCli, type CliRun } from '../../support/cli-run.ts';

const API_KEY = 'cli-api-key-0123456789';
const SECRET_KEY = 'cli-secret-key-9876543210';

let dir: string;
let sim: RunningSimulator | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pos-cli-redeem-'));
});
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[], env: Record<string, string>): Promise<CliRun> {
  return runCli([...args, '--data-dir', dir], { env: { HOME: dir, XDG_CONFIG_HOME: dir, ...env } });
}

function orderRows(): Array<{ order_id: string; points_hold_reference: string | null; total_discount_minor: number | null }> {
  const d = new BetterSqlite3(join(dir, 'pos-companion.db'), { readonly: true });
  try {
    return d.prepare('SELECT order_id, points_hold_reference, total_discount_minor FROM orders ORDER BY created_at').all() as never;
  } finally {
    d.close();
  }
}

test('order add --redeem-points holds the points online; the order carries the hold and spends it once at sync', async () => {
  sim = await startSimulator({ apiKey: API_KEY, secretKey: SECRET_KEY, rateLimit: false });
  const env = { GAMEBALL_BASE_URL: sim.url, GAMEBALL_API_KEY: API_KEY, GAMEBALL_SECRET_KEY: SECRET_KEY };
  // The customer earns 300 points first.
  expect((await cli(['order', 'add', '--mobile', '0500000901', '--total', '300'], env)).code).toBe(0);
  expect((await cli(['sync', '--until-empty', '--timeout', '20'], env)).code).toBe(0);

  const r = await cli(['order', 'add', '--mobile', '0500000901', '--total', '40', '--redeem-points', '120'], env);
  expect(r.code, r.stderr).toBe(0);
  const orderId = r.stdout.trim();
  expect(r.stderr).toMatch(/120 points held .*discount of 12\.00 SAR/);
  const row = orderRows().find((o) => o.order_id === orderId);
  expect(row?.points_hold_reference).toMatch(/^sim-hold-/);
  expect(row?.total_discount_minor).toBe(1200);
  expect(sim.control.ledger().holds).toEqual([expect.objectContaining({ state: 'active', points: 120 })]);

  expect((await cli(['sync', '--until-empty', '--timeout', '20'], env)).code).toBe(0);
  const ledger = sim.control.ledger();
  expect(ledger.holds[0]).toMatchObject({ state: 'used', orderId });
  expect(ledger.customers[0]?.points).toBe(300 + 40 - 120);
});

test('order add --redeem-points offline fails clearly, exits non-zero and saves nothing', async () => {
  const closed = createServer();
  await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((ok) => closed.close(() => ok()));
  const env = { GAMEBALL_BASE_URL: `http://127.0.0.1:${port}`, GAMEBALL_API_KEY: API_KEY, GAMEBALL_SECRET_KEY: SECRET_KEY };
  const r = await cli(['order', 'add', '--mobile', '0500000902', '--total', '40', '--redeem-points', '50'], env);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/refused \(REDEEM_OFFLINE\): Points cannot be spent right now: Gameball cannot be reached/);
  expect(orderRows()).toEqual([]);
  // A count that is not a whole number is refused before anything is asked.
  const bad = await cli(['order', 'add', '--mobile', '0500000902', '--total', '40', '--redeem-points', '2.5'], env);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/whole number of points/);
});
