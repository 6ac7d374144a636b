// A real Prometheus Pushgateway for the fleet view's tests: Debian's binary, started on a free
// loopback port, kept in memory only (no persistence file), stopped after. Tests skip (saying why) when it is absent.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

export const PUSHGATEWAY_BIN = process.env.PUSHGATEWAY_BIN ?? '/usr/bin/prometheus-pushgateway';
export const hasPushgateway = existsSync(PUSHGATEWAY_BIN);
export const NO_PUSHGATEWAY = `${PUSHGATEWAY_BIN} is not installed (Debian: apt-get install prometheus-pushgateway): fleet push tests skipped`;

export interface RunningPushgateway {
  url: string;
  /** The gateway's /metrics as text. */
  metrics(): Promise<string>;
  close(): Promise<void>;
}

/** A port nobody listens on right now (for a gateway to start on, or to stand for one that is down). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

export async function startPushgateway(): Promise<RunningPushgateway> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // Debian's build persists to /var/lib/prometheus by default: an empty file name keeps it in memory.
  const child: ChildProcess = spawn(PUSHGATEWAY_BIN, [`--web.listen-address=127.0.0.1:${port}`, '--persistence.file='], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill();
      throw new Error(`the Pushgateway did not start on ${url}: ${stderr.slice(-500)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    metrics: async () => (await fetch(`${url}/metrics`)).text(),
    async close() {
      if (child.exitCode === null) child.kill();
      await exited;
    },
  };
}

/**
 * The value of the one sample of `name` whose labels include `labels` (exposition text), or
 * undefined when there is none; throws when several match.
 */
export function sampleValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  const found: number[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) found.push(Number(m[3]));
  }
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0];
}
