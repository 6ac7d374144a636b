// Browser mode over real loopback HTTP and WebSocket: the token (only ever on the WebSocket, never a
// cookie), the Host and Origin checks, the headers, the static files, the rate-limited refusal log,
// and the call/event frames, including hostile ones.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WS_PATH, WS_PROTOCOL, WS_TOKEN_PROTOCOL_PREFIX } from '../../../preload/api.ts';
import { createBridge } from '../../../main/ipc/bridge.ts';
import { startWebServer, type RunningWebServer } from '../../../main/web/server.ts';
import { fakeEngine, SAMPLE_SETTINGS, SAMPLE_STATUS, testLogger, type FakeEngine } from '../../support/fake-bridge-engine.ts';

const TOKEN = 'test-token-0123456789abcdef';
let staticDir: string;

beforeAll(() => {
  staticDir = mkdtempSync(join(tmpdir(), 'pos-web-static-'));
  writeFileSync(
    join(staticDir, 'index.html'),
    '<!doctype html><title>POS Companion</title><script type="module" src="./assets/app.js"></script>',
  );
  mkdirSync(join(staticDir, 'assets'));
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log("screen");\n//# sourceMappingURL=app.js.map');
  writeFileSync(
    join(staticDir, 'assets', 'app.js.map'),
    '{"version":3,"sources":["../../renderer/app.tsx"],"sourcesContent":["secret source"]}',
  );
  writeFileSync(join(staticDir, '..', 'pos-web-outside.txt'), 'outside the root');
});
afterAll(() => {
  rmSync(staticDir, { recursive: true, force: true });
  rmSync(join(staticDir, '..', 'pos-web-outside.txt'), { force: true });
});

interface Started {
  server: RunningWebServer;
  engine: FakeEngine;
  logger: ReturnType<typeof testLogger>;
}
const running: Started[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.server.close();
});

async function start(
  overrides: Parameters<typeof fakeEngine>[0] = {},
  extra: { maxInFlight?: number; maxFrameBytes?: number } = {},
): Promise<Started> {
  const engine = fakeEngine(overrides);
  const logger = testLogger();
  const server = await startWebServer({
    port: 0,
    staticDir,
    token: TOKEN,
    logger,
    ...extra,
    createBridge: (trustedOrigins) =>
      createBridge({
        engine,
        trustedOrigins,
        logger,
        clock: { now: () => 1_700_000_000_000 },
        app: { name: 'POS Companion', version: '0.0.0-test', shell: 'browser', platform: 'linux' },
      }),
  });
  const s = { server, engine, logger };
  running.push(s);
  return s;
}

interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}
function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { Host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}
/** The session cookie earlier versions set: any local port received it, so it is no credential now. */
const cookieFor = (port: number, token = TOKEN) => ({ Cookie: `pos_companion_session_${port}=${token}` });
/** How the page authenticates: the token as a subprotocol next to ours, on the upgrade only. */
const withToken = (token = TOKEN) => ({ protocols: [WS_PROTOCOL, `${WS_TOKEN_PROTOCOL_PREFIX}${token}`] });

function openWs(
  port: number,
  opts: { headers?: Record<string, string>; origin?: string | null; protocols?: string[] } = {},
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const origin = opts.origin === undefined ? `http://127.0.0.1:${port}` : opts.origin;
    const ws = new WebSocket(`ws://127.0.0.1:${port}${WS_PATH}`, opts.protocols ?? [], {
      headers: { ...(origin === null ? {} : { Origin: origin }), ...opts.headers },
    });
    // Collect from the start: the server may push right after the handshake.
    collectors.set(ws, collect(ws));
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

const collectors = new WeakMap<WebSocket, ReturnType<typeof collect>>();
function frames(ws: WebSocket) {
  const c = collectors.get(ws);
  if (!c) throw new Error('socket not opened with openWs');
  return c;
}

/** Collects every frame; `next(pred)` resolves with the first (past or future) matching one. */
function collect(ws: WebSocket) {
  const seen: Array<Record<string, unknown>> = [];
  const waiters: Array<{ pred: (f: Record<string, unknown>) => boolean; resolve: (f: Record<string, unknown>) => void }> = [];
  ws.on('message', (data) => {
    const f = JSON.parse(String(data)) as Record<string, unknown>;
    seen.push(f);
    for (const w of [...waiters])
      if (w.pred(f)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(f);
      }
  });
  return {
    seen,
    next(pred: (f: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
      const found = seen.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ pred, resolve }));
    },
    answer(id: number) {
      return this.next((f) => f.id === id);
    },
  };
}

describe('HTTP', () => {
  it('serves the screen files to anyone on loopback: they hold no secret, and carry the security headers', async () => {
    const { server } = await start();
    const res = await get(server.port, '/');
    expect(res.status).toBe(200);
    expect(res.body).toContain('POS Companion</title>');
    expect(res.body).not.toContain(TOKEN);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
  });

  it('refuses a wrong token in an old-style address, also one that differs only in length', async () => {
    const { server } = await start();
    for (const t of ['wrong', `${TOKEN}x`, TOKEN.slice(0, -1), '']) {
      const res = await get(server.port, `/?token=${encodeURIComponent(t)}`);
      expect(res.status, t).toBe(401);
      expect(res.headers.location, t).toBeUndefined();
      expect(res.headers['set-cookie'], t).toBeUndefined();
    }
  });

  it('prints the token in the fragment, which browsers never send to a server, and sets no cookie', async () => {
    const { server } = await start();
    expect(server.openUrl).toBe(`http://127.0.0.1:${server.port}/#token=${TOKEN}`);
    const printed = new URL(server.openUrl);
    // What a browser requests for the printed address: the path and query only.
    expect(`${printed.pathname}${printed.search}`).toBe('/');
    const page = await get(server.port, `${printed.pathname}${printed.search}`);
    expect(page.status).toBe(200);
    expect(page.headers['set-cookie']).toBeUndefined();
  });

  it('sends an old-style ?token= address to the fixed path / with the token in the fragment, never a cookie', async () => {
    const { server } = await start();
    const res = await get(server.port, `/?token=${TOKEN}`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/#token=${TOKEN}`);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it.each([
    '/.//evil.example',
    '//evil.example',
    '/.//evil.example/path',
    '/%2F%2Fevil.example',
    '/\\evil.example',
    '/queue',
    '/assets/app.js',
    '/ws',
  ])('never redirects anywhere but / with a valid token: %s', async (path) => {
    const { server } = await start();
    const res = await get(server.port, `${path}?token=${TOKEN}`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/#token=${TOKEN}`);
  });

  it('serves the screen under a strict CSP', async () => {
    const { server } = await start();
    const page = await get(server.port, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>POS Companion</title>');
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-store');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain(`ws://127.0.0.1:${server.port}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const js = await get(server.port, '/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    // A path without an extension is a screen route: the page.
    expect((await get(server.port, '/queue')).body).toContain('<title>POS Companion</title>');
    expect((await get(server.port, '/assets/none.js')).status).toBe(404);
  });

  it.each(['/assets/app.js.map', '/assets/APP.JS.MAP', '/assets/app.js.map?x=1', '/assets/app%2Ejs%2Emap'])(
    'never serves a source map: %s',
    async (path) => {
      const { server } = await start();
      const res = await get(server.port, path);
      expect(res.status).toBe(404);
      expect(res.body).not.toContain('secret source');
    },
  );

  it('refuses a request without a Host header', async () => {
    const { server } = await start();
    const { connect } = await import('node:net');
    const answer = await new Promise<string>((resolve, reject) => {
      const sock = connect(server.port, '127.0.0.1', () => sock.write(`GET /?token=${TOKEN} HTTP/1.0\r\n\r\n`));
      let text = '';
      sock.on('data', (d) => (text += String(d)));
      sock.on('end', () => resolve(text));
      sock.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.[01] 403/);
    expect(answer).not.toContain('Set-Cookie');
    expect(answer).not.toContain(TOKEN);
  });

  it.each([
    ['a foreign name (DNS rebinding)', 'evil.example:PORT'],
    ['a foreign name without port', 'evil.example'],
    ['another port', '127.0.0.1:1'],
    ['the LAN address', '192.168.1.10:PORT'],
    ['the token in the Host', `${TOKEN}:PORT`],
  ])('refuses %s in the Host header even with a valid token', async (_what, host) => {
    const { server } = await start();
    const h = host.replace('PORT', String(server.port));
    const res = await get(server.port, `/?token=${TOKEN}`, { Host: h });
    expect(res.status).toBe(403);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers.location).toBeUndefined();
    expect((await get(server.port, '/', { Host: h })).status).toBe(403);
    expect((await get(server.port, '/assets/app.js', { Host: h })).status).toBe(403);
  });

  it('accepts localhost:PORT as the Host', async () => {
    const { server } = await start();
    expect((await get(server.port, '/', { Host: `localhost:${server.port}` })).status).toBe(200);
  });

  it.each([
    '/../pos-web-outside.txt',
    '/%2e%2e/pos-web-outside.txt',
    '/assets/..%2f..%2fpos-web-outside.txt',
    '/assets%5c..%5c..%5cpos-web-outside.txt',
    '/%00.js',
    '/%E0%A4%A.js',
  ])('never serves outside the screen folder: %s', async (path) => {
    const { server } = await start();
    const res = await get(server.port, path);
    expect([400, 404]).toContain(res.status);
    expect(res.body).not.toContain('outside the root');
  });

  it('allows only GET and HEAD', async () => {
    const { server } = await start();
    expect((await get(server.port, '/', {}, 'POST')).status).toBe(405);
    expect((await get(server.port, '/', {}, 'DELETE')).status).toBe(405);
    const head = await get(server.port, '/', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('a flood of refused requests writes a bounded number of log lines, then one line with the count', async () => {
    const { server, logger } = await start();
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const flood = 1_000;
    try {
      const statuses = await Promise.all(
        Array.from(
          { length: flood },
          (_, i) =>
            new Promise<number>((resolve, reject) => {
              request(
                { host: '127.0.0.1', port: server.port, path: '/', agent, headers: { Host: `evil-${i}.example:${server.port}` } },
                (res) => {
                  res.resume();
                  res.on('end', () => resolve(res.statusCode ?? 0));
                },
              )
                .on('error', reject)
                .end();
            }),
        ),
      );
      expect(statuses.every((st) => st === 403)).toBe(true);
    } finally {
      agent.destroy();
    }
    const oneByOne = logger.lines.filter((l) => l.msg.includes('foreign Host'));
    expect(oneByOne.length).toBeGreaterThan(0);
    expect(oneByOne.length).toBeLessThanOrEqual(20);
    await server.close();
    // Closing writes the count of the ones not logged one by one: nothing goes unreported.
    const summary = logger.lines.filter((l) => l.msg.includes('more refused requests'));
    expect(summary).toHaveLength(1);
    expect((summary[0]?.fields as { count: number }).count + oneByOne.length).toBe(flood);
  });
});

describe('WebSocket upgrade', () => {
  it('opens with the token as a subprotocol next to ours, and never echoes the token', async () => {
    const { server } = await start();
    const ws = await openWs(server.port, withToken());
    expect(ws.protocol).toBe(WS_PROTOCOL);
    ws.close();
  });

  it.each<[string, (port: number) => Parameters<typeof openWs>[1]]>([
    ['no token', () => ({})],
    ['the token only as the old session cookie', (p) => ({ headers: cookieFor(p) })],
    ['a wrong subprotocol token', () => withToken('nope')],
    ['a subprotocol token one character short', () => withToken(TOKEN.slice(0, -1))],
    ['a subprotocol token one character long', () => withToken(`${TOKEN}x`)],
    ['the token subprotocol without ours', () => ({ protocols: [`${WS_TOKEN_PROTOCOL_PREFIX}${TOKEN}`] })],
    ['a foreign Origin', () => ({ ...withToken(), origin: 'https://evil.example' })],
    ['an Origin on another port', () => ({ ...withToken(), origin: 'http://127.0.0.1:1' })],
    ['no Origin', () => ({ ...withToken(), origin: null })],
    ['a foreign Host', (p) => ({ ...withToken(), headers: { Host: `evil.example:${p}` } })],
  ])('is refused with %s', async (_what, opts) => {
    const { server, logger } = await start();
    await expect(openWs(server.port, opts(server.port))).rejects.toThrow(/refused (401|403|400)/);
    expect(logger.lines.some((l) => l.msg.includes('refused'))).toBe(true);
    // The refusal log never carries the token.
    expect(JSON.stringify(logger.lines)).not.toContain(TOKEN);
  });
});

describe('frames', () => {
  async function connected(overrides: Parameters<typeof fakeEngine>[0] = {}, extra: Parameters<typeof start>[1] = {}) {
    const s = await start(overrides, extra);
    const ws = await openWs(s.server.port, withToken());
    return { ...s, ws, f: frames(ws) };
  }

  it('answers a call by id through the router', async () => {
    const { ws, f } = await connected();
    ws.send(JSON.stringify({ id: 7, channel: 'status:get' }));
    expect(await f.answer(7)).toEqual({ id: 7, result: { ok: true, value: SAMPLE_STATUS } });
    ws.send(JSON.stringify({ id: 8, channel: 'app:info' }));
    expect(await f.answer(8)).toEqual({
      id: 8,
      result: {
        ok: true,
        value: {
          name: 'POS Companion',
          version: '0.0.0-test',
          shell: 'browser',
          platform: 'linux',
          training: true,
          dataDir: '/tmp/fake',
          notices: [],
        },
      },
    });
    ws.close();
  });

  it('gives malformed frames clear errors and keeps serving', async () => {
    const { ws, f, server } = await connected();
    ws.send('not json{');
    expect((await f.next((x) => x.id === null)).result).toEqual({
      ok: false,
      error: { code: 'invalid-request', message: 'The frame is not valid JSON.' },
    });
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await f.next((x) => x.id === null && JSON.stringify(x).includes('JSON text'));
    ws.send(JSON.stringify({ id: 3, chan: 'status:get' }));
    expect(await f.answer(3)).toMatchObject({ result: { ok: false, error: { code: 'invalid-request' } } });
    ws.send(JSON.stringify({ id: 4, channel: 'orders:drop' }));
    expect(await f.answer(4)).toMatchObject({ result: { ok: false, error: { code: 'unknown-channel' } } });
    ws.send(JSON.stringify({ id: 5, channel: 'orders:capture', request: { customer: {}, currency: 'SAR', totalPaidMinor: -5 } }));
    expect(await f.answer(5)).toMatchObject({ result: { ok: false, error: { code: 'invalid-request' } } });
    ws.send(JSON.stringify({ id: 6, channel: 'status:get', request: { extra: true } }));
    expect(await f.answer(6)).toMatchObject({ result: { ok: false, error: { code: 'invalid-request' } } });
    ws.send(JSON.stringify(null));
    ws.send(JSON.stringify([1, 2]));
    ws.send(JSON.stringify({ id: -1, channel: 'status:get' }));
    ws.send(JSON.stringify({ id: 9, channel: 'status:get' }));
    expect(await f.answer(9)).toMatchObject({ result: { ok: true } });
    expect(server.port).toBeGreaterThan(0);
    ws.close();
  });

  it('survives random frames: every one gets an answer, the server keeps working', async () => {
    const { ws, f } = await connected();
    const samples = fc.sample(
      fc.oneof(
        fc.string(),
        fc.jsonValue().map((v) => JSON.stringify(v)),
        fc.record({ id: fc.nat(), channel: fc.string(), request: fc.jsonValue() }).map((v) => JSON.stringify(v)),
      ),
      { numRuns: 300, seed: 11 },
    );
    for (const s of samples) ws.send(s);
    // Every frame gets exactly one answer (an error, or 'unavailable' past the in-flight limit).
    await expect.poll(() => f.seen.filter((x) => 'result' in x).length).toBe(samples.length);
    expect(f.seen.every((x) => 'result' in x && (x.result as { ok: boolean }).ok === false)).toBe(true);
    ws.send(JSON.stringify({ id: 424242.5, channel: 'status:get' }));
    ws.send(JSON.stringify({ id: 424242, channel: 'status:get' }));
    expect(await f.answer(424242)).toMatchObject({ result: { ok: true } });
    ws.close();
  });

  it('closes a socket that sends an oversized frame and stays up for the next page', async () => {
    const { ws, server } = await connected({}, { maxFrameBytes: 1024 });
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send(JSON.stringify({ id: 1, channel: 'status:get', request: 'x'.repeat(4096) }));
    expect(await closed).toBe(1009);
    const again = await openWs(server.port, withToken());
    const f2 = frames(again);
    again.send(JSON.stringify({ id: 2, channel: 'status:get' }));
    expect(await f2.answer(2)).toMatchObject({ result: { ok: true } });
    again.close();
  });

  it('answers unavailable beyond the in-flight limit', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { ws, f } = await connected(
      {
        testConnection: async () => {
          await gate;
          return { ok: true, message: 'Connected.' };
        },
      },
      { maxInFlight: 2 },
    );
    for (const id of [1, 2, 3]) ws.send(JSON.stringify({ id, channel: 'settings:test-connection' }));
    expect(await f.answer(3)).toMatchObject({ result: { ok: false, error: { code: 'unavailable' } } });
    release();
    expect(await f.answer(1)).toMatchObject({ result: { ok: true, value: { ok: true } } });
    expect(await f.answer(2)).toMatchObject({ result: { ok: true } });
    ws.close();
  });

  it('pushes status events to every page, and the last one to a page that connects later', async () => {
    const { ws, f, engine, server } = await connected();
    const next = {
      ...SAMPLE_STATUS,
      counts: { ...SAMPLE_STATUS.counts, pending: 9 },
      lastError: { at: 'x', message: 'Gameball is down', code: '5000' },
    };
    engine.pushStatus(next);
    const ev = await f.next((x) => x.event === 'status');
    expect(ev.payload).toMatchObject({ counts: { pending: 9 }, lastError: { code: '5000' } });
    const late = await openWs(server.port, withToken());
    const lf = frames(late);
    expect((await lf.next((x) => x.event === 'status')).payload).toMatchObject({ counts: { pending: 9 } });
    ws.close();
    late.close();
  });

  it('a keyboard-wedge scan submitted by one page is classified and pushed to every page', async () => {
    const { ws, f, server } = await connected({
      getSettings: () => ({ ...SAMPLE_SETTINGS, referralParams: ['ref'], customerIdPrefixes: ['mobile_'], receiptPattern: null }),
    });
    const other = await openWs(server.port, withToken());
    const of = frames(other);
    ws.send(JSON.stringify({ id: 1, channel: 'scanner:submit-keyboard-scan', request: { text: 'https://shop.example/r?ref=REF123456' } }));
    const answer = await f.answer(1);
    expect(answer.result).toMatchObject({
      ok: true,
      value: { source: 'keyboard', classification: { kind: 'referral', referrerCode: 'REF123456' }, at: 1_700_000_000_000 },
    });
    expect((await of.next((x) => x.event === 'scan')).payload).toMatchObject({
      classification: { kind: 'referral', referrerCode: 'REF123456' },
    });
    ws.close();
    other.close();
  });

  it('stops answering and closes pages on close()', async () => {
    const { ws, server, engine } = await connected();
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    await server.close();
    expect(await closed).toBe(1001);
    expect(engine.listenerCount()).toBe(0);
    await expect(get(server.port, '/')).rejects.toThrow();
  });
});
