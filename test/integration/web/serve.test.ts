// `serve` end to end in Node: the real engine on a temporary data folder, browser mode over
// loopback, training mode against the built-in simulator, an external simulator as Gameball, a
// replayed HID POS scanner, and the CLI process itself.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MASTER_KEY_FILE_ENV } from '../../../main/config/node-cipher.ts';
import { silentLogger } from '../../../main/log.ts';
import { startServe, ServeError, type RunningServe } from '../../../main/web/serve.ts';
import { startSimulator } from '../../../main/simulator/index.ts';
import { newClientRef, saveSafely } from '../../../renderer/state/safe-save.ts';
import { createWsClient, type WebSocketCtor, type WsClient } from '../../../renderer/transport/ws-client.ts';
import { openDescriptorsOn } from '../../support/open-files.ts';

const repoRoot = resolve(import.meta.dirname, '../../..');
const TOKEN = 'serve-test-token-0123456789';
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

function staticDir(): string {
  const d = tempDir('pos-serve-static-');
  writeFileSync(join(d, 'index.html'), '<!doctype html><title>POS Companion</title>');
  return d;
}

async function serve(opts: Partial<Parameters<typeof startServe>[0]> = {}): Promise<RunningServe> {
  const s = await startServe({
    dataDir: tempDir('pos-serve-data-'),
    port: 0,
    token: TOKEN,
    staticDir: staticDir(),
    hid: { kind: 'none' },
    env: {},
    logger: silentLogger(),
    ...opts,
  });
  cleanups.push(() => s.close());
  return s;
}

function client(port: number): WsClient {
  const Ctor = class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { origin: `http://127.0.0.1:${port}` });
    }
  } as unknown as WebSocketCtor;
  const c = createWsClient({ url: `ws://127.0.0.1:${port}/ws`, WebSocketCtor: Ctor, token: TOKEN });
  cleanups.push(() => c.close());
  return c;
}

describe('serve', () => {
  it('runs in training mode with no keys: app:info says so, captures are durable and marked training', async () => {
    const s = await serve();
    expect(s.training).toBe(true);
    const c = client(s.server.port);
    const info = await c.api.getAppInfo();
    expect(info).toMatchObject({ ok: true, value: { shell: 'browser', training: true, name: 'POS Companion' } });

    const captured = await c.api.captureOrder({
      customer: { mobile: '0500001234' },
      currency: 'SAR',
      totalPaidMinor: 12550,
      referrerCode: 'REF123456',
    });
    expect(captured.ok).toBe(true);
    if (!captured.ok) return;
    expect(captured.value).toMatchObject({
      customerId: 'mobile_966500001234',
      totalPaidMinor: 12550,
      training: true,
      newCustomer: true,
      referrerCode: 'REF123456',
    });
    const list = await c.api.listOrders({});
    expect(list).toMatchObject({ ok: true, value: { total: 1, rows: [{ orderId: captured.value.orderId, training: true }] } });
    const detail = await c.api.getOrder({ orderId: captured.value.orderId });
    expect(detail).toMatchObject({ ok: true, value: { orderId: captured.value.orderId, lineItems: [], refunds: [] } });
    // Sent to the built-in simulator, and shown synced with its points.
    const orderId = captured.value.orderId;
    await expect
      .poll(
        async () => {
          const d = await c.api.getOrder({ orderId });
          return d.ok && d.value ? [d.value.state, (d.value.rewardedPoints ?? 0) > 0] : ['missing', false];
        },
        { timeout: 20_000 },
      )
      .toEqual(['synced', true]);
    // Keys are write-only: the answer is only whether each is set (or, with no OS key store on
    // this computer, a refusal that says so); the value never comes back.
    const keys = await c.api.setKeys({ apiKey: 'a-real-looking-api-key-123' });
    if (keys.ok) expect(Object.keys(keys.value).sort()).toEqual(['apiKeySet', 'secretKeySet']);
    else expect(keys.error).toMatchObject({ code: 'refused', message: expect.stringMatching(/key store/) });
    expect(JSON.stringify(keys)).not.toContain('a-real-looking-api-key-123');
    const settings = await c.api.getSettings();
    expect(settings.ok).toBe(true);
    expect(JSON.stringify(settings)).not.toContain('a-real-looking-api-key-123');
  });

  it('a save whose answer is lost with the connection is saved again with its clientRef: one order, never two', async () => {
    const s = await serve();
    const origin = `http://127.0.0.1:${s.server.port}`;
    // The page's socket, except that the answer to the first capture never arrives: the
    // connection dies right after the engine has saved the order and answered.
    const captureIds = new Set<number>();
    const captureFrames: Array<{ clientRef?: string }> = [];
    let dropped = 0;
    const Ctor = class {
      private readonly ws: WebSocket;
      onopen: ((ev: unknown) => void) | null = null;
      onclose: ((ev: unknown) => void) | null = null;
      onerror: ((ev: unknown) => void) | null = null;
      onmessage: ((ev: { data: unknown }) => void) | null = null;
      constructor(url: string, protocols?: string | string[]) {
        this.ws = new WebSocket(url, protocols, { origin });
        this.ws.on('open', () => this.onopen?.({}));
        this.ws.on('close', () => this.onclose?.({}));
        this.ws.on('error', () => this.onerror?.({}));
        this.ws.on('message', (data) => {
          const text = String(data);
          const frame = JSON.parse(text) as { id?: number };
          if (dropped === 0 && frame.id !== undefined && captureIds.has(frame.id)) {
            dropped += 1;
            this.ws.terminate();
            return;
          }
          this.onmessage?.({ data: text });
        });
      }
      get readyState() {
        return this.ws.readyState;
      }
      send(data: string) {
        const frame = JSON.parse(data) as { id: number; channel: string; request?: { clientRef?: string } };
        if (frame.channel === 'orders:capture') {
          captureIds.add(frame.id);
          captureFrames.push({ clientRef: frame.request?.clientRef });
        }
        this.ws.send(data);
      }
      close(code?: number, reason?: string) {
        this.ws.close(code, reason);
      }
    } as unknown as WebSocketCtor;
    const c = createWsClient({ url: `ws://127.0.0.1:${s.server.port}/ws`, WebSocketCtor: Ctor, token: TOKEN, baseDelayMs: 20 });
    cleanups.push(() => c.close());
    const whenConnected = () =>
      new Promise<void>((resolveOpen) => {
        if (c.state() === 'open') return resolveOpen();
        const off = c.onConnection((st) => {
          if (st !== 'open') return;
          off();
          resolveOpen();
        });
      });

    const clientRef = newClientRef();
    const request = { customer: { mobile: '0500004321' }, currency: 'SAR', totalPaidMinor: 4200, clientRef };
    const retries: number[] = [];
    const saved = await saveSafely(() => c.api.captureOrder(request), {
      whenConnected,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      onRetry: (n) => retries.push(n),
      baseDelayMs: 10,
    });

    expect(dropped).toBe(1);
    expect(retries).toEqual([1]);
    expect(captureFrames).toEqual([{ clientRef }, { clientRef }]);
    // The second answer is the order the first call saved.
    expect(saved).toMatchObject({ ok: true, value: { replayed: true, customerId: 'mobile_966500004321', totalPaidMinor: 4200 } });
    const list = await c.api.listOrders({});
    expect(list).toMatchObject({ ok: true, value: { total: 1 } });
    if (saved.ok && list.ok) expect(list.value.rows[0]?.orderId).toBe(saved.value.orderId);

    // The same reference with another sale is refused, and saves nothing.
    const reused = await c.api.captureOrder({ ...request, totalPaidMinor: 4300 });
    expect(reused).toMatchObject({ ok: false, error: { code: 'refused', field: 'clientRef' } });
    expect(await c.api.listOrders({})).toMatchObject({ ok: true, value: { total: 1 } });
  });

  it('maps engine refusals to envelopes for people', async () => {
    const s = await serve();
    const c = client(s.server.port);
    const res = await c.api.discardOrder({ orderId: 'no-such-order', reason: 'typo' });
    expect(res).toMatchObject({ ok: false, error: { code: 'not-found' } });
    const bad = await c.api.captureOrder({ customer: { mobile: '12' + '3'.repeat(6) }, currency: 'XYZ', totalPaidMinor: 1 });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(['refused', 'invalid-request']).toContain(bad.error.code);
  });

  it('treats --simulator-url as Gameball with the keys from the environment: not training', async () => {
    const sim = await startSimulator({ port: 0, apiKey: 'ext-api-key-000', secretKey: 'ext-secret-key-000' });
    cleanups.push(() => sim.close());
    const s = await serve({
      simulatorUrl: sim.url,
      env: { GAMEBALL_API_KEY: 'ext-api-key-000', GAMEBALL_SECRET_KEY: 'ext-secret-key-000' },
    });
    expect(s.training).toBe(false);
    const c = client(s.server.port);
    expect(await c.api.getAppInfo()).toMatchObject({ ok: true, value: { training: false } });
    const captured = await c.api.captureOrder({ customer: { mobile: '0500009999' }, currency: 'SAR', totalPaidMinor: 10000 });
    expect(captured).toMatchObject({ ok: true, value: { training: false } });
    const orderId = captured.ok ? captured.value.orderId : '';
    await expect
      .poll(
        async () => {
          const d = await c.api.getOrder({ orderId });
          return d.ok ? d.value?.state : 'missing';
        },
        { timeout: 20_000 },
      )
      .toBe('synced');
    // The external simulator, acting as Gameball, has the order.
    expect(JSON.stringify(sim.control.ledger())).toContain(orderId);
  });

  it('one logger for the process: the engine and browser mode write the log through one stream that scrubs the keys', async () => {
    const dataDir = tempDir('pos-serve-log-');
    const log = join(dataDir, 'logs', 'pos-companion.log');
    const apiKey = 'serve-log-api-key-5f3a9c1e7b2d4a';
    // Keys stored encrypted with a key file outside the data folder (no OS key store needed).
    const env = { [MASTER_KEY_FILE_ENV]: join(tempDir('pos-serve-key-'), 'master.key') };
    const s = await startServe({ dataDir, port: 0, token: TOKEN, staticDir: staticDir(), hid: { kind: 'none' }, env });
    cleanups.push(() => s.close());
    s.engine.setKeys({ apiKey });
    // Browser mode logs a refused foreign Host header as it came: here, the key.
    const status = await new Promise<number>((res, rej) => {
      request({ host: '127.0.0.1', port: s.server.port, path: '/', headers: { host: `${apiKey}.example` } }, (r) => {
        r.resume();
        res(r.statusCode ?? 0);
      })
        .on('error', rej)
        .end();
    });
    expect(status).toBeGreaterThanOrEqual(400);
    // The engine's lines and browser mode's go through the one file stream (two would be two).
    await expect.poll(() => readFileSync(log, 'utf8'), { timeout: 10_000 }).toMatch(/foreign Host/);
    const open = openDescriptorsOn(log);
    if (open !== null) expect(open).toBe(1);
    await s.close();
    const text = readFileSync(log, 'utf8');
    expect(text).not.toContain(apiKey);
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string; name: string; host?: string });
    expect(lines.find((l) => /foreign Host/.test(l.msg))?.host).toBe('[Redacted].example');
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['engine started', 'keys updated', 'browser mode serving']));
    expect(lines.find((l) => l.msg === 'engine started')?.name).toBe('serve');
  });

  it('refuses --simulator-url without keys, and a short token', async () => {
    await expect(serve({ simulatorUrl: 'http://127.0.0.1:9' })).rejects.toThrow(ServeError);
    await expect(serve({ token: 'short' })).rejects.toThrow(/at least 16/);
  });

  it('a replayed HID POS scan reaches the page as a classified scan event', { timeout: 60_000 }, async () => {
    const dir = tempDir('pos-serve-replay-');
    const capture = join(dir, 'scan.cap');
    const s = await serve({ hid: { kind: 'replay', file: capture } });
    const c = client(s.server.port);
    const scans: unknown[] = [];
    c.api.on('scan', (e) => scans.push(e));
    await expect
      .poll(
        async () => {
          const st = await c.api.getScannerState();
          return st.ok ? st.value.state : 'none';
        },
        { timeout: 10_000 },
      )
      .toBe('connected');
    // Written whole, then renamed into place: the replay sees one complete capture.
    copyFileSync(join(repoRoot, 'test/fixtures/scanner/hidpos-honeywell-referral-link.cap'), `${capture}.tmp`);
    renameSync(`${capture}.tmp`, capture);
    // Generous: the virtual scanner re-enumerates as the capture's layout first, which on a
    // loaded machine takes a while; the assertion is about what arrives, not how fast.
    await expect.poll(() => scans.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    expect(scans).toHaveLength(1);
    expect(scans[0]).toMatchObject({ source: 'hidpos', classification: { kind: 'referral', referrerCode: 'Vg6945F76CkP1B' } });
  });

  it('a replayed capture is read as the scanner its # mode: and # layout: lines name', async () => {
    const dir = tempDir('pos-serve-replay-kinds-');
    const capture = join(dir, 'scan.cap');
    writeFileSync(capture, '# nothing scanned yet\n');
    const s = await serve({ hid: { kind: 'replay', file: capture } });
    const c = client(s.server.port);
    const scans: Array<{ source: string; classification: { kind: string; customerId?: string; referrerCode?: string; text: string } }> = [];
    c.api.on('scan', (e) => scans.push(e));
    const scannerState = async () => {
      const st = await c.api.getScannerState();
      return st.ok
        ? { state: st.value.state, device: st.value.device?.id, layout: (st.value.device as { layout?: string } | undefined)?.layout }
        : undefined;
    };
    await expect.poll(scannerState, { timeout: 10_000 }).toMatchObject({ state: 'connected', layout: 'honeywell' });
    const play = async (fixture: string, count: number) => {
      scans.length = 0;
      copyFileSync(join(repoRoot, 'test/fixtures/scanner', fixture), `${capture}.tmp`);
      renameSync(`${capture}.tmp`, capture);
      await expect.poll(() => scans.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(count);
      return scans.map((e) => ({
        source: e.source,
        kind: e.classification.kind,
        value: e.classification.customerId ?? e.classification.referrerCode ?? e.classification.text,
      }));
    };

    // `# layout: generic`: data from byte 2 (a Honeywell reading would start at byte 5 and lose the id).
    expect(await play('hidpos-generic-customer-then-product.cap', 2)).toEqual([
      { source: 'hidpos', kind: 'customer', value: 'mobile_966500001234' },
      { source: 'hidpos', kind: 'product', value: '4006381333931' },
    ]);
    expect(await scannerState()).toMatchObject({ state: 'connected', layout: 'generic' });

    // No layout line: guessed from the first report (the AIM id sent as data).
    expect(await play('hidpos-aim-referral-link.cap', 1)).toEqual([{ source: 'hidpos', kind: 'referral', value: 'Vg6945F76CkP1B' }]);
    expect(await scannerState()).toMatchObject({ layout: 'aim-in-data' });

    // Boot keyboard reports: the scanner re-enumerates as its keyboard interface.
    expect(await play('keyboard-referral-code.cap', 1)).toEqual([{ source: 'hid-keyboard', kind: 'referral', value: 'REF123456' }]);
    expect(await scannerState()).toMatchObject({ state: 'connected', device: expect.stringMatching(/\/01:06$/) });

    // And back to Honeywell HID POS.
    expect(await play('hidpos-honeywell-referral-link.cap', 1)).toEqual([{ source: 'hidpos', kind: 'referral', value: 'Vg6945F76CkP1B' }]);
    expect(await scannerState()).toMatchObject({ state: 'connected', layout: 'honeywell' });
    expect(scans).toHaveLength(1);
  });
});

describe('serve CLI', () => {
  it('prints the address with its token, serves it, and stops cleanly on SIGTERM', async () => {
    const dataDir = tempDir('pos-serve-cli-');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(repoRoot, 'main/cli.ts'),
        'serve',
        '--port',
        '0',
        '--data-dir',
        dataDir,
        '--no-hid',
        '--static-dir',
        staticDir(),
      ],
      {
        cwd: repoRoot,
        // The token comes from the environment: the command line would show it to every user (ps).
        env: { ...process.env, GAMEBALL_API_KEY: '', GAMEBALL_SECRET_KEY: '', POS_COMPANION_SESSION_TOKEN: TOKEN },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    cleanups.push(() => child.kill('SIGKILL'));
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    await expect.poll(() => out, { timeout: 20_000 }).toMatch(/Press Ctrl\+C/);
    const url = /Open: (\S+)/.exec(out)?.[1];
    // The token is in the fragment: what a browser sends for this address carries no token.
    expect(url, err).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/#token=${TOKEN}$`));
    expect(out).toMatch(/Training mode/);
    const answer = await new Promise<{ status: number; cookie: unknown }>((res, rej) => {
      const u = new URL(url!);
      expect(`${u.pathname}${u.search}`).toBe('/');
      request({ host: '127.0.0.1', port: Number(u.port), path: `${u.pathname}${u.search}` }, (r) => {
        r.resume();
        res({ status: r.statusCode ?? 0, cookie: r.headers['set-cookie'] });
      })
        .on('error', rej)
        .end();
    });
    expect(answer).toEqual({ status: 200, cookie: undefined });
    const exit = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(out).toMatch(/Stopped\./);
    // The token is printed once, for the person starting it, and never written to the log.
    const log = join(dataDir, 'logs', 'pos-companion.log');
    if (existsSync(log)) expect(readFileSync(log, 'utf8')).not.toContain(TOKEN);
  });
});
