// The running till's push timer over real HTTP (a tiny local server standing in for the gateway):
// pushes every interval, a failing gateway is one warning per change of reason (not one per
// tick), it recovers by itself, a settings change brings the next push forward, and close stops it.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, expect, test } from 'vitest';
import { startFleetPush } from '../../../main/fleet/push-timer.ts';
import type { FleetPush, FleetPushSettings } from '../../../main/fleet/push-timer.ts';
import type { TillHealth } from '../../../main/fleet/metrics.ts';
import { createLogger } from '../../../main/log.ts';
import { freePort } from '../../support/pushgateway.ts';

const PASSWORD = 'timer-pass-7Yq2';
const health: TillHealth = {
  status: {
    counts: { pending: 2, sending: 0, synced: 5, attention: 1, discarded: 0 },
    refundCounts: { pending: 0, sending: 0, synced: 0, attention: 0, discarded: 0 },
    oldestPendingAgeMs: 120_000,
    lastSuccessAt: '2025-03-01T09:30:00.000Z',
    lastError: null,
    online: true,
    training: false,
  },
  storeId: 's1',
  tillId: 't1',
  version: '1.2.3',
};

let push: FleetPush | undefined;
let server: Server | undefined;
afterEach(async () => {
  await push?.close();
  push = undefined;
  if (server?.listening) await new Promise<void>((done) => server!.close(() => done()));
  server = undefined;
});

function logCapture(): {
  logger: ReturnType<typeof createLogger>;
  lines: () => { level: number; msg: string; err?: string }[];
  text: () => string;
} {
  const chunks: string[] = [];
  const logger = createLogger({ destination: new Writable({ write: (c, _e, done) => (chunks.push(String(c)), done()) }) });
  return {
    logger,
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { level: number; msg: string; err?: string }),
  };
}

async function gatewayOn(port: number, bodies: string[], status = 200): Promise<void> {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      bodies.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}\n${body}`);
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((done) => server!.listen(port, '127.0.0.1', done));
}

const waitFor = async (what: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!what() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
};

test('a down gateway is one warning however many ticks fail; it recovers by itself; close stops the pushes', async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = logCapture();
  let ticks = 0;
  const settings: FleetPushSettings = { pushUrl: url, pushIntervalSeconds: 0.05, pushUser: 'office' };
  push = startFleetPush({
    settings: () => {
      ticks += 1;
      return settings;
    },
    health: () => health,
    logger: log.logger,
    env: { POS_COMPANION_PUSH_PASSWORD: PASSWORD },
    firstDelayMs: 10,
  });
  await waitFor(() => ticks >= 6);
  expect(ticks).toBeGreaterThanOrEqual(6);
  const warnings = log.lines().filter((l) => l.level === 40);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]!.err).toBe(`the Pushgateway at ${url} could not be reached (ECONNREFUSED)`);

  const bodies: string[] = [];
  await gatewayOn(port, bodies);
  await waitFor(() => bodies.length >= 3);
  expect(bodies.length).toBeGreaterThanOrEqual(3);
  expect(bodies[0]).toContain(
    `PUT /metrics/job/pos_companion/store/s1/till/t1 Basic ${Buffer.from(`office:${PASSWORD}`).toString('base64')}`,
  );
  expect(bodies[0]).toContain('pos_companion_needs_attention{store="s1",till="t1"} 1');
  expect(bodies[0]).toContain('pos_companion_oldest_pending_age_seconds{store="s1",till="t1"} 120');
  expect(log.lines().filter((l) => l.msg === 'fleet push works')).toHaveLength(1);
  expect(log.lines().filter((l) => l.level === 40)).toHaveLength(1);

  await push.close();
  const after = bodies.length;
  await new Promise((r) => setTimeout(r, 300));
  expect(bodies.length).toBe(after);
  expect(log.text()).not.toContain(PASSWORD);
}, 20_000);

test('a refusing gateway is warned once per reason; no URL pushes nothing; a settings change pushes within a second', async () => {
  const bodies: string[] = [];
  await gatewayOn(0, bodies, 503);
  const url = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
  const log = logCapture();
  const settings: FleetPushSettings = { pushUrl: null, pushIntervalSeconds: 3600, pushUser: null };
  push = startFleetPush({ settings: () => settings, health: () => health, logger: log.logger, env: {}, firstDelayMs: 10 });
  await new Promise((r) => setTimeout(r, 200));
  expect(bodies).toEqual([]);

  settings.pushUrl = url;
  push.settingsChanged();
  await waitFor(() => bodies.length >= 1, 3000);
  expect(bodies).toHaveLength(1);
  await waitFor(() => log.lines().some((l) => l.level === 40), 1000);
  expect(
    log
      .lines()
      .filter((l) => l.level === 40)
      .map((l) => l.err),
  ).toEqual([`the Pushgateway at ${url} answered HTTP 503`]);
  expect(bodies[0]).not.toContain('Basic');
}, 20_000);

test('a health that cannot be read is a logged failure, never a throw', async () => {
  const log = logCapture();
  push = startFleetPush({
    settings: () => ({ pushUrl: 'http://127.0.0.1:9', pushIntervalSeconds: 0.02, pushUser: null }),
    health: () => {
      throw new Error('database is locked');
    },
    logger: log.logger,
    env: {},
    firstDelayMs: 5,
  });
  await new Promise((r) => setTimeout(r, 200));
  expect(
    log
      .lines()
      .filter((l) => l.level === 40)
      .map((l) => l.err),
  ).toEqual(['database is locked']);
});
