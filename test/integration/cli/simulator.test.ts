// `pos-companion simulator` as a real process: prints its URL, serves with the given keys and
// fault flags, keeps no key in its output, and stops cleanly on SIGTERM/SIGINT (state flushed).
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { call, order } from '../simulator/sim-client.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = join(repoRoot, 'main/bin/pos-companion.mjs');
const children: ChildProcessWithoutNullStreams[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function run(args: string[]): {
  child: ChildProcessWithoutNullStreams;
  url: Promise<string>;
  output: () => string;
  exit: Promise<number | null>;
} {
  const child = spawn(process.execPath, [bin, 'simulator', ...args], {
    cwd: repoRoot,
    env: { ...process.env, GAMEBALL_SIM_API_KEY: '', GAMEBALL_SIM_SECRET_KEY: '' },
  });
  children.push(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const url = new Promise<string>((resolveUrl, reject) => {
    const check = (): void => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m?.[1]) resolveUrl(m[1]);
    };
    child.stdout.on('data', check);
    child.on('exit', () => reject(new Error(`simulator exited early: ${out}`)));
  });
  url.catch(() => undefined); // a test that expects an early exit does not await the URL
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, url, output: () => out, exit };
}

describe('pos-companion simulator (CLI)', () => {
  it('serves on 127.0.0.1 with the given keys, stops on SIGTERM and flushes its state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gb-sim-cli-'));
    dirs.push(dir);
    const stateFile = join(dir, 'state.json');
    const p = run([
      '--port',
      '0',
      '--api-key',
      'cli-api-key-123',
      '--secret-key',
      'cli-secret-key-456',
      '--state',
      stateFile,
      '--rate-limit',
      'off',
    ]);
    const url = await p.url;
    const headers = { APIKey: 'cli-api-key-123', SecretKey: 'cli-secret-key-456' };
    const ok = await call(url, 'POST', '/api/v4.0/integrations/orders', { json: order({ customerId: 'cli' }), headers });
    expect(ok.status).toBe(200);
    const wrong = await call(url, 'POST', '/api/v4.0/integrations/orders', {
      json: order(),
      headers: { APIKey: 'sim-api-key', SecretKey: 'sim-secret-key' },
    });
    expect(wrong.status).toBe(401);
    p.child.kill('SIGTERM');
    expect(await p.exit).toBe(0);
    expect(p.output()).toContain('stopped');
    expect(p.output()).not.toContain('cli-api-key-123');
    expect(p.output()).not.toContain('cli-secret-key-456');
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).orders).toHaveLength(1);
  });

  it('applies fault flags (drop: committed, no answer) and stops on SIGINT', async () => {
    const p = run(['--drop-rate', '1', '--seed', '9']);
    const url = await p.url;
    const answer = await call(url, 'POST', '/api/v4.0/integrations/customers', {
      json: { customerId: 'x' },
      headers: { APIKey: 'sim-api-key' },
    }).catch(() => 'failed');
    expect(answer).toBe('failed');
    const ledger = await call(url, 'GET', '/_sim/ledger');
    expect(ledger.body.customers).toHaveLength(1);
    expect(ledger.body.counters.drops).toBe(1);
    p.child.kill('SIGINT');
    expect(await p.exit).toBe(0);
  });

  it('every fault flag reaches the running simulator (GET /_sim/faults) and --error-rate 1 answers 5xx', async () => {
    const p = run([
      '--latency-ms',
      '7',
      '--jitter-ms',
      '3',
      '--error-rate',
      '1',
      '--reset-rate',
      '0',
      '--drop-rate',
      '0.125',
      '--rate-limit',
      '2/10',
      '--seed',
      '4',
    ]);
    const url = await p.url;
    const faults = await call(url, 'GET', '/_sim/faults');
    expect(faults.body).toMatchObject({
      latencyMs: 7,
      jitterMs: 3,
      errorRate: 1,
      resetRate: 0,
      dropRate: 0.125,
      rateLimit: { orders: { perSecond: 2, per30s: 10 }, customerWrites: { perSecond: 2, per30s: 10 } },
      outage: { on: false },
    });
    const answer = await call(url, 'POST', '/api/v4.0/integrations/customers', {
      json: { customerId: 'x' },
      headers: { APIKey: 'sim-api-key' },
    });
    expect([500, 503]).toContain(answer.status);
    expect((await call(url, 'GET', '/_sim/ledger')).body.customers).toEqual([]);
    p.child.kill('SIGTERM');
    expect(await p.exit).toBe(0);
  });

  it('--reset-rate 1 resets connections before anything is committed', async () => {
    const p = run(['--reset-rate', '1']);
    const url = await p.url;
    const answer = await call(url, 'POST', '/api/v4.0/integrations/customers', {
      json: { customerId: 'x' },
      headers: { APIKey: 'sim-api-key' },
    }).catch(() => 'failed');
    expect(answer).toBe('failed');
    const ledger = await call(url, 'GET', '/_sim/ledger');
    expect(ledger.body.customers).toEqual([]);
    expect(ledger.body.counters.resets).toBe(1);
    p.child.kill('SIGTERM');
    expect(await p.exit).toBe(0);
  });

  it('refuses a bad flag with a clear message and a non-zero exit', async () => {
    const p = run(['--error-rate', '3']);
    expect(await p.exit).not.toBe(0);
    expect(p.output()).toContain('between 0 and 1');
  });
});
