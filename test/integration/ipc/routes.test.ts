// The router on a real engine and database: the screen's requests, as the contract parses them,
// reach the engine as they are, and the engine's answers leave as the contract's shapes, money in
// the minor units the screen sent. No conversion sits between the two: decimal text appears only
// in the export file (and on the screen, which formats minor units itself).
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { routedTill } from '../../support/routed-till.ts';
import { CHANNELS, type ChannelName, type ResponseOf } from '../../../preload/api.ts';

let cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function till() {
  const r = await routedTill('pos-routes-');
  cleanups.push(() => r.cleanup());
  const { engine, call } = r;
  /** A call that must succeed: its answer, as the contract's response schema reads it. */
  const ok = async <C extends ChannelName>(channel: C, request?: unknown) => {
    const r = await call(channel, request);
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (!r.ok) throw new Error(r.error.message);
    // (The compiler cannot narrow a schema looked up by a generic channel name: the cast names what parse gives.)
    return CHANNELS[channel].response.parse(r.value) as ResponseOf<C>;
  };
  /** Writes to the database as the sync would (a second connection, as another process does). */
  const sql = (text: string, ...params: unknown[]) => {
    const db = new BetterSqlite3(join(r.dir, 'pos-companion.db'));
    try {
      db.prepare(text).run(...params);
    } finally {
      db.close();
    }
  };
  return { engine, call, ok, sql };
}

const SAR = { customer: { mobile: '0500001234' }, currency: 'SAR', totalPaidMinor: 12550 };

describe('screen -> engine: the contract request goes in as it is', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>, string]>([
    ['a mobile-only capture in SAR', SAR, { mobile: '+966500001234', currency: 'SAR', totalPaidMinor: 12550 }, '125.50'],
    [
      'KWD has three decimals',
      { customer: { customerId: 'mobile_96550000000' }, currency: 'KWD', totalPaidMinor: 1500 },
      { customerId: 'mobile_96550000000', currency: 'KWD', totalPaidMinor: 1500 },
      '1.500',
    ],
    [
      'JPY has none',
      { customer: { customerId: 'cust-jp-1' }, currency: 'JPY', totalPaidMinor: 980 },
      { currency: 'JPY', totalPaidMinor: 980 },
      '980',
    ],
  ])(
    'capture: %s is stored in those minor units, and the export file reads them in the currency',
    async (_what, req, expected, decimal) => {
      const { ok } = await till();
      const captured = await ok('orders:capture', req);
      expect(captured).toMatchObject(expected);
      expect(await ok('orders:get', { orderId: captured.orderId })).toMatchObject(expected);
      const csv = (await ok('orders:export', { format: 'csv' })).content;
      expect(csv.split('\n')[1]).toContain(`,${decimal},`);
    },
  );

  it('capture: every optional field arrives, every amount in minor units', async () => {
    const { ok } = await till();
    const clientRef = '5f0c7f0e-1b7a-4b3e-9a51-3d2f1c0b9e11';
    const captured = await ok('orders:capture', {
      customer: { mobile: '+966500001234', customerId: 'mobile_966500001234', name: 'Sara', email: 'sara@example.com' },
      currency: 'SAR',
      totalPaidMinor: 9000,
      totalPriceMinor: 10000,
      totalDiscountMinor: 1000,
      totalTaxMinor: 0,
      totalShippingMinor: 5,
      lineItems: [{ productId: 'p1', title: 'Tea', sku: 'T-1', category: ['drinks'], quantity: 2, priceMinor: 5000 }],
      receiptNo: 'R-9',
      referrerCode: 'REF123456',
      clientRef,
    });
    expect(captured).toMatchObject({
      name: 'Sara',
      email: 'sara@example.com',
      totalPaidMinor: 9000,
      receiptNo: 'R-9',
      referrerCode: 'REF123456',
      replayed: false,
    });
    const detail = await ok('orders:get', { orderId: captured.orderId });
    expect(detail).toMatchObject({ totalPriceMinor: 10000, totalDiscountMinor: 1000, totalTaxMinor: 0, totalShippingMinor: 5 });
    expect(detail?.lineItems).toEqual([{ productId: 'p1', title: 'Tea', sku: 'T-1', quantity: 2, priceMinor: 5000 }]);
  });

  it('line item prices are the unit price in minor units', async () => {
    const { ok } = await till();
    const captured = await ok('orders:capture', {
      ...SAR,
      totalPaidMinor: 1,
      lineItems: [{ productId: 'p', quantity: 3, priceMinor: 199 }],
    });
    expect((await ok('orders:get', { orderId: captured.orderId }))?.lineItems).toEqual([{ productId: 'p', quantity: 3, priceMinor: 199 }]);
  });

  it('a replayed capture and a replayed refund say so', async () => {
    const { ok } = await till();
    const first = await ok('orders:capture', { ...SAR, clientRef: 'order-ref-0001' });
    const again = await ok('orders:capture', { ...SAR, clientRef: 'order-ref-0001' });
    expect(again).toMatchObject({ orderId: first.orderId, replayed: true });
    const refund = await ok('refunds:capture', { orderId: first.orderId, amountMinor: 1000, clientRef: 'refund-ref-0001' });
    expect(refund).toMatchObject({ amountMinor: 1000, replayed: false });
    expect(await ok('refunds:capture', { orderId: first.orderId, amountMinor: 1000, clientRef: 'refund-ref-0001' })).toMatchObject({
      refundId: refund.refundId,
      replayed: true,
    });
  });

  it('a refund keeps its minor units and its clientRef; a clientRef the engine would refuse is refused at the door', async () => {
    const { ok, call } = await till();
    const order = await ok('orders:capture', SAR);
    const partial = await ok('refunds:capture', { orderId: order.orderId, amountMinor: 1250, clientRef: 'refund-ref-0001' });
    expect(partial).toMatchObject({ orderId: order.orderId, amountMinor: 1250, currency: 'SAR' });
    // No amount: the engine refunds what is left of the order.
    const rest = await ok('refunds:capture', { orderId: order.orderId });
    expect(rest.amountMinor).toBe(12550 - 1250);
    for (const ref of ['short', 'has space in it', 'x'.repeat(65), 'ref/with/slashes']) {
      expect(await call('refunds:capture', { orderId: order.orderId, clientRef: ref }), ref).toMatchObject({
        ok: false,
        error: { code: 'invalid-request', field: 'clientRef' },
      });
    }
    const detail = await ok('orders:get', { orderId: order.orderId });
    expect(detail?.refunds.map((r) => r.amountMinor)).toEqual([1250, 12550 - 1250]);
  });

  it('an edit patch reaches the engine: the amount in minor units, null removes the referral code', async () => {
    const { ok, sql } = await till();
    const order = await ok('orders:capture', { ...SAR, referrerCode: 'REF123456' });
    sql("UPDATE orders SET state = 'attention' WHERE order_id = ?", order.orderId);
    const patch = { mobile: '0500001234', name: 'Sara', email: 'a@b.co', totalPaidMinor: 1001, receiptNo: 'R1', referrerCode: null };
    const edited = await ok('orders:edit-resend', { orderId: order.orderId, patch });
    expect(edited).toMatchObject({
      orderId: order.orderId,
      name: 'Sara',
      email: 'a@b.co',
      totalPaidMinor: 1001,
      receiptNo: 'R1',
      referrerCode: null,
      state: 'pending',
    });
  });

  it('an edit of an order that does not exist is not-found', async () => {
    const { call } = await till();
    expect(await call('orders:edit-resend', { orderId: 'till-1-000404', patch: { totalPaidMinor: 1 } })).toMatchObject({
      ok: false,
      error: { code: 'not-found', field: 'orderId' },
    });
  });

  it('a referral check, and list and export queries, are taken by the engine as the contract gives them', async () => {
    const { ok } = await till();
    expect(await ok('referrals:check', { customer: { mobile: '0500001234' }, referrerCode: 'REF123456' })).toMatchObject({
      referrerCode: 'REF123456',
    });
    await ok('orders:capture', SAR);
    expect(await ok('orders:list', { state: 'attention', search: 'x' })).toEqual({ total: 0, rows: [] });
    expect((await ok('orders:list', {})).total).toBe(1);
    expect((await ok('orders:export', {})).mimeType).toBe('text/csv;charset=utf-8');
  });

  it('every settings patch the contract allows is taken by the engine', async () => {
    const { ok } = await till();
    const settings = await ok('settings:update', {
      tillId: 'till-7',
      storeId: 's1',
      storeName: 'Olaya',
      branchId: null,
      branchName: null,
      currency: 'KWD',
      country: 'KW',
      apiVersion: 'v4.1',
      language: 'ar',
      referralParams: ['ref'],
      customerIdPrefixes: ['mobile_'],
      receiptPattern: '^R-\\d+$',
      scanner: { mode: 'hidpos', deviceId: '0c2e:0b61' },
      kiosk: true,
      startAtLogin: false,
    });
    expect(settings).toMatchObject({
      tillId: 'till-7',
      currency: 'KWD',
      country: 'KW',
      apiVersion: 'v4.1',
      scanner: { mode: 'hidpos', deviceId: '0c2e:0b61' },
      kiosk: true,
    });
    // A patch of one scanner field keeps the other.
    expect((await ok('settings:update', { scanner: { mode: 'keyboard' } })).scanner).toEqual({
      mode: 'keyboard',
      deviceId: '0c2e:0b61',
      prefix: null,
      suffix: null,
    });
  });
});

describe('engine -> screen: the engine answers in the contract shapes', () => {
  it('a captured order says whether it registers a new customer', async () => {
    const { ok } = await till();
    expect((await ok('orders:capture', SAR)).newCustomer).toBe(true);
    expect((await ok('orders:capture', { ...SAR, receiptNo: 'R-2' })).newCustomer).toBe(false);
  });

  it('an order detail carries its totals in minor units, its refunds and its sync log; an unknown order is null', async () => {
    const { ok, sql } = await till();
    const order = await ok('orders:capture', { ...SAR, totalPaidMinor: 12550, totalPriceMinor: 13000, totalDiscountMinor: 450 });
    await ok('refunds:capture', { orderId: order.orderId, amountMinor: 1000 });
    sql(
      "INSERT INTO sync_log (outbox_id, entity_id, method, path, http_status, gameball_code, message, request_id, outcome, duration_ms, at) VALUES (1, ?, 'POST', '/orders', 422, 7003, 'Referral code not found', 'r1', 'attention', 40, ?)",
      order.orderId,
      order.createdAt,
    );
    const detail = await ok('orders:get', { orderId: order.orderId });
    expect(detail).toMatchObject({
      totalPaidMinor: 12550,
      totalPriceMinor: 13000,
      totalDiscountMinor: 450,
      totalTaxMinor: null,
      totalShippingMinor: null,
    });
    expect(detail?.refunds[0]?.amountMinor).toBe(1000);
    expect(detail?.syncLog[0]).toEqual({
      at: order.createdAt,
      method: 'POST',
      path: '/orders',
      httpStatus: 422,
      gameballCode: 7003,
      message: 'Referral code not found',
      requestId: 'r1',
      outcome: 'attention',
      durationMs: 40,
    });
    expect(await ok('orders:get', { orderId: 'till-1-000404' })).toBeNull();
  });

  it('the status carries Gameball error codes as text, and never the id of the order they were about', async () => {
    const { ok, sql } = await till();
    const order = await ok('orders:capture', SAR);
    sql(
      "INSERT INTO sync_log (outbox_id, entity_id, method, path, http_status, gameball_code, message, request_id, outcome, duration_ms, at) VALUES (1, ?, 'POST', '/orders', 500, 5000, 'Server error', NULL, 'retry', 10, 'x')",
      order.orderId,
    );
    const status = await ok('status:get');
    expect(status.lastError).toEqual({ at: 'x', message: 'Server error', code: '5000' });
    expect(status.counts.pending).toBe(1);
    // A failure with no Gameball code (no answer at all) carries no code. (Only the outcomes the
    // engine records count: retry, attention, unknown; see main/sync/status.ts.)
    sql(
      "INSERT INTO sync_log (outbox_id, entity_id, method, path, http_status, gameball_code, message, request_id, outcome, duration_ms, at) VALUES (NULL, NULL, 'GET', '/ping', NULL, NULL, 'Offline', NULL, 'unknown', NULL, 'y')",
    );
    expect((await ok('status:get')).lastError).toEqual({ at: 'y', message: 'Offline' });
  });

  it('settings show the scanner grouped, whether keys are set, and nothing the contract does not name', async () => {
    const { ok } = await till();
    await ok('settings:set-keys', { apiKey: 'gb-api-key-5f3c9a7e21' });
    await ok('settings:set-store-pin', { pin: '48260193' });
    const settings = await ok('settings:get');
    expect(settings.scanner).toEqual({ mode: 'auto', deviceId: null, prefix: null, suffix: null });
    expect(settings.keys).toEqual({ apiKeySet: true, secretKeySet: false });
    expect(settings.storePinSet).toBe(true);
    expect(settings).not.toHaveProperty('apiBaseUrl');
    expect(JSON.stringify(settings)).not.toContain('gb-api-key-5f3c9a7e21');
  });
});
