// The till's clock is wrong, as an admin meets it: the real `pos-companion` entry point in child
// processes on one data folder, against the simulator over real HTTP. Where the till's clock is
// wrong, the child runs under Debian's `faketime` (libfaketime shifts the process's clock); the
// simulator keeps the real clock. Every test checks the ledger: nothing lost, nothing twice.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createEngine, noSync } from '../../../main/engine.ts';
import { silentLogger } from '../../../main/log.ts';
import { startSimulator } from '../../../main/simulator/index.ts';
import type { RunningSimulator } from '../../../main/simulator/index.ts';

const repoRoot = resolve(import.meta.dirname, '../../..');
const bin = join(repoRoot, 'main/bin/pos-companion.mjs');
const API_KEY = 'clock-api-key-0123456789';
const SECRET_KEY = 'clock-secret-key-9876543210';
const FAKETIME = '/usr/bin/faketime';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let dir: string;
let sim: RunningSimulator | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pos-cli-clock-'));
});
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI, under `faketime -f OFFSET` when given (e.g. '+2d'), without blocking this process. */
function cli(args: string[], opts: { offset?: string } = {}): Promise<Run> {
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    XDG_CONFIG_HOME: dir,
    NODE_ENV: 'test',
    ...(sim ? { GAMEBALL_BASE_URL: sim.url } : {}),
    GAMEBALL_API_KEY: API_KEY,
    GAMEBALL_SECRET_KEY: SECRET_KEY,
  };
  const argv = [bin, ...args, '--data-dir', dir];
  const [cmd, cmdArgs] = opts.offset ? [FAKETIME, ['-f', opts.offset, process.execPath, ...argv]] : [process.execPath, argv];
  return new Promise((done) => {
    const child = spawn(cmd, cmdArgs, { cwd: repoRoot, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

async function statusJson(offset?: string): Promise<{ clockSkewMs: number | null; clockWentBackMs: number; counts: { synced: number } }> {
  const r = await cli(['status', '--json'], { offset });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

/** Captures live orders (keys in the environment) on this machine's real clock. */
async function capture(n: number): Promise<string[]> {
  const engine = await createEngine({
    dataDir: dir,
    training: false,
    sync: noSync,
    secretCipher: null,
    env: {},
    logger: silentLogger(),
    startSync: false,
  });
  try {
    return Array.from(
      { length: n },
      (_, i) => engine.captureOrder({ mobile: `+96650${String(9_000 + i).padStart(7, '0')}`, totalPaidMinor: (i + 1) * 100 }).orderId,
    );
  } finally {
    await engine.close();
  }
}

function expectLedgerOnce(orderIds: string[]): void {
  const orders = sim!.control.ledger().orders;
  expect(orders.map((o) => o.orderId).sort()).toEqual([...orderIds].sort());
  // Dated so Gameball accepts them: never in its future.
  for (const o of orders) expect(Date.parse(o.orderDate)).toBeLessThanOrEqual(o.receivedAt);
}

test("Gameball's clock an hour behind the till's: sync delivers, and status shows clockSkewMs of about 3 600 000", async () => {
  sim = await startSimulator({ apiKey: API_KEY, secretKey: SECRET_KEY, now: () => Date.now() - HOUR });
  const ids = await capture(1);
  const synced = await cli(['sync', '--until-empty', '--timeout', '20']);
  expect(synced.code, synced.stderr).toBe(0);
  expect(synced.stdout).toBe('Synced 1 order and 0 refunds. 0 calls still owed, 0 need attention.\n');
  expect(synced.stderr).toBe("pos-companion: The till's clock is 1 hour ahead of Gameball: set the date and time on this computer.\n");
  expectLedgerOnce(ids);

  const s = await statusJson();
  expect(s.clockSkewMs).toBeGreaterThan(HOUR - 2_000);
  expect(s.clockSkewMs).toBeLessThan(HOUR + 2_000);
  const text = await cli(['status']);
  expect(text.stdout).toContain("Clock: The till's clock is 1 hour ahead of Gameball: set the date and time on this computer.\n");
}, 60_000);

describe.skipIf(!existsSync(FAKETIME))('with the till clock shifted by faketime (Debian package faketime)', () => {
  test('clock two days ahead at capture, then corrected: sync delivers both orders at once', async () => {
    sim = await startSimulator({ apiKey: API_KEY, secretKey: SECRET_KEY });
    const ids: string[] = [];
    for (const mobile of ['0500001001', '0500001002']) {
      const r = await cli(['order', 'add', '--mobile', mobile, '--total', '25.00'], { offset: '+2d' });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      ids.push(r.stdout.trim());
    }
    // Before any sync: the corrected clock reads two days before the orders it recorded.
    const before = await statusJson();
    expect(before.clockSkewMs).toBeNull();
    expect(before.clockWentBackMs).toBeGreaterThan(2 * DAY - 10 * 60_000);
    expect((await cli(['status'])).stdout).toContain(
      "Clock: The till's clock went back 2 days (it reads earlier than the last order or Gameball call it recorded): check the date and time on this computer.\n",
    );

    // Exit 0 within the 30 s timeout: at once, not in two days (before, exit 3: "2 calls still owed").
    const synced = await cli(['sync', '--until-empty', '--timeout', '30']);
    expect(synced.code, synced.stderr).toBe(0);
    expect(synced.stdout).toBe('Synced 2 orders and 0 refunds. 0 calls still owed, 0 need attention.\n');
    expect(synced.stderr).toBe('');
    expectLedgerOnce(ids);

    // The sync checked the clock against Gameball's: right now, so nothing more to say.
    const after = await statusJson();
    expect(Math.abs(after.clockSkewMs ?? Number.NaN)).toBeLessThan(2_000);
    expect(after.clockWentBackMs).toBe(0);
    expect((await cli(['status'])).stdout).toMatch(/\nClock: within a second of Gameball's|\nClock: \d s (ahead of|behind) Gameball/);
  }, 120_000);

  test('clock set back after a failed attempt: the retry still goes within its backoff', async () => {
    sim = await startSimulator({ apiKey: API_KEY, secretKey: SECRET_KEY });
    const ids = await capture(1);
    sim.control.setOutage(true);
    const failed = await cli(['sync']);
    expect(failed.code, failed.stderr).toBe(0);
    expect(failed.stdout).toMatch(/^Synced 0 orders .* 1 call still owed/);
    sim.control.setOutage(false);

    // The retry was scheduled a second or less ahead; the clock now reads a day earlier. Exit 0
    // within the timeout: the retry did not wait a day for the clock to catch up.
    const retried = await cli(['sync', '--until-empty', '--timeout', '30'], { offset: '-1d' });
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stdout).toBe('Synced 1 order and 0 refunds. 0 calls still owed, 0 need attention.\n');
    expect(retried.stderr).toBe("pos-companion: The till's clock is 1 day behind Gameball: set the date and time on this computer.\n");
    expectLedgerOnce(ids);
    expect(sim.control.ledger().counters.responses['422/9004']).toBeUndefined();

    // That run measured its clock against Gameball's: a day behind, and says so.
    const s = await statusJson('-1d');
    expect(s.clockSkewMs).toBeLessThan(-DAY + 2_000);
    expect(s.clockSkewMs).toBeGreaterThan(-DAY - 2_000);
    expect((await cli(['status'], { offset: '-1d' })).stdout).toContain(
      "Clock: The till's clock is 1 day behind Gameball: set the date and time on this computer.\n",
    );
  }, 120_000);
});
