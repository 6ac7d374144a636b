// Sales from the store's POS into the till: the one way in for the local API and the folder
// import. Keyed on the POS's posSaleId, stored in `pos_sales` (migration 0009).
//
// The promise of `intakeSale(body)`:
// - a body that does not parse is refused with every field at fault (SaleRejectedError) and
//   nothing is written;
// - a sale naming its customer is captured as an order at once; the sale's row and the order with
//   its outbox rows commit in ONE transaction, or nothing does (a capture refusal, such as a bad
//   mobile or a referral rule, is a CaptureRefusedError naming the field);
// - a sale without a customer becomes a pending sale: shown on the checkout screen until the
//   cashier scans the customer (`completeSale`) or dismisses it (`skipSale`);
// - the same posSaleId again, concurrently or from another process, answers what the first one
//   made (`replayed: true`): one row (PRIMARY KEY), one order (the capture reference derived from
//   the posSaleId is UNIQUE). A pending sale sent again with a customer is completed. The same
//   posSaleId with another sale is refused (SaleConflictError), nothing written.
// Every method is synchronous: one immediate transaction, never spanning an await.
import type { Clock } from '../clock.ts';
import { isoAt } from '../clock.ts';
import type { Database } from '../db/database.ts';
import type { Logger } from '../log.ts';
import { toMinorUnits } from '../orders/money.ts';
import { orderDateFor } from '../orders/sale-time.ts';
import type { CapturedOrder } from '../orders/schemas.ts';
import { canonicalSale, clientRefForSale, parsePosSale, PosSaleSchema, saleCustomer, saleToCaptureInput } from './sale.ts';
import type { PosSale, SaleCustomer, SaleFieldError } from './sale.ts';

export type SaleState = 'pending' | 'captured' | 'skipped';

/** A POS sale as the till knows it: what `GET /v1/sales/{posSaleId}` answers. */
export interface SaleRecord {
  posSaleId: string;
  state: SaleState;
  /** The order it became; null while pending or skipped. */
  orderId: string | null;
  receiptNo: string;
  /** Decimal text in the currency's units, as the POS sent it (normalised: "125.50"). */
  totalPaid: string;
  totalPaidMinor: number;
  currency: string;
  soldAt: string;
  receivedAt: string;
  updatedAt: string;
  /** The order's own state in the sync, once captured. */
  orderState: string | null;
  /** The points Gameball rewarded for the order, once known. */
  rewardedPoints: number | null;
  /** True: the order was captured in training mode (it only ever goes to the built-in simulator). */
  training: boolean | null;
}

export interface IntakeResult {
  sale: SaleRecord;
  /** True: this posSaleId was already known; nothing new was written. */
  replayed: boolean;
  /** The order, when this call captured it (or replayed a capture). */
  order?: CapturedOrder;
}

/** The body is not a sale: every field at fault. Nothing was written. */
export class SaleRejectedError extends Error {
  override name = 'SaleRejectedError';
  constructor(readonly errors: SaleFieldError[]) {
    super(`The sale was refused: ${errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('; ')}.`);
  }
}

/** The posSaleId already names another sale (or the pending sale is no longer pending). Nothing was written. */
export class SaleConflictError extends Error {
  override name = 'SaleConflictError';
  constructor(
    readonly code: 'POS_SALE_REUSED' | 'SALE_NOT_PENDING',
    message: string,
    readonly sale: SaleRecord,
  ) {
    super(message);
  }
}

/** No sale with this posSaleId. */
export class SaleNotFoundError extends Error {
  override name = 'SaleNotFoundError';
  constructor(readonly posSaleId: string) {
    super(`There is no sale ${posSaleId} on this till.`);
  }
}

export interface SaleIntakeDeps {
  db: Database;
  clock: Clock;
  /** The engine's capture (validation, referral rules, order + outbox rows); runs nested in intake's transaction. */
  capture: (input: unknown) => CapturedOrder;
  logger?: Logger;
}

interface SaleRow {
  pos_sale_id: string;
  state: SaleState;
  sale_json: string;
  customer_json: string | null;
  order_id: string | null;
  received_at: string;
  updated_at: string;
}

interface OrderBits {
  state: string;
  rewarded_points: number | null;
  training: number;
}

/** The fields that say which sale it is, without who the customer is. */
function saleKey(sale: PosSale): string {
  const { mobile: _m, customerId: _c, referrerCode: _r, ...rest } = sale;
  return canonicalSale(rest as PosSale);
}

function customerKey(c: SaleCustomer | null): string | null {
  if (c === null) return null;
  const out: Record<string, string> = {};
  if (c.mobile !== undefined) out.mobile = c.mobile;
  if (c.customerId !== undefined) out.customerId = c.customerId;
  if (c.referrerCode !== undefined) out.referrerCode = c.referrerCode;
  return JSON.stringify(out);
}

/** What the engine offers of the intake (engine.sales), each database step behind its guard. */
export type Sales = Pick<SaleIntake, 'intakeSale' | 'completeSale' | 'skipSale' | 'getSale' | 'pendingSale' | 'onPending'>;

export class SaleIntake {
  private readonly stmt;
  private readonly intakeTx: (sale: PosSale, now: number) => IntakeResult;
  private readonly completeTx: (posSaleId: string, customer: SaleCustomer, now: number) => IntakeResult;
  private readonly skipTx: (posSaleId: string, now: number) => SaleRecord;
  private readonly listeners = new Set<(pending: SaleRecord | null) => void>();

  constructor(private readonly deps: SaleIntakeDeps) {
    const db = deps.db;
    this.stmt = {
      byId: db.prepare<[string], SaleRow>('SELECT * FROM pos_sales WHERE pos_sale_id = ?'),
      insert: db.prepare(
        `INSERT INTO pos_sales (pos_sale_id, state, sale_json, customer_json, order_id, received_at, updated_at)
         VALUES (@pos_sale_id, @state, @sale_json, @customer_json, @order_id, @received_at, @updated_at)`,
      ),
      capture: db.prepare<{ id: string; order: string; customer: string; at: string }>(
        "UPDATE pos_sales SET state = 'captured', order_id = @order, customer_json = @customer, updated_at = @at WHERE pos_sale_id = @id",
      ),
      skip: db.prepare<{ id: string; at: string }>("UPDATE pos_sales SET state = 'skipped', updated_at = @at WHERE pos_sale_id = @id"),
      newestPending: db.prepare<[], SaleRow>(
        "SELECT * FROM pos_sales INDEXED BY pos_sales_pending WHERE state = 'pending' ORDER BY received_at DESC, rowid DESC LIMIT 1",
      ),
      order: db.prepare<[string], OrderBits>('SELECT state, rewarded_points, training FROM orders WHERE order_id = ?'),
    };
    this.intakeTx = db.transaction((sale: PosSale, now: number) => this.intakeIn(sale, now)).immediate;
    this.completeTx = db.transaction((id: string, customer: SaleCustomer, now: number) => this.completeIn(id, customer, now)).immediate;
    this.skipTx = db.transaction((id: string, now: number) => this.skipIn(id, now)).immediate;
  }

  /** See the file's header. Throws SaleRejectedError, SaleConflictError or CaptureRefusedError; nothing written then. */
  intakeSale(body: unknown): IntakeResult {
    const parsed = parsePosSale(body);
    if (!parsed.ok) throw new SaleRejectedError(parsed.errors);
    const result = this.intakeTx(parsed.sale, this.deps.clock.now());
    if (!result.replayed || result.order?.replayed === false) this.changed(result);
    return result;
  }

  /**
   * Captures the pending sale `posSaleId` for the customer the cashier scanned or typed. Throws
   * SaleNotFoundError, SaleConflictError (SALE_NOT_PENDING: captured or skipped already; a
   * completion repeated for the same customer answers the order instead), CaptureRefusedError.
   */
  completeSale(posSaleId: string, customer: SaleCustomer): IntakeResult {
    const result = this.completeTx(posSaleId, customer, this.deps.clock.now());
    if (!result.replayed) this.changed(result);
    return result;
  }

  /** The cashier dismissed the pending sale (no loyalty customer for it). Idempotent. */
  skipSale(posSaleId: string): SaleRecord {
    const before = this.stmt.byId.get(posSaleId);
    const sale = this.skipTx(posSaleId, this.deps.clock.now());
    if (before?.state === 'pending') {
      this.deps.logger?.info({ posSaleId }, 'pending POS sale skipped by the cashier');
      this.notifyPending();
    }
    return sale;
  }

  getSale(posSaleId: string): SaleRecord | undefined {
    const row = this.stmt.byId.get(posSaleId);
    return row ? this.record(row) : undefined;
  }

  /** The newest sale still waiting for its customer, or null. */
  pendingSale(): SaleRecord | null {
    const row = this.stmt.newestPending.get();
    return row ? this.record(row) : null;
  }

  /**
   * Tells `listener` the newest pending sale (or null) after every commit that changed the pending
   * sales: a new one, one completed or skipped. Returns the function that unsubscribes.
   */
  onPending(listener: (pending: SaleRecord | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notifyPending(): void {
    if (this.listeners.size === 0) return;
    let pending: SaleRecord | null;
    try {
      pending = this.pendingSale();
    } catch (err) {
      this.deps.logger?.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not read the pending sale');
      return;
    }
    for (const listener of [...this.listeners]) {
      try {
        listener(pending);
      } catch (err) {
        this.deps.logger?.warn({ err: err instanceof Error ? err.message : String(err) }, 'pending sale listener failed');
      }
    }
  }

  private changed(result: IntakeResult): void {
    if (result.sale.state === 'pending') this.deps.logger?.info({ posSaleId: result.sale.posSaleId }, 'POS sale waiting for its customer');
    this.notifyPending();
  }

  private intakeIn(sale: PosSale, now: number): IntakeResult {
    const customer = saleCustomer(sale);
    const stored = this.stmt.byId.get(sale.posSaleId);
    if (stored) {
      const storedSale = PosSaleSchema.parse(JSON.parse(stored.sale_json));
      if (saleKey(storedSale) !== saleKey(sale)) {
        throw new SaleConflictError(
          'POS_SALE_REUSED',
          `posSaleId ${sale.posSaleId} already belongs to another sale (receipt ${storedSale.receiptNo}, ${storedSale.totalPaid} ${storedSale.currency}), so nothing was saved. Give each sale its own posSaleId.`,
          this.record(stored),
        );
      }
      if (stored.state === 'pending' && customer !== null) return this.captureIn(stored, storedSale, customer, now);
      if (stored.state === 'captured' && customer !== null && stored.customer_json !== customerKey(customer)) {
        throw new SaleConflictError(
          'POS_SALE_REUSED',
          `Sale ${sale.posSaleId} was already captured for another customer (order ${stored.order_id ?? ''}), so nothing was saved.`,
          this.record(stored),
        );
      }
      return { sale: this.record(stored), replayed: true };
    }
    // A sale time out of bounds is refused now, naming soldAt, even for a sale that will wait for
    // its customer: the POS hears of it while it can still fix its clock.
    orderDateFor(sale.soldAt, now);
    const iso = isoAt(now);
    const row: SaleRow = {
      pos_sale_id: sale.posSaleId,
      state: 'pending',
      sale_json: canonicalSale(sale),
      customer_json: null,
      order_id: null,
      received_at: iso,
      updated_at: iso,
    };
    this.stmt.insert.run(row);
    if (customer === null) return { sale: this.record(row), replayed: false };
    return this.captureIn(row, sale, customer, now);
  }

  /** Captures `row`'s sale for `customer` and marks the row captured (inside the caller's transaction). */
  private captureIn(row: SaleRow, sale: PosSale, customer: SaleCustomer, now: number): IntakeResult {
    const order = this.deps.capture(saleToCaptureInput(sale, customer));
    const at = isoAt(now);
    const key = customerKey(customer) ?? '{}';
    this.stmt.capture.run({ id: row.pos_sale_id, order: order.orderId, customer: key, at });
    const updated: SaleRow = { ...row, state: 'captured', order_id: order.orderId, customer_json: key, updated_at: at };
    return { sale: this.record(updated), replayed: false, order };
  }

  private completeIn(posSaleId: string, customer: SaleCustomer, now: number): IntakeResult {
    const stored = this.stmt.byId.get(posSaleId);
    if (!stored) throw new SaleNotFoundError(posSaleId);
    if (stored.state === 'captured' && stored.customer_json === customerKey(customer)) return { sale: this.record(stored), replayed: true };
    if (stored.state !== 'pending') {
      throw new SaleConflictError(
        'SALE_NOT_PENDING',
        stored.state === 'captured'
          ? `Sale ${posSaleId} was already captured (order ${stored.order_id ?? ''}).`
          : `Sale ${posSaleId} was dismissed at the till.`,
        this.record(stored),
      );
    }
    return this.captureIn(stored, PosSaleSchema.parse(JSON.parse(stored.sale_json)), customer, now);
  }

  private skipIn(posSaleId: string, now: number): SaleRecord {
    const stored = this.stmt.byId.get(posSaleId);
    if (!stored) throw new SaleNotFoundError(posSaleId);
    if (stored.state === 'skipped') return this.record(stored);
    if (stored.state !== 'pending') {
      throw new SaleConflictError(
        'SALE_NOT_PENDING',
        `Sale ${posSaleId} was already captured (order ${stored.order_id ?? ''}).`,
        this.record(stored),
      );
    }
    const at = isoAt(now);
    this.stmt.skip.run({ id: posSaleId, at });
    return this.record({ ...stored, state: 'skipped', updated_at: at });
  }

  private record(row: SaleRow): SaleRecord {
    const sale = PosSaleSchema.parse(JSON.parse(row.sale_json));
    const order = row.order_id === null ? undefined : this.stmt.order.get(row.order_id);
    return {
      posSaleId: row.pos_sale_id,
      state: row.state,
      orderId: row.order_id,
      receiptNo: sale.receiptNo,
      totalPaid: sale.totalPaid,
      totalPaidMinor: toMinorUnits(sale.totalPaid, sale.currency),
      currency: sale.currency,
      soldAt: sale.soldAt,
      receivedAt: row.received_at,
      updatedAt: row.updated_at,
      orderState: order?.state ?? null,
      rewardedPoints: order?.rewarded_points ?? null,
      training: order === undefined ? null : order.training === 1,
    };
  }
}

export { clientRefForSale };
