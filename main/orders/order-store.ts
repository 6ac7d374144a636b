// Order and refund capture. The promise of `captureOrder`/`captureRefund`: when they return, the
// row and the outbox rows for every Gameball call it owes are committed in ONE transaction
// (WAL + synchronous=FULL: on disk, surviving a power cut); when they throw, nothing was written.
// Statements are prepared once; a capture is one immediate transaction and one fsync.
// A capture the data folder cannot take (disk full, read-only, gone) is a refusal naming the folder
// (DISK_FULL, DATA_FOLDER_READ_ONLY, DATA_FOLDER_UNAVAILABLE): the transaction did not commit, the
// orders already saved are untouched, and the same save works once the folder is fixed.
// Idempotence: an input with a `clientRef` already stored is answered with what was stored
// (`replayed: true`, nothing written) when it describes the same order or refund, and refused with
// CLIENT_REF_REUSED when it does not. The reference is looked up inside the write transaction, so
// two processes retrying the same save cannot both insert (the partial UNIQUE index backs it).
import type { Clock } from '../clock.ts';
import { dirname } from 'node:path';
import { isoAt } from '../clock.ts';
import type { StoredSettings } from '../config/settings.ts';
import type { Database } from '../db/database.ts';
import type { Logger } from '../log.ts';
import { Outbox } from '../sync/outbox-store.ts';
import { CaptureRefusedError, refusalFromStorage, refusalFromZod } from './errors.ts';
import { uuid7Source } from './ids.ts';
import { formatMinor } from './money.ts';
import { prepareOrder, preparedColumns } from './prepare.ts';
import { ReceiptKeys } from './receipt-keys.ts';
import { SELF_REFERRAL_BY_ID_MESSAGE } from './referral-code.ts';
import type { PreparedOrder } from './prepare.ts';
import { newSyncTracked, orderView, refundView } from './rows.ts';
import type { OrderRow, RefundRow } from './rows.ts';
import { orderDateFor } from './sale-time.ts';
import { OrderInputSchema, RefundInputSchema } from './schemas.ts';
import type { CapturedOrder, CapturedRefund, OutboxKind } from './schemas.ts';

export interface OrderStoreDeps {
  db: Database;
  clock: Clock;
  settings: () => StoredSettings;
  /** True while the engine is in training mode: captures are marked training=1. */
  training: () => boolean;
  logger?: Logger;
  /** Called after every committed change (capture, refund, queue operation). */
  onChange?: () => void;
  /** Id source (tests); default uuid v7 (time-ordered, unique without coordination). */
  newUuid?: () => string;
}

export const SELF_REFERRAL_MESSAGE = 'A customer cannot use their own referral code. Remove the referral code and capture the order again.';
export const NOT_FIRST_PURCHASE_MESSAGE =
  "This customer already has a purchase on this till, and a referral code only counts on a customer's first purchase. Remove the referral code and capture the order again.";

/**
 * The till-side referral rules, run inside the write transaction:
 * - the code may not be the customer's own id or their own referral code (when the till has seen it);
 * - a code only on the customer's first purchase as far as this till knows (their earlier,
 *   non-discarded orders in the same mode, training or live).
 * Returns whether the customer is new to the till.
 */
export class ReferralRules {
  private readonly known;
  private readonly ownCode;

  constructor(db: Database) {
    this.known = db.prepare<[string, number, string], { one: number }>(
      // INDEXED BY: without statistics SQLite may prefer orders_training_state, a walk over every
      // order of the mode, over the customer's few rows.
      "SELECT 1 AS one FROM orders INDEXED BY orders_customer WHERE customer_id = ? AND training = ? AND state != 'discarded' AND order_id != ? LIMIT 1",
    );
    this.ownCode = db.prepare<[string], { referral_code: string | null }>('SELECT referral_code FROM customer_cache WHERE customer_id = ?');
  }

  isKnownCustomer(customerId: string, training: boolean, exceptOrderId = ''): boolean {
    return this.known.get(customerId, training ? 1 : 0, exceptOrderId) !== undefined;
  }

  /**
   * The referral code Gameball gave for a customer, as the online referral check last cached it
   * (null: never looked up, or none). Lets a referrer named by customer id be captured with its
   * code at once after the screen's check.
   */
  cachedCode(customerId: string): string | null {
    return this.ownCode.get(customerId)?.referral_code ?? null;
  }

  isOwnCode(customerId: string, code: string): boolean {
    const c = code.toLowerCase();
    if (c === customerId.toLowerCase()) return true;
    const own = this.ownCode.get(customerId)?.referral_code;
    return own !== null && own !== undefined && own.toLowerCase() === c;
  }

  /** Throws SELF_REFERRAL / REFERRAL_NOT_FIRST_PURCHASE; returns true when the customer is new. */
  check(customerId: string, referrer: ReferrerColumns, training: boolean, exceptOrderId = ''): boolean {
    return this.checkKnown(!this.isKnownCustomer(customerId, training, exceptOrderId), customerId, referrer);
  }

  /** The same rules when the caller already knows whether the customer is new to the till. */
  checkKnown(isNew: boolean, customerId: string, referrer: ReferrerColumns): boolean {
    const { referrerCode, referrerCustomerId } = referrer;
    if (referrerCode === null && referrerCustomerId === null) return isNew;
    if (referrerCustomerId === customerId) throw new CaptureRefusedError('SELF_REFERRAL', SELF_REFERRAL_BY_ID_MESSAGE, 'referrerCode');
    if (referrerCode !== null && this.isOwnCode(customerId, referrerCode))
      throw new CaptureRefusedError('SELF_REFERRAL', SELF_REFERRAL_MESSAGE, 'referrerCode');
    if (!isNew) throw new CaptureRefusedError('REFERRAL_NOT_FIRST_PURCHASE', NOT_FIRST_PURCHASE_MESSAGE, 'referrerCode');
    return true;
  }
}

/** How an order names its referrer: by code, by customer id (the code looked up later), or both once looked up. */
export interface ReferrerColumns {
  referrerCode: string | null;
  referrerCustomerId: string | null;
}

/** The Gameball calls an order owes, in order: a new referred customer is registered (with the code) first. */
export function callsFor(referrer: ReferrerColumns, newCustomer: boolean): OutboxKind[] {
  const referred = referrer.referrerCode !== null || referrer.referrerCustomerId !== null;
  return referred && newCustomer ? ['register_customer', 'track_order'] : ['track_order'];
}

export class OrderStore {
  readonly rules: ReferralRules;
  /** Receipts read from their barcode, captured once (migration 0010). */
  readonly receipts: ReceiptKeys;
  private readonly db: Database;
  private readonly newUuid: () => string;
  private readonly stmt;
  private readonly outbox: Outbox;
  private readonly captureTx: (
    p: PreparedOrder,
    clientRef: string | null,
    training: boolean,
    settings: StoredSettings,
    now: number,
    receiptKey: string | null,
  ) => CapturedOrder;
  private readonly refundTx: (r: RefundRequest, settings: StoredSettings, now: number) => CapturedRefund;

  constructor(private readonly deps: OrderStoreDeps) {
    this.db = deps.db;
    this.newUuid = deps.newUuid ?? uuid7Source();
    this.rules = new ReferralRules(this.db);
    this.receipts = new ReceiptKeys(this.db);
    this.outbox = new Outbox(this.db);
    const db = this.db;
    this.stmt = {
      insertOrder: db.prepare(
        `INSERT INTO orders (order_id, customer_id, mobile, name, email, currency, total_paid_minor, total_price_minor,
           total_discount_minor, total_tax_minor, total_shipping_minor, line_items_json, receipt_no, referrer_code, referrer_customer_id, order_date,
           store_id, branch_id, till_id, training, state, created_at, updated_at, client_ref,
           coupon_code, coupon_lock_reference, store_name, branch_name)
         VALUES (@order_id, @customer_id, @mobile, @name, @email, @currency, @total_paid_minor, @total_price_minor,
           @total_discount_minor, @total_tax_minor, @total_shipping_minor, @line_items_json, @receipt_no, @referrer_code, @referrer_customer_id, @order_date,
           @store_id, @branch_id, @till_id, @training, 'pending', @created_at, @created_at, @client_ref,
           @coupon_code, @coupon_lock_reference, @store_name, @branch_name)`,
      ),
      // The customer's history in one statement, on the customer's index: a same-receipt order
      // (double submit) and whether the customer is known (referral rules). A null receipt matches nothing.
      history: db.prepare<
        { customer: string; training: number; receipt: string | null; paid: number },
        { dup: string | null; known: number }
      >(
        `SELECT
           (SELECT order_id FROM orders INDEXED BY orders_customer WHERE customer_id = @customer AND training = @training
              AND state != 'discarded' AND receipt_no = @receipt AND total_paid_minor = @paid LIMIT 1) AS dup,
           EXISTS (SELECT 1 FROM orders INDEXED BY orders_customer WHERE customer_id = @customer AND training = @training
              AND state != 'discarded') AS known`,
      ),
      orderById: db.prepare<[string], OrderRow>('SELECT * FROM orders WHERE order_id = ?'),
      refundsOf: db.prepare<[string], { amount_minor: number | null }>(
        "SELECT amount_minor FROM refunds WHERE order_id = ? AND state != 'discarded'",
      ),
      insertRefund: db.prepare(
        `INSERT INTO refunds (refund_id, order_id, customer_id, amount_minor, currency, transaction_time, training, state, created_at, updated_at, client_ref)
         VALUES (@refund_id, @order_id, @customer_id, @amount_minor, @currency, @transaction_time, @training, 'pending', @created_at, @created_at, @client_ref)`,
      ),
      orderByClientRef: db.prepare<[string], OrderRow>('SELECT * FROM orders WHERE client_ref = ?'),
      refundByClientRef: db.prepare<[string], RefundRow>('SELECT * FROM refunds WHERE client_ref = ?'),
      earlierOrder: db.prepare<[string, number, string, string, string], { one: number }>(
        `SELECT 1 AS one FROM orders INDEXED BY orders_customer WHERE customer_id = ? AND training = ? AND state != 'discarded'
           AND (created_at < ? OR (created_at = ? AND order_id < ?)) LIMIT 1`,
      ),
    };
    this.captureTx = db.transaction(
      (p: PreparedOrder, clientRef: string | null, training: boolean, settings: StoredSettings, now: number, receiptKey: string | null) =>
        clientRef === null
          ? this.insertCaptured(p, null, training, settings, now, receiptKey)
          : this.replayOrInsert(p, clientRef, training, settings, now, receiptKey),
    ).immediate;
    this.refundTx = db.transaction((r: RefundRequest, settings: StoredSettings, now: number) =>
      this.insertRefund(r, settings, now),
    ).immediate;
  }

  /** Validates, applies the referral rules, and commits the order with its outbox rows. */
  captureOrder(input: unknown): CapturedOrder {
    const parsed = OrderInputSchema.safeParse(input);
    if (!parsed.success) throw refusalFromZod(parsed.error);
    const settings = this.deps.settings();
    const captured = this.commitPrepared(
      prepareOrder(parsed.data, settings),
      parsed.data.clientRef ?? null,
      settings,
      parsed.data.receiptKey ?? null,
    );
    if (captured.replayed) {
      this.deps.logger?.info(
        { orderId: captured.orderId, clientRef: parsed.data.clientRef },
        'order capture replayed: already stored, nothing written',
      );
      return captured;
    }
    // No log line for a plain capture: the committed row is its record (ids, customer, mode,
    // created_at, and the outbox rows for its calls). A line repeating it cost every capture about
    // 10 µs before the answer; the log keeps what the tables do not show (replays, refusals at
    // the edges, sync trouble, operator actions).
    this.deps.onChange?.();
    return captured;
  }

  /**
   * The transaction part of a capture, for an order `prepareOrder` made already with `settings`:
   * the referral and duplicate-receipt rules, the order and its outbox rows, one commit.
   */
  commitPrepared(
    prepared: PreparedOrder,
    clientRef: string | null,
    settings: StoredSettings = this.deps.settings(),
    receiptKey: string | null = null,
  ): CapturedOrder {
    try {
      return this.captureTx(prepared, clientRef, this.deps.training(), settings, this.deps.clock.now(), receiptKey);
    } catch (err) {
      throw this.storageRefusal(err);
    }
  }

  /** A failed write as the refusal naming the data folder, when the folder is the cause; else `err` as it was. */
  private storageRefusal(err: unknown): unknown {
    return refusalFromStorage(err, dirname(this.db.name)) ?? err;
  }

  /** Queues a refund of an order: `amountMinor` up to what is still refundable; omitted: all of it. */
  captureRefund(input: unknown): CapturedRefund {
    const parsed = RefundInputSchema.safeParse(input);
    if (!parsed.success) throw refusalFromZod(parsed.error);
    const settings = this.deps.settings();
    const { orderId, amountMinor, clientRef } = parsed.data;
    let refund: CapturedRefund;
    try {
      refund = this.refundTx({ orderId, amountMinor, clientRef: clientRef ?? null }, settings, this.deps.clock.now());
    } catch (err) {
      throw this.storageRefusal(err);
    }
    if (refund.replayed) {
      this.deps.logger?.info(
        { refundId: refund.refundId, orderId: refund.orderId, clientRef },
        'refund capture replayed: already stored, nothing written',
      );
      return refund;
    }
    // As for orders, the committed row is the record of a plain capture.
    this.deps.onChange?.();
    return refund;
  }

  /** The order stored under `clientRef` when the input describes it; a refusal when it describes another; else a new capture. */
  private replayOrInsert(
    p: PreparedOrder,
    clientRef: string,
    training: boolean,
    settings: StoredSettings,
    now: number,
    receiptKey: string | null,
  ): CapturedOrder {
    const stored = this.stmt.orderByClientRef.get(clientRef);
    if (!stored) return this.insertCaptured(p, clientRef, training, settings, now, receiptKey);
    if (!sameOrder(p, training, stored)) {
      throw new CaptureRefusedError(
        'CLIENT_REF_REUSED',
        `This save's reference (${clientRef}) already belongs to a different order (${stored.order_id}), so nothing was saved. Start a new sale and save it again.`,
        'clientRef',
      );
    }
    const calls = [...new Set(this.outbox.kindsOf(stored.order_id))];
    const newCustomer =
      this.stmt.earlierOrder.get(stored.customer_id, stored.training, stored.created_at, stored.created_at, stored.order_id) === undefined;
    return { ...orderView(stored), calls, newCustomer, replayed: true };
  }

  private insertCaptured(
    p: PreparedOrder,
    clientRef: string | null,
    training: boolean,
    settings: StoredSettings,
    now: number,
    receiptKey: string | null = null,
  ): CapturedOrder {
    const t = training ? 1 : 0;
    // The sale's own time when given (bounded: sale-time.ts), else the moment of capture. The
    // outbox row below is due from `now` either way.
    const orderDate = p.soldAt === null ? null : orderDateFor(p.soldAt, now);
    // A receipt read from its barcode is captured once, whoever the customer (see receipt-keys.ts).
    if (receiptKey !== null) this.receipts.assertFree(receiptKey, training);
    const history = this.stmt.history.get({ customer: p.customerId, training: t, receipt: p.receiptNo, paid: p.totalPaidMinor });
    if (history?.dup) {
      throw new CaptureRefusedError(
        'DUPLICATE_RECEIPT',
        `Receipt ${p.receiptNo ?? ''} was already captured for this customer and amount (order ${history.dup}). Nothing was saved again.`,
        'receiptNo',
      );
    }
    const newCustomer = this.rules.checkKnown(history?.known !== 1, p.customerId, p);
    const iso = isoAt(now);
    // A referrer named by id whose code the online check just fetched (live only: training asks
    // the simulator, whose codes must never reach Gameball) is captured with that code at once.
    const lookedUp =
      p.referrerCustomerId !== null && p.referrerCode === null && !training ? this.rules.cachedCode(p.referrerCustomerId) : null;
    const row: OrderRow = {
      order_id: `${settings.tillId}-${this.newUuid()}`,
      ...preparedColumns(p),
      ...(lookedUp === null ? {} : { referrer_code: lookedUp }),
      order_date: orderDate ?? iso,
      store_id: settings.storeId,
      branch_id: settings.branchId,
      till_id: settings.tillId,
      rewarded_points: null,
      coupon_code: p.coupon?.code ?? null,
      coupon_lock_reference: p.coupon?.lockReference ?? null,
      store_name: settings.storeName,
      branch_name: settings.branchName,
      ...newSyncTracked(t, iso, clientRef),
    };
    this.stmt.insertOrder.run(row);
    if (receiptKey !== null) this.receipts.claim(receiptKey, training, row.order_id, iso);
    const calls = callsFor(p, newCustomer);
    for (const kind of calls) this.outbox.enqueue(kind, row.order_id, row.customer_id, now);
    return { ...orderView(row), calls, newCustomer, replayed: false };
  }

  private insertRefund(r: RefundRequest, settings: StoredSettings, now: number): CapturedRefund {
    const { orderId, amountMinor, clientRef } = r;
    const requested = amountMinor ?? null;
    if (clientRef !== null) {
      // Before any rule: a replay of a refund that emptied the order must not read "nothing to refund".
      const stored = this.stmt.refundByClientRef.get(clientRef);
      if (stored) {
        // Without an amount, the request meant "what is left": whatever the stored refund took.
        if (stored.order_id !== orderId || (requested !== null && stored.amount_minor !== requested)) {
          throw new CaptureRefusedError(
            'CLIENT_REF_REUSED',
            `This save's reference (${clientRef}) already belongs to a different refund (${stored.refund_id}), so nothing was saved. Start the refund again.`,
            'clientRef',
          );
        }
        return { ...refundView(stored), replayed: true };
      }
    }
    const order = this.stmt.orderById.get(orderId);
    if (!order)
      throw new CaptureRefusedError(
        'ORDER_NOT_FOUND',
        `There is no order ${orderId} on this till. Check the order id (see \`export\` or the queue).`,
        'orderId',
      );
    if (order.state === 'discarded') {
      throw new CaptureRefusedError(
        'ORDER_DISCARDED',
        `Order ${orderId} was discarded and never reached Gameball, so there is nothing to refund there.`,
        'orderId',
      );
    }
    const earlier = this.stmt.refundsOf.all(orderId);
    const fullyRefunded = earlier.some((e) => e.amount_minor === null);
    const refunded = earlier.reduce((sum, e) => sum + (e.amount_minor ?? 0), 0);
    const remaining = fullyRefunded ? 0 : order.total_paid_minor - refunded;
    if (remaining <= 0) throw new CaptureRefusedError('NOTHING_TO_REFUND', `Order ${orderId} is already fully refunded.`, 'orderId');
    let minor: number | null;
    if (requested === null) {
      // A first refund without an amount is Gameball's full refund; after a partial one, refund
      // exactly what is left rather than asking Gameball to reverse the whole order again.
      minor = earlier.length === 0 ? null : remaining;
    } else {
      minor = requested;
      if (minor <= 0) throw new CaptureRefusedError('INVALID_AMOUNT', 'amount: a refund must be more than zero.', 'amount');
      if (minor > remaining) {
        throw new CaptureRefusedError(
          'REFUND_TOO_LARGE',
          `amount: at most ${formatMinor(remaining, order.currency)} ${order.currency} of order ${orderId} can still be refunded.`,
          'amount',
        );
      }
    }
    const iso = isoAt(now);
    const row: RefundRow = {
      refund_id: `${settings.tillId}-${this.newUuid()}`,
      order_id: orderId,
      customer_id: order.customer_id,
      amount_minor: minor,
      currency: order.currency,
      transaction_time: iso,
      ...newSyncTracked(order.training, iso, clientRef),
    };
    this.stmt.insertRefund.run(row);
    this.outbox.enqueue('refund', row.refund_id, row.customer_id, now);
    return { ...refundView(row), replayed: false };
  }
}

interface RefundRequest {
  orderId: string;
  amountMinor: number | undefined;
  clientRef: string | null;
}

/** The stored order is what this input would have captured (same mode, customer, amounts, items, codes). */
function sameOrder(p: PreparedOrder, training: boolean, row: OrderRow): boolean {
  return (
    row.training === (training ? 1 : 0) &&
    row.customer_id === p.customerId &&
    row.mobile === p.mobile &&
    row.name === p.name &&
    row.email === p.email &&
    row.currency === p.currency &&
    row.total_paid_minor === p.totalPaidMinor &&
    row.total_price_minor === p.totalPriceMinor &&
    row.total_discount_minor === p.totalDiscountMinor &&
    row.total_tax_minor === p.totalTaxMinor &&
    row.total_shipping_minor === p.totalShippingMinor &&
    row.line_items_json === (p.lineItems === null ? null : JSON.stringify(p.lineItems)) &&
    row.receipt_no === p.receiptNo &&
    row.referrer_customer_id === p.referrerCustomerId &&
    // A referrer named by id may have been captured with its looked-up code.
    (p.referrerCustomerId !== null || row.referrer_code === p.referrerCode)
  );
}
