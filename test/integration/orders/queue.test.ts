import { afterEach, describe, expect, it } from 'vitest';
import { gameballRefuses, refusal, synced, tillFixture } from '../../support/till-fixture.ts';
import type { TillFixture } from '../../support/till-fixture.ts';

let till: TillFixture;
afterEach(() => till?.close());

const DAY = 86_400_000;

/** RFC 4180 reader for the assertions (quoted fields, doubled quotes, commas and newlines inside quotes). */
function parse(text: string, _opts: { columns: true }): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') endField();
    else if (ch === '\n') {
      endField();
      rows.push(row);
      row = [];
    } else if (ch !== '\r') field += ch;
  }
  if (field !== '' || row.length > 0) {
    endField();
    rows.push(row);
  }
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries((header ?? []).map((h, i) => [h, r[i] ?? ''])));
}

describe('list and get', () => {
  it('pages newest first and searches by order id, customer, mobile (any form) and receipt', () => {
    till = tillFixture();
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) {
      till.clock.advance(1000);
      ids.push(
        till.orders.captureOrder({ mobile: `05000012${String(i).padStart(2, '0')}`, totalPaidMinor: 100, receiptNo: `RCPT-${i}` }).orderId,
      );
    }
    const page1 = till.queue.list({ offset: 0, limit: 10 });
    expect(page1.total).toBe(25);
    expect(page1.rows.map((r) => r.orderId)).toEqual(ids.slice(-10).reverse());
    expect(till.queue.list({ offset: 20, limit: 10 }).rows.map((r) => r.orderId)).toEqual(ids.slice(0, 5).reverse());
    expect(till.queue.list({ search: 'RCPT-7', offset: 0, limit: 10 }).rows.map((r) => r.receiptNo)).toEqual(['RCPT-7']);
    expect(till.queue.list({ search: '050 000 1203', offset: 0, limit: 10 }).rows.map((r) => r.mobile)).toEqual(['+966500001203']);
    expect(till.queue.list({ search: 'mobile_966500001211', offset: 0, limit: 10 }).total).toBe(1);
    expect(till.queue.list({ search: ids[4]!, offset: 0, limit: 10 }).rows[0]?.orderId).toBe(ids[4]);
    expect(till.queue.list({ search: '%', offset: 0, limit: 10 }).total).toBe(0);
    expect(till.queue.list({ state: 'synced', offset: 0, limit: 10 }).total).toBe(0);
  });

  it('get returns line items, refunds, outbox rows and the call log of the order and its refunds', () => {
    till = tillFixture();
    const o = till.orders.captureOrder({
      mobile: '0500001234',
      totalPaidMinor: 1000,
      referrerCode: 'FRIEND1',
      lineItems: [{ productId: 'p', priceMinor: 1000 }],
    });
    const r = till.orders.captureRefund({ orderId: o.orderId, amountMinor: 200 });
    till.db
      .prepare(
        "INSERT INTO sync_log (outbox_id, entity_id, method, path, http_status, gameball_code, message, outcome, at) VALUES (1, ?, 'POST', '/customers', 500, 5000, 'boom', 'retry', 'x')",
      )
      .run(o.orderId);
    till.db
      .prepare(
        "INSERT INTO sync_log (outbox_id, entity_id, method, path, outcome, at) VALUES (3, ?, 'POST', '/transactions/refund', 'ok', 'y')",
      )
      .run(r.refundId);
    const d = till.queue.get(o.orderId);
    expect(d?.lineItems).toEqual([{ productId: 'p', quantity: 1, priceMinor: 1000 }]);
    expect(d?.refunds.map((x) => x.refundId)).toEqual([r.refundId]);
    expect(d?.outbox.map((x) => x.kind)).toEqual(['register_customer', 'track_order', 'refund']);
    expect(d?.syncLog.map((x) => x.outcome)).toEqual(['retry', 'ok']);
    expect(till.queue.get('missing')).toBeUndefined();
  });
});

describe('retry', () => {
  it('moves needs-attention back to pending with its outbox rows due now', () => {
    till = tillFixture();
    const a = till.orders.captureOrder({ customerId: 'a', totalPaidMinor: 100 });
    const b = till.orders.captureOrder({ customerId: 'b', totalPaidMinor: 100 });
    const c = till.orders.captureOrder({ customerId: 'c', totalPaidMinor: 100 });
    gameballRefuses(till, a.orderId);
    gameballRefuses(till, b.orderId);
    till.clock.advance(5000);
    expect(till.queue.retry({ orderId: a.orderId })).toBe(1);
    expect(till.queue.get(a.orderId)).toMatchObject({ state: 'pending', attentionCode: null, attentionMessage: null });
    expect(till.rows('SELECT state, next_attempt_at FROM outbox WHERE entity_id = ?', a.orderId)).toEqual([
      { state: 'pending', next_attempt_at: till.clock.now() },
    ]);
    expect(till.queue.retry({ orderId: c.orderId })).toBe(0);
    expect(till.queue.retry({ all: true })).toBe(1);
    expect(till.queue.get(b.orderId)?.state).toBe('pending');
    expect(refusal(() => till.queue.retry({ orderId: 'nope' })).code).toBe('ORDER_NOT_FOUND');
  });
});

describe('editAndResend', () => {
  it('re-validates the corrected order, keeps its id and date, and replaces its unsent calls', () => {
    till = tillFixture();
    const o = till.orders.captureOrder({ mobile: '0500001234', totalPaidMinor: 1000, referrerCode: 'FRIEND1' });
    gameballRefuses(till, o.orderId, '7003', 'Referral code not found');
    till.clock.advance(60_000);
    expect(refusal(() => till.queue.editAndResend(o.orderId, { totalPaidMinor: 100_000_000_001 })).code).toBe('INVALID_AMOUNT');
    // A decimal is refused as on capture: the engine takes minor units only.
    expect(refusal(() => till.queue.editAndResend(o.orderId, { totalPaid: '12.5' }))).toMatchObject({
      code: 'INVALID_INPUT',
      field: 'totalPaid',
    });
    expect(refusal(() => till.queue.editAndResend(o.orderId, { lineItems: [{ productId: 'p', price: '12.5' }] }))).toMatchObject({
      code: 'INVALID_INPUT',
      field: 'lineItems.0.price',
    });
    expect(till.queue.get(o.orderId)?.state).toBe('attention');

    const v = till.queue.editAndResend(o.orderId, { referrerCode: null, totalPaidMinor: 1250, name: 'Fixed Name' });
    expect(v).toMatchObject({
      orderId: o.orderId,
      orderDate: o.orderDate,
      state: 'pending',
      referrerCode: null,
      totalPaidMinor: 1250,
      name: 'Fixed Name',
      attentionCode: null,
    });
    const outbox = till.rows<{ kind: string; state: string }>('SELECT kind, state FROM outbox WHERE entity_id = ? ORDER BY id', o.orderId);
    expect(outbox).toEqual([
      { kind: 'register_customer', state: 'discarded' },
      { kind: 'track_order', state: 'discarded' },
      { kind: 'track_order', state: 'pending' },
    ]);
  });

  it('a corrected mobile moves a mobile-derived customer id with it; an explicit id stays', () => {
    till = tillFixture();
    const o = till.orders.captureOrder({ mobile: '0500001234', totalPaidMinor: 1000 });
    gameballRefuses(till, o.orderId);
    expect(till.queue.editAndResend(o.orderId, { mobile: '0500009999' })).toMatchObject({
      customerId: 'mobile_966500009999',
      mobile: '+966500009999',
    });
    expect(till.rows("SELECT customer_id FROM outbox WHERE entity_id = ? AND state = 'pending'", o.orderId)).toEqual([
      { customer_id: 'mobile_966500009999' },
    ]);
    const e = till.orders.captureOrder({ customerId: 'CUST-1', mobile: '0500001111', totalPaidMinor: 1000 });
    gameballRefuses(till, e.orderId);
    expect(till.queue.editAndResend(e.orderId, { mobile: '0500002222' })).toMatchObject({ customerId: 'CUST-1', mobile: '+966500002222' });
  });

  it('applies the referral rules again, and only works on orders in needs-attention', () => {
    till = tillFixture();
    till.orders.captureOrder({ customerId: 'known', totalPaidMinor: 100 });
    const o = till.orders.captureOrder({ customerId: 'other', totalPaidMinor: 100 });
    expect(refusal(() => till.queue.editAndResend(o.orderId, { totalPaidMinor: 200 })).code).toBe('NOT_IN_ATTENTION');
    gameballRefuses(till, o.orderId);
    expect(refusal(() => till.queue.editAndResend(o.orderId, { customerId: 'known', referrerCode: 'FRIEND1' })).code).toBe(
      'REFERRAL_NOT_FIRST_PURCHASE',
    );
    // Its own earlier capture does not make the customer "known" to itself.
    expect(till.queue.editAndResend(o.orderId, { referrerCode: 'FRIEND1' }).referrerCode).toBe('FRIEND1');
    expect(refusal(() => till.queue.editAndResend('missing', {})).code).toBe('ORDER_NOT_FOUND');
  });
});

describe('discard', () => {
  it('keeps the reason, discards its unsent calls and its unsynced refunds', () => {
    till = tillFixture();
    const o = till.orders.captureOrder({ customerId: 'a', totalPaidMinor: 1000 });
    const r = till.orders.captureRefund({ orderId: o.orderId, amountMinor: 100 });
    gameballRefuses(till, o.orderId);
    expect(refusal(() => till.queue.discard(o.orderId, '  ')).code).toBe('INVALID_INPUT');
    const v = till.queue.discard(o.orderId, 'customer cancelled the sale');
    expect(v).toMatchObject({ state: 'discarded', discardReason: 'customer cancelled the sale', attentionCode: '3016' });
    expect(till.rows('SELECT DISTINCT state FROM outbox')).toEqual([{ state: 'discarded' }]);
    expect(till.rows('SELECT state, discard_reason FROM refunds WHERE refund_id = ?', r.refundId)).toEqual([
      { state: 'discarded', discard_reason: 'order discarded: customer cancelled the sale' },
    ]);
  });

  it('refuses synced orders, and orders being sent or whose last send is unconfirmed', () => {
    till = tillFixture();
    const s = till.orders.captureOrder({ customerId: 'a', totalPaidMinor: 100 });
    synced(till, s.orderId, '2025-03-01T09:00:01.000Z');
    expect(refusal(() => till.queue.discard(s.orderId, 'x')).code).toBe('ALREADY_SYNCED');
    const f = till.orders.captureOrder({ customerId: 'b', totalPaidMinor: 100 });
    till.db.prepare("UPDATE outbox SET state = 'in_flight', lease_owner = 'e1' WHERE entity_id = ?").run(f.orderId);
    expect(refusal(() => till.queue.discard(f.orderId, 'x')).code).toBe('ORDER_IN_FLIGHT');
    const u = till.orders.captureOrder({ customerId: 'c', totalPaidMinor: 100 });
    till.db.prepare('UPDATE outbox SET unknown_outcome = 1 WHERE entity_id = ?').run(u.orderId);
    expect(refusal(() => till.queue.discard(u.orderId, 'x')).code).toBe('ORDER_IN_FLIGHT');
    expect(till.queue.get(u.orderId)?.state).toBe('pending');
  });
});

describe('export', () => {
  it('writes CSV with a header and one row per order of the state, and JSON with line items and refunds', () => {
    till = tillFixture();
    const a = till.orders.captureOrder({
      mobile: '0500001234',
      name: 'Comma, "Quoted"',
      totalPaidMinor: 1000,
      lineItems: [{ productId: 'p', priceMinor: 1000 }],
    });
    const b = till.orders.captureOrder({ customerId: 'b', totalPaidMinor: 2500, currency: 'KWD' });
    gameballRefuses(till, b.orderId);
    const csv = till.queue.exportOrders({ state: 'all', format: 'csv' });
    const records = parse(csv, { columns: true }) as Record<string, string>[];
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      orderId: a.orderId,
      name: 'Comma, "Quoted"',
      totalPaid: '10.00',
      currency: 'SAR',
      state: 'pending',
      training: '0',
    });
    expect(records[1]).toMatchObject({ orderId: b.orderId, totalPaid: '2.500', state: 'attention', attentionCode: '3016' });
    const attention = parse(till.queue.exportOrders({ state: 'attention', format: 'csv' }), { columns: true }) as Record<string, string>[];
    expect(attention.map((r) => r.orderId)).toEqual([b.orderId]);
    const json = JSON.parse(till.queue.exportOrders({ state: 'pending', format: 'json' })) as {
      orderId: string;
      lineItems: unknown[];
      refunds: unknown[];
    }[];
    expect(json.map((o) => o.orderId)).toEqual([a.orderId]);
    expect(json[0]?.lineItems).toEqual([{ productId: 'p', quantity: 1, priceMinor: 1000 }]);
  });
});

describe('export: formulas', () => {
  it('neutralises every text cell a spreadsheet would run as a formula; our own numbers stay numbers', () => {
    till = tillFixture();
    const a = till.orders.captureOrder({
      mobile: '0500001234',
      name: '=HYPERLINK("http://x","y")',
      totalPaidMinor: 1000,
      receiptNo: "+cmd|' /C calc'!A0",
    });
    const b = till.orders.captureOrder({
      customerId: '@SUM(1+1)*cmd',
      totalPaidMinor: 1250,
      receiptNo: "-2+3+cmd|' /C calc'!A0",
      referrerCode: '-REF1',
    });
    gameballRefuses(till, b.orderId, '3003', '\t=1+1');
    till.db.prepare('UPDATE orders SET rewarded_points = -5 WHERE order_id = ?').run(a.orderId);
    const records = parse(till.queue.exportOrders({ state: 'all', format: 'csv' }), { columns: true });
    expect(records[0]).toMatchObject({
      name: '\'=HYPERLINK("http://x","y")',
      receiptNo: "'+cmd|' /C calc'!A0",
      mobile: '+966500001234',
      totalPaid: '10.00',
      rewardedPoints: '-5',
    });
    expect(records[1]).toMatchObject({
      customerId: "'@SUM(1+1)*cmd",
      receiptNo: "'-2+3+cmd|' /C calc'!A0",
      referrerCode: "'-REF1",
      attentionMessage: "'\t=1+1",
      totalPaid: '12.50',
    });
    // No cell of the CSV starts with a formula character unless it is one of our own numbers.
    for (const r of records) {
      for (const [column, value] of Object.entries(r)) {
        if (/^[=+\-@\t\r]/.test(value))
          expect(['mobile', 'totalPaid', 'totalPrice', 'rewardedPoints'], `${column}: ${value}`).toContain(column);
      }
    }
    // JSON is data, not a sheet: kept exactly as stored.
    const json = JSON.parse(till.queue.exportOrders({ state: 'all', format: 'json' })) as { name: string | null }[];
    expect(json[0]?.name).toBe('=HYPERLINK("http://x","y")');
  });
});

describe('retention', () => {
  it('prunes synced orders older than N days with their calls and log; never pending or needs-attention ones', () => {
    till = tillFixture();
    const old = till.orders.captureOrder({ customerId: 'a', totalPaidMinor: 500 });
    const oldWithOpenRefund = till.orders.captureOrder({ customerId: 'b', totalPaidMinor: 500 });
    const pending = till.orders.captureOrder({ customerId: 'c', totalPaidMinor: 500 });
    const attention = till.orders.captureOrder({ customerId: 'd', totalPaidMinor: 500 });
    synced(till, old.orderId, '2025-03-01T09:00:00.000Z');
    synced(till, oldWithOpenRefund.orderId, '2025-03-01T09:00:00.000Z');
    till.orders.captureRefund({ orderId: oldWithOpenRefund.orderId });
    gameballRefuses(till, attention.orderId);
    till.clock.advance(200 * DAY);
    const recent = till.orders.captureOrder({ customerId: 'e', totalPaidMinor: 500 });
    synced(till, recent.orderId, new Date(till.clock.now()).toISOString());

    expect(till.queue.prune(90)).toBe(1);
    const left = till.rows<{ order_id: string }>('SELECT order_id FROM orders ORDER BY created_at').map((r) => r.order_id);
    expect(left).toEqual([oldWithOpenRefund.orderId, pending.orderId, attention.orderId, recent.orderId]);
    expect(till.rows('SELECT * FROM outbox WHERE entity_id = ?', old.orderId)).toEqual([]);
    expect(till.rows('SELECT * FROM sync_log WHERE entity_id = ?', old.orderId)).toEqual([]);
    expect(till.queue.prune(90)).toBe(0);
  });
});
