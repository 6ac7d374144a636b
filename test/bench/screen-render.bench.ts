// Screen benchmark (Playwright + Debian Chromium against a real `pos-companion serve`):
// 1. scan -> screen: from the `scan` event reaching the page to the code on the checkout screen
//    (in the DOM, and the next animation frame, when it is painted), for keyboard-mode bursts
//    routed through main. Target: p95 within one 16 ms frame. Baseline: an empty rAF round trip.
// 2. queue first render: from F3 to the first row painted, with 100,000 orders in the till
//    (seeded straight into SQLite in one transaction) against the same with 100 orders.
//    Target: p95 within 250 ms.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import type { Browser, Page } from '@playwright/test';
import { openDatabase } from '../../main/db/database.ts';
import { databaseFile } from '../../main/db/index.ts';
import { chromiumExecutable } from '../../playwright.config.ts';
import { E2E_STATIC_DIR } from '../e2e/support/static-dir.ts';
import { keyboardScan, startTill } from '../e2e/support/till.ts';
import type { Till } from '../e2e/support/till.ts';

const SCANS = 120;
const QUEUE_RUNS = 7;
const FRAME_MS = 16;
const QUEUE_TARGET_MS = 250;

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}
const ms = (v: number) => `${v.toFixed(2)} ms`;

/** Records when a `scan` frame reaches the page, before the app's own handler runs. */
const SCAN_PROBE = `(() => {
  const Native = window.WebSocket;
  window.__scanAt = [];
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        if (typeof e.data === 'string' && e.data.startsWith('{"event":"scan"')) window.__scanAt.push(performance.now());
      });
    }
  };
})();`;

async function openPage(browser: Browser, till: Till): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1366, height: 820 } });
  await page.addInitScript(SCAN_PROBE);
  await page.goto(till.openUrl);
  await page.getByTestId('checkout-form').waitFor();
  return page;
}

// Page-side code is passed as text: tsx's name helpers (`__name`) do not exist in the page.

/** Resolves in the page when `selector` matches (and contains `text`): [in DOM, next frame] times. */
function waitInPage(page: Page, selector: string, text: string): Promise<[number, number]> {
  return page.evaluate(`new Promise((resolve) => {
    const check = () => { const el = document.querySelector(${JSON.stringify(selector)}); return el !== null && el.textContent.includes(${JSON.stringify(text)}); };
    const done = () => { const inDom = performance.now(); requestAnimationFrame(() => resolve([inDom, performance.now()])); };
    if (check()) return done();
    const mo = new MutationObserver(() => { if (check()) { mo.disconnect(); done(); } });
    mo.observe(document.body, { subtree: true, childList: true, characterData: true });
  })`);
}

function rafBaseline(page: Page, n: number): Promise<number[]> {
  return page.evaluate(`(async () => {
    const out = [];
    for (let i = 0; i < ${n}; i += 1) {
      const t0 = performance.now();
      await new Promise((r) => requestAnimationFrame(r));
      out.push(performance.now() - t0);
    }
    return out;
  })()`);
}

async function scanToScreen(browser: Browser): Promise<boolean> {
  const till = await startTill({ keys: false });
  try {
    const page = await openPage(browser, till);
    const inDom: number[] = [];
    const painted: number[] = [];
    for (let i = 0; i < SCANS; i += 1) {
      const code = `BENCH${i}Q${randomBytes(2).toString('hex').toUpperCase()}`;
      await page.getByTestId('amount-input').focus();
      const seen = waitInPage(page, '[data-testid=referral-feedback]', code);
      await keyboardScan(page, code, 2);
      const [domAt, frameAt] = await seen;
      const scanAt = await page.evaluate<number>('window.__scanAt.at(-1) ?? NaN');
      if (i >= 10) {
        inDom.push(domAt - scanAt);
        painted.push(frameAt - scanAt);
      }
    }
    const raf = await rafBaseline(page, 100);
    const p95 = pct(painted, 95);
    console.log(`scan event -> code in DOM        p50 ${ms(pct(inDom, 50))}  p95 ${ms(pct(inDom, 95))}`);
    console.log(
      `scan event -> code painted       p50 ${ms(pct(painted, 50))}  p95 ${ms(p95)} vs empty rAF round trip p50 ${ms(pct(raf, 50))}: ${(pct(painted, 50) / pct(raf, 50)).toFixed(2)}x`,
    );
    const inFrame = pct(inDom, 95) <= FRAME_MS;
    console.log(`scan -> screen p95 in DOM ${ms(pct(inDom, 95))} (target <= ${FRAME_MS} ms, one frame) ${inFrame ? 'PASS' : 'FAIL'}`);
    await page.close();
    return inFrame;
  } finally {
    await till.close();
  }
}

/** A till data folder holding `n` orders, written straight into SQLite in one transaction. */
async function seededDataDir(n: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pos-companion-bench-'));
  const db = openDatabase(databaseFile(dir));
  const insert = db.prepare(`INSERT INTO orders (order_id, customer_id, mobile, currency, total_paid_minor, receipt_no, referrer_code,
    order_date, till_id, training, state, rewarded_points, attention_code, attention_message, created_at, updated_at, synced_at)
    VALUES (?, ?, ?, 'SAR', ?, ?, ?, ?, 'T1', 1, ?, ?, ?, ?, ?, ?, ?)`);
  const states = ['synced', 'synced', 'synced', 'pending', 'attention', 'discarded'] as const;
  const start = Date.now() - n * 1000;
  db.transaction(() => {
    for (let i = 0; i < n; i += 1) {
      const state = states[i % states.length] as (typeof states)[number];
      const at = new Date(start + i * 1000).toISOString();
      const mobile = `+9665${String(10_000_000 + i)}`;
      insert.run(
        `T1-${String(i).padStart(8, '0')}`,
        `mobile_${mobile.slice(1)}`,
        mobile,
        1000 + i,
        i % 3 ? `R-${i}` : null,
        i % 5 ? null : 'SIMABCDEFGH',
        at,
        state,
        state === 'synced' ? 10 + (i % 90) : null,
        state === 'attention' ? '9007' : null,
        state === 'attention' ? 'orderDate is in the future.' : null,
        at,
        at,
        state === 'synced' ? at : null,
      );
    }
  })();
  db.close();
  return dir;
}

async function queueFirstRender(browser: Browser, orders: number): Promise<number[]> {
  const dataDir = await seededDataDir(orders);
  const till = await startTill({ keys: false, dataDir });
  try {
    const page = await openPage(browser, till);
    const times: number[] = [];
    for (let i = 0; i < QUEUE_RUNS; i += 1) {
      await page.keyboard.press('F2');
      await page.getByTestId('checkout-form').waitFor();
      const t0 = await page.evaluate<number>('performance.now()');
      const seen = waitInPage(page, '[role=row][data-order-id]', '');
      await page.keyboard.press('F3');
      const [, t1] = await seen;
      const total = await page.getByTestId('queue-grid').getAttribute('data-total');
      if (Number(total) !== orders) throw new Error(`the queue shows ${total} orders, expected ${orders}`);
      if (i > 0) times.push(t1 - t0);
    }
    await page.close();
    return times;
  } finally {
    await till.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--outDir', E2E_STATIC_DIR, '--logLevel', 'warn'], {
    stdio: 'inherit',
  });
  const browser = await chromium.launch({ executablePath: chromiumExecutable, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const scanOk = await scanToScreen(browser);
    const small = await queueFirstRender(browser, 100);
    const large = await queueFirstRender(browser, 100_000);
    // The screen renders the same ~20 virtual rows for 100 or 100,000 orders; what grows is the
    // engine's answer to orders:list (count and first page). Target: first rows painted within a
    // quarter of a second, the point where a wait starts to feel like one.
    const ratio = pct(large, 50) / pct(small, 50);
    const queueOk = pct(large, 95) <= QUEUE_TARGET_MS;
    console.log(
      `queue first render, 100,000 orders p50 ${ms(pct(large, 50))} p95 ${ms(pct(large, 95))} vs 100 orders p50 ${ms(pct(small, 50))}: ${ratio.toFixed(2)}x (target p95 <= ${QUEUE_TARGET_MS} ms) ${queueOk ? 'PASS' : 'FAIL'}`,
    );
    process.exitCode = scanOk && queueOk ? 0 : 1;
  } finally {
    await browser.close();
  }
}

await main();
