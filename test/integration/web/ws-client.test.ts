// The screen's browser-mode transport against the real server: calls and events through the
// contract, and what a cashier sees when the connection drops and comes back.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createBridge } from '../../../main/ipc/bridge.ts';
import { startWebServer, type RunningWebServer } from '../../../main/web/server.ts';
import { createWsClient, type WebSocketCtor, type WsClient } from '../../../renderer/transport/ws-client.ts';
import { fakeEngine, SAMPLE_STATUS, testLogger } from '../../support/fake-bridge-engine.ts';

const TOKEN = 'client-test-token-abcdefghijkl';
let staticDir: string;
beforeAll(() => {
  staticDir = mkdtempSync(join(tmpdir(), 'pos-ws-client-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html>');
});
afterAll(() => rmSync(staticDir, { recursive: true, force: true }));

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serve(engine = fakeEngine(), port = 0): Promise<RunningWebServer> {
  const logger = testLogger();
  const server = await startWebServer({
    port,
    staticDir,
    token: TOKEN,
    logger,
    createBridge: (trustedOrigins) =>
      createBridge({
        engine,
        trustedOrigins,
        logger,
        clock: { now: () => 5 },
        app: { name: 'POS Companion', version: 't', shell: 'browser', platform: 'linux' },
      }),
  });
  cleanups.push(() => server.close());
  return server;
}

/** The `ws` package as a browser-like WebSocket that sends the page's Origin. */
function ctorFor(port: number): WebSocketCtor {
  return class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { origin: `http://127.0.0.1:${port}` });
    }
  } as unknown as WebSocketCtor;
}

function client(port: number, extra: Partial<Parameters<typeof createWsClient>[0]> = {}): WsClient {
  const c = createWsClient({
    url: `ws://127.0.0.1:${port}/ws`,
    WebSocketCtor: ctorFor(port),
    token: TOKEN,
    baseDelayMs: 20,
    maxDelayMs: 100,
    ...extra,
  });
  cleanups.push(() => c.close());
  return c;
}

describe('browser-mode transport', () => {
  it('calls through the contract and receives pushed events', async () => {
    const engine = fakeEngine();
    const server = await serve(engine);
    const c = client(server.port);
    expect(await c.api.getStatus()).toEqual({ ok: true, value: SAMPLE_STATUS });
    const got: unknown[] = [];
    const off = c.api.on('status', (s) => got.push(s.counts.pending));
    engine.pushStatus({ ...SAMPLE_STATUS, counts: { ...SAMPLE_STATUS.counts, pending: 4 } });
    await expect.poll(() => got).toEqual([4]);
    off();
    engine.pushStatus({ ...SAMPLE_STATUS, counts: { ...SAMPLE_STATUS.counts, pending: 5 } });
    expect(await c.api.getStatus()).toMatchObject({ ok: true });
    expect(got).toEqual([4]);
  });

  it('returns the router refusals as envelopes, never as exceptions', async () => {
    const server = await serve();
    const c = client(server.port);
    const res = await c.api.captureOrder({ customer: { mobile: 'abc' }, currency: 'SAR', totalPaidMinor: 1 });
    expect(res).toMatchObject({ ok: false, error: { code: 'invalid-request', field: 'customer.mobile' } });
  });

  it('is refused without the token and reports unavailable instead of hanging', async () => {
    const server = await serve();
    const c = client(server.port, { token: 'wrong-token', connectTimeoutMs: 300 });
    expect(await c.api.getStatus()).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(c.state()).toBe('connecting');
  });

  it('answers a call in flight when the connection drops with "may or may not have been saved"', async () => {
    let release!: () => void;
    const engine = fakeEngine({ testConnection: () => new Promise((r) => (release = () => r({ ok: true, message: 'x' }))) });
    const server = await serve(engine);
    const c = client(server.port);
    expect((await c.api.getStatus()).ok).toBe(true);
    const pending = c.api.testConnection();
    await expect.poll(() => typeof release).toBe('function');
    await server.close();
    const res = await pending;
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.error.code).toBe('unavailable');
      expect(res.error.message).toMatch(/may or may not/);
    }
    release();
  });

  it('reconnects by itself and sends calls made while it was away', async () => {
    const engine = fakeEngine();
    const first = await serve(engine);
    const port = first.port;
    const c = client(port, { connectTimeoutMs: 5_000 });
    const states: string[] = [];
    c.onConnection((s) => states.push(s));
    expect((await c.api.getStatus()).ok).toBe(true);
    await first.close();
    await expect.poll(() => c.state()).toBe('connecting');
    const whileAway = c.api.getStatus();
    await serve(engine, port);
    expect(await whileAway).toEqual({ ok: true, value: SAMPLE_STATUS });
    expect(states).toContain('open');
    expect(c.state()).toBe('open');
  });

  it('after close(), calls answer unavailable and it does not reconnect', async () => {
    const server = await serve();
    const c = client(server.port);
    expect((await c.api.getStatus()).ok).toBe(true);
    c.close();
    await expect.poll(() => c.state()).toBe('closed');
    expect(await c.api.getStatus()).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });
});
