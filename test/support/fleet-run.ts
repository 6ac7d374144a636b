// Runs a fleet of till processes (test/support/fleet-till.ts, bundled once with esbuild so each
// starts in a fraction of a second) against one simulator: the fleet drain benchmark and its
// integration test, and the takeover benchmark. Each till has its own data folder.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleChild } from './bundle-child.ts';

const repoRoot = resolve(import.meta.dirname, '../..');

export interface TillProcess {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with the first stdout line starting with `prefix`. */
  line(prefix: string, timeoutMs?: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

export interface FleetDir {
  dir: string;
  tillDir(i: number): string;
  spawnTill(args: string[]): TillProcess;
  close(): void;
}

/** A temporary folder with the till bundled into it. */
export async function fleetDir(): Promise<FleetDir> {
  const dir = mkdtempSync(join(tmpdir(), 'pos-fleet-'));
  const childJs = join(dir, 'fleet-till.cjs');
  await bundleChild('test/support/fleet-till.ts', childJs);
  const live = new Set<ChildProcessWithoutNullStreams>();
  return {
    dir,
    tillDir(i) {
      const d = join(dir, `till-${i}`);
      mkdirSync(d, { recursive: true });
      return d;
    },
    spawnTill(args) {
      const child = spawn(process.execPath, [childJs, ...args], {
        env: {
          PATH: process.env.PATH,
          NODE_PATH: join(repoRoot, 'node_modules'),
          // FLEET_BATCH=off: every order posted singly (measures the shared budget alone).
          ...(process.env.FLEET_BATCH ? { FLEET_BATCH: process.env.FLEET_BATCH } : {}),
        },
      });
      live.add(child);
      let out = '';
      let err = '';
      const waiters: Array<() => void> = [];
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        for (const w of waiters.splice(0)) w();
      });
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
        child.on('close', (code, signal) => {
          live.delete(child);
          for (const w of waiters.splice(0)) w();
          done({ code, signal });
        }),
      );
      const line = (prefix: string, timeoutMs = 600_000) =>
        new Promise<string>((done, fail) => {
          const timer = setTimeout(() => fail(new Error(`no ${prefix} line in ${timeoutMs} ms; stderr: ${err}`)), timeoutMs);
          const look = () => {
            const hit = out.split('\n').find((l) => l.startsWith(prefix));
            if (hit !== undefined) {
              clearTimeout(timer);
              done(hit);
            } else if (child.exitCode !== null || child.signalCode !== null) {
              clearTimeout(timer);
              fail(new Error(`till exited (${child.exitCode ?? child.signalCode}) before ${prefix}; stdout: ${out}; stderr: ${err}`));
            } else waiters.push(look);
          };
          look();
        });
      return { child, line, exited, stderr: () => err };
    },
    close() {
      for (const c of live) c.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface FleetDrainResult {
  /** From GO to the last till's DONE (parent's clock). */
  elapsedMs: number;
  /** Each till's own drain time. */
  perTillMs: number[];
}

/**
 * `tills` tills each capture `ordersPerTill` orders offline (customers never shared between tills),
 * then all are told to go at once and drain into `simUrl`. `rate` (perSecond/per30s) sets the tills'
 * limiters when the simulator's limits are not Gameball's.
 */
export async function drainFleet(
  fleet: FleetDir,
  simUrl: string,
  tills: number,
  ordersPerTill: number,
  rate?: string,
): Promise<FleetDrainResult> {
  const extra = rate === undefined ? [] : [rate];
  await Promise.all(
    Array.from({ length: tills }, async (_, i) => {
      const p = fleet.spawnTill([fleet.tillDir(i), simUrl, 'capture', String(ordersPerTill), String((i + 1) * 100_000)]);
      await p.line('CAPTURED', 120_000);
      await p.exited;
    }),
  );
  const procs = Array.from({ length: tills }, (_, i) => fleet.spawnTill([fleet.tillDir(i), simUrl, 'drain', ...extra]));
  await Promise.all(procs.map((p) => p.line('READY', 60_000)));
  const started = performance.now();
  for (const p of procs) p.child.stdin.write('GO\n');
  const done = await Promise.all(
    procs.map(async (p) => {
      const l = await p.line('DONE');
      return { ms: Number(l.split(' ')[1]), at: performance.now() - started };
    }),
  );
  return { elapsedMs: Math.max(...done.map((d) => d.at)), perTillMs: done.map((d) => d.ms) };
}
