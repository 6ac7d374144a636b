// `pos-companion sync` as an admin runs it, on a data folder whose disk fills up while orders are
// at Gameball (the project's simulator, in this process, over real HTTP). Before, the command
// blocked for minutes, deaf to --timeout and SIGTERM (its log could not write), and crashed with
// an unhandled ENOSPC once space came back. Now it stops within seconds, says which folder is full
// and what to do (exit 5), and a later sync delivers every order exactly once.
// Skipped (with the reason) only where a tmpfs cannot be mounted.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, noSync } from '../../../main/engine.ts';
import { silentLogger } from '../../../main/log.ts';
import { startSimulator } from '../../../main/simulator/index.ts';
import type { RunningSimulator } from '../../../main/simulator/index.ts';
import { mountTmpfs, whyNoTmpfs } from '../../support/tmpfs.ts';
import type { Tmpfs } from '../../support/tmpfs.ts';

const repoRoot = resolve(import.meta.dirname, '../../..');
const bin = join(repoRoot, 'main/bin/pos-companion.mjs');
const API_KEY = 'cli-disk-api-key-0123456789';
const SECRET_KEY = 'cli-disk-secret-key-9876543210';
const ORDERS = 4;

const noTmpfs = whyNoTmpfs();
if (noTmpfs) console.warn(`sync on a full disk (CLI) skipped: ${noTmpfs}`);

interface Running {
  child: ChildProcessWithoutNullStreams;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; endedAt: number }>;
}

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(noTmpfs !== null)('pos-companion sync on a disk that fills up', () => {
  let disk: Tmpfs | undefined;
  let sim: RunningSimulator | undefined;
  const children: ChildProcessWithoutNullStreams[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await sim?.close();
    sim = undefined;
    disk?.unmount();
    disk = undefined;
  });

  function sync(dataDir: string, args: string[]): Running {
    const child = spawn(process.execPath, [bin, 'sync', ...args, '--data-dir', dataDir], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH,
        HOME: dataDir,
        NODE_ENV: 'test',
        GAMEBALL_BASE_URL: sim!.url,
        GAMEBALL_API_KEY: API_KEY,
        GAMEBALL_SECRET_KEY: SECRET_KEY,
      },
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const done = new Promise<Awaited<Running['done']>>((r) =>
      child.on('close', (code, signal) => r({ code, signal, stdout, stderr, endedAt: Date.now() })),
    );
    return { child, done };
  }

  /** A live till on a small tmpfs with ORDERS orders waiting, and a simulator that answers after `latencyMs`. */
  async function till(latencyMs: number): Promise<{ dataDir: string; ids: string[] }> {
    disk = mountTmpfs({ sizeKb: 2048 });
    const dataDir = join(disk.dir, 'data');
    const engine = await createEngine({
      dataDir,
      training: false,
      sync: noSync,
      secretCipher: null,
      env: {},
      logger: silentLogger(),
      startSync: false,
    });
    const ids = Array.from(
      { length: ORDERS },
      (_, i) => engine.captureOrder({ mobile: `+96650${String(8100 + i).padStart(7, '0')}`, totalPaidMinor: (i + 1) * 100 }).orderId,
    );
    await engine.close();
    sim = await startSimulator({ apiKey: API_KEY, secretKey: SECRET_KEY, rateLimit: false, latencyMs });
    return { dataDir, ids };
  }

  /** Waits until every order is at the simulator (sent, not yet answered), then fills the disk. */
  async function fillWhileAtGameball(): Promise<void> {
    await until(() => sim!.control.inFlight().length === ORDERS, 60_000, 'the orders to reach the simulator');
    disk!.fill();
    // The simulator commits and answers; the till then fails to record the answers.
    await until(() => sim!.control.ledger().orders.length === ORDERS, 10_000, 'the simulator to commit');
  }

  function states(dataDir: string): Record<string, number> {
    const d = new BetterSqlite3(join(dataDir, 'pos-companion.db'), { readonly: true });
    try {
      const rows = d.prepare('SELECT state, COUNT(*) AS n FROM orders GROUP BY state').all() as { state: string; n: number }[];
      return Object.fromEntries(rows.map((r) => [r.state, r.n]));
    } finally {
      d.close();
    }
  }

  /** Exactly once at Gameball: each order in the ledger once, each posted once (never a blind re-post). */
  function expectDeliveredOnce(ids: string[]): void {
    const ledger = sim!.control.ledger();
    expect(ledger.orders.map((o) => o.orderId).sort()).toEqual([...ids].sort());
    expect(ledger.counters.requests['POST /orders']).toBe(ids.length);
    expect(ledger.counters.responses['422/9004']).toBeUndefined();
  }

  const fullLine = (dataDir: string) =>
    `pos-companion: The data folder ${dataDir} is full (no space left on the device): free some space on that disk; orders already saved are safe and the sync carries on once it can write again.`;

  function expectCleanStop(r: Awaited<Running['done']>, dataDir: string): void {
    expect(r.signal).toBeNull();
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(fullLine(dataDir));
    expect(r.stderr).not.toMatch(/ENOSPC|Unhandled|throw er|\n\s+at /);
    expect(r.stdout).toMatch(
      new RegExp(
        `^Synced 0 orders and 0 refunds\\. ${ORDERS} calls still owed, 0 need attention\\. Last error: \\[DISK_FULL\\] The data folder `,
      ),
    );
  }

  it('--timeout is honoured with the disk full; after space is freed a new sync delivers everything exactly once', async () => {
    const { dataDir, ids } = await till(1_500);
    const run = sync(dataDir, ['--until-empty', '--timeout', '8']);
    const started = Date.now();
    await fillWhileAtGameball();
    const r = await run.done;
    expectCleanStop(r, dataDir);
    // The timeout counts from the command's start (which includes loading it), plus the stop.
    expect(r.endedAt - started).toBeLessThan(8_000 + 10_000);

    disk!.free();
    const again = await sync(dataDir, ['--until-empty', '--timeout', '60']).done;
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toBe('');
    expect(again.stdout).toBe(`Synced ${ORDERS} orders and 0 refunds. 0 calls still owed, 0 need attention.\n`);
    expect(states(dataDir)).toEqual({ synced: ORDERS });
    expectDeliveredOnce(ids);
  }, 120_000);

  it('SIGTERM with the disk full stops it within a few seconds; after space is freed a new sync delivers everything exactly once', async () => {
    const { dataDir, ids } = await till(1_000);
    const run = sync(dataDir, ['--until-empty', '--timeout', '300']);
    await fillWhileAtGameball();
    // Give the answers time to arrive and fail to be recorded.
    await new Promise((r) => setTimeout(r, 1_000));
    const signalled = Date.now();
    run.child.kill('SIGTERM');
    const r = await run.done;
    expect(r.endedAt - signalled).toBeLessThan(5_000);
    expectCleanStop(r, dataDir);

    disk!.free();
    const again = await sync(dataDir, ['--until-empty', '--timeout', '60']).done;
    expect(again.code, again.stderr).toBe(0);
    expect(states(dataDir)).toEqual({ synced: ORDERS });
    expectDeliveredOnce(ids);
  }, 120_000);

  it('space freed while it runs: the same sync carries on and finishes, without a crash', async () => {
    const { dataDir, ids } = await till(1_000);
    const run = sync(dataDir, ['--until-empty', '--timeout', '120']);
    await fillWhileAtGameball();
    await new Promise((r) => setTimeout(r, 2_000));
    expect(run.child.exitCode).toBeNull();
    disk!.free();
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`Synced ${ORDERS} orders and 0 refunds. 0 calls still owed, 0 need attention.\n`);
    expect(states(dataDir)).toEqual({ synced: ORDERS });
    expectDeliveredOnce(ids);
  }, 120_000);
});
