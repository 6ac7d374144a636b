// The simulator over real HTTP on 127.0.0.1: Gameball's auth, validation, order, referral,
// refund and batch rules, and the control API.
import { describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../../main/simulator/index.ts';
import { api, call, KEYS, order, simulatorsPerTest } from './sim-client.ts';
import type { Answer } from './sim-client.ts';

const sim = simulatorsPerTest({ seed: 7 });

/** Polls `ready` (every few ms) until it holds; fails after `ms` so a broken rule cannot hang the run. */
async function until(ready: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * Holds `customerId`'s write in flight for as long as the test needs: the first request waits
 * out a long latency; once the simulator reports it in flight, latency drops to 0 so the
 * requests the test sends next are answered at once, whatever the machine's load.
 */
async function holdInFlight(s: RunningSimulator, customerId: string, first: () => Promise<unknown>): Promise<void> {
  s.control.setFaults({ latencyMs: 1_500 });
  void first();
  await until(() => s.control.inFlight().includes(customerId));
  s.control.setFaults({ latencyMs: 0 });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function expectError(answer: { status: number; body: any }, status: number, code: number): void {
  expect(answer.status).toBe(status);
  expect(answer.body).toMatchObject({
    code,
    type: expect.any(String),
    message: expect.any(String),
    documentationUrl: expect.any(String),
    requestId: expect.any(String),
  });
}

describe('startup', () => {
  // Start time is a benchmark figure (`npm run bench -- simulator`), not a test assertion.
  it('listens on 127.0.0.1 only, on a free port', async () => {
    const s = await sim();
    expect(s.url).toBe(`http://127.0.0.1:${s.port}`);
    expect(s.port).toBeGreaterThan(0);
  });

  it('two simulators run side by side with separate ledgers', async () => {
    const a = await sim();
    const b = await sim();
    await api(a, 'POST', '/customers', { customerId: 'only-in-a' });
    expect(a.control.ledger().customers).toHaveLength(1);
    expect(b.control.ledger().customers).toHaveLength(0);
  });
});

describe('auth', () => {
  it('missing or wrong APIKey: 401/1000 on every endpoint', async () => {
    const s = await sim();
    expectError(await api(s, 'POST', '/customers', { customerId: 'c1' }, 'v4.0', {}), 401, 1000);
    expectError(await api(s, 'GET', '/customers/c1', undefined, 'v4.0', { APIKey: 'wrong', SecretKey: KEYS.SecretKey }), 401, 1000);
    expectError(await api(s, 'POST', '/orders', order(), 'v4.0', { SecretKey: KEYS.SecretKey }), 401, 1000);
    expect(s.control.ledger().customers).toHaveLength(0);
  });

  it('orders, refunds, transactions and batches need the SecretKey under v4.0 (401/1001); customers do not', async () => {
    const s = await sim();
    const onlyApi = { APIKey: KEYS.APIKey };
    expect((await api(s, 'POST', '/customers', { customerId: 'c1' }, 'v4.0', onlyApi)).status).toBe(200);
    expect((await api(s, 'GET', '/customers/c1', undefined, 'v4.0', onlyApi)).status).toBe(200);
    expect((await api(s, 'GET', '/referrals/validate?referrerCode=X', undefined, 'v4.0', onlyApi)).status).toBe(200);
    expectError(await api(s, 'POST', '/orders', order(), 'v4.0', onlyApi), 401, 1001);
    expectError(await api(s, 'POST', '/orders', order(), 'v4.0', { ...onlyApi, SecretKey: 'nope' }), 401, 1001);
    expectError(await api(s, 'GET', '/orders/x/transactions', undefined, 'v4.0', onlyApi), 401, 1001);
    expectError(await api(s, 'POST', '/transactions/refund', {}, 'v4.0', onlyApi), 401, 1001);
    expectError(await api(s, 'POST', '/batch/orders', { body: [order()] }, 'v4.0', onlyApi), 401, 1001);
    expectError(await api(s, 'GET', '/batches/1/status', undefined, 'v4.0', onlyApi), 401, 1001);
    expect(s.control.ledger().orders).toHaveLength(0);
  });

  it('under v4.1 every endpoint needs both keys', async () => {
    const s = await sim();
    const onlyApi = { APIKey: KEYS.APIKey };
    expectError(await api(s, 'POST', '/customers', { customerId: 'c1' }, 'v4.1', onlyApi), 401, 1001);
    expectError(await api(s, 'GET', '/customers/c1', undefined, 'v4.1', onlyApi), 401, 1001);
    expectError(await api(s, 'GET', '/referrals/validate?referrerCode=X', undefined, 'v4.1', onlyApi), 401, 1001);
    expect((await api(s, 'POST', '/customers', { customerId: 'c1' }, 'v4.1')).status).toBe(200);
    expect((await api(s, 'POST', '/orders', order({ customerId: 'c1' }), 'v4.1')).status).toBe(200);
    expect(s.control.ledger().orders[0]?.apiVersion).toBe('v4.1');
  });

  it('header names are case-insensitive and the older TransactionKey name is accepted', async () => {
    const s = await sim({ apiKey: 'K1', secretKey: 'S1' });
    const variants: Array<Record<string, string>> = [
      { APIKey: 'K1', SecretKey: 'S1' },
      { apikey: 'K1', secretkey: 'S1' },
      { APIKEY: 'K1', SECRETKEY: 'S1' },
      { ApiKey: 'K1', TransactionKey: 'S1' },
    ];
    for (const headers of variants) {
      expect((await api(s, 'POST', '/orders', order(), 'v4.0', headers)).status).toBe(200);
    }
    expect(s.control.ledger().orders).toHaveLength(4);
  });
});

describe('payload validation', () => {
  it('a missing required field is 400/3000 and names the field', async () => {
    const s = await sim();
    for (const field of ['customerId', 'orderId', 'orderDate', 'totalPaid']) {
      const body = order();
      delete body[field];
      const answer = await api(s, 'POST', '/orders', body);
      expectError(answer, 400, 3000);
      expect(answer.body.message).toContain(field);
    }
    expectError(await api(s, 'POST', '/customers', { email: 'a@b.c' }), 400, 3000);
    expectError(await api(s, 'POST', '/transactions/refund', { customerId: 'c' }), 400, 3000);
    expectError(await api(s, 'GET', '/referrals/validate'), 400, 3000);
    expect(s.control.ledger().orders).toHaveLength(0);
  });

  it('wrong types or values are 422/3003', async () => {
    const s = await sim();
    const bad: Array<Record<string, unknown>> = [
      { totalPaid: '100.5' },
      { totalPaid: -1 },
      { orderDate: '2024-10-16 08:13:29' },
      { orderDate: '2024-10-16T08:13:29.29' }, // no zone: not UTC
      { orderId: 42 },
      { channel: 'kiosk' },
      { lineItems: [{ productId: 'p', quantity: 'two' }] },
      { extra: { giftWrap: true } },
      { cashbackConfigurations: { returnWindow: 9000 } },
    ];
    for (const over of bad) {
      expectError(await api(s, 'POST', '/orders', order(over)), 422, 3003);
    }
    expectError(await api(s, 'POST', '/customers', { customerId: 'c', customerAttributes: { channel: 'fax' } }), 422, 3003);
    expect(s.control.ledger().orders).toHaveLength(0);
  });

  it('malformed JSON is 400/3016; a non-JSON content type is 415/3013', async () => {
    const s = await sim();
    const path = '/api/v4.0/integrations/orders';
    expectError(await call(s, 'POST', path, { raw: '{"customerId": "c",', headers: { ...KEYS } }), 400, 3016);
    expectError(
      await call(s, 'POST', path, { raw: JSON.stringify(order()), headers: { ...KEYS, 'content-type': 'text/plain' } }),
      415,
      3013,
    );
    expectError(
      await call(s, 'POST', path, { raw: 'customerId=c', headers: { ...KEYS, 'content-type': 'application/x-www-form-urlencoded' } }),
      415,
      3013,
    );
    expect(
      (
        await call(s, 'POST', path, {
          raw: JSON.stringify(order()),
          headers: { ...KEYS, 'content-type': 'application/json; charset=utf-8' },
        })
      ).status,
    ).toBe(200);
  });

  it('error bodies carry code, type, message, documentationUrl and requestId; type spelling is selectable', async () => {
    const upper = await sim();
    const title = await sim({ errorTypeStyle: 'title' });
    const a = await api(upper, 'POST', '/orders', { ...order(), totalPaid: 'x' });
    const b = await api(title, 'POST', '/orders', { ...order(), totalPaid: 'x' });
    expect(a.body.type).toBe('PAYLOAD_ERROR');
    expect(b.body.type).toBe('Payload Error');
    expect(a.headers['x-request-id']).toBe(a.body.requestId);
  });

  it('unknown paths answer 404 in the same error shape', async () => {
    const s = await sim();
    expectError(await api(s, 'GET', '/nothing/here'), 404, 4004);
    expectError(await call(s, 'GET', '/api/v3/integrations/customers/x', { headers: { ...KEYS } }), 404, 4004);
    expectError(await api(s, 'GET', '/customers/%E0%A4%A'), 404, 4004);
    await api(s, 'POST', '/customers', { customerId: 'a/b c+d' });
    expect((await api(s, 'GET', `/customers/${encodeURIComponent('a/b c+d')}`)).body.customerId).toBe('a/b c+d');
  });
});

describe('orders', () => {
  it('records the order, rewards points by the earning rule, and lists its transactions', async () => {
    const s = await sim({ pointsPerUnit: 10 });
    const body = order({
      customerId: 'c-earn',
      totalPaid: 12.29,
      lineItems: [{ productId: 'p1', quantity: 2, price: 6.5, discount: 0.71 }],
    });
    const answer = await api(s, 'POST', '/orders', body);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ customerId: 'c-earn', rewardedPoints: 122, redeemedPoints: 0 });
    expect(answer.body.lineItems[0]).toMatchObject({ productId: 'p1', quantity: 2, points: 122 });
    const tx = await api(s, 'GET', `/orders/${body.orderId as string}/transactions`);
    expect(tx.status).toBe(200);
    expect(tx.body.count).toBe(1);
    expect(tx.body.transactions[0]).toMatchObject({
      transactionType: 'PaymentReward',
      transactionId: body.orderId,
      amount: 12.29,
      equivalentPoints: 122,
    });
    const ledger = s.control.ledger();
    expect(ledger.orders[0]).toMatchObject({ orderId: body.orderId, rewardedPoints: 122, via: 'orders' });
    expect(ledger.orders[0]?.request).toMatchObject({ channel: 'pos', totalPaid: 12.29 });
    expect(ledger.customers.find((c) => c.customerId === 'c-earn')?.points).toBe(122);
  });

  it('a repeated orderId is 422/9004 and changes nothing (case-sensitive ids)', async () => {
    const s = await sim();
    const body = order({ orderId: 'Ord-A' });
    expect((await api(s, 'POST', '/orders', body)).status).toBe(200);
    const before = s.control.ledger();
    expectError(await api(s, 'POST', '/orders', { ...body, totalPaid: 999, orderDate: '2025-01-01T00:00:00.000Z' }), 422, 9004);
    const after = s.control.ledger();
    expect(after.orders).toEqual(before.orders);
    expect(after.customers).toEqual(before.customers);
    expect(after.transactions).toEqual(before.transactions);
    expect((await api(s, 'POST', '/orders', order({ orderId: 'ord-a' }))).status).toBe(200);
  });

  it('the same customer with the same orderDate is 422/9003; another customer may share it', async () => {
    const s = await sim();
    const date = '2025-05-05T05:05:05.555Z';
    expect((await api(s, 'POST', '/orders', order({ customerId: 'c1', orderDate: date }))).status).toBe(200);
    expectError(await api(s, 'POST', '/orders', order({ customerId: 'c1', orderDate: '2025-05-05T08:05:05.555+03:00' })), 422, 9003);
    expect((await api(s, 'POST', '/orders', order({ customerId: 'c2', orderDate: date }))).status).toBe(200);
    expect(s.control.ledger().orders).toHaveLength(2);
  });

  it('an orderDate in the future is 422/9007 (by the injected clock)', async () => {
    const now = Date.UTC(2026, 5, 1, 12, 0, 0);
    const s = await sim({ now: () => now });
    expectError(await api(s, 'POST', '/orders', order({ orderDate: new Date(now + 1).toISOString() })), 422, 9007);
    expect((await api(s, 'POST', '/orders', order({ orderDate: new Date(now).toISOString() }))).status).toBe(200);
  });

  it("answers carry a Date header from the simulator's own clock, errors too", async () => {
    const now = Date.UTC(2026, 5, 1, 12, 0, 0, 700);
    const s = await sim({ now: () => now });
    const ok = await api(s, 'POST', '/orders', order({ orderDate: new Date(now - 1_000).toISOString() }));
    expect(ok.status).toBe(200);
    expect(ok.headers.date).toBe('Mon, 01 Jun 2026 12:00:00 GMT');
    const refused = await api(s, 'POST', '/orders', order({ orderDate: new Date(now + 1).toISOString() }));
    expect(refused.status).toBe(422);
    expect(refused.headers.date).toBe('Mon, 01 Jun 2026 12:00:00 GMT');
  });

  it('an unknown customerId on an order creates the customer', async () => {
    const s = await sim();
    await api(s, 'POST', '/orders', order({ customerId: 'walk-in', mobile: '+966500001234' }));
    const c = await api(s, 'GET', '/customers/walk-in');
    expect(c.status).toBe(200);
    expect(c.body.customerId).toBe('walk-in');
    expect(s.control.ledger().customers[0]).toMatchObject({ customerId: 'walk-in', createdBy: 'order', mobile: '+966500001234' });
  });

  it('a second request for a customer while one is in flight is 422/2001', async () => {
    const s = await sim();
    let first!: Promise<Answer>;
    await holdInFlight(s, 'busy', () => (first = api(s, 'POST', '/orders', order({ customerId: 'busy' }))));
    expectError(await api(s, 'POST', '/orders', order({ customerId: 'busy' })), 422, 2001);
    expect((await api(s, 'POST', '/orders', order({ customerId: 'someone-else' }))).status).toBe(200);
    expect((await first).status).toBe(200);
    // Once the first answered, the customer is free again.
    expect(s.control.inFlight()).toEqual([]);
    expect((await api(s, 'POST', '/orders', order({ customerId: 'busy' }))).status).toBe(200);
    expect(s.control.ledger().orders.filter((o) => o.customerId === 'busy')).toHaveLength(2);
  });

  it('a customer write and a refund count as in flight too', async () => {
    const s = await sim();
    let reg!: Promise<Answer>;
    await holdInFlight(s, 'c9', () => (reg = api(s, 'POST', '/customers', { customerId: 'c9' })));
    expectError(await api(s, 'POST', '/orders', order({ customerId: 'c9' })), 422, 2001);
    expect((await reg).status).toBe(200);

    const o = order({ customerId: 'c9', totalPaid: 10 });
    expect((await api(s, 'POST', '/orders', o)).status).toBe(200);
    let refund!: Promise<Answer>;
    const base = { customerId: 'c9', reverseTransactionId: o.orderId, transactionTime: '2026-01-02T00:00:00.000Z' };
    await holdInFlight(
      s,
      'c9',
      () => (refund = api(s, 'POST', '/transactions/refund', { ...base, refundTransactionId: 'RF-A', refundAmount: 1 })),
    );
    expectError(await api(s, 'POST', '/customers', { customerId: 'c9', email: 'c9@example.com' }), 422, 2001);
    expectError(await api(s, 'POST', '/transactions/refund', { ...base, refundTransactionId: 'RF-B', refundAmount: 1 }), 422, 2001);
    expect((await refund).status).toBe(200);
    expect(s.control.ledger().refunds.map((r) => r.refundTransactionId)).toEqual(['RF-A']);
  });
});

describe('referrals', () => {
  async function referrer(s: RunningSimulator, id = 'referrer'): Promise<string> {
    await api(s, 'POST', '/customers', { customerId: id });
    const answer = await api(s, 'GET', `/customers/${id}`);
    return answer.body.referralCode as string;
  }

  it('every customer gets a referral code and link; GET shows isReferred', async () => {
    const s = await sim();
    const code = await referrer(s);
    expect(code).toMatch(/^[A-Z0-9]{6,}$/);
    const c = await api(s, 'GET', '/customers/referrer');
    expect(c.body.referralLink).toContain(code);
    expect(c.body.isReferred).toBe(false);
    expectError(await api(s, 'GET', '/customers/nobody'), 404, 4004);
  });

  it('a code at first registration links the referral; both sides are rewarded on the first order only', async () => {
    const s = await sim({ referralRewardPoints: { referrer: 100, referred: 50 }, pointsPerUnit: 1 });
    const code = await referrer(s);
    expect((await api(s, 'POST', '/customers', { customerId: 'newbie', referrerCode: code })).status).toBe(200);
    expect((await api(s, 'GET', '/customers/newbie')).body.isReferred).toBe(true);
    const first = order({ customerId: 'newbie', totalPaid: 10 });
    await api(s, 'POST', '/orders', first);
    await api(s, 'POST', '/orders', order({ customerId: 'newbie', totalPaid: 10 }));
    const ledger = s.control.ledger();
    expect(ledger.referrals).toEqual([
      expect.objectContaining({
        referrerCustomerId: 'referrer',
        referredCustomerId: 'newbie',
        rewardedOrderId: first.orderId,
        referrerPoints: 100,
        referredPoints: 50,
      }),
    ]);
    expect(ledger.customers.find((c) => c.customerId === 'referrer')?.points).toBe(100);
    expect(ledger.customers.find((c) => c.customerId === 'newbie')?.points).toBe(10 + 10 + 50);
    const types = (await api(s, 'GET', `/orders/${first.orderId as string}/transactions`)).body.transactions.map(
      (t: { transactionType: string }) => t.transactionType,
    );
    expect(types).toEqual(['PaymentReward', 'AchievementReward', 'AchievementReward']);
  });

  it('an unknown code, an own code, or a code after the window is ignored silently', async () => {
    let now = Date.UTC(2026, 0, 1);
    const s = await sim({ now: () => now, referralWindowMs: 60_000 });
    const code = await referrer(s);
    expect((await api(s, 'POST', '/customers', { customerId: 'u1', referrerCode: 'NOSUCHCODE' })).status).toBe(200);
    const own = (await api(s, 'GET', '/customers/referrer')).body.referralCode as string;
    expect((await api(s, 'POST', '/customers', { customerId: 'referrer', referrerCode: own })).status).toBe(200);
    await api(s, 'POST', '/customers', { customerId: 'late' });
    now += 60_001;
    expect((await api(s, 'POST', '/customers', { customerId: 'late', referrerCode: code })).status).toBe(200);
    expect(s.control.ledger().referrals).toEqual([]);
  });

  it('a code within the window on a later registration call still links; codes match case-insensitively', async () => {
    let now = Date.UTC(2026, 0, 1);
    const s = await sim({ now: () => now });
    const code = await referrer(s);
    await api(s, 'POST', '/customers', { customerId: 'n2' });
    now += 4 * 60_000;
    await api(s, 'POST', '/customers', { customerId: 'n2', referrerCode: code.toLowerCase() });
    expect(s.control.ledger().referrals).toHaveLength(1);
  });

  it('a repeated registration with the code (retry after a lost answer) links once', async () => {
    const s = await sim();
    const code = await referrer(s);
    await api(s, 'POST', '/customers', { customerId: 'n3', referrerCode: code });
    await api(s, 'POST', '/customers', { customerId: 'n3', referrerCode: code });
    expect(s.control.ledger().referrals).toHaveLength(1);
  });

  it('referrerCode on the first order of a customer the order creates links the referral', async () => {
    const s = await sim();
    const code = await referrer(s);
    const first = order({ customerId: 'via-order', referrerCode: code });
    expect((await api(s, 'POST', '/orders', first)).status).toBe(200);
    expect(s.control.ledger().referrals).toEqual([
      expect.objectContaining({ referredCustomerId: 'via-order', linkedBy: 'order', rewardedOrderId: first.orderId }),
    ]);
  });

  it('referrerCode on an order of an existing customer is ignored', async () => {
    const s = await sim();
    const code = await referrer(s);
    await api(s, 'POST', '/customers', { customerId: 'known' });
    await api(s, 'POST', '/orders', order({ customerId: 'known', referrerCode: code }));
    expect(s.control.ledger().referrals).toEqual([]);
  });

  it('GET /referrals/validate: valid code, unknown code, self-referral, already referred', async () => {
    const s = await sim();
    const code = await referrer(s);
    const v = async (q: string): Promise<boolean> => (await api(s, 'GET', `/referrals/validate?${q}`)).body.isValid;
    expect(await v(`referrerCode=${code}`)).toBe(true);
    expect(await v(`referrerCode=${code}&forCustomerId=someone-new`)).toBe(true);
    expect(await v('referrerCode=NOPE')).toBe(false);
    expect(await v(`referrerCode=${code}&forCustomerId=referrer`)).toBe(false);
    await api(s, 'POST', '/customers', { customerId: 'taken', referrerCode: code });
    expect(await v(`referrerCode=${code}&forCustomerId=taken`)).toBe(false);
  });
});

describe('refunds', () => {
  it('a partial then the rest: PartialRefund then Refund, points reversed, nothing more to refund', async () => {
    const s = await sim({ pointsPerUnit: 1 });
    const o = order({ customerId: 'r1', totalPaid: 100 });
    await api(s, 'POST', '/orders', o);
    const base = { customerId: 'r1', reverseTransactionId: o.orderId, transactionTime: '2026-01-02T00:00:00.000Z' };
    const part = await api(s, 'POST', '/transactions/refund', { ...base, refundTransactionId: 'RF-1', refundAmount: 30 });
    expect(part.status).toBe(200);
    expect(part.body).toMatchObject({ refundTransactionId: 'RF-1', refundAmount: 30, refundEquivalentPoints: 30 });
    const rest = await api(s, 'POST', '/transactions/refund', { ...base, refundTransactionId: 'RF-2' });
    expect(rest.body).toMatchObject({ refundAmount: 70, refundEquivalentPoints: 70 });
    expectError(await api(s, 'POST', '/transactions/refund', { ...base, refundTransactionId: 'RF-3', refundAmount: 1 }), 422, 3003);
    const ledger = s.control.ledger();
    expect(ledger.refunds.map((r) => [r.refundTransactionId, r.full])).toEqual([
      ['RF-1', false],
      ['RF-2', true],
    ]);
    expect(ledger.customers[0]?.points).toBe(0);
    expect(ledger.transactions[o.orderId as string]?.map((t) => t.transactionType)).toEqual(['PaymentReward', 'PartialRefund', 'Refund']);
  });

  it('refundAmount null is a full refund; more than remains is 422/3003', async () => {
    const s = await sim();
    const o = order({ customerId: 'r2', totalPaid: 50 });
    await api(s, 'POST', '/orders', o);
    const base = { customerId: 'r2', reverseTransactionId: o.orderId, transactionTime: '2026-01-02T00:00:00.000Z' };
    expectError(await api(s, 'POST', '/transactions/refund', { ...base, refundTransactionId: 'X1', refundAmount: 50.01 }), 422, 3003);
    const full = await api(s, 'POST', '/transactions/refund', { ...base, refundTransactionId: 'X2', refundAmount: null });
    expect(full.body.refundAmount).toBe(50);
  });

  it("an unknown order (or another customer's) is 404/9005; a repeated refundTransactionId is 422/9004", async () => {
    const s = await sim();
    const o = order({ customerId: 'r3', totalPaid: 20 });
    await api(s, 'POST', '/orders', o);
    const base = { customerId: 'r3', transactionTime: '2026-01-02T00:00:00.000Z', refundAmount: 5 };
    expectError(
      await api(s, 'POST', '/transactions/refund', { ...base, refundTransactionId: 'Y1', reverseTransactionId: 'no-such-order' }),
      404,
      9005,
    );
    expectError(
      await api(s, 'POST', '/transactions/refund', {
        ...base,
        customerId: 'other',
        refundTransactionId: 'Y1',
        reverseTransactionId: o.orderId,
      }),
      404,
      9005,
    );
    expect(
      (await api(s, 'POST', '/transactions/refund', { ...base, refundTransactionId: 'Y1', reverseTransactionId: o.orderId })).status,
    ).toBe(200);
    expectError(
      await api(s, 'POST', '/transactions/refund', { ...base, refundTransactionId: 'Y1', reverseTransactionId: o.orderId }),
      422,
      9004,
    );
    expect(s.control.ledger().refunds).toHaveLength(1);
  });
});

describe('order transactions lookup', () => {
  it('an unknown order is 404/9005 by default, or an empty list when configured', async () => {
    const strict = await sim();
    const lenient = await sim({ unknownOrderTransactions: 'empty' });
    expectError(await api(strict, 'GET', '/orders/ghost/transactions'), 404, 9005);
    const empty = await api(lenient, 'GET', '/orders/ghost/transactions');
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ transactions: [], count: 0 });
  });
});

describe('batches', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async function waitFor(s: RunningSimulator, jobId: number): Promise<any> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const st = await api(s, 'GET', `/batches/${jobId}/status`);
      if (st.body.status === 'completed' || st.body.status === 'failed') return st.body;
      if (Date.now() > deadline) throw new Error(`batch ${jobId} did not finish: ${JSON.stringify(st.body)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  it('accepts { body: [...] } and a bare array; runs items through the order rules; one bad item fails alone', async () => {
    const s = await sim({ batchDelayMs: 20 });
    const dup = order({ customerId: 'b1' });
    await api(s, 'POST', '/orders', dup);
    const good = order({ customerId: 'b2' });
    const accepted = await api(s, 'POST', '/batch/orders', { body: [good, dup, { customerId: 'b3' }] });
    expect(accepted.status).toBe(200);
    expect(typeof accepted.body.jobId).toBe('number');
    const pending = await api(s, 'GET', `/batches/${accepted.body.jobId as number}/status`);
    expect(pending.body.status).toBe('pending');
    const done = await waitFor(s, accepted.body.jobId);
    expect(done).toMatchObject({ totalItems: 3, processedItems: 3, failedItems: 2, progress: 100 });
    expect(done.results.map((r: { status: string; code?: number }) => [r.status, r.code])).toEqual([
      ['success', undefined],
      ['failed', 9004],
      ['failed', 3000],
    ]);
    const bare = await api(s, 'POST', '/batch/orders', [order({ customerId: 'b4' })]);
    expect((await waitFor(s, bare.body.jobId)).failedItems).toBe(0);
    const ledger = s.control.ledger();
    expect(ledger.orders.map((o) => [o.customerId, o.via])).toEqual([
      ['b1', 'orders'],
      ['b2', 'batch'],
      ['b4', 'batch'],
    ]);
  });

  it('batch items never link a referral (their schema has no referrerCode)', async () => {
    const s = await sim();
    await api(s, 'POST', '/customers', { customerId: 'owner' });
    const code = (await api(s, 'GET', '/customers/owner')).body.referralCode as string;
    const accepted = await api(s, 'POST', '/batch/orders', { body: [order({ customerId: 'batch-new', referrerCode: code })] });
    expect((await waitFor(s, accepted.body.jobId)).failedItems).toBe(0);
    expect(s.control.ledger().referrals).toEqual([]);
  });

  it('POST /batch/orders/transactions looks up up to 1,000 orders; unknown ones fail alone', async () => {
    const s = await sim();
    const known = order({ customerId: 'bt' });
    await api(s, 'POST', '/orders', known);
    const accepted = await api(s, 'POST', '/batch/orders/transactions', { body: [known.orderId, 'ghost'] });
    expect(accepted.status).toBe(200);
    const done = await waitFor(s, accepted.body.jobId);
    expect(done.results[0]).toMatchObject({
      orderId: known.orderId,
      status: 'success',
      count: 1,
      transactions: [expect.objectContaining({ transactionType: 'PaymentReward' })],
    });
    expect(done.results[1]).toMatchObject({ orderId: 'ghost', status: 'failed', code: 9005 });
    expectError(await api(s, 'POST', '/batch/orders/transactions', { body: [1, 2] }), 422, 3003);
    expectError(await api(s, 'POST', '/batch/orders/transactions', { body: [] }), 422, 3003);
    expect(s.control.ledger().orders).toHaveLength(1);
  });

  it('more than 1,000 items is refused with the limit and the count; empty or missing bodies too; an unknown job is 404', async () => {
    const s = await sim({ rateLimit: false });
    const many = Array.from({ length: 1001 }, (_, i) => order({ customerId: `m${i}` }));
    for (const body of [{ body: many }, many]) {
      const tooMany = await api(s, 'POST', '/batch/orders', body);
      expectError(tooMany, 422, 3003);
      expect(tooMany.body.message).toContain('at most 1,000 items; this one has 1,001');
    }
    const ids = await api(s, 'POST', '/batch/orders/transactions', { body: Array.from({ length: 1001 }, (_, i) => `o${i}`) });
    expectError(ids, 422, 3003);
    expect(ids.body.message).toContain('at most 1,000 items');
    expectError(await api(s, 'POST', '/batch/orders', { body: [] }), 422, 3003);
    expectError(await api(s, 'POST', '/batch/orders', {}), 400, 3000);
    expect(s.control.ledger().batches).toEqual([]);
    const accepted = await api(s, 'POST', '/batch/orders', { body: many.slice(0, 1000) });
    expect(accepted.status).toBe(200);
    expect((await waitFor(s, accepted.body.jobId)).processedItems).toBe(1000);
    expectError(await api(s, 'GET', '/batches/999999/status'), 404, 4004);
  });
});

describe('control API over HTTP (/_sim)', () => {
  it('ledger, faults, outage and reset', async () => {
    const s = await sim();
    await api(s, 'POST', '/orders', order({ customerId: 'ctl' }));
    const ledger = await call(s, 'GET', '/_sim/ledger');
    expect(ledger.status).toBe(200);
    expect(ledger.body.orders).toHaveLength(1);
    expect(ledger.body.counters.requests['POST /orders']).toBe(1);
    expect(ledger.body.counters.responses['200']).toBe(1);

    const faults = await call(s, 'POST', '/_sim/faults', { json: { latencyMs: 5, errorRate: 0, rateLimit: { perSecond: 2, per30s: 9 } } });
    expect(faults.body).toMatchObject({
      latencyMs: 5,
      errorRate: 0,
      rateLimit: { orders: { perSecond: 2, per30s: 9 }, customerReads: { perSecond: 100, per30s: 1200 } },
    });
    expect((await call(s, 'POST', '/_sim/faults', { json: { errorRate: 2 } })).status).toBe(400);
    expect((await call(s, 'POST', '/_sim/faults', { json: { bogus: 1 } })).status).toBe(400);

    expect((await call(s, 'POST', '/_sim/outage', { json: { on: true } })).status).toBe(200);
    expectError(await api(s, 'POST', '/orders', order({ customerId: 'ctl' })), 503, 5003);
    expect((await call(s, 'POST', '/_sim/outage', { json: { on: false } })).status).toBe(200);
    expect((await api(s, 'POST', '/orders', order({ customerId: 'ctl' }))).status).toBe(200);

    expect((await call(s, 'POST', '/_sim/reset', { json: {} })).status).toBe(200);
    const empty = s.control.ledger();
    expect(empty.orders).toEqual([]);
    expect(empty.counters.requests).toEqual({});
    expect((await call(s, 'GET', '/_sim/faults')).body).toMatchObject({
      latencyMs: 0,
      rateLimit: { orders: { perSecond: 30, per30s: 360 } },
      outage: { on: false },
    });
    expect((await call(s, 'GET', '/_sim/nothing')).status).toBe(404);
  });
});

describe('who can reach it: Host allow-list, JSON-only control, control token', () => {
  const customer = 'mobile_966500007777';

  it('answers only requests for its own Host (127.0.0.1:PORT, localhost:PORT): a rebound name gets 403 and nothing', async () => {
    const s = await sim();
    await api(s, 'POST', '/orders', order({ customerId: customer }));
    for (const host of [`evil.example:${s.port}`, 'evil.example', `127.0.0.1:${s.port + 1}`, `192.168.1.10:${s.port}`]) {
      const ledger = await call(s, 'GET', '/_sim/ledger', { headers: { Host: host } });
      expect(ledger.status, host).toBe(403);
      expect(JSON.stringify(ledger.body), host).not.toContain(customer);
      const read = await api(s, 'GET', `/customers/${customer}`, undefined, 'v4.0', { ...KEYS, Host: host });
      expect(read.status, host).toBe(403);
      expect(JSON.stringify(read.body), host).not.toContain('referralCode');
      expect((await api(s, 'POST', '/orders', order({ customerId: 'rebound' }), 'v4.0', { ...KEYS, Host: host })).status, host).toBe(403);
      expect((await call(s, 'POST', '/_sim/outage', { json: { on: true }, headers: { Host: host } })).status, host).toBe(403);
    }
    expect(s.control.ledger().orders).toHaveLength(1);
    expect(s.control.ledger().counters.requests['POST /orders']).toBe(1);
    expect((await call(s, 'GET', '/_sim/faults')).body).toMatchObject({ outage: { on: false } });
    expect((await call(s, 'GET', '/_sim/ledger', { headers: { Host: `localhost:${s.port}` } })).status).toBe(200);
    expect((await api(s, 'GET', `/customers/${customer}`, undefined, 'v4.0', { ...KEYS, Host: `LOCALHOST:${s.port}` })).status).toBe(200);
  });

  it('checkHost: false answers any Host (a client that reaches it under another name)', async () => {
    const s = await sim({ checkHost: false });
    expect((await call(s, 'GET', '/_sim/ledger', { headers: { Host: 'sim.internal:80' } })).status).toBe(200);
  });

  it.each([
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'text/plain; a=application/json',
    undefined,
  ])('refuses a control POST sent as %s (what a web page may send across sites unasked): 415, nothing changes', async (type) => {
    const s = await sim();
    // No type at all: an empty header (the test client would add application/json otherwise).
    const headers: Record<string, string> = { 'content-type': type ?? '' };
    const outage = await call(s, 'POST', '/_sim/outage', { raw: '{"on":true}', headers });
    expect(outage.status).toBe(415);
    expect((await call(s, 'POST', '/_sim/faults', { raw: '{"errorRate":1}', headers })).status).toBe(415);
    await api(s, 'POST', '/orders', order({ customerId: customer }));
    expect((await call(s, 'POST', '/_sim/reset', { raw: '{}', headers })).status).toBe(415);
    expect(s.control.ledger().orders).toHaveLength(1);
    expect((await call(s, 'GET', '/_sim/faults')).body).toMatchObject({ errorRate: 0, outage: { on: false } });
  });

  it('with a control token, the control API needs it (Authorization: Bearer); the Gameball API still needs its keys', async () => {
    const token = 'control-token-0123456789abcdef';
    const s = await sim({ controlToken: token });
    await api(s, 'POST', '/orders', order({ customerId: customer }));
    for (const auth of [undefined, 'Bearer wrong', `Bearer ${token}x`, `Bearer ${token.slice(0, -1)}`, token, `Basic ${token}`]) {
      const headers: Record<string, string> = auth === undefined ? {} : { Authorization: auth };
      const ledger = await call(s, 'GET', '/_sim/ledger', { headers });
      expect(ledger.status, auth).toBe(401);
      expect(JSON.stringify(ledger.body), auth).not.toContain(customer);
      expect((await call(s, 'POST', '/_sim/outage', { json: { on: true }, headers })).status, auth).toBe(401);
    }
    expect((await call(s, 'GET', '/_sim/faults', { headers: { Authorization: `Bearer ${token}` } })).body).toMatchObject({
      outage: { on: false },
    });
    expect((await call(s, 'GET', '/_sim/ledger', { headers: { Authorization: `bearer ${token}` } })).body.orders).toHaveLength(1);
    // The token does not stand in for the keys.
    expect((await api(s, 'GET', `/customers/${customer}`, undefined, 'v4.0', { Authorization: `Bearer ${token}` })).status).toBe(401);
  });

  it('refuses a control token too short to be secret', async () => {
    await expect(sim({ controlToken: 'short' })).rejects.toThrow(/at least 16/);
  });
});
