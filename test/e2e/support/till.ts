// One till for one end-to-end test: a Gameball simulator standing in for Gameball, and a real
// `pos-companion serve` process with its own temporary data folder, opened in Chromium through
// the address it prints. Nothing is shared between tests.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { expect } from '@playwright/test';
import { startSimulator } from '../../../main/simulator/index.ts';
import type { RunningSimulator, SimulatorOptions } from '../../../main/simulator/index.ts';
import { E2E_STATIC_DIR } from './static-dir.ts';
import { cdpKeyEventsFor } from './us-keys.ts';

export const repoRoot = resolve(import.meta.dirname, '../../..');

export interface TillOptions {
  /** true: configure the simulator's keys through the environment (a "live" till against the
   *  simulator). false: no keys, so the till runs in training mode on its built-in simulator. */
  keys?: boolean;
  simulator?: SimulatorOptions;
  /** Extra arguments for `serve`. */
  serveArgs?: string[];
  /** An existing data folder (kept on close); default: a new temporary one. */
  dataDir?: string;
}

export interface Till {
  /** The address `serve` printed, the session token in its fragment (`/#token=...`). */
  openUrl: string;
  origin: string;
  dataDir: string;
  sim: RunningSimulator;
  apiKey: string;
  secretKey: string;
  /** Moves the simulator's clock (ms) against the till's: negative makes the till look ahead. */
  skewSimulatorClock(ms: number): void;
  output(): string;
  close(): Promise<void>;
}

export async function startTill(opts: TillOptions = {}): Promise<Till> {
  const apiKey = `e2e-api-${randomBytes(9).toString('base64url')}`;
  const secretKey = `e2e-secret-${randomBytes(9).toString('base64url')}`;
  let skew = 0;
  const sim = await startSimulator({ apiKey, secretKey, rateLimit: false, now: () => Date.now() + skew, ...opts.simulator });
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'pos-companion-e2e-')));
  // Keys set from the screen are encrypted with a master key file (CI has no OS key store): its
  // own private folder, outside the data folder, mode 0600, as POS_COMPANION_MASTER_KEY_FILE asks.
  const keyDir = await mkdtemp(join(tmpdir(), 'pos-companion-e2e-key-'));
  const masterKeyFile = join(keyDir, 'master.key');
  await writeFile(masterKeyFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  const token = randomBytes(24).toString('base64url');
  const args = [
    '--import',
    'tsx',
    join(repoRoot, 'main/cli.ts'),
    'serve',
    '--port',
    '0',
    '--data-dir',
    dataDir,
    '--static-dir',
    E2E_STATIC_DIR,
    ...(opts.serveArgs ?? []),
  ];
  if (opts.keys) args.push('--simulator-url', sim.url);
  // Gameball is always the test's simulator: whatever mode the till is in, no request can leave
  // the machine.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GAMEBALL_BASE_URL: sim.url,
    POS_COMPANION_LOG_LEVEL: process.env.POS_COMPANION_LOG_LEVEL ?? 'warn',
    POS_COMPANION_MASTER_KEY_FILE: masterKeyFile,
    // Never on the command line, where every user of the computer could read it (ps).
    POS_COMPANION_SESSION_TOKEN: token,
  };
  if (opts.keys) {
    env.GAMEBALL_API_KEY = apiKey;
    env.GAMEBALL_SECRET_KEY = secretKey;
  } else {
    delete env.GAMEBALL_API_KEY;
    delete env.GAMEBALL_SECRET_KEY;
  }
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));

  const openUrl = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no address in 30 s:\n${out}`)), 30_000);
    const check = () => {
      const m = /(http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before printing its address:\n${out}`));
    });
  });

  return {
    openUrl,
    origin: new URL(openUrl).origin,
    dataDir,
    sim,
    apiKey,
    secretKey,
    skewSimulatorClock: (ms) => {
      skew = ms;
    },
    output: () => out,
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await sim.close();
      if (!opts.dataDir) await rm(dataDir, { recursive: true, force: true });
      await rm(keyDir, { recursive: true, force: true });
    },
  };
}

/** Opens the till's screen and waits until checkout is ready for input. */
export async function openTill(page: Page, till: Till): Promise<void> {
  await page.goto(till.openUrl);
  await expect(page.getByTestId('checkout-form')).toBeVisible();
  await expect(page.getByTestId('mobile-input')).toBeFocused();
}

/**
 * Types `text` the way a keyboard-mode scanner does, into whatever has focus: one physical key
 * after another `gapMs` apart (scanners: 1-10 ms), Shift where the character needs it, then
 * Enter. The key events go through Chromium's real input pipeline (the DevTools protocol, as
 * page.keyboard does), sent back to back with their timestamps set `gapMs` apart, so the burst
 * the page sees has a scanner's timing however busy the test machine is.
 */
export async function keyboardScan(page: Page, text: string, gapMs = 4): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const start = Date.now() / 1000;
    const sends: Array<Promise<unknown>> = [];
    [...text, '\n'].forEach((ch, i) => {
      for (const event of cdpKeyEventsFor(ch))
        sends.push(cdp.send('Input.dispatchKeyEvent', { ...event, timestamp: start + (i * gapMs) / 1000 }));
    });
    await Promise.all(sends);
  } finally {
    await cdp.detach();
  }
}

/**
 * Like keyboardScan, but the scanner stops for `pauseMs` (real time, so the page's timers run)
 * after each piece but the last: a cordless scanner's radio dropping out mid-scan. Enter follows
 * the last piece.
 */
export async function keyboardScanWithPauses(page: Page, pieces: string[], pauseMs: number, gapMs = 4): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  try {
    for (const [n, piece] of pieces.entries()) {
      const last = n === pieces.length - 1;
      const start = Date.now() / 1000;
      const sends: Array<Promise<unknown>> = [];
      [...piece, ...(last ? ['\n'] : [])].forEach((ch, i) => {
        for (const event of cdpKeyEventsFor(ch))
          sends.push(cdp.send('Input.dispatchKeyEvent', { ...event, timestamp: start + (i * gapMs) / 1000 }));
      });
      await Promise.all(sends);
      if (!last) await page.waitForTimeout(pauseMs);
    }
  } finally {
    await cdp.detach();
  }
}

/** Registers a customer on the simulator and returns the referral code Gameball gave them. */
export async function seedReferrer(till: Till, customerId = `mobile_9665${randomBytes(4).readUInt32BE(0) % 100000000}`): Promise<string> {
  const headers = { 'Content-Type': 'application/json', APIKey: till.apiKey, SecretKey: till.secretKey };
  const base = `${till.sim.url}/api/v4.0/integrations`;
  const created = await fetch(`${base}/customers`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ customerId, customerAttributes: { displayName: 'Referrer' } }),
  });
  expect(created.ok).toBe(true);
  const got = await fetch(`${base}/customers/${encodeURIComponent(customerId)}`, { headers });
  const body = (await got.json()) as { referralCode?: string };
  expect(body.referralCode).toBeTruthy();
  return body.referralCode as string;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(repoRoot, 'test-results', 'screenshots', `${name}.png`), fullPage: false });
}

/** Fills the checkout with a new customer and an amount (keyboard only). */
export async function typeOrder(page: Page, mobile: string, amount: string): Promise<void> {
  await page.getByTestId('mobile-input').focus();
  // A person's pace: faster bursts are what the scanner detector takes for a scan.
  await page.keyboard.type(mobile, { delay: 60 });
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('amount-input')).toBeFocused();
  await page.keyboard.type(amount, { delay: 60 });
}
