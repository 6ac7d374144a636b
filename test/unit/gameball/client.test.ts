// The client over real HTTP on 127.0.0.1: a tiny scripted server records what arrives and answers
// what each test tells it to.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createGameballClient } from '../../../main/gameball/client.ts';
import type { GameballClient } from '../../../main/gameball/client.ts';
import { resolveGameballConfig } from '../../../main/gameball/config.ts';

const API_KEY = 'api-key-0123456789abcdef';
const SECRET_KEY = 'secret-key-fedcba9876543210';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
let server: Server;
let base: string;
let seen: Seen[] = [];
let respond: (req: IncomingMessage, res: ServerResponse, body: string) => void = () => {};

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      respond(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  seen = [];
});

function client(version: 'v4.0' | 'v4.1' = 'v4.0', timeoutMs = 2_000): GameballClient {
  const config = resolveGameballConfig({ baseUrl: base, apiVersion: version, apiKey: API_KEY, secretKey: SECRET_KEY, timeoutMs });
  return createGameballClient({ config, fetch: globalThis.fetch });
}

function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

describe('requests', () => {
  test.each(['v4.0', 'v4.1'] as const)('%s: both keys on every call, JSON, the versioned path', async (version) => {
    respond = (_q, res) => json(res, 200, { rewardedPoints: 12, transactions: [], isValid: true });
    const c = client(version);
    await c.trackOrder({ orderId: 'o-1' });
    await c.upsertCustomer({ customerId: 'c-1' });
    await c.refund({ refundTransactionId: 'r-1' });
    await c.orderTransactions('till-1/ord 2');
    await c.getCustomer('mobile_966500000001');
    await c.validateReferral('REF123', 'mobile_966500000001');
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      `POST /api/${version}/integrations/orders`,
      `POST /api/${version}/integrations/customers`,
      `POST /api/${version}/integrations/transactions/refund`,
      `GET /api/${version}/integrations/orders/till-1%2Ford%202/transactions`,
      `GET /api/${version}/integrations/customers/mobile_966500000001`,
      `GET /api/${version}/integrations/referrals/validate?referrerCode=REF123&forCustomerId=mobile_966500000001`,
    ]);
    for (const s of seen) {
      expect(s.headers.apikey).toBe(API_KEY);
      expect(s.headers.secretkey).toBe(SECRET_KEY);
      expect(s.headers['content-type']).toBe('application/json');
    }
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ orderId: 'o-1' });
  });

  test('a success is parsed leniently and rewardedPoints kept', async () => {
    respond = (_q, res) => json(res, 200, { customerId: 'c', rewardedPoints: '42', pointsEarned: 42, extra: { a: 1 } }, { 'x-request-id': 'rq-9' });
    const r = await client().trackOrder({});
    expect(r).toMatchObject({ kind: 'ok', httpStatus: 200, requestId: 'rq-9', method: 'POST', path: '/orders' });
    expect(r.value?.rewardedPoints).toBe(42);
  });
});

describe('answers', () => {
  test('the answer\'s Date header is kept as Gameball\'s clock (errors too); none without one', async () => {
    respond = (_q, res) => json(res, 200, { rewardedPoints: 1 }, { date: 'Tue, 02 Jun 2026 10:11:12 GMT' });
    expect((await client().trackOrder({ orderId: 'o-1' })).serverTime).toBe(Date.UTC(2026, 5, 2, 10, 11, 12));
    respond = (_q, res) => json(res, 422, { code: 9007, message: 'future' }, { date: 'Tue, 02 Jun 2026 10:11:13 GMT' });
    expect((await client().trackOrder({ orderId: 'o-1' })).serverTime).toBe(Date.UTC(2026, 5, 2, 10, 11, 13));
    respond = (_q, res) => json(res, 200, {}, { date: 'not a date' });
    expect((await client().trackOrder({ orderId: 'o-1' })).serverTime).toBeNull();
  });

  test('a Gameball error keeps code, message and request id', async () => {
    respond = (_q, res) => json(res, 422, { code: 9003, type: 'Payload Error', message: 'Transaction time exists', requestId: 'rq-1' });
    const r = await client().trackOrder({});
    expect(r).toMatchObject({ kind: 'attention', httpStatus: 422, code: 9003, message: 'Transaction time exists', requestId: 'rq-1' });
  });

  test('an HTML 502 from a proxy: retry, clear message', async () => {
    respond = (_q, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>Bad Gateway</html>');
    };
    const r = await client().trackOrder({});
    expect(r.kind).toBe('retry');
    expect(r.message).toMatch(/HTTP 502 .*text\/html/);
  });

  test('a 200 that is not JSON: a write stands (ok), a read is asked again (retry)', async () => {
    respond = (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('OK!');
    };
    expect((await client().trackOrder({})).kind).toBe('ok');
    const read = await client().orderTransactions('o-1');
    expect(read).toMatchObject({ kind: 'retry', cause: 'bad-answer' });
  });

  test('connection refused: retry (nothing was sent)', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const c = createGameballClient({
      config: resolveGameballConfig({ baseUrl: `http://127.0.0.1:${port}`, apiKey: API_KEY, secretKey: SECRET_KEY }),
      fetch: globalThis.fetch,
    });
    const r = await c.trackOrder({});
    expect(r).toMatchObject({ kind: 'retry', cause: 'network', httpStatus: null });
  });

  test('socket closed after the request arrived: unknown for a write, retry for a read', async () => {
    respond = (req) => req.socket.destroy();
    expect(await client().trackOrder({})).toMatchObject({ kind: 'unknown', cause: 'lost' });
    expect(await client().orderTransactions('o')).toMatchObject({ kind: 'retry', cause: 'lost' });
  });

  test('no answer in time: unknown for a write, retry for a read, within the timeout', async () => {
    respond = () => {};
    const started = Date.now();
    expect(await client('v4.0', 150).trackOrder({})).toMatchObject({ kind: 'unknown', cause: 'timeout' });
    expect(await client('v4.0', 150).orderTransactions('o')).toMatchObject({ kind: 'retry', cause: 'timeout' });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  test('a body that stalls halfway counts as lost, not as a success', async () => {
    respond = (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' });
      res.write('{"rewardedPoints":');
      setTimeout(() => req.socket.destroy(), 20);
    };
    expect((await client().trackOrder({})).kind).toBe('unknown');
  });

  test('no key ever appears in a result, whatever went wrong', async () => {
    const answers: Array<(req: IncomingMessage, res: ServerResponse) => void> = [
      (_q, res) => json(res, 401, { code: 1001, message: 'Unauthorized' }),
      (_q, res) => json(res, 500, { code: 5000, message: 'boom' }),
      (req) => req.socket.destroy(),
      (_q, res) => json(res, 200, {}),
    ];
    for (const a of answers) {
      respond = a;
      const r = await client().trackOrder({ orderId: 'x' });
      const text = JSON.stringify(r);
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain(SECRET_KEY);
    }
  });
});
