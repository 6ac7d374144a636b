import { afterEach, describe, expect, it } from 'vitest';
import { formatMinor } from '../../../main/orders/money.ts';
import { refusal, tillFixture } from '../../support/till-fixture.ts';
import type { TillFixture } from '../../support/till-fixture.ts';

let till: TillFixture;
afterEach(() => till?.close());

const count = (t: TillFixture, table: string) => t.rows<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`)[0]?.n ?? -1;

describe('captureOrder', () => {
  it('commits the order and its outbox row; both are on disk after a restart', () => {
    till = tillFixture({ settings: { tillId: 'till-a1', storeId: 'store-9', branchId: 'br-2' } });
    const o = till.orders.captureOrder({
      mobile: '050 000 1234',
      name: 'Sara',
      email: 'sara@example.com',
      totalPaidMinor: 12550,
      totalPriceMinor: 15000,
      receiptNo: 'R-77',
    });
    expect(o).toMatchObject({
      customerId: 'mobile_966500001234',
      mobile: '+966500001234',
      currency: 'SAR',
      totalPaidMinor: 12550,
      state: 'pending',
      tillId: 'till-a1',
      storeId: 'store-9',
      branchId: 'br-2',
      training: false,
      calls: ['track_order'],
      newCustomer: true,
      orderDate: '2025-03-01T09:00:00.000Z',
    });
    expect(o.orderId).toMatch(/^till-a1-[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Minor units throughout; they read back as the amounts typed.
    expect(formatMinor(o.totalPaidMinor, o.currency)).toBe('125.50');
    const detail = till.queue.get(o.orderId);
    expect(detail?.totalPriceMinor).toBe(15000);
    expect(formatMinor(detail?.totalPriceMinor ?? 0, o.currency)).toBe('150.00');
    expect(till.changes.n).toBe(1);

    till = till.reopen();
    const stored = till.rows<Record<string, unknown>>('SELECT * FROM orders');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      order_id: o.orderId,
      total_paid_minor: 12550,
      total_price_minor: 15000,
      receipt_no: 'R-77',
      name: 'Sara',
      state: 'pending',
    });
    const outbox = till.rows<Record<string, unknown>>('SELECT * FROM outbox');
    expect(outbox).toEqual([
      expect.objectContaining({
        kind: 'track_order',
        entity_id: o.orderId,
        customer_id: 'mobile_966500001234',
        state: 'pending',
        attempts: 0,
        next_attempt_at: till.clock.now(),
      }),
    ]);
  });

  it('stores amounts in the currency minor units (KWD 3 decimals, JPY none) and line items in minor units', () => {
    till = tillFixture();
    const kwd = till.orders.captureOrder({
      customerId: 'cust-1',
      currency: 'kwd',
      totalPaidMinor: 10125,
      lineItems: [{ productId: 'p1', quantity: 2, priceMinor: 5062, sku: 'S1', discountMinor: 1 }],
    });
    expect(kwd).toMatchObject({ currency: 'KWD', totalPaidMinor: 10125 });
    // The view carries minor units only; they read back as the amount typed, in KWD's 3 decimals.
    expect(formatMinor(kwd.totalPaidMinor, kwd.currency)).toBe('10.125');
    const row = till.rows<{ line_items_json: string }>('SELECT line_items_json FROM orders WHERE order_id = ?', kwd.orderId)[0];
    expect(JSON.parse(row?.line_items_json ?? 'null')).toEqual([
      { productId: 'p1', quantity: 2, priceMinor: 5062, sku: 'S1', discountMinor: 1 },
    ]);
    expect(till.orders.captureOrder({ customerId: 'cust-2', currency: 'JPY', totalPaidMinor: 1500 }).totalPaidMinor).toBe(1500);
  });

  it('accepts the screen form: a nested customer and amounts already in minor units', () => {
    till = tillFixture();
    const o = till.orders.captureOrder({
      customer: { mobile: '0500001234', name: 'Ali' },
      currency: 'SAR',
      totalPaidMinor: 9900,
      lineItems: [{ productId: 'x', quantity: 1, priceMinor: 9900 }],
    });
    expect(o).toMatchObject({ customerId: 'mobile_966500001234', name: 'Ali', totalPaidMinor: 9900 });
    expect(formatMinor(o.totalPaidMinor, o.currency)).toBe('99.00');
  });

  it.each([
    [{ totalPaidMinor: 1000 }, 'INVALID_INPUT', 'mobile'],
    [{ mobile: '12', totalPaidMinor: 1000 }, 'INVALID_MOBILE', 'mobile'],
    [{ customerId: 'a b', totalPaidMinor: 1000 }, 'INVALID_CUSTOMER_ID', 'customerId'],
    // Decimal text is the CLI's to convert (its refusals: test/unit/cli/amounts.test.ts); here, minor units.
    [{ customerId: 'c', totalPaidMinor: -500 }, 'INVALID_INPUT', 'totalPaidMinor'],
    [{ customerId: 'c', totalPaidMinor: 1000.1 }, 'INVALID_INPUT', 'totalPaidMinor'],
    [{ customerId: 'c', totalPaidMinor: 'abc' }, 'INVALID_INPUT', 'totalPaidMinor'],
    [{ customerId: 'c', totalPaidMinor: 100_000_000_001 }, 'INVALID_AMOUNT', 'totalPaidMinor'],
    [{ customerId: 'c' }, 'INVALID_INPUT', 'totalPaidMinor'],
    [{ customerId: 'c', totalPaid: '10', totalPaidMinor: 1000 }, 'INVALID_INPUT', 'totalPaid'],
    [{ customerId: 'c', totalPaidMinor: 1000, currency: 'XXQ' }, 'UNKNOWN_CURRENCY', 'currency'],
    [{ customerId: 'c', totalPaidMinor: 1000, email: 'not-mail' }, 'INVALID_INPUT', 'email'],
    [{ customerId: 'c', totalPaidMinor: 1000, colour: 'red' }, 'INVALID_INPUT', undefined],
    [{ customerId: 'c', totalPaidMinor: 1000, lineItems: [{ productId: 'p', quantity: 1 }] }, 'INVALID_INPUT', 'lineItems.0.priceMinor'],
    [{ customerId: 'c', totalPaidMinor: 1000, referrerCode: 'https://sh.rt/x' }, 'REFERRAL_LINK_WITHOUT_CODE', 'referrerCode'],
    [null, 'INVALID_INPUT', undefined],
  ])('refuses %j with %s and writes nothing', (input, code, field) => {
    till = tillFixture();
    const err = refusal(() => till.orders.captureOrder(input));
    expect(err.code).toBe(code);
    expect(err.field).toBe(field);
    expect(err.message.length).toBeGreaterThan(10);
    expect(count(till, 'orders')).toBe(0);
    expect(count(till, 'outbox')).toBe(0);
    expect(till.changes.n).toBe(0);
  });

  it.each([
    ['the amount paid', { customerId: 'c', totalPaid: '4.50' }, 'totalPaid', 'totalPaidMinor'],
    ['the amount paid as a number', { customerId: 'c', totalPaid: 4.5 }, 'totalPaid', 'totalPaidMinor'],
    ['another total', { customerId: 'c', totalPaidMinor: 450, totalShipping: '1' }, 'totalShipping', 'totalShippingMinor'],
    ['in the screen form', { customer: { mobile: '0500001234' }, currency: 'SAR', totalPaid: '4.50' }, 'totalPaid', 'totalPaidMinor'],
    [
      'a line item price',
      { customerId: 'c', totalPaidMinor: 450, lineItems: [{ productId: 'p', price: '4.50' }] },
      'lineItems.0.price',
      'priceMinor',
    ],
    [
      'a line item discount',
      { customerId: 'c', totalPaidMinor: 450, lineItems: [{ productId: 'p', priceMinor: 450, discount: '0.50' }] },
      'lineItems.0.discount',
      'discountMinor',
    ],
    [
      'line item taxes',
      { customerId: 'c', totalPaidMinor: 450, lineItems: [{ productId: 'p', priceMinor: 450, taxes: '0.50' }] },
      'lineItems.0.taxes',
      'taxesMinor',
    ],
  ])(
    'refuses a decimal amount (%s) with INVALID_INPUT naming the field and the one to use, and writes nothing',
    (_what, input, field, minorField) => {
      till = tillFixture();
      const err = refusal(() => till.orders.captureOrder(input));
      expect(err.code).toBe('INVALID_INPUT');
      expect(err.field).toBe(field);
      expect(err.message).toBe(`${field}: amounts are given in minor units: use ${minorField} (a whole number, e.g. 1250 for 12.50 SAR).`);
      expect(count(till, 'orders')).toBe(0);
      expect(count(till, 'outbox')).toBe(0);
    },
  );

  it('writes order and outbox rows atomically: if the outbox insert fails, no order row remains', () => {
    till = tillFixture();
    till.db.exec(
      "CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox WHEN NEW.kind = 'track_order' BEGIN SELECT RAISE(ABORT, 'disk said no'); END",
    );
    expect(() => till.orders.captureOrder({ mobile: '0500001234', totalPaidMinor: 1000, referrerCode: 'FRIEND1' })).toThrow('disk said no');
    expect(count(till, 'orders')).toBe(0);
    expect(count(till, 'outbox')).toBe(0);
  });

  it('gives every order a distinct id, never reused across tills', () => {
    till = tillFixture({ settings: { tillId: 'till-x' } });
    const ids = new Set<string>();
    for (let i = 0; i < 300; i++) ids.add(till.orders.captureOrder({ customerId: `c${i}`, totalPaidMinor: 100 }).orderId);
    expect(ids.size).toBe(300);
    for (const id of ids) expect(id.startsWith('till-x-')).toBe(true);
  });

  it('refuses the same receipt for the same customer and amount twice (a double submit)', () => {
    till = tillFixture();
    const first = till.orders.captureOrder({ mobile: '0500001234', totalPaidMinor: 1000, receiptNo: 'R1' });
    const err = refusal(() => till.orders.captureOrder({ mobile: '0500001234', totalPaidMinor: 1000, receiptNo: 'R1' }));
    expect(err.code).toBe('DUPLICATE_RECEIPT');
    expect(err.message).toContain(first.orderId);
    // Another amount on the same receipt number is a different sale.
    expect(till.orders.captureOrder({ mobile: '0500001234', totalPaidMinor: 1100, receiptNo: 'R1' }).orderId).not.toBe(first.orderId);
  });

  it('marks captures in training mode training=1', () => {
    till = tillFixture({ training: true });
    const o = till.orders.captureOrder({ customerId: 'c1', totalPaidMinor: 500 });
    expect(o.training).toBe(true);
    expect(till.rows('SELECT training FROM orders')).toEqual([{ training: 1 }]);
  });
});

describe('referral rules at the till', () => {
  it('a new referred customer gets register_customer then track_order, with the code taken from a link', () => {
    till = tillFixture();
    const o = till.orders.captureOrder({
      mobile: '0500001234',
      totalPaidMinor: 5000,
      referrerCode: 'https://shop.example/invite?GBReferral=Vg6945F76CkP1B',
    });
    expect(o).toMatchObject({ referrerCode: 'Vg6945F76CkP1B', calls: ['register_customer', 'track_order'], newCustomer: true });
    const outbox = till.rows<{ id: number; kind: string; entity_id: string }>('SELECT id, kind, entity_id FROM outbox ORDER BY id');
    expect(outbox.map((r) => r.kind)).toEqual(['register_customer', 'track_order']);
    expect(outbox.every((r) => r.entity_id === o.orderId)).toBe(true);
  });

  it('refuses a code on a second purchase, saying how to proceed, and accepts the order without it', () => {
    till = tillFixture();
    till.orders.captureOrder({ mobile: '0500001234', totalPaidMinor: 5000 });
    const err = refusal(() => till.orders.captureOrder({ mobile: '+966500001234', totalPaidMinor: 2000, referrerCode: 'FRIEND1' }));
    expect(err.code).toBe('REFERRAL_NOT_FIRST_PURCHASE');
    expect(err.field).toBe('referrerCode');
    expect(err.message).toMatch(/first purchase.*Remove the referral code and capture the order again/);
    expect(count(till, 'orders')).toBe(1);
    const again = till.orders.captureOrder({ mobile: '+966500001234', totalPaidMinor: 2000 });
    expect(again.calls).toEqual(['track_order']);
  });

  it('a discarded earlier order does not count as a purchase; training and live histories are separate', () => {
    till = tillFixture();
    const first = till.orders.captureOrder({ customerId: 'c1', totalPaidMinor: 500 });
    till.queue.discard(first.orderId, 'typed the wrong customer');
    expect(till.orders.captureOrder({ customerId: 'c1', totalPaidMinor: 500, referrerCode: 'FRIEND1' }).calls).toEqual([
      'register_customer',
      'track_order',
    ]);
    till.training.on = true;
    expect(till.orders.captureOrder({ customerId: 'c1', totalPaidMinor: 500, referrerCode: 'FRIEND1' }).calls).toEqual([
      'register_customer',
      'track_order',
    ]);
  });

  it("refuses self-referral: the customer's own id, own QR, or own referral code when the till has seen it", () => {
    till = tillFixture();
    expect(refusal(() => till.orders.captureOrder({ customerId: 'Cust42', totalPaidMinor: 500, referrerCode: 'cust42' })).code).toBe(
      'SELF_REFERRAL',
    );
    expect(
      refusal(() => till.orders.captureOrder({ mobile: '0500001234', totalPaidMinor: 500, referrerCode: 'mobile_966500001234654321' }))
        .code,
    ).toBe('SELF_REFERRAL');
    till.db
      .prepare(
        "INSERT INTO customer_cache (customer_id, referral_code, exists_in_gameball, fetched_at) VALUES ('mobile_966500001234', 'MYCODE9', 0, 'x')",
      )
      .run();
    const err = refusal(() => till.orders.captureOrder({ mobile: '0500001234', totalPaidMinor: 500, referrerCode: 'mycode9' }));
    expect(err.code).toBe('SELF_REFERRAL');
    expect(err.message).toMatch(/own referral code.*Remove the referral code/);
    expect(count(till, 'orders')).toBe(0);
  });

  it('a later order of a referred customer still pending gets only track_order, queued after the registration', () => {
    till = tillFixture();
    const first = till.orders.captureOrder({ mobile: '0500001234', totalPaidMinor: 5000, referrerCode: 'FRIEND1' });
    const second = till.orders.captureOrder({ mobile: '0500001234', totalPaidMinor: 1000 });
    expect(second.calls).toEqual(['track_order']);
    const kinds = till.rows<{ kind: string; entity_id: string }>(
      "SELECT kind, entity_id FROM outbox WHERE customer_id = 'mobile_966500001234' ORDER BY id",
    );
    expect(kinds).toEqual([
      { kind: 'register_customer', entity_id: first.orderId },
      { kind: 'track_order', entity_id: first.orderId },
      { kind: 'track_order', entity_id: second.orderId },
    ]);
  });
});

describe('captureRefund', () => {
  it('queues a full refund (no amount) as a refund outbox row for the order customer', () => {
    till = tillFixture();
    const o = till.orders.captureOrder({ mobile: '0500001234', totalPaidMinor: 10000 });
    till.clock.advance(60_000);
    const r = till.orders.captureRefund({ orderId: o.orderId });
    expect(r).toMatchObject({
      orderId: o.orderId,
      customerId: o.customerId,
      amountMinor: null,
      currency: 'SAR',
      state: 'pending',
      transactionTime: '2025-03-01T09:01:00.000Z',
    });
    expect(r.refundId).not.toBe(o.orderId);
    expect(till.rows("SELECT kind, entity_id, customer_id FROM outbox WHERE kind = 'refund'")).toEqual([
      { kind: 'refund', entity_id: r.refundId, customer_id: o.customerId },
    ]);
    expect(refusal(() => till.orders.captureRefund({ orderId: o.orderId })).code).toBe('NOTHING_TO_REFUND');
  });

  it('allows partial refunds up to what remains, then refunds exactly the rest when no amount is given', () => {
    till = tillFixture();
    const o = till.orders.captureOrder({ customerId: 'c1', totalPaidMinor: 100000, currency: 'KWD' });
    expect(till.orders.captureRefund({ orderId: o.orderId, amountMinor: 30500 }).amountMinor).toBe(30500);
    const tooMuch = refusal(() => till.orders.captureRefund({ orderId: o.orderId, amountMinor: 70000 }));
    expect(tooMuch.code).toBe('REFUND_TOO_LARGE');
    expect(tooMuch.message).toContain('69.500 KWD');
    expect(refusal(() => till.orders.captureRefund({ orderId: o.orderId, amountMinor: 0 })).code).toBe('INVALID_AMOUNT');
    expect(till.orders.captureRefund({ orderId: o.orderId }).amountMinor).toBe(69500);
    expect(refusal(() => till.orders.captureRefund({ orderId: o.orderId, amountMinor: 1 })).code).toBe('NOTHING_TO_REFUND');
  });

  it('refuses a decimal refund amount with INVALID_INPUT naming the field, and refunds nothing', () => {
    till = tillFixture();
    const o = till.orders.captureOrder({ customerId: 'c1', totalPaidMinor: 10000 });
    for (const amount of ['20', '20.00', 20]) {
      const err = refusal(() => till.orders.captureRefund({ orderId: o.orderId, amount }));
      expect(err.code).toBe('INVALID_INPUT');
      expect(err.field).toBe('amount');
      expect(err.message).toBe('amount: amounts are given in minor units: use amountMinor (a whole number, e.g. 1250 for 12.50 SAR).');
    }
    expect(refusal(() => till.orders.captureRefund({ orderId: o.orderId, amountMinor: 20.5 })).field).toBe('amountMinor');
    expect(count(till, 'refunds')).toBe(0);
    expect(count(till, 'outbox')).toBe(1);
  });

  it('refuses unknown and discarded orders, and inherits the order training flag', () => {
    till = tillFixture({ training: true });
    expect(refusal(() => till.orders.captureRefund({ orderId: 'nope' })).code).toBe('ORDER_NOT_FOUND');
    const o = till.orders.captureOrder({ customerId: 'c1', totalPaidMinor: 1000 });
    till.training.on = false;
    expect(till.orders.captureRefund({ orderId: o.orderId, amountMinor: 100 }).training).toBe(true);
    const d = till.orders.captureOrder({ customerId: 'c2', totalPaidMinor: 1000 });
    till.queue.discard(d.orderId, 'test');
    expect(refusal(() => till.orders.captureRefund({ orderId: d.orderId })).code).toBe('ORDER_DISCARDED');
  });
});

describe('idempotent capture (clientRef)', () => {
  const order = { mobile: '0500001234', totalPaidMinor: 9950, receiptNo: 'R-1', referrerCode: 'FRIEND42', clientRef: 'save-7f3a9c01' };

  it('a save sent again with the same clientRef returns the stored order, writes nothing, and survives a restart', () => {
    till = tillFixture();
    const first = till.orders.captureOrder(order);
    expect(first).toMatchObject({ replayed: false, calls: ['register_customer', 'track_order'], newCustomer: true });
    expect(till.changes.n).toBe(1);
    // The same save after its answer was lost: no DUPLICATE_RECEIPT, no REFERRAL_NOT_FIRST_PURCHASE,
    // the same order. The mobile typed another way is the same customer.
    till.clock.advance(5_000);
    const again = till.orders.captureOrder({ ...order, mobile: '+966 50 000 1234' });
    expect(again).toEqual({ ...first, replayed: true });
    expect(till.changes.n).toBe(1);
    expect(count(till, 'orders')).toBe(1);
    expect(count(till, 'outbox')).toBe(2);

    till = till.reopen();
    expect(till.orders.captureOrder(order)).toEqual({ ...first, replayed: true });
    expect(till.rows('SELECT client_ref FROM orders')).toEqual([{ client_ref: 'save-7f3a9c01' }]);
    expect(count(till, 'orders')).toBe(1);
  });

  it('refuses a clientRef reused for a different order with CLIENT_REF_REUSED, and writes nothing', () => {
    till = tillFixture();
    const first = till.orders.captureOrder(order);
    for (const other of [
      { ...order, totalPaidMinor: 9951 },
      { ...order, mobile: '0500009999' },
      { ...order, referrerCode: undefined },
      { ...order, receiptNo: 'R-2' },
    ]) {
      const err = refusal(() => till.orders.captureOrder(other));
      expect(err.code).toBe('CLIENT_REF_REUSED');
      expect(err.field).toBe('clientRef');
      expect(err.message).toContain(first.orderId);
    }
    // The same reference in the other mode is another order too.
    till.training.on = true;
    expect(refusal(() => till.orders.captureOrder(order)).code).toBe('CLIENT_REF_REUSED');
    expect(count(till, 'orders')).toBe(1);
    expect(count(till, 'outbox')).toBe(2);
  });

  it('orders without a clientRef are not constrained, and the reference must be 8..64 of [A-Za-z0-9_-]', () => {
    till = tillFixture();
    till.orders.captureOrder({ customerId: 'c-1', totalPaidMinor: 100 });
    till.orders.captureOrder({ customerId: 'c-1', totalPaidMinor: 100 });
    expect(count(till, 'orders')).toBe(2);
    for (const bad of ['short', 'x'.repeat(65), 'has space 123', 'ümlaut-123', '']) {
      const err = refusal(() => till.orders.captureOrder({ customerId: 'c-2', totalPaidMinor: 100, clientRef: bad }));
      expect(err.code).toBe('INVALID_INPUT');
      expect(err.field).toBe('clientRef');
    }
    expect(till.orders.captureOrder({ customerId: 'c-2', totalPaidMinor: 100, clientRef: `${'a'.repeat(8)}` }).replayed).toBe(false);
    expect(till.orders.captureOrder({ customerId: 'c-2', totalPaidMinor: 100, clientRef: `A_-9${'z'.repeat(60)}` }).replayed).toBe(false);
  });

  it('the database itself refuses a second row with the same client_ref (the partial unique index)', () => {
    till = tillFixture();
    till.orders.captureOrder({ ...order, clientRef: 'dup-ref-0001' });
    till.orders.captureOrder({ customerId: 'c-9', totalPaidMinor: 100 });
    expect(() => till.db.prepare("UPDATE orders SET client_ref = 'dup-ref-0001' WHERE customer_id = 'c-9'").run()).toThrow(/UNIQUE/);
  });

  it('a refund sent again with the same clientRef returns the stored refund, even once the order is fully refunded', () => {
    till = tillFixture();
    const o = till.orders.captureOrder({ customerId: 'c-1', totalPaidMinor: 10000 });
    const full = till.orders.captureRefund({ orderId: o.orderId, clientRef: 'refund-ref-01' });
    expect(full.replayed).toBe(false);
    const again = till.orders.captureRefund({ orderId: o.orderId, clientRef: 'refund-ref-01' });
    expect(again).toEqual({ ...full, replayed: true });
    expect(count(till, 'refunds')).toBe(1);

    const p = till.orders.captureOrder({ customerId: 'c-2', totalPaidMinor: 10000 });
    const part = till.orders.captureRefund({ orderId: p.orderId, amountMinor: 3000, clientRef: 'refund-ref-02' });
    expect(till.orders.captureRefund({ orderId: p.orderId, amountMinor: 3000, clientRef: 'refund-ref-02' })).toEqual({
      ...part,
      replayed: true,
    });
    expect(refusal(() => till.orders.captureRefund({ orderId: p.orderId, amountMinor: 3100, clientRef: 'refund-ref-02' })).code).toBe(
      'CLIENT_REF_REUSED',
    );
    expect(refusal(() => till.orders.captureRefund({ orderId: o.orderId, amountMinor: 3000, clientRef: 'refund-ref-02' })).code).toBe(
      'CLIENT_REF_REUSED',
    );
    expect(count(till, 'refunds')).toBe(2);
    expect(count(till, 'outbox')).toBe(4);
  });
});
