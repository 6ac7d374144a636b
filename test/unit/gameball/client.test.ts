// The client over real HTTP on 127.0.0.1: a tiny scripted server records what arrives and answers
// what each test tells it to.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createGameballClient, retryAfter } from '../../../main/gameball/client.ts';
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

function json200Raw(res: ServerResponse, text: string) {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
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
    respond = (_q, res) =>
      json(res, 200, { customerId: 'c', rewardedPoints: '42', pointsEarned: 42, extra: { a: 1 } }, { 'x-request-id': 'rq-9' });
    const r = await client().trackOrder({});
    expect(r).toMatchObject({ kind: 'ok', httpStatus: 200, requestId: 'rq-9', method: 'POST', path: '/orders' });
    expect(r.value?.rewardedPoints).toBe(42);
  });
});

describe('answers', () => {
  test("the answer's Date header is kept as Gameball's clock (errors too); none without one", async () => {
    respond = (_q, res) => json(res, 200, { rewardedPoints: 1 }, { date: 'Tue, 02 Jun 2026 10:11:12 GMT' });
    expect((await client().trackOrder({ orderId: 'o-1' })).serverTime).toBe(Date.UTC(2026, 5, 2, 10, 11, 12));
    respond = (_q, res) => json(res, 422, { code: 9007, message: 'future' }, { date: 'Tue, 02 Jun 2026 10:11:13 GMT' });
    expect((await client().trackOrder({ orderId: 'o-1' })).serverTime).toBe(Date.UTC(2026, 5, 2, 10, 11, 13));
    respond = (_q, res) => json(res, 200, {}, { date: 'not a date' });
    expect((await client().trackOrder({ orderId: 'o-1' })).serverTime).toBeNull();
  });

  test("a page that is not Gameball's answer (a captive portal, a proxy) does not say what Gameball's clock is", async () => {
    const portal = (status: number) => (_q: IncomingMessage, res: ServerResponse) => {
      res.writeHead(status, { 'content-type': 'text/html', date: 'Thu, 01 Jan 2015 00:00:00 GMT' });
      res.end('<html><body>Sign in to the guest Wi-Fi</body></html>');
    };
    respond = portal(200);
    const page = await client().trackOrder({ orderId: 'o-1' });
    expect(page.cause).toBe('bad-answer');
    expect(page.serverTime).toBeNull();
    respond = portal(502);
    expect((await client().orderTransactions('o-1')).serverTime).toBeNull();
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

  test("a 200 that is not JSON is not Gameball's answer: unknown for a write (never 'synced'), retry for a read", async () => {
    respond = (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('OK!');
    };
    const write = await client().trackOrder({});
    expect(write).toMatchObject({ kind: 'unknown', cause: 'bad-answer', httpStatus: 200 });
    expect(write.message).toMatch(/not Gameball's answer \(HTTP 200, text\/plain, 3 bytes of text\)/);
    const read = await client().orderTransactions('o-1');
    expect(read).toMatchObject({ kind: 'retry', cause: 'bad-answer' });
  });

  test('a captive portal page (200 text/html): not a success; a write is an unknown outcome', async () => {
    respond = (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html><body><h1>Welcome to Mall Wi-Fi</h1><a href="/login">Accept</a></body></html>');
    };
    const r = await client().trackOrder({ orderId: 'o-1' });
    expect(r).toMatchObject({ kind: 'unknown', cause: 'bad-answer', httpStatus: 200, code: null });
    expect(r.value).toBeUndefined();
    expect(r.message).toBe(
      'The network answered with a web page instead of Gameball (HTTP 200, text/html): a captive portal or proxy? Sign the till in to the network or ask IT.',
    );
    expect(await client().refund({})).toMatchObject({ kind: 'unknown', cause: 'bad-answer' });
    expect(await client().upsertCustomer({})).toMatchObject({ kind: 'retry', cause: 'bad-answer' });
    expect(await client().getCustomer('c')).toMatchObject({ kind: 'retry', cause: 'bad-answer' });
    expect(await client().validateReferral('R', 'c')).toMatchObject({ kind: 'retry', cause: 'bad-answer' });
  });

  test('JSON cut short by a proxy (well framed, so fetch sees no error): unknown, says it was cut', async () => {
    respond = (_q, res) => json200Raw(res, '{"customerId":"mobile_966500000001","rewardedPoints":1');
    const r = await client().trackOrder({});
    expect(r).toMatchObject({ kind: 'unknown', cause: 'bad-answer' });
    expect(r.message).toMatch(/^Gameball's answer was cut short \(HTTP 200, application\/json, only 54 bytes arrived\)/);
  });

  test('an empty 200: not a success (it used to read as an empty object)', async () => {
    respond = (_q, res) => json200Raw(res, '');
    const r = await client().trackOrder({});
    expect(r).toMatchObject({ kind: 'unknown', cause: 'bad-answer' });
    expect(r.message).toMatch(/^The network gave an empty answer instead of Gameball's \(HTTP 200, application\/json\)/);
    expect(await client().upsertCustomer({})).toMatchObject({ kind: 'retry', cause: 'bad-answer' });
  });

  test('an answer past the size cap is not read to the end: the till hangs up and says how large', async () => {
    const fifty = 50 * 1024 * 1024;
    let written = 0;
    let closed: Promise<void> = Promise.resolve();
    respond = (_q, res) => {
      // Streamed without a length, as a misbehaving proxy would: only the reader can stop it.
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      closed = new Promise((done) => res.on('close', () => done()));
      const pump = () => {
        while (written < fifty && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        if (!res.destroyed) res.end();
      };
      res.write('{"customerId":"c","pad":"');
      pump();
    };
    const c = createGameballClient({
      config: resolveGameballConfig({ baseUrl: base, apiKey: API_KEY, secretKey: SECRET_KEY, timeoutMs: 10_000 }),
      fetch: globalThis.fetch,
      maxAnswerBytes: 256 * 1024,
    });
    const r = await c.trackOrder({});
    await closed;
    expect(r).toMatchObject({ kind: 'unknown', cause: 'bad-answer', httpStatus: 200 });
    expect(r.message).toMatch(/^The network sent an answer larger than 262144 bytes instead of Gameball's \(HTTP 200, application\/json\)/);
    // The connection was closed long before the 50 MB were sent (socket buffers hold a few MB).
    expect(written).toBeLessThan(16 * 1024 * 1024);
  });

  test('a Content-Length over the cap is refused before reading; a huge error body likewise', async () => {
    respond = (_q, res) => {
      res.writeHead(500, { 'content-type': 'text/html', 'content-length': String(5 * 1024 * 1024) });
      res.write('<html>' + ' '.repeat(1000));
      // Never finishes: only a reader that stops at the header can answer quickly.
    };
    const started = Date.now();
    const c = createGameballClient({
      config: resolveGameballConfig({ baseUrl: base, apiKey: API_KEY, secretKey: SECRET_KEY, timeoutMs: 5_000 }),
      fetch: globalThis.fetch,
      maxAnswerBytes: 1024 * 1024,
    });
    const r = await c.orderTransactions('o-1');
    expect(r).toMatchObject({ kind: 'retry', cause: 'server', httpStatus: 500 });
    expect(r.message).toBe('Gameball answered HTTP 500 with a body larger than 1048576 bytes (text/html) that the till stopped reading');
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  test('a redirect (a portal login page) is not followed: the keys never leave for another host', async () => {
    const elsewhere: Seen[] = [];
    const other = createServer((req, res) => {
      elsewhere.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: '' });
      res.end('<html>login</html>');
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}/login`;
    try {
      respond = (_q, res) => {
        res.writeHead(302, { location: otherUrl, 'content-type': 'text/html' });
        res.end('<a href="/login">moved</a>');
      };
      const r = await client().trackOrder({});
      expect(r).toMatchObject({ kind: 'unknown', cause: 'bad-answer', httpStatus: 302 });
      expect(r.message).toMatch(
        /^The network redirected the till's request \(HTTP 302 to 127\.0\.0\.1:\d+\) instead of letting it reach Gameball/,
      );
      expect(await client().getCustomer('c')).toMatchObject({ kind: 'retry', cause: 'bad-answer', httpStatus: 302 });
      expect(elsewhere).toEqual([]);
    } finally {
      other.closeAllConnections();
      await new Promise((r) => other.close(r));
    }
  });

  test("Gameball's 404 for an unknown order is an answer (nothing recorded); a proxy's 404 page is not", async () => {
    respond = (_q, res) => json(res, 404, { code: 9005, type: 'NOT_FOUND', message: 'Order not found.', requestId: 'rq-4' });
    expect(await client().orderTransactions('o-1')).toMatchObject({ kind: 'ok', httpStatus: 404, code: 9005, value: { transactions: [] } });
    respond = (_q, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<html>Not here</html>');
    };
    expect(await client().orderTransactions('o-1')).toMatchObject({ kind: 'attention', httpStatus: 404, code: null });
  });

  test('when the caller stops waiting, the result says Gameball had not answered, not that the line broke', async () => {
    respond = () => {};
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 100);
    const r = await client('v4.0', 5_000).trackOrder({}, stop.signal);
    expect(r).toMatchObject({ kind: 'unknown', cause: 'timeout', httpStatus: null });
    expect(r.message).toMatch(/^Gameball had not answered after 0\.\d s when the till stopped waiting$/);
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
    expect(await client('v4.0', 150).trackOrder({})).toMatchObject({
      kind: 'unknown',
      cause: 'timeout',
      message: 'Gameball did not answer in time (no answer within 0.2 s)',
    });
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

describe('Retry-After', () => {
  test.each([
    ['3', null, 3_000],
    [' 0 ', null, 0],
    ['Wed, 01 Jul 2026 00:00:05 GMT', Date.UTC(2026, 6, 1), 5_000],
    ['Wed, 01 Jul 2026 00:00:05 GMT', null, null],
    ['soon', Date.UTC(2026, 6, 1), null],
    [null, Date.UTC(2026, 6, 1), null],
  ] as const)('%s (Date %s) is %s ms', (header, serverTime, ms) => {
    expect(retryAfter(header, serverTime)).toBe(ms);
  });
});
