// Fault injection and rate limits over real HTTP: resets commit nothing, drops commit and then
// lose the answer, 5xx commit nothing, outages refuse everything, and 429s are counted.
import { describe, expect, it } from 'vitest';
import { simulatorClient } from '../../support/simulator-client.ts';
import { api, order, outcome, simulatorsPerTest } from './sim-client.ts';

const sim = simulatorsPerTest({ seed: 11 });

describe('connection faults', () => {
  it('reset: the connection dies before anything is committed', async () => {
    const s = await sim({ resetRate: 1 });
    expect(await outcome(api(s, 'POST', '/orders', order()))).toBe('failed');
    const ledger = s.control.ledger();
    expect(ledger.orders).toEqual([]);
    expect(ledger.customers).toEqual([]);
    expect(ledger.counters).toMatchObject({ resets: 1, drops: 0, requests: { 'POST /orders': 1 }, responses: {} });
  });

  it('drop: the order is committed, the answer is lost, and the retry gets 9004', async () => {
    const s = await sim({ dropRate: 1 });
    const body = order({ customerId: 'dropped' });
    expect(await outcome(api(s, 'POST', '/orders', body))).toBe('failed');
    expect(s.control.ledger().orders.map((o) => o.orderId)).toEqual([body.orderId]);
    s.control.setFaults({ dropRate: 0 });
    const retry = await api(s, 'POST', '/orders', body);
    expect(retry.status).toBe(422);
    expect(retry.body.code).toBe(9004);
    // Reconciliation sees the PaymentReward the lost request created.
    const tx = await api(s, 'GET', `/orders/${body.orderId as string}/transactions`);
    expect(tx.body.transactions.map((t: { transactionType: string }) => t.transactionType)).toEqual(['PaymentReward']);
    const ledger = s.control.ledger();
    expect(ledger.orders).toHaveLength(1);
    expect(ledger.counters.drops).toBe(1);
  });

  it('refuseOrders: exactly the next N orders get 422/3003, nothing committed, then orders go through', async () => {
    const s = await sim();
    s.control.setFaults({ refuseOrders: 2 });
    const first = order({ customerId: 'refused-1' });
    const answers = [await api(s, 'POST', '/orders', first), await api(s, 'POST', '/orders', order({ customerId: 'refused-2' }))];
    expect(answers.map((a) => `${a.status}/${a.body.code as number}`)).toEqual(['422/3003', '422/3003']);
    expect(s.control.ledger().orders).toEqual([]);
    // A customer upsert is not an order: untouched by the fault.
    expect((await api(s, 'POST', '/customers', { customerId: 'refused-3' })).status).toBe(200);
    const third = await api(s, 'POST', '/orders', first);
    expect(third.status).toBe(200);
    expect(s.control.ledger().orders.map((o) => o.orderId)).toEqual([first.orderId]);
  });

  it('5xx: answered 500/5000 or 503/5003 and nothing is committed', async () => {
    const s = await sim({ errorRate: 1 });
    const codes = new Set<string>();
    for (let i = 0; i < 12; i += 1) {
      const a = await api(s, 'POST', '/orders', order());
      codes.add(`${a.status}/${a.body.code as number}`);
    }
    expect([...codes].sort()).toEqual(['500/5000', '503/5003']);
    const ledger = s.control.ledger();
    expect(ledger.orders).toEqual([]);
    expect(ledger.counters.injectedErrors).toBe(12);
  });

  it('the same seed gives the same faults; the shares are roughly as asked', async () => {
    const pattern = async (): Promise<string> => {
      const s = await sim({ seed: 1234, dropRate: 0.3, resetRate: 0.2, rateLimit: false });
      let out = '';
      for (let i = 0; i < 40; i += 1) {
        const r = await outcome(api(s, 'POST', '/orders', order({ customerId: `seeded-${i}` })));
        out += r === 'failed' ? 'x' : '.';
      }
      const c = s.control.ledger().counters;
      expect(c.resets + c.drops).toBe([...out].filter((ch) => ch === 'x').length);
      // Every drop committed; no reset did.
      expect(s.control.ledger().orders).toHaveLength(40 - c.resets);
      return out;
    };
    const a = await pattern();
    const b = await pattern();
    expect(a).toBe(b);
    const failures = [...a].filter((ch) => ch === 'x').length;
    expect(failures).toBeGreaterThan(8);
    expect(failures).toBeLessThan(32);
  });

  it('latency delays every answer by at least latencyMs', async () => {
    const s = await sim({ latencyMs: 80, jitterMs: 20 });
    const t0 = performance.now();
    await api(s, 'GET', '/customers/nobody');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(78);
  });

  it('outage: every request fails with 503/5003, or its connection is refused-like; control still answers', async () => {
    const s = await sim();
    s.control.setOutage(true);
    const a = await api(s, 'POST', '/orders', order());
    expect([a.status, a.body.code]).toEqual([503, 5003]);
    s.control.setOutage(true, 'refuse');
    expect(await outcome(api(s, 'GET', '/customers/x'))).toBe('failed');
    s.control.setOutage(false);
    expect((await api(s, 'POST', '/orders', order())).status).toBe(200);
    const c = s.control.ledger().counters;
    expect(c.outageRejections).toBe(2);
    expect(s.control.ledger().orders).toHaveLength(1);
  });
});

describe('rate limits', () => {
  it("Gameball's default: the 31st order within one second is 429 and counted", async () => {
    const now = Date.UTC(2026, 0, 1);
    const s = await sim({ now: () => now });
    const answers = [];
    for (let i = 0; i < 31; i += 1)
      answers.push(await api(s, 'POST', '/orders', order({ customerId: `rl-${i}`, orderDate: new Date(now - 1000 - i).toISOString() })));
    expect(answers.slice(0, 30).every((a) => a.status === 200)).toBe(true);
    expect(answers[30]?.status).toBe(429);
    expect(answers[30]?.body).toMatchObject({ code: 4290, message: expect.any(String) });
    const ledger = s.control.ledger();
    expect(ledger.orders).toHaveLength(30);
    expect(ledger.counters.rateLimited).toBe(1);
    expect(ledger.counters.responses['429/4290']).toBe(1);
    // Customer reads have their own, higher limit.
    expect((await api(s, 'GET', '/customers/rl-0')).status).toBe(200);
  });

  it('one simulator is one account: two clients share its windows, and a 429 says Retry-After', async () => {
    let now = Date.UTC(2026, 6, 1);
    const s = await sim({ now: () => now, rateLimit: { perSecond: 2, per30s: 3 } });
    const tillA = simulatorClient({ baseUrl: s.url, timeoutMs: 5_000 });
    const tillB = simulatorClient({ baseUrl: s.url, timeoutMs: 5_000 });
    expect((await tillA.trackOrder(order())).httpStatus).toBe(200);
    expect((await tillA.trackOrder(order())).httpStatus).toBe(200);
    // B has sent nothing, yet the account's second is full.
    const refused = await tillB.trackOrder(order());
    expect(refused).toMatchObject({ httpStatus: 429, cause: 'rate-limited', retryAfterMs: 1_000 });
    now += 1_000;
    expect((await tillB.trackOrder(order())).httpStatus).toBe(200);
    // Three in 30 s: the next fits when the first leaves the window, 29 s from now.
    expect(await tillA.trackOrder(order())).toMatchObject({ httpStatus: 429, retryAfterMs: 29_000 });
    expect(s.control.ledger().counters.rateLimited).toBe(2);
  });

  it('per-second and per-30-second windows slide with the clock; groups are separate', async () => {
    let now = Date.UTC(2026, 6, 1);
    const s = await sim({ now: () => now, rateLimit: { perSecond: 2, per30s: 3 } });
    const post = async (): Promise<number> => (await api(s, 'POST', '/orders', order())).status;
    expect([await post(), await post(), await post()]).toEqual([200, 200, 429]);
    now += 1000;
    expect([await post(), await post()]).toEqual([200, 429]); // per 30 s: 3 used
    expect((await api(s, 'POST', '/customers', { customerId: 'other-group' })).status).toBe(200);
    now += 29_001;
    expect(await post()).toBe(200);
    expect(s.control.ledger().counters.rateLimited).toBe(2);
    expect(s.control.ledger().orders).toHaveLength(4);
  });

  it('limits can be switched off or changed at runtime (a 429 storm)', async () => {
    const now = Date.UTC(2026, 0, 1);
    const s = await sim({ now: () => now, rateLimit: false });
    for (let i = 0; i < 40; i += 1) expect((await api(s, 'POST', '/customers', { customerId: `free-${i}` })).status).toBe(200);
    s.control.setFaults({ rateLimit: { perSecond: 1, per30s: 1 } });
    expect((await api(s, 'POST', '/customers', { customerId: 'storm-1' })).status).toBe(200);
    expect((await api(s, 'POST', '/customers', { customerId: 'storm-2' })).status).toBe(429);
    expect(s.control.ledger().customers).toHaveLength(41);
  });
});

describe('batch faults', () => {
  async function waitFor(s: Awaited<ReturnType<typeof sim>>, jobId: number): Promise<Record<string, unknown>> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const st = await api(s, 'GET', `/batches/${jobId}/status`);
      if (st.body.status === 'completed' || st.body.status === 'failed') return st.body;
      if (Date.now() > deadline) throw new Error(`batch ${jobId} did not finish`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  it('dropBatchAnswers: the job is accepted and runs, its answer is lost; then answers come back', async () => {
    const s = await sim();
    s.control.setFaults({ dropBatchAnswers: 1 });
    const body = order({ customerId: 'batch-dropped' });
    expect(await outcome(api(s, 'POST', '/batch/orders', { body: [body] }))).toBe('failed');
    const deadline = Date.now() + 5_000;
    while (s.control.ledger().orders.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(s.control.ledger().orders.map((o) => [o.orderId, o.via])).toEqual([[body.orderId, 'batch']]);
    expect(s.control.ledger().counters.drops).toBe(1);
    expect((await api(s, 'POST', '/batch/orders', { body: [order({ customerId: 'batch-answered' })] })).status).toBe(200);
  });

  it('failBatchAfter: the next job fails after that many items, with results for those only; later jobs complete', async () => {
    const s = await sim();
    s.control.setFaults({ failBatchAfter: 1 });
    const first = await api(s, 'POST', '/batch/orders', { body: [order({ customerId: 'f1' }), order({ customerId: 'f2' })] });
    const failed = await waitFor(s, first.body.jobId as number);
    expect(failed).toMatchObject({ status: 'failed', totalItems: 2, processedItems: 1, progress: 50 });
    expect(failed.results).toEqual([expect.objectContaining({ index: 0, status: 'success' })]);
    const second = await api(s, 'POST', '/batch/orders', { body: [order({ customerId: 'f3' })] });
    expect(await waitFor(s, second.body.jobId as number)).toMatchObject({ status: 'completed' });
  });

  it('refuseOrders counts order items of a batch too: the next N items fail 3003, nothing of them committed', async () => {
    const s = await sim();
    s.control.setFaults({ refuseOrders: 1 });
    const items = [order({ customerId: 'r1' }), order({ customerId: 'r2' })];
    const job = await api(s, 'POST', '/batch/orders', { body: items });
    const done = await waitFor(s, job.body.jobId as number);
    expect(done).toMatchObject({ status: 'completed', failedItems: 1 });
    expect(done.results).toEqual([
      expect.objectContaining({ index: 0, status: 'failed', code: 3003 }),
      expect.objectContaining({ index: 1, status: 'success' }),
    ]);
    expect(s.control.ledger().orders.map((o) => o.orderId)).toEqual([items[1]!.orderId]);
    // Spent: the next order goes through.
    expect((await api(s, 'POST', '/orders', items[0])).status).toBe(200);
  });

  it('batchErrors: the next N batch posts get 503/5003 and nothing is committed', async () => {
    const s = await sim();
    s.control.setFaults({ batchErrors: 2 });
    for (let i = 0; i < 2; i += 1) {
      const a = await api(s, 'POST', '/batch/orders', { body: [order()] });
      expect(`${a.status}/${a.body.code as number}`).toBe('503/5003');
    }
    expect(s.control.ledger().batches).toEqual([]);
    expect((await api(s, 'POST', '/batch/orders', { body: [order()] })).status).toBe(200);
  });
});
