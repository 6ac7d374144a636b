// A running till follows its keys: saved on a training till, they switch it to live at once (no
// restart), and removed, they switch it back. Across both switches, training orders only ever go
// to the built-in simulator and live orders only to Gameball (here a simulator with its own keys).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { createEngine } from '../../../main/engine.ts';
import type { Engine } from '../../../main/engine.ts';
import { silentLogger } from '../../../main/log.ts';
import type { SyncStatus } from '../../../main/orders/schemas.ts';
import { startSimulator } from '../../../main/simulator/index.ts';
import type { RunningSimulator } from '../../../main/simulator/index.ts';
import { gameballSync, TRAINING_LEDGER_FILE } from '../../../main/sync/wiring.ts';
import { testCipher } from '../../support/test-cipher.ts';

let dir: string;
let sim: RunningSimulator | undefined;
let engine: Engine | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pos-mode-switch-'));
});
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  await sim?.close();
  sim = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const API_KEY = 'live-api-key-switch-123456';
const SECRET_KEY = 'live-secret-key-switch-654321';

test('keys saved on a running training till take it live at once; removed, it is back in training; no order crosses over', async () => {
  sim = await startSimulator({ apiKey: API_KEY, secretKey: SECRET_KEY, rateLimit: false });
  const gameballUrl = sim.url;
  // Every request the till makes. While `trainingOffline`, the built-in simulator cannot be
  // reached, so a training order is still waiting when the till goes live.
  const sent: string[] = [];
  let trainingOffline = true;
  const recordingFetch: typeof fetch = (input, init) => {
    const url = String(input);
    const toGameball = url.startsWith(gameballUrl);
    sent.push(`${toGameball ? 'gameball' : 'training'} ${init?.method ?? 'GET'} ${url} ${typeof init?.body === 'string' ? init.body : ''}`);
    if (!toGameball && trainingOffline) return Promise.reject(new TypeError('fetch failed'));
    return globalThis.fetch(input, init);
  };
  engine = await createEngine({
    dataDir: dir,
    env: { GAMEBALL_BASE_URL: gameballUrl },
    secretCipher: testCipher(),
    logger: silentLogger(),
    fetch: recordingFetch,
    sync: gameballSync({ idlePollMs: 50, backoff: { baseMs: 20, capMs: 100, minMs: 5 } }),
  });
  const till = engine;
  const statuses: SyncStatus[] = [];
  till.onStatus((s) => statuses.push(s));
  expect(till.training).toBe(true);
  const practice = till.captureOrder({ mobile: '+966500000601', totalPaidMinor: 700 });
  expect(practice.training).toBe(true);
  // The training engine tried it (and could not reach its simulator): it is really in play.
  await expect.poll(() => sent.some((l) => l.startsWith('training POST') && l.includes(practice.orderId)), { timeout: 10_000 }).toBe(true);

  till.setKeys({ apiKey: API_KEY, secretKey: SECRET_KEY });
  expect(till.training).toBe(false);
  const sale = till.captureOrder({ mobile: '+966500000602', totalPaidMinor: 1200 });
  expect(sale.training).toBe(false);
  await till.whenModeSettled();
  await expect.poll(() => till.getOrder(sale.orderId)?.state, { timeout: 10_000 }).toBe('synced');
  expect(till.status()).toMatchObject({ training: false, online: true });
  await expect.poll(() => statuses.at(-1)?.training, { timeout: 5_000 }).toBe(false);
  expect(await till.testConnection()).toMatchObject({ ok: true, message: expect.stringMatching(/Gameball \(v4\.0\)/) });
  expect(sim.control.ledger().orders.map((o) => o.orderId)).toEqual([sale.orderId]);
  expect(till.getOrder(practice.orderId)?.state).toBe('pending');

  // Keys removed with trainingMode auto: training again, and the training order goes to the
  // built-in simulator once it answers; the live order never does.
  till.setKeys({ apiKey: null, secretKey: null });
  expect(till.training).toBe(true);
  await till.whenModeSettled();
  trainingOffline = false;
  till.syncNow();
  const practice2 = till.captureOrder({ mobile: '+966500000603', totalPaidMinor: 300 });
  expect(practice2.training).toBe(true);
  await expect
    .poll(() => [till.getOrder(practice.orderId)?.state, till.getOrder(practice2.orderId)?.state], { timeout: 10_000 })
    .toEqual(['synced', 'synced']);
  await expect.poll(() => statuses.at(-1)?.training, { timeout: 5_000 }).toBe(true);
  expect(till.status()).toMatchObject({ training: true, counts: { synced: 2 } });

  expect(sim.control.ledger().orders.map((o) => o.orderId)).toEqual([sale.orderId]);
  const toGameball = sent.filter((l) => l.startsWith('gameball')).join('\n');
  expect(toGameball).not.toContain(practice.orderId);
  expect(toGameball).not.toContain(practice2.orderId);
  expect(sent.filter((l) => l.startsWith('training')).join('\n')).not.toContain(sale.orderId);
  await till.close();
  engine = undefined;
  const trainingLedger = JSON.parse(readFileSync(join(dir, TRAINING_LEDGER_FILE), 'utf8')) as { orders: Array<{ orderId: string }> };
  expect(trainingLedger.orders.map((o) => o.orderId).sort()).toEqual([practice.orderId, practice2.orderId].sort());
});
