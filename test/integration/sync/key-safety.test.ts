// A key the HTTP client cannot send is a configuration problem, said once and plainly, and no key
// value ever lands in what the till records about a call: the `sync_log` audit table, an order's
// needs-attention message, the status the screen and `status --json` read, or the log. The till
// runs as in a store (createEngine, the Gameball sync, real fetch) against a tiny HTTP server on
// 127.0.0.1 standing in for Gameball.
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, expect, test } from 'vitest';
import { createEngine } from '../../../main/engine.ts';
import type { Engine } from '../../../main/engine.ts';
import { createLogger } from '../../../main/log.ts';
import { gameballSync } from '../../../main/sync/wiring.ts';
import { testCipher } from '../../support/test-cipher.ts';
import { tempDir } from '../../support/till-fixture.ts';

let cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

/** A stand-in Gameball that answers every request with `answer` and remembers what it got. */
async function fakeGameball(
  answer: (req: IncomingMessage) => { status: number; body: unknown },
): Promise<{ url: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req);
    req.resume();
    req.on('end', () => {
      const a = answer(req);
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

function logLines(): { logger: ReturnType<typeof createLogger>; text: () => string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  // No secretValues: the log's own scrubber is not what these tests rely on.
  return { logger: createLogger({ destination, level: 'debug' }), text: () => chunks.join('') };
}

async function till(env: Record<string, string>, opts: { keys?: { apiKey: string; secretKey: string } } = {}) {
  const { dir, cleanup } = tempDir('pos-key-safety-');
  cleanups.push(cleanup);
  const log = logLines();
  const engine: Engine = await createEngine({
    dataDir: dir,
    env,
    logger: log.logger,
    secretCipher: testCipher(),
    sync: gameballSync({ idlePollMs: 50, backoff: { baseMs: 20, capMs: 100, minMs: 5 } }),
  });
  cleanups.push(() => engine.close());
  if (opts.keys) {
    engine.setKeys(opts.keys);
    await engine.whenModeSettled();
  }
  const db = new BetterSqlite3(join(dir, 'pos-companion.db'), { readonly: true });
  cleanups.push(() => void db.close());
  /** Every byte the till keeps in its data folder. */
  const onDisk = () =>
    Buffer.concat(
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => readFileSync(join(d.parentPath, d.name))),
    );
  return { dir, engine, db, log, onDisk };
}

async function until(what: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a key with a line break in the environment: sync idles with a configuration reason, nothing is sent, the key is nowhere', async () => {
  const gb = await fakeGameball(() => ({ status: 200, body: {} }));
  const halves = ['KEYAAAAAAA1234', 'KEYBBBBBBB5678'];
  const t = await till({ GAMEBALL_BASE_URL: gb.url, GAMEBALL_API_KEY: halves.join('\n'), GAMEBALL_SECRET_KEY: 'secret-key-0123456789' });
  expect(t.engine.training).toBe(false);
  const order = t.engine.captureOrder({ mobile: '0500001234', totalPaidMinor: 1000 });
  t.engine.syncNow();
  await new Promise((r) => setTimeout(r, 400));

  const status = t.engine.status();
  expect(status.lastError?.message).toMatch(/GAMEBALL_API_KEY/);
  expect(status.lastError?.message).toMatch(/line break/);
  // A configuration problem, not a lost answer: nothing was attempted or recorded as sent.
  expect(gb.requests).toHaveLength(0);
  expect(t.db.prepare('SELECT COUNT(*) AS n FROM sync_log').get()).toEqual({ n: 0 });
  expect(t.db.prepare('SELECT state, attempts, unknown_outcome FROM outbox WHERE entity_id = ?').all(order.orderId)).toEqual([
    { state: 'pending', attempts: 0, unknown_outcome: 0 },
  ]);
  const seen = JSON.stringify(status) + t.log.text() + t.onDisk().toString('latin1');
  for (const half of halves) expect(seen).not.toContain(half);
});

test('a stored key is checked when it is set: a key with a line break or a space is refused and nothing is stored', async () => {
  const t = await till({});
  for (const bad of ['KEYAAAAAAA1234\nKEYBBBBBBB5678', 'KEYAAAAAAA1234 KEYBBBBBBB5678', 'KEYAAAAAAA1234\u00e9']) {
    let message = '';
    try {
      t.engine.setKeys({ apiKey: bad });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/API key/);
    expect(message).not.toContain('KEYAAAAAAA');
  }
  expect(t.engine.getSettings().keys.apiKeySet).toBe(false);
  expect(t.db.prepare('SELECT COUNT(*) AS n FROM secrets').get()).toEqual({ n: 0 });
  expect(t.engine.training).toBe(true);
});

test('an answer that quotes a key back: the audit row, the needs-attention message, the status and the log say [Redacted]', async () => {
  const apiKey = 'gb-api-key-0f1e2d3c4b5a6978';
  const secretKey = 'gb-secret-key-8899aabbccddeeff';
  // A Gameball (or a proxy in front of it) that echoes the headers it got in its error message.
  const gb = await fakeGameball((req) => ({
    status: 400,
    body: { code: 3003, message: `Invalid request: APIKey=${String(req.headers.apikey)} SecretKey=${String(req.headers.secretkey)}` },
  }));
  const t = await till({ GAMEBALL_BASE_URL: gb.url }, { keys: { apiKey, secretKey } });
  expect(t.engine.training).toBe(false);
  const order = t.engine.captureOrder({ mobile: '0500001234', totalPaidMinor: 1000 });
  t.engine.syncNow();
  await until(() => t.engine.getOrder(order.orderId)?.state === 'attention');
  expect(gb.requests.length).toBeGreaterThan(0);

  const audit = t.db.prepare('SELECT message FROM sync_log WHERE entity_id = ?').all(order.orderId) as { message: string }[];
  expect(audit.length).toBeGreaterThan(0);
  for (const row of audit) expect(row.message).toBe('Invalid request: APIKey=[Redacted] SecretKey=[Redacted]');
  expect(t.engine.getOrder(order.orderId)?.attentionMessage).toBe('Invalid request: APIKey=[Redacted] SecretKey=[Redacted]');
  await until(() => t.engine.status().lastError !== null);
  expect(t.engine.status().lastError?.message).toBe('Invalid request: APIKey=[Redacted] SecretKey=[Redacted]');
  const seen =
    JSON.stringify(t.engine.status()) + JSON.stringify(t.engine.getOrder(order.orderId)) + t.log.text() + t.onDisk().toString('latin1');
  expect(seen).not.toContain(apiKey);
  expect(seen).not.toContain(secretKey);
});
