// The Gameball keys are write-only from the screen: once set, nothing the page can read holds
// them: not the DOM, not a JavaScript global, not storage, not anything the engine sends back.
import { expect, test } from '@playwright/test';
import type { Page, WebSocket } from '@playwright/test';
import { openTill, screenshot, startTill } from './support/till.ts';
import type { Till } from './support/till.ts';

let till: Till;
test.beforeEach(async () => {
  // No keys in the environment: they are set through the screen, and the till starts in training
  // mode. Gameball is the test's simulator (GAMEBALL_BASE_URL, set by startTill), which accepts
  // only the keys typed below.
  till = await startTill({ keys: false, serveArgs: [] });
});
test.afterEach(async () => {
  await till?.close();
});

/** Everything the page can read, as one string: DOM, field values, globals, storage, cookies. */
async function readablePageText(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const parts: string[] = [document.documentElement.outerHTML];
    for (const el of Array.from(document.querySelectorAll('input, textarea, select'))) parts.push((el as HTMLInputElement).value);
    for (const store of [localStorage, sessionStorage])
      for (let i = 0; i < store.length; i += 1) parts.push(`${store.key(i)}=${store.getItem(store.key(i) ?? '')}`);
    parts.push(document.cookie);
    parts.push(JSON.stringify((await indexedDB.databases?.()) ?? []));
    // Walk every global reachable from window (bounded), including React's props on DOM nodes.
    const seen = new Set<unknown>();
    const walk = (value: unknown, depth: number) => {
      if (depth > 6 || value === null || seen.has(value)) return;
      if (typeof value === 'string') return void parts.push(value);
      if (typeof value !== 'object' && typeof value !== 'function') return;
      seen.add(value);
      if (value instanceof Node && value !== document) return;
      let keys: string[] = [];
      try {
        keys = Object.getOwnPropertyNames(value);
      } catch {
        return;
      }
      for (const k of keys.slice(0, 500)) {
        try {
          walk((value as Record<string, unknown>)[k], depth + 1);
        } catch {
          /* getters that throw */
        }
      }
    };
    walk(window, 0);
    for (const el of Array.from(document.querySelectorAll('*'))) {
      for (const k of Object.keys(el)) if (k.startsWith('__react')) walk((el as unknown as Record<string, unknown>)[k], 0);
    }
    return parts.join('\n');
  });
}

test('keys set from the screen can never be read back by the page', async ({ page }) => {
  const received: string[] = [];
  const sent: string[] = [];
  page.on('websocket', (ws: WebSocket) => {
    ws.on('framereceived', (f) => received.push(String(f.payload)));
    ws.on('framesent', (f) => sent.push(String(f.payload)));
  });
  await page.setViewportSize({ width: 1366, height: 820 });
  await openTill(page, till);
  await page.keyboard.press('F4');
  await expect(page.getByTestId('keys-form')).toBeVisible();

  await page.getByTestId('api-key-input').fill(till.apiKey);
  await page.getByTestId('secret-key-input').fill(till.secretKey);
  await page.getByTestId('save-keys').click();
  await expect(page.getByTestId('api-key-state')).toHaveAttribute('data-set', 'true');
  await expect(page.getByTestId('secret-key-state')).toHaveAttribute('data-set', 'true');
  await expect(page.getByTestId('api-key-input')).toHaveValue('');
  await expect(page.getByTestId('secret-key-input')).toHaveValue('');
  // Saved, they take the till live at once: no training banner, and the connection test goes to
  // Gameball (the test's simulator), which accepts only these keys, so they reached the engine.
  await expect(page.getByTestId('keys-message')).toContainText('This till is live');
  await expect(page.getByTestId('training-banner')).toHaveCount(0);
  await expect(page.getByTestId('keys-training')).toHaveCount(0);
  await page.getByTestId('test-connection').click();
  await expect(page.getByTestId('connection-result')).toHaveAttribute('data-ok', 'true', { timeout: 15_000 });
  await expect(page.getByTestId('connection-result')).toContainText('Gameball (v4.0)');
  await screenshot(page, 'settings-keys-en');

  // Only the one call that carried them out of the page may contain them.
  const carriers = sent.filter((f) => f.includes(till.apiKey) || f.includes(till.secretKey));
  expect(carriers).toHaveLength(1);
  expect(JSON.parse(carriers[0] as string)).toMatchObject({ channel: 'settings:set-keys' });

  for (const text of [await readablePageText(page), received.join('\n')]) {
    expect(text).not.toContain(till.apiKey);
    expect(text).not.toContain(till.secretKey);
  }

  // A fresh page load (and the settings it fetches) holds them nowhere either.
  received.length = 0;
  await page.reload();
  await expect(page.getByTestId('checkout-form')).toBeVisible();
  await page.keyboard.press('F4');
  await expect(page.getByTestId('api-key-state')).toHaveAttribute('data-set', 'true');
  for (const text of [await readablePageText(page), received.join('\n')]) {
    expect(text).not.toContain(till.apiKey);
    expect(text).not.toContain(till.secretKey);
  }
  expect(received.length).toBeGreaterThan(0);
});
