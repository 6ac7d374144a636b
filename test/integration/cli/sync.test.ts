// `pos-companion sync` as an admin runs it: the real entry point in a child process, on a temp data
// folder, against a simulator over real HTTP (training mode: the built-in one).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { createEngine, noSync } from '../../../main/engine.ts';
import { silentLogger } from '../../../main/log.ts';
import { startSimulator } from '../../../main/simulator/index.ts';
import type { RunningSimulator } from '../../../main/simulator/index.ts';
import { startFakeNetwork } from '../../support/fake-network.ts';
import type { FakeNetwork } from '../../support/fake-network.ts';

const repoRoot = resolve(import.meta.dirname, '../../..');
const bin = join(repoRoot, 'main/bin/pos-companion.mjs');
const API_KEY = 'cli-api-key-0123456789';
const SECRET_KEY = 'cli-secret-key-9876543210';

let dir: string;
let sim: RunningSimulator | undefined;
let net: FakeNetwork | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pos-cli-sync-'));
});
afterEach(async () => {
  await net?.close();
  await sim?.close();
  net = undefined;
  sim = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI without blocking this process (the simulator here must keep answering). */
function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [bin, ...args, '--data-dir', dir], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: dir, NODE_ENV: 'test', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

async function capture(training: boolean, n: number, settings: Record<string, unknown> = {}): Promise<string[]> {
  const engine = await createEngine({
    dataDir: dir,
    training,
    sync: noSync,
    secretCipher: null,
    env: {},
    logger: silentLogger(),
    startSync: false,
  });
  try {
    engine.updateSettings(settings);
    return Array.from(
      { length: n },
      (_, i) => engine.captureOrder({ mobile: `+96650${String(7000 + i).padStart(7, '0')}`, totalPaidMinor: (i + 1) * 100 }).orderId,
    );
  } finally {
    await engine.close();
  }
}

function states(): Record<string, number> {
  const d = new BetterSqlite3(join(dir, 'pos-companion.db'), { readonly: true });
  try {
    const rows = d.prepare('SELECT state, COUNT(*) AS n FROM orders GROUP BY state').all() as { state: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  } finally {
    d.close();
  }
}

test('sync --until-empty posts everything to Gameball, prints a summary, never a key', async () => {
  const ids = await capture(false, 3);
  sim = await startSimulator({ apiKey: API_KEY, secretKey: SECRET_KEY, rateLimit: false });
  const env = { GAMEBALL_BASE_URL: sim.url, GAMEBALL_API_KEY: API_KEY, GAMEBALL_SECRET_KEY: SECRET_KEY };
  const r = await cli(['sync', '--until-empty', '--timeout', '20'], env);
  expect(r.stderr).toBe('');
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/^Synced 3 orders and 0 refunds\. 0 calls still owed, 0 need attention\.\n$/);
  expect(r.stdout + r.stderr).not.toContain(SECRET_KEY);
  expect(
    sim.control
      .ledger()
      .orders.map((o) => o.orderId)
      .sort(),
  ).toEqual([...ids].sort());
  expect(states()).toEqual({ synced: 3 });
}, 30_000);

test('training mode: sync posts to the built-in simulator', async () => {
  await capture(true, 2);
  const r = await cli(['sync']);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/Synced 2 orders .*training: built-in simulator/);
  expect(states()).toEqual({ synced: 2 });
}, 30_000);

test('Gameball unreachable: --until-empty gives up at the timeout with exit 3 and says why', async () => {
  await capture(false, 1);
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  const env = { GAMEBALL_BASE_URL: `http://127.0.0.1:${port}`, GAMEBALL_API_KEY: API_KEY, GAMEBALL_SECRET_KEY: SECRET_KEY };
  const r = await cli(['sync', '--until-empty', '--timeout', '2'], env);
  expect(r.code, r.stderr).toBe(3);
  expect(r.stdout).toMatch(/Synced 0 orders .* 1 call still owed.*Last error: .*Cannot reach Gameball/);
  expect(states()).toEqual({ pending: 1 });
}, 30_000);

test('no keys configured: exit 1 with the reason', async () => {
  await capture(false, 1, { trainingMode: 'off' });
  const r = await cli(['sync', '--until-empty', '--timeout', '5']);
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).toMatch(/keys are not set/);
}, 30_000);

test('behind a captive portal, then Gameball back, then Gameball silent: sync never claims success and always says why', async () => {
  const [first] = await capture(false, 1);
  sim = await startSimulator({ apiKey: API_KEY, secretKey: SECRET_KEY, rateLimit: false });
  net = await startFakeNetwork();
  net.upstream = sim.url;
  const env = { GAMEBALL_BASE_URL: net.url, GAMEBALL_API_KEY: API_KEY, GAMEBALL_SECRET_KEY: SECRET_KEY };

  // 1. The portal answers every call with its login page (HTTP 200): nothing is synced.
  net.rule = () => ({ answer: 'portal' });
  const portal = await cli(['sync', '--until-empty', '--timeout', '3'], env);
  expect(portal.code, portal.stderr).toBe(3);
  expect(portal.stdout).toBe(
    'Synced 0 orders and 0 refunds. 1 call still owed, 0 need attention. Last error: [HTTP_200] The network answered with a web page ' +
      'instead of Gameball (HTTP 200, text/html): a captive portal or proxy? Sign the till in to the network or ask IT.\n',
  );
  expect(states()).toEqual({ pending: 1 });
  expect(sim.control.ledger().orders).toEqual([]);

  // 2. Signed in: the order goes, once, after asking Gameball whether it already has it.
  net.rule = () => ({ answer: 'pass' });
  const back = await cli(['sync', '--until-empty', '--timeout', '20'], env);
  expect(back.code, back.stderr).toBe(0);
  expect(back.stdout).toBe('Synced 1 order and 0 refunds. 0 calls still owed, 0 need attention.\n');
  expect(states()).toEqual({ synced: 1 });
  expect(sim.control.ledger().orders.map((o) => o.orderId)).toEqual([first]);
  expect(sim.control.ledger().counters.requests['POST /orders']).toBe(1);

  // 3. Gameball accepts connections and never answers. The summary used to quote the reconcile
  // read of step 2 ("[9005] Order not found."), the newest failure in the audit log.
  await capture(false, 1);
  net.rule = () => ({ answer: 'silent' });
  // The timeout covers the connection check too: the run ends at 2 s, not after the client's own
  // 15 s wait for the check plus the sending.
  const silentStarted = Date.now();
  const silent = await cli(['sync', '--until-empty', '--timeout', '2'], env);
  expect(Date.now() - silentStarted).toBeLessThan(9_000);
  expect(silent.code, silent.stderr).toBe(3);
  // The connection check gets half the time (1 s), the sending the rest.
  expect(silent.stdout).toBe(
    'Synced 0 orders and 0 refunds. 1 call still owed, 0 need attention. Last error: Could not talk to Gameball (v4.0): ' +
      'Gameball had not answered after 1 s when the till stopped waiting.\n',
  );
  expect(states()).toEqual({ synced: 1, pending: 1 });
  const status = await cli(['status'], env);
  expect(status.code, status.stderr).toBe(0);
  expect(status.stdout).toMatch(/^Last error: \S+ Gameball had not answered after [\d.]+ s when the till stopped waiting$/m);
  expect(portal.stdout + back.stdout + silent.stdout + status.stdout).not.toMatch(/9005|not found/i);
}, 150_000);
