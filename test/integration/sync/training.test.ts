// The sync part inside the engine facade: training mode posts only training orders, only to the
// built-in simulator (whose ledger lives in the data folder); an engine configured for a real
// Gameball never posts a training order. Also: status events, testConnection, keys never leak.
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
import type { GameballSyncPart } from '../../../main/sync/wiring.ts';

let dir: string;
let sim: RunningSimulator | undefined;
const engines: Engine[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pos-engine-sync-'));
});
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
  await sim?.close();
  sim = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const API_KEY = 'live-api-key-abcdef123456';
const SECRET_KEY = 'live-secret-key-987654fedcba';

async function open(opts: { training: boolean | 'auto'; env?: NodeJS.ProcessEnv; startSync?: boolean; fetch?: typeof fetch }) {
  let part: GameballSyncPart | undefined;
  const engine = await createEngine({
    dataDir: dir,
    training: opts.training,
    env: opts.env ?? {},
    secretCipher: null,
    logger: silentLogger(),
    startSync: opts.startSync ?? false,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    sync: async (ctx) => (part = await gameballSync({ idlePollMs: 100, backoff: { baseMs: 20, capMs: 200, minMs: 5 } })(ctx)),
  });
  engines.push(engine);
  return { engine, part: part! };
}

test('training mode (no keys): training orders go to the built-in simulator, its ledger kept in the data folder', async () => {
  const { engine, part } = await open({ training: 'auto' });
  expect(engine.training).toBe(true);
  const order = engine.captureOrder({ mobile: '+966500000101', totalPaidMinor: 1999 });
  expect(order.training).toBe(true);
  expect((await part.drain({ untilEmpty: true, timeoutMs: 10_000 })).empty).toBe(true);
  expect(engine.getOrder(order.orderId)).toMatchObject({ state: 'synced', rewardedPoints: 19 });
  expect(engine.status()).toMatchObject({ training: true, online: true, counts: { synced: 1 } });
  expect((await engine.testConnection()).message).toMatch(/training simulator/);
  await engine.close();
  engines.length = 0;
  const ledger = JSON.parse(readFileSync(join(dir, TRAINING_LEDGER_FILE), 'utf8'));
  expect(ledger.orders.map((o: { orderId: string }) => o.orderId)).toEqual([order.orderId]);
});

test('an engine configured for a real Gameball never posts a training order', async () => {
  // A training session first leaves training orders pending in the folder.
  const first = await open({ training: true });
  const t1 = first.engine.captureOrder({ mobile: '+966500000201', totalPaidMinor: 1000 });
  const t2 = first.engine.captureOrder({ mobile: '+966500000202', totalPaidMinor: 1100, referrerCode: 'REFX1' });
  await first.engine.close();
  engines.length = 0;

  // The "real" Gameball (a simulator standing in for it, with its own keys).
  sim = await startSimulator({ apiKey: API_KEY, secretKey: SECRET_KEY, rateLimit: false });
  const seen: string[] = [];
  const countingFetch: typeof fetch = (input, init) => {
    seen.push(`${init?.method ?? 'GET'} ${String(input)}`);
    return globalThis.fetch(input, init);
  };
  const env = { GAMEBALL_BASE_URL: sim.url, GAMEBALL_API_KEY: API_KEY, GAMEBALL_SECRET_KEY: SECRET_KEY };
  const live = await open({ training: 'auto', env, fetch: countingFetch });
  expect(live.engine.training).toBe(false);
  const real = live.engine.captureOrder({ mobile: '+966500000203', totalPaidMinor: 1200 });
  expect((await live.part.drain({ untilEmpty: true, timeoutMs: 10_000 })).empty).toBe(true);
  expect(sim.control.ledger().orders.map((o) => o.orderId)).toEqual([real.orderId]);
  expect(seen).toHaveLength(1);
  expect(seen.join('\n')).not.toContain(t1.orderId);
  expect(seen.join('\n')).not.toContain(t2.orderId);
  // The training orders are untouched, still waiting for a training engine.
  expect(live.engine.getOrder(t1.orderId)?.state).toBe('pending');
  expect(live.engine.getOrder(t2.orderId)?.state).toBe('pending');
  expect((await live.engine.testConnection()).ok).toBe(true);
});

test('training mode before the simulator starts: no keys is not an error, in the status or in the one-shot engine', async () => {
  // A one-shot engine (every CLI command) never starts the simulator; nothing is wrong with that.
  const { engine } = await open({ training: 'auto' });
  expect(engine.training).toBe(true);
  engine.captureOrder({ mobile: '+966500000111', totalPaidMinor: 400 });
  expect(engine.status()).toMatchObject({ training: true, lastError: null, counts: { pending: 1 } });
  await engine.close();
  engines.length = 0;
  // A background engine: once the simulator is up the order goes, and no error was ever shown.
  const { engine: bg } = await open({ training: 'auto', startSync: true });
  const statuses: SyncStatus[] = [];
  bg.onStatus((s) => statuses.push(s));
  expect(bg.status().lastError).toBeNull();
  await expect.poll(() => bg.status().counts.synced, { timeout: 10_000 }).toBe(1);
  expect(bg.status()).toMatchObject({ online: true, lastError: null });
  expect(statuses.filter((s) => s.lastError !== null)).toEqual([]);
});

test('no keys and training off: nothing is posted, the status says why; background sync picks up captures', async () => {
  const { engine } = await open({ training: false });
  engine.captureOrder({ mobile: '+966500000301', totalPaidMinor: 500 });
  expect(engine.status().lastError?.message).toMatch(/keys are not set/);
  expect((await engine.testConnection()).ok).toBe(false);
  await engine.close();
  engines.length = 0;

  sim = await startSimulator({ apiKey: API_KEY, secretKey: SECRET_KEY, rateLimit: false });
  const env = { GAMEBALL_BASE_URL: sim.url, GAMEBALL_API_KEY: API_KEY, GAMEBALL_SECRET_KEY: SECRET_KEY };
  const { engine: live } = await open({ training: false, env, startSync: true });
  const statuses: SyncStatus[] = [];
  live.onStatus((s) => statuses.push(s));
  const later = live.captureOrder({ mobile: '+966500000302', totalPaidMinor: 600 });
  await expect.poll(() => live.getOrder(later.orderId)?.state, { timeout: 10_000 }).toBe('synced');
  await expect.poll(() => statuses.at(-1)?.counts.synced, { timeout: 5_000 }).toBe(2);
  expect(statuses.at(-1)).toMatchObject({ online: true, training: false });
  expect(JSON.stringify(statuses)).not.toContain(SECRET_KEY);
  expect(sim.control.ledger().orders).toHaveLength(2);
});

test('referral advice over the client: a valid code, a customer Gameball already knows', async () => {
  sim = await startSimulator({ apiKey: API_KEY, secretKey: SECRET_KEY, rateLimit: false });
  const env = { GAMEBALL_BASE_URL: sim.url, GAMEBALL_API_KEY: API_KEY, GAMEBALL_SECRET_KEY: SECRET_KEY };
  const { engine, part } = await open({ training: false, env });
  const owner = engine.captureOrder({ mobile: '+966500000401', totalPaidMinor: 500 });
  await part.drain({ untilEmpty: true, timeoutMs: 10_000 });
  const code = sim.control.ledger().customers.find((c) => c.customerId === owner.customerId)?.referralCode ?? '';
  expect(await engine.checkReferral({ customer: { mobile: '+966500000402' }, referrerCode: code })).toMatchObject({ status: 'ok' });
  expect(await engine.checkReferral({ customer: { mobile: '+966500000402' }, referrerCode: 'NOSUCHCODE' })).toMatchObject({
    status: 'invalid',
  });
  // Known to Gameball but not to this till.
  await fetch(`${sim.url}/api/v4.0/integrations/customers`, {
    method: 'POST',
    headers: { APIKey: API_KEY, SecretKey: SECRET_KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ customerId: 'mobile_966500000403' }),
  });
  expect(await engine.checkReferral({ customer: { mobile: '+966500000403' }, referrerCode: code })).toMatchObject({
    status: 'already-customer',
  });
});
