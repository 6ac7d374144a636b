// A receipt read from its barcode is captured once: its key (preload/receipt-qr.ts) is stored with
// the order in the capture transaction (receipt_keys, migration 0010), on a real SQLite file.
import { afterEach, describe, expect, it } from 'vitest';
import { classifyScan } from '../../../preload/scan-classify.ts';
import { ReceiptCapturedError } from '../../../main/orders/receipt-keys.ts';
import { refusal, synced, tillFixture } from '../../support/till-fixture.ts';
import type { TillFixture } from '../../support/till-fixture.ts';

let till: TillFixture;
afterEach(() => till?.close());

/** ZATCA's QR guideline example: Bobs Records, 1000.00 SAR with 150.00 VAT. */
const ZATCA = 'AQxCb2JzIFJlY29yZHMCDzMxMDEyMjM5MzUwMDAwMwMUMjAyMi0wNC0yNVQxNTozMDowMFoEBzEwMDAuMDAFBjE1MC4wMA==';
const key = classifyScan(ZATCA).receiptKey!;

describe('receipt keys', () => {
  it('captures a receipt once, whoever the customer, and names the order it was captured as, after a restart too', () => {
    till = tillFixture();
    const first = till.orders.captureOrder({ mobile: '0500001234', totalPaidMinor: 100000, receiptKey: key });
    expect(till.orders.receipts.orderOf(key, false)).toBe(first.orderId);

    till = till.reopen();
    const err = refusal(() => till.orders.captureOrder({ mobile: '0500009999', totalPaidMinor: 100000, receiptKey: key }));
    expect(err).toBeInstanceOf(ReceiptCapturedError);
    expect(err).toMatchObject({ code: 'RECEIPT_ALREADY_CAPTURED', field: 'receiptKey', orderId: first.orderId });
    expect(err.message).toContain(first.orderId);
    // Nothing written by the refused capture.
    expect(till.rows('SELECT order_id FROM orders')).toHaveLength(1);
    expect(till.rows('SELECT * FROM outbox')).toHaveLength(1);
  });

  it('stays captured after retention pruned its synced order (Gameball has it), however short the retention', () => {
    till = tillFixture();
    const first = till.orders.captureOrder({ mobile: '0500001234', totalPaidMinor: 100000, receiptKey: key });
    synced(till, first.orderId, new Date(till.clock.now()).toISOString());
    till.clock.advance(2 * 86_400_000);
    expect(till.queue.prune(1)).toBe(1);
    expect(till.rows('SELECT order_id FROM orders')).toHaveLength(0);
    const err = refusal(() => till.orders.captureOrder({ mobile: '0500001234', totalPaidMinor: 100000, receiptKey: key }));
    expect(err).toMatchObject({ code: 'RECEIPT_ALREADY_CAPTURED', orderId: first.orderId });
    expect(till.rows('SELECT order_id FROM orders')).toHaveLength(0);
  });

  it('a save repeated with its clientRef is the same order, not a refusal', () => {
    till = tillFixture();
    const input = { mobile: '0500001234', totalPaidMinor: 100000, receiptKey: key, clientRef: 'c_0123456789abcdef' };
    const first = till.orders.captureOrder(input);
    const again = till.orders.captureOrder(input);
    expect(again).toMatchObject({ orderId: first.orderId, replayed: true });
  });

  it('frees the receipt when its order is discarded, and keeps training and live apart', () => {
    till = tillFixture({ training: true });
    const practice = till.orders.captureOrder({ mobile: '0500001234', totalPaidMinor: 100000, receiptKey: key });
    expect(till.orders.receipts.orderOf(key, true)).toBe(practice.orderId);
    till.training.on = false;
    expect(till.orders.receipts.orderOf(key, false)).toBeNull();
    const live = till.orders.captureOrder({ mobile: '0500001234', totalPaidMinor: 100000, receiptKey: key });
    till.queue.discard(live.orderId, 'wrong customer');
    const again = till.orders.captureOrder({ mobile: '0500005678', totalPaidMinor: 100000, receiptKey: key });
    expect(till.orders.receipts.orderOf(key, false)).toBe(again.orderId);
  });

  it('orders without a receipt key are not constrained by one another', () => {
    till = tillFixture();
    till.orders.captureOrder({ mobile: '0500001234', totalPaidMinor: 100 });
    till.orders.captureOrder({ mobile: '0500001234', totalPaidMinor: 100 });
    expect(till.rows('SELECT * FROM receipt_keys')).toEqual([]);
  });
});
