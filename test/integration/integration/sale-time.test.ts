// A POS sale's own time over the whole way: posted to the local API with `soldAt`, captured, sent
// by the real sync to the simulator standing in for Gameball, which receives it as `orderDate`.
// A time out of the bounds (main/orders/sale-time.ts) is a 422 naming soldAt, nothing written.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../../main/engine.ts';
import { apiTokenPath } from '../../../main/integration/api-token.ts';
import type { RunningApiServer } from '../../../main/integration/api-server.ts';
import { startIntegrationApi } from '../../../main/integration/start.ts';
import { silentLogger } from '../../../main/log.ts';
import type { RunningSimulator } from '../../../main/simulator/index.ts';
import type { GameballSyncPart } from '../../../main/sync/wiring.ts';
import { apiCall } from '../../support/api-client.ts';
import { liveEngine } from '../../support/live-engine.ts';
import type { LiveEngine } from '../../support/live-engine.ts';

const HOUR = 3_600_000;

let live: LiveEngine;
let dir: string;
let sim: RunningSimulator;
let engine: Engine;
let part: GameballSyncPart;
let api: RunningApiServer;
let token: string;

beforeEach(async () => {
  live = await liveEngine('pos-sale-time-');
  ({ dir, sim, engine } = live);
  part = live.part();
  const started = await startIntegrationApi({ engine, logger: silentLogger(), port: 0 });
  if (!started.api) throw new Error(started.problem ?? 'no API');
  api = started.api;
  token = readFileSync(apiTokenPath(dir), 'utf8').trim();
});

afterEach(async () => {
  await api.close();
  await live.close();
});

const post = (body: object) => apiCall(api.origin, 'POST', '/v1/sales', { token, body });

/** `ms` as the POS would print it in Riyadh: local time with its +03:00 offset, whole seconds. */
function riyadhTime(ms: number): string {
  const whole = Math.floor(ms / 1000) * 1000;
  return `${new Date(whole + 3 * HOUR).toISOString().slice(0, 19)}+03:00`;
}

const sale = (n: number, soldAt: string, customer = true) => ({
  posSaleId: `S-${n}`,
  totalPaid: '125.50',
  currency: 'SAR',
  receiptNo: `R-${n}`,
  soldAt,
  ...(customer ? { mobile: `05000000${n}` } : {}),
});

describe('a sale from the POS keeps its own time', () => {
  it('a sale posted with soldAt an hour ago reaches Gameball with that orderDate', async () => {
    const soldAt = riyadhTime(Date.now() - HOUR);
    const posted = await post(sale(11, soldAt));
    expect(posted.status).toBe(201);
    const orderId = (posted.body as { orderId: string }).orderId;
    expect(engine.getOrder(orderId)?.orderDate).toBe(new Date(soldAt).toISOString());
    // Due from its capture: the drain sends it now, an hour after the sale.
    expect((await part.drain({ untilEmpty: true, timeoutMs: 15_000 })).empty).toBe(true);
    const sent = sim.control.ledger().orders.find((o) => o.orderId === orderId);
    expect(sent?.orderDate).toBeDefined();
    expect(Date.parse(sent?.orderDate ?? '')).toBe(Date.parse(soldAt));
    expect(sent?.orderDate).toBe(new Date(soldAt).toISOString());
    expect(engine.getOrder(orderId)?.state).toBe('synced');
  });

  it('answers a soldAt too far ahead or too old with a 422 naming soldAt, and writes nothing', async () => {
    const cases = [
      sale(21, riyadhTime(Date.now() + 10 * 60_000)),
      sale(22, riyadhTime(Date.now() - 8 * 24 * HOUR)),
      // Without a customer too: the POS hears of it now, not when the cashier scans.
      sale(23, riyadhTime(Date.now() - 8 * 24 * HOUR), false),
    ];
    for (const body of cases) {
      const answer = await post(body);
      expect(answer.status, body.posSaleId).toBe(422);
      const fields = (answer.body as { error: { fields: { field: string; message: string }[] } }).error.fields;
      expect(fields.map((f) => f.field)).toEqual(['soldAt']);
      expect(fields[0]?.message).toMatch(/^soldAt: /);
      expect(engine.sales.getSale(body.posSaleId)).toBeUndefined();
    }
    expect(engine.listOrders({ state: 'all' }).total).toBe(0);
  });
});
