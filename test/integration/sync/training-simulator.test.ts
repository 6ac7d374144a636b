// Training mode's built-in simulator listens on a loopback port that every process and every web
// page on the computer can reach. It holds the training customers' mobiles, so: a request that
// names another Host (a DNS-rebinding page) gets nothing, the control API answers only with the
// token the till process alone holds, and the Gameball-shaped API needs the keys of this start,
// not the simulator's well-known defaults. The till itself keeps syncing through all of it.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { createEngine } from '../../../main/engine.ts';
import type { Engine } from '../../../main/engine.ts';
import { silentLogger } from '../../../main/log.ts';
import { gameballSync } from '../../../main/sync/wiring.ts';
import type { GameballSyncPart } from '../../../main/sync/wiring.ts';

let dir: string;
const engines: Engine[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pos-training-sim-'));
});
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A training engine whose Gameball calls are recorded, so the test learns the simulator's address. */
async function trainingTill() {
  const urls: string[] = [];
  const recording: typeof fetch = (input, init) => {
    urls.push(String(input instanceof Request ? input.url : input));
    return fetch(input, init);
  };
  let part: GameballSyncPart | undefined;
  const engine = await createEngine({
    dataDir: dir,
    training: true,
    env: {},
    secretCipher: null,
    logger: silentLogger(),
    startSync: false,
    fetch: recording,
    sync: async (ctx) => (part = await gameballSync({ idlePollMs: 100, backoff: { baseMs: 20, capMs: 200, minMs: 5 } })(ctx)),
  });
  engines.push(engine);
  return { engine, part: part!, simOrigin: () => new URL(urls[0] ?? 'http://0.0.0.0').origin };
}

function call(
  origin: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, origin), { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

test('the training simulator gives a rebound page, a cross-site POST or a local process without its secrets nothing', async () => {
  const { engine, part, simOrigin } = await trainingTill();
  const first = engine.captureOrder({ mobile: '+966500000101', totalPaidMinor: 1999 });
  expect((await part.drain({ untilEmpty: true, timeoutMs: 10_000 })).empty).toBe(true);
  expect(engine.getOrder(first.orderId)).toMatchObject({ state: 'synced' });
  const origin = simOrigin();
  const port = new URL(origin).port;
  expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

  // DNS rebinding: the page's own name in the Host header.
  for (const path of ['/_sim/ledger', '/api/v4.0/integrations/customers/mobile_966500000101']) {
    const rebound = await call(origin, 'GET', path, { Host: `evil.example:${port}`, APIKey: 'sim-api-key', SecretKey: 'sim-secret-key' });
    expect(rebound.status, path).toBe(403);
    expect(rebound.text, path).not.toContain('966500000101');
  }

  // A local process (or a page) that names the right host but does not hold the control token.
  const ledger = await call(origin, 'GET', '/_sim/ledger', { Host: `127.0.0.1:${port}` });
  expect(ledger.status).toBe(401);
  expect(ledger.text).not.toContain('966500000101');

  // A cross-site "simple" POST (text/plain needs no preflight) cannot switch on an outage.
  const outage = await call(origin, 'POST', '/_sim/outage', { Host: `127.0.0.1:${port}`, 'Content-Type': 'text/plain' }, '{"on":true}');
  expect([401, 415]).toContain(outage.status);

  // The simulator's well-known default keys do not open this instance's Gameball API.
  const read = await call(origin, 'GET', '/api/v4.0/integrations/customers/mobile_966500000101', {
    Host: `127.0.0.1:${port}`,
    APIKey: 'sim-api-key',
    SecretKey: 'sim-secret-key',
  });
  expect(read.status).toBe(401);
  expect(read.text).not.toContain('referralCode');

  // The till itself is unaffected: the next order goes through.
  const second = engine.captureOrder({ mobile: '+966500000102', totalPaidMinor: 500 });
  expect((await part.drain({ untilEmpty: true, timeoutMs: 10_000 })).empty).toBe(true);
  expect(engine.getOrder(second.orderId)).toMatchObject({ state: 'synced' });
});
