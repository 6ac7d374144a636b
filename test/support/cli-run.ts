// Runs the admin CLI (`main/bin/pos-companion.mjs`) as a child process, the way support staff and
// POS scripts do: a bare environment (PATH, HOME, NODE_ENV=test) plus what the test adds.
import { spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const CLI_BIN = join(REPO_ROOT, 'main/bin/pos-companion.mjs');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Added to (or replacing) PATH, HOME and NODE_ENV=test. */
  env?: Record<string, string | undefined>;
  input?: string;
  cwd?: string;
  timeoutMs?: number;
}

function cliEnv(env: CliOptions['env']): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', ...env };
}

/** Runs the CLI to its end, blocking (for commands that need no server of this process). */
export function runCliSync(args: string[], opts: CliOptions = {}): CliRun {
  const r = spawnSync(process.execPath, [CLI_BIN, ...args], {
    cwd: opts.cwd ?? REPO_ROOT,
    env: cliEnv(opts.env),
    input: opts.input ?? '',
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 20_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the CLI without blocking this process (the simulator it talks to runs here). */
export function runCli(args: string[], opts: CliOptions = {}): Promise<CliRun> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], { cwd: opts.cwd ?? REPO_ROOT, env: cliEnv(opts.env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}
