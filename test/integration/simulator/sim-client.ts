// A tiny HTTP client for the simulator tests: real requests over loopback, answers as
// { status, body }, and `failed` when the connection ended without an answer.
import { request } from 'node:http';
import { afterEach } from 'vitest';
import { startSimulator } from '../../../main/simulator/index.ts';
import type { RunningSimulator, SimulatorOptions } from '../../../main/simulator/index.ts';

/**
 * For one test file: a function that starts a simulator with `defaults` under the test's own
 * options. Every simulator it started is closed after each test.
 */
export function simulatorsPerTest(defaults: SimulatorOptions): (opts?: SimulatorOptions) => Promise<RunningSimulator> {
  const running: RunningSimulator[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.close()));
  });
  return async (opts = {}) => {
    const s = await startSimulator({ ...defaults, ...opts });
    running.push(s);
    return s;
  };
}

export interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test assertions read arbitrary JSON
  headers: Record<string, string | string[] | undefined>;
}

export const KEYS = { APIKey: 'sim-api-key', SecretKey: 'sim-secret-key' } as const;

export interface CallOptions {
  headers?: Record<string, string>;
  /** Raw body text (sent as is); otherwise `json` is serialised. */
  raw?: string;
  json?: unknown;
}

/** One request on a fresh connection (no keep-alive), so a reset or drop affects only this call. */
export function call(sim: RunningSimulator | string, method: string, path: string, opts: CallOptions = {}): Promise<Answer> {
  const base = typeof sim === 'string' ? sim : sim.url;
  const url = new URL(path, base);
  const body = opts.raw ?? (opts.json === undefined ? undefined : JSON.stringify(opts.json));
  const headers: Record<string, string> = {
    ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...opts.headers,
  };
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text === '' ? undefined : JSON.parse(text), headers: res.headers });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Calls an integration endpoint with both keys (override with `headers`). */
export function api(
  sim: RunningSimulator,
  method: string,
  path: string,
  json?: unknown,
  version: 'v4.0' | 'v4.1' = 'v4.0',
  headers: Record<string, string> = { ...KEYS },
): Promise<Answer> {
  return call(sim, method, `/api/${version}/integrations${path}`, { json, headers });
}

/** Resolves 'failed' when the server ended the connection without answering. */
export async function outcome(p: Promise<Answer>): Promise<Answer | 'failed'> {
  try {
    return await p;
  } catch {
    return 'failed';
  }
}

let seq = 0;
/** A valid order body; orderDate is unique per call and in the past. */
export function order(over: Record<string, unknown> = {}): Record<string, unknown> {
  seq += 1;
  return {
    customerId: 'mobile_966500001234',
    orderId: `ORD-${seq}-${Math.random().toString(36).slice(2, 8)}`,
    orderDate: new Date(Date.UTC(2026, 0, 1, 10, 0, 0, seq)).toISOString(),
    totalPaid: 100.5,
    channel: 'pos',
    ...over,
  };
}
