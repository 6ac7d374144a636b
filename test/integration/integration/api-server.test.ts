// The local integration API over real HTTP on 127.0.0.1, in front of a real engine on a real
// SQLite file: one order per posSaleId however the POS sends it, field errors that write nothing,
// the token, Host and Origin checks, refunds exactly once.
import { readFileSync, statSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine, noSync } from '../../../main/engine.ts';
import type { Engine } from '../../../main/engine.ts';
import { apiTokenPath, rotateApiToken } from '../../../main/integration/api-token.ts';
import type { RunningApiServer } from '../../../main/integration/api-server.ts';
import { startIntegrationApi } from '../../../main/integration/start.ts';
import { createLogger } from '../../../main/log.ts';
import { apiCall } from '../../support/api-client.ts';
import { testCipher } from '../../support/test-cipher.ts';
import { steppedClock, tempDir } from '../../support/till-fixture.ts';

const SALE = { posSaleId: 'S-1043', totalPaid: '125.50', currency: 'SAR', receiptNo: 'R-1043', soldAt: '2025-03-01T11:32:00+03:00' };

let engine: Engine;
let api: RunningApiServer;
let token: string;
let dir: { dir: string; cleanup(): void };
let logText: string[];

beforeEach(async () => {
  dir = tempDir('pos-api-');
  logText = [];
  const logger = createLogger({ destination: new Writable({ write: (c, _e, done) => (logText.push(String(c)), done()) }) });
  engine = await createEngine({ dataDir: dir.dir, clock: steppedClock(), logger, secretCipher: testCipher(), env: {}, sync: noSync });
  const started = await startIntegrationApi({ engine, logger, port: 0 });
  if (!started.api) throw new Error(started.problem ?? 'no API');
  api = started.api;
  token = readFileSync(apiTokenPath(dir.dir), 'utf8').trim();
});

afterEach(async () => {
  await api.close();
  await engine.close();
  dir.cleanup();
});

const call = (method: string, path: string, opts: Parameters<typeof apiCall>[3] = {}) =>
  apiCall(api.origin, method, path, { token, ...opts });
const orderCount = () => engine.listOrders({ state: 'all' }).total;

describe('local API: sales', () => {
  it('captures a sale with a customer and answers its order; the same sale again is the same order', async () => {
    const first = await call('POST', '/v1/sales', { body: { ...SALE, mobile: '0500000001' } });
    expect(first.status).toBe(201);
    const body = first.body as { orderId: string; state: string; replayed: boolean; totalPaidMinor: number };
    expect(body).toMatchObject({ posSaleId: 'S-1043', state: 'captured', replayed: false, totalPaidMinor: 12550 });
    expect(body.orderId).toMatch(/^till-/);
    expect(engine.getOrder(body.orderId)?.totalPaidMinor).toBe(12550);
    const again = await call('POST', '/v1/sales', { body: { ...SALE, mobile: '0500000001' } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ orderId: body.orderId, replayed: true });
    expect(orderCount()).toBe(1);
  });

  it('makes one order of 20 concurrent posts of one sale', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => call('POST', '/v1/sales', { body: { ...SALE, mobile: '0500000001' } })),
    );
    const ids = new Set(answers.map((a) => (a.body as { orderId: string }).orderId));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^till-/);
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(19);
    expect(orderCount()).toBe(1);
  });

  it('keeps a sale without a customer pending (202) and says so on GET', async () => {
    const posted = await call('POST', '/v1/sales', { body: SALE });
    expect(posted.status).toBe(202);
    expect(posted.body).toMatchObject({ state: 'pending', orderId: null });
    expect(engine.sales.pendingSale()?.posSaleId).toBe('S-1043');
    const got = await call('GET', '/v1/sales/S-1043');
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ posSaleId: 'S-1043', state: 'pending', orderId: null, rewardedPoints: null });
    engine.sales.completeSale('S-1043', { mobile: '0500000009' });
    const after = await call('GET', '/v1/sales/S-1043');
    expect(after.body).toMatchObject({ state: 'captured', orderState: 'pending', training: true });
    expect((after.body as { orderId: string }).orderId).toMatch(/^till-/);
    expect((await call('GET', '/v1/sales/NOPE')).status).toBe(404);
    expect(orderCount()).toBe(1);
  });

  it('answers a bad body with every field at fault (422) and writes nothing', async () => {
    const bad = await call('POST', '/v1/sales', {
      body: { posSaleId: 'S 1', totalPaid: '12.345', currency: 'sar', soldAt: 'now', mobile: 5, colour: 'red' },
    });
    expect(bad.status).toBe(422);
    const err = (bad.body as { error: { code: string; fields: { field: string; message: string }[] } }).error;
    expect(err.code).toBe('invalid-sale');
    expect(err.fields.map((f) => f.field).sort()).toEqual(['colour', 'currency', 'mobile', 'posSaleId', 'receiptNo', 'soldAt']);
    for (const f of err.fields) expect(f.message.length).toBeGreaterThan(5);
    const amount = await call('POST', '/v1/sales', { body: { ...SALE, totalPaid: '12.345' } });
    expect(amount.status).toBe(422);
    expect((amount.body as { error: { fields: { field: string }[] } }).error.fields).toEqual([
      { field: 'totalPaid', message: expect.stringContaining('at most 2 decimals') as string },
    ]);
    const mobile = await call('POST', '/v1/sales', { body: { ...SALE, mobile: '12' } });
    expect(mobile.status).toBe(422);
    expect((mobile.body as { error: { fields: { field: string }[] } }).error.fields[0]?.field).toBe('mobile');
    expect((await call('POST', '/v1/sales', { rawBody: '{"posSaleId": ' })).status).toBe(400);
    expect((await call('POST', '/v1/sales', { rawBody: 'x', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect((await call('POST', '/v1/sales', { rawBody: JSON.stringify({ ...SALE, receiptNo: 'x'.repeat(20_000) }) })).status).toBe(413);
    expect(orderCount()).toBe(0);
    expect(engine.sales.getSale('S-1043')).toBeUndefined();
    expect(engine.sales.getSale('S 1')).toBeUndefined();
  });

  it('refuses the same posSaleId for another sale (409), nothing written', async () => {
    await call('POST', '/v1/sales', { body: { ...SALE, mobile: '0500000001' } });
    const other = await call('POST', '/v1/sales', { body: { ...SALE, totalPaid: '1.00', mobile: '0500000001' } });
    expect(other.status).toBe(409);
    expect((other.body as { error: { code: string } }).error.code).toBe('pos-sale-reused');
    expect(orderCount()).toBe(1);
  });
});

describe('local API: who may call', () => {
  it('refuses no token and a wrong token (401), and the old token after a rotation', async () => {
    const none = await call('POST', '/v1/sales', { token: null, body: { ...SALE, mobile: '0500000001' } });
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    const wrong = await call('GET', '/v1/status', { token: `${token.slice(0, -1)}x` });
    expect(wrong.status).toBe(401);
    expect((await call('GET', '/v1/status', { headers: { authorization: `Basic ${token}` } })).status).toBe(401);
    expect(orderCount()).toBe(0);
    const fresh = rotateApiToken(dir.dir);
    expect((await call('GET', '/v1/status')).status).toBe(401);
    expect((await call('GET', '/v1/status', { token: fresh })).status).toBe(200);
    // The token never reaches the log.
    expect(logText.join('')).not.toContain(token);
  });

  it('refuses a foreign Host header and any Origin, even with the right token', async () => {
    const rebound = await call('POST', '/v1/sales', {
      headers: { host: `evil.example:${api.port}` },
      body: { ...SALE, mobile: '0500000001' },
    });
    expect(rebound.status).toBe(403);
    const page = await call('POST', '/v1/sales', { headers: { origin: 'https://evil.example' }, body: { ...SALE, mobile: '0500000001' } });
    expect(page.status).toBe(403);
    expect((page.body as { error: { code: string } }).error.code).toBe('forbidden-origin');
    const own = await call('POST', '/v1/sales', { headers: { origin: api.origin }, body: { ...SALE, mobile: '0500000001' } });
    expect(own.status).toBe(403);
    const fetchMeta = await call('GET', '/v1/status', { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(fetchMeta.status).toBe(403);
    expect(orderCount()).toBe(0);
    expect((await call('GET', '/v1/status', { headers: { host: `localhost:${api.port}` } })).status).toBe(200);
  });

  it('keeps the token file private to the till user', () => {
    if (process.platform === 'win32') return;
    expect(statSync(apiTokenPath(dir.dir)).mode & 0o077).toBe(0);
  });
});

describe('local API: refunds and status', () => {
  it('refunds a sale exactly once, however often the POS sends the refund', async () => {
    await call('POST', '/v1/sales', { body: { ...SALE, mobile: '0500000001' } });
    const refund = { posRefundId: 'RF-1', posSaleId: 'S-1043', amount: '25.50' };
    const answers = await Promise.all(Array.from({ length: 5 }, () => call('POST', '/v1/refunds', { body: refund })));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(4);
    expect(new Set(answers.map((a) => (a.body as { refundId: string }).refundId)).size).toBe(1);
    expect(answers[0]?.body).toMatchObject({ amount: '25.50', amountMinor: 2550, currency: 'SAR' });
    const orderId = engine.sales.getSale('S-1043')?.orderId ?? '';
    expect(engine.getOrder(orderId)?.refunds).toHaveLength(1);
    const tooMuch = await call('POST', '/v1/refunds', { body: { posRefundId: 'RF-2', posSaleId: 'S-1043', amount: '200.00' } });
    expect(tooMuch.status).toBe(422);
    expect((tooMuch.body as { error: { fields: { field: string }[] } }).error.fields[0]?.field).toBe('amount');
    const unknown = await call('POST', '/v1/refunds', { body: { posRefundId: 'RF-3', posSaleId: 'S-9' } });
    expect(unknown.status).toBe(422);
    const bad = await call('POST', '/v1/refunds', { body: { amount: 3 } });
    expect(bad.status).toBe(422);
    expect((bad.body as { error: { fields: { field: string }[] } }).error.fields.map((f) => f.field).sort()).toEqual([
      'amount',
      'posRefundId',
      'posSaleId',
    ]);
    expect(engine.getOrder(orderId)?.refunds).toHaveLength(1);
  });

  it('answers the status', async () => {
    await call('POST', '/v1/sales', { body: SALE });
    const status = await call('GET', '/v1/status');
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ api: 'v1', training: true, currency: 'SAR', pendingSale: 'S-1043' });
    expect((await call('POST', '/v1/status', { body: {} })).status).toBe(405);
    expect((await call('GET', '/v2/status')).status).toBe(404);
  });
});
