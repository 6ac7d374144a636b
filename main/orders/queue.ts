// The queue as people see and fix it: list and search, one order's detail with its Gameball
// calls, retry of needs-attention, edit-and-resend, discard with a kept reason, export, and
// retention pruning (the status is main/sync/status.ts's). Every change is one transaction; the
// order id never changes. Outbox rows change only through the outbox module (Outbox).
import { dirname } from 'node:path';
import type { Statement } from 'better-sqlite3';
import { stringify } from 'csv-stringify/sync';
import type { Clock } from '../clock.ts';
import { isoAt } from '../clock.ts';
import type { StoredSettings } from '../config/settings.ts';
import type { Database } from '../db/database.ts';
import type { Logger } from '../log.ts';
import { Outbox } from '../sync/outbox-store.ts';
import { spreadsheetSafe } from './csv-cells.ts';
import { normaliseMobile } from './customer.ts';
import { CaptureRefusedError, refusalFromStorage, refusalFromZod } from './errors.ts';
import { callsFor } from './order-store.ts';
import type { ReferralRules } from './order-store.ts';
import { prepareOrder, preparedColumns } from './prepare.ts';
import { orderDetail, orderExportRecord, orderView, parseLineItems, refundExportRecord } from './rows.ts';
import type { OrderRow, RefundRow, SyncLogRow } from './rows.ts';
import { ExportQuerySchema, OrderEditPatchSchema, OrderInputSchema, OrderListQuerySchema } from './schemas.ts';
import type { ExportQuery, OrderDetail, OrderList, OrderListQuery, OrderView } from './schemas.ts';

export interface OrderQueueDeps {
  db: Database;
  clock: Clock;
  settings: () => StoredSettings;
  rules: ReferralRules;
  logger?: Logger;
  onChange?: () => void;
}

function likeTerm(s: string): string {
  return `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export class OrderQueue {
  private readonly db: Database;
  private readonly s;
  private readonly outbox: Outbox;
  private readonly listCache = new Map<string, { count: Statement<unknown[], { n: number }>; rows: Statement<unknown[], OrderRow> }>();

  /**
   * Runs `fn` in one immediate transaction. A write the data folder cannot take (disk full,
   * read-only, gone) becomes the refusal naming the folder; nothing was changed.
   */
  private immediate<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn).immediate();
    } catch (err) {
      throw refusalFromStorage(err, dirname(this.db.name)) ?? err;
    }
  }

  constructor(private readonly deps: OrderQueueDeps) {
    const db = (this.db = deps.db);
    this.outbox = new Outbox(db);
    this.s = {
      order: db.prepare<[string], OrderRow>('SELECT * FROM orders WHERE order_id = ?'),
      refund: db.prepare<[string], RefundRow>('SELECT * FROM refunds WHERE refund_id = ?'),
      refundsOf: db.prepare<[string], RefundRow>('SELECT * FROM refunds WHERE order_id = ? ORDER BY created_at, refund_id'),
      logOf: db.prepare<[string], SyncLogRow>('SELECT * FROM sync_log WHERE entity_id = ? ORDER BY id'),
      attentionOrders: db.prepare<[], { order_id: string }>("SELECT order_id FROM orders WHERE state = 'attention'"),
      attentionRefunds: db.prepare<[], { refund_id: string }>("SELECT refund_id FROM refunds WHERE state = 'attention'"),
      attentionRefundsOf: db.prepare<[string], { refund_id: string }>(
        "SELECT refund_id FROM refunds WHERE order_id = ? AND state = 'attention'",
      ),
      reopenOrder: db.prepare(
        "UPDATE orders SET state = 'pending', attention_code = NULL, attention_message = NULL, updated_at = ? WHERE order_id = ? AND state = 'attention'",
      ),
      reopenRefund: db.prepare(
        "UPDATE refunds SET state = 'pending', attention_code = NULL, attention_message = NULL, updated_at = ? WHERE refund_id = ? AND state = 'attention'",
      ),
      discardOrder: db.prepare("UPDATE orders SET state = 'discarded', discard_reason = ?, updated_at = ? WHERE order_id = ?"),
      discardRefund: db.prepare("UPDATE refunds SET state = 'discarded', discard_reason = ?, updated_at = ? WHERE refund_id = ?"),
      updateEdited: db.prepare(
        `UPDATE orders SET customer_id = @customer_id, mobile = @mobile, name = @name, email = @email, currency = @currency,
           total_paid_minor = @total_paid_minor, total_price_minor = @total_price_minor, total_discount_minor = @total_discount_minor,
           total_tax_minor = @total_tax_minor, total_shipping_minor = @total_shipping_minor, line_items_json = @line_items_json,
           receipt_no = @receipt_no, referrer_code = @referrer_code, referrer_customer_id = @referrer_customer_id, state = 'pending', attention_code = NULL, attention_message = NULL,
           updated_at = @updated_at
         WHERE order_id = @order_id`,
      ),
      exportAll: db.prepare<[], OrderRow>('SELECT * FROM orders ORDER BY created_at, order_id'),
      exportState: db.prepare<[string], OrderRow>('SELECT * FROM orders WHERE state = ? ORDER BY created_at, order_id'),
      prunable: db.prepare<[string], { order_id: string }>(
        `SELECT o.order_id FROM orders o WHERE o.state = 'synced' AND COALESCE(o.synced_at, o.updated_at) < ?
           AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.order_id = o.order_id AND r.state NOT IN ('synced','discarded'))`,
      ),
      refundIdsOf: db.prepare<[string], { refund_id: string }>('SELECT refund_id FROM refunds WHERE order_id = ?'),
      deleteLog: db.prepare('DELETE FROM sync_log WHERE entity_id = ?'),
      deleteRefunds: db.prepare('DELETE FROM refunds WHERE order_id = ?'),
      deleteOrder: db.prepare('DELETE FROM orders WHERE order_id = ?'),
    };
  }

  list(query: OrderListQuery): OrderList {
    const parsed = OrderListQuerySchema.safeParse(query);
    if (!parsed.success) throw refusalFromZod(parsed.error);
    const q = parsed.data;
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.state && q.state !== 'all') {
      where.push('state = ?');
      params.push(q.state);
    }
    const search = q.search?.trim();
    if (search) {
      const terms = [likeTerm(search)];
      // A mobile typed the local way ("050 000 1234") still finds the E.164 number.
      try {
        if (/\d/.test(search)) terms.push(likeTerm(normaliseMobile(search, this.deps.settings().country).e164));
      } catch {
        /* not a phone number: plain search only */
      }
      const ors: string[] = [];
      for (const t of terms) {
        ors.push(
          "order_id LIKE ? ESCAPE '\\' OR customer_id LIKE ? ESCAPE '\\' OR mobile LIKE ? ESCAPE '\\' OR receipt_no LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\'",
        );
        params.push(t, t, t, t, t);
      }
      where.push(`(${ors.join(' OR ')})`);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    let cached = this.listCache.get(clause);
    if (!cached) {
      cached = {
        count: this.db.prepare<unknown[], { n: number }>(`SELECT COUNT(*) AS n FROM orders ${clause}`),
        rows: this.db.prepare<unknown[], OrderRow>(
          `SELECT * FROM orders ${clause} ORDER BY created_at DESC, order_id DESC LIMIT ? OFFSET ?`,
        ),
      };
      if (this.listCache.size > 32) this.listCache.clear();
      this.listCache.set(clause, cached);
    }
    const total = cached.count.get(...params)?.n ?? 0;
    const rows = cached.rows.all(...params, q.limit, q.offset).map(orderView);
    return { total, rows };
  }

  get(orderId: string): OrderDetail | undefined {
    const row = this.s.order.get(orderId);
    if (!row) return undefined;
    const refunds = this.s.refundsOf.all(orderId);
    const ids = [orderId, ...refunds.map((r) => r.refund_id)];
    const outbox = ids.flatMap((id) => this.outbox.rowsOf(id)).sort((a, b) => a.id - b.id);
    const log = ids.flatMap((id) => this.s.logOf.all(id)).sort((a, b) => a.id - b.id);
    return orderDetail(row, refunds, outbox, log);
  }

  /**
   * Needs-attention -> pending, with its outbox rows due now. `orderId` may name an order (its
   * refunds in attention come along) or a refund. Returns how many orders and refunds were reopened.
   * Throws ORDER_NOT_FOUND for an unknown id.
   */
  retry(target: { orderId: string } | { all: true }): number {
    const now = this.deps.clock.now();
    const iso = isoAt(now);
    const n = this.immediate(() => {
      let orders: string[];
      let refunds: string[];
      if ('all' in target) {
        orders = this.s.attentionOrders.all().map((r) => r.order_id);
        refunds = this.s.attentionRefunds.all().map((r) => r.refund_id);
      } else if (this.s.order.get(target.orderId)) {
        orders = [target.orderId];
        refunds = this.s.attentionRefundsOf.all(target.orderId).map((r) => r.refund_id);
      } else if (this.s.refund.get(target.orderId)) {
        orders = [];
        refunds = [target.orderId];
      } else {
        throw notFound(target.orderId);
      }
      let count = 0;
      for (const id of orders) {
        if (this.s.reopenOrder.run(iso, id).changes > 0) {
          this.outbox.reopen(id, now);
          count += 1;
        }
      }
      for (const id of refunds) {
        if (this.s.reopenRefund.run(iso, id).changes > 0) {
          this.outbox.reopen(id, now);
          count += 1;
        }
      }
      return count;
    });
    if (n > 0) {
      this.deps.logger?.info({ target, reopened: n }, 'retry: needs-attention reopened');
      this.deps.onChange?.();
    }
    return n;
  }

  /**
   * Corrects an order in needs-attention and queues it again. The patch is merged over the stored
   * order and re-validated exactly like a capture (referral rules included, this order excepted);
   * the order id and order date never change. Outbox rows not yet done are replaced by fresh ones.
   */
  editAndResend(orderId: string, patch: unknown): OrderView {
    const parsedPatch = OrderEditPatchSchema.safeParse(patch);
    if (!parsedPatch.success) throw refusalFromZod(parsedPatch.error);
    const now = this.deps.clock.now();
    const iso = isoAt(now);
    const settings = this.deps.settings();
    const view = this.immediate(() => {
      const row = this.s.order.get(orderId);
      if (!row) throw notFound(orderId);
      if (row.state !== 'attention') {
        throw new CaptureRefusedError(
          'NOT_IN_ATTENTION',
          `Order ${orderId} is ${row.state}, not in needs-attention: only orders Gameball refused can be edited and resent.`,
          'orderId',
        );
      }
      const merged = mergeForEdit(row, parsedPatch.data as Record<string, unknown>, settings.country);
      const parsed = OrderInputSchema.safeParse(merged);
      if (!parsed.success) throw refusalFromZod(parsed.error);
      const p = prepareOrder(parsed.data, settings);
      const training = row.training === 1;
      const newCustomer = this.deps.rules.check(p.customerId, p, training, orderId);
      this.s.updateEdited.run({
        order_id: orderId,
        ...preparedColumns(p),
        updated_at: iso,
      });
      this.outbox.discard(orderId, now);
      for (const kind of callsFor(p, newCustomer)) {
        if (this.outbox.hasDone(orderId, kind, p.customerId)) continue;
        this.outbox.enqueue(kind, orderId, p.customerId, now);
      }
      const updated = this.s.order.get(orderId);
      if (!updated) throw notFound(orderId);
      return orderView(updated);
    });
    this.deps.logger?.info({ orderId }, 'order edited and queued again');
    this.deps.onChange?.();
    return view;
  }

  /**
   * Gives up on an order (or a refund) that will not be sent, keeping the reason. Refused when
   * it is synced, or while a send is in flight or its outcome is unknown (Gameball may have it).
   * Discarding an order also discards its refunds that were not synced. Returns the order's view.
   */
  discard(orderId: string, reason: string): OrderView {
    const why = reason.trim();
    if (!why) throw new CaptureRefusedError('INVALID_INPUT', 'reason: say why the order is discarded; the reason is kept.', 'reason');
    const now = this.deps.clock.now();
    const view = this.immediate(() => {
      let row = this.s.order.get(orderId);
      if (!row) {
        const refund = this.s.refund.get(orderId);
        if (!refund) throw notFound(orderId);
        this.discardOne(refund.refund_id, refund.state, why, now, 'refund');
        row = this.s.order.get(refund.order_id);
        if (!row) throw notFound(refund.order_id);
        return orderView(row);
      }
      if (row.state === 'discarded') return orderView(row);
      this.discardOne(orderId, row.state, why, now, 'order');
      for (const r of this.s.refundsOf.all(orderId)) {
        if (r.state === 'synced' || r.state === 'discarded') continue;
        this.discardOne(r.refund_id, r.state, `order discarded: ${why}`, now, 'refund');
      }
      const updated = this.s.order.get(orderId);
      if (!updated) throw notFound(orderId);
      return orderView(updated);
    });
    this.deps.logger?.info({ orderId, reason: why }, 'discarded');
    this.deps.onChange?.();
    return view;
  }

  private discardOne(id: string, state: string, reason: string, now: number, what: 'order' | 'refund'): void {
    if (state === 'synced')
      throw new CaptureRefusedError('ALREADY_SYNCED', `This ${what} (${id}) is already in Gameball and cannot be discarded.`, 'orderId');
    if (state === 'discarded') return;
    if (state === 'sending' || this.outbox.isLive(id)) {
      throw new CaptureRefusedError(
        'ORDER_IN_FLIGHT',
        `This ${what} (${id}) is being sent to Gameball right now, or its last send is still being confirmed. Try again in a minute.`,
        'orderId',
      );
    }
    const iso = isoAt(now);
    if (what === 'order') this.s.discardOrder.run(reason, iso, id);
    else this.s.discardRefund.run(reason, iso, id);
    this.outbox.discard(id, now);
  }

  exportOrders(query: ExportQuery): string {
    const parsed = ExportQuerySchema.safeParse(query);
    if (!parsed.success) throw refusalFromZod(parsed.error);
    const { state, format } = parsed.data;
    const rows = state === 'all' ? this.s.exportAll.all() : this.s.exportState.all(state);
    if (format === 'json') {
      return `${JSON.stringify(
        rows.map((r) => ({
          ...orderExportRecord(r),
          lineItems: parseLineItems(r.line_items_json),
          refunds: this.s.refundsOf.all(r.order_id).map(refundExportRecord),
        })),
        null,
        2,
      )}\n`;
    }
    const columns = [
      'orderId',
      'state',
      'customerId',
      'mobile',
      'name',
      'email',
      'currency',
      'totalPaid',
      'totalPrice',
      'receiptNo',
      'referrerCode',
      'orderDate',
      'tillId',
      'storeId',
      'branchId',
      'training',
      'rewardedPoints',
      'attentionCode',
      'attentionMessage',
      'discardReason',
      'createdAt',
      'syncedAt',
    ] as const;
    return stringify(
      rows.map((r) => {
        const v = orderExportRecord(r);
        return columns.map((c) => {
          const value = v[c];
          return typeof value === 'boolean' ? (value ? '1' : '0') : spreadsheetSafe(c, value);
        });
      }),
      { header: true, columns: [...columns] },
    );
  }

  /**
   * Deletes synced orders whose sync is older than `retentionDays` (with their refunds, outbox
   * rows and call log), unless a refund of theirs is still owed. Pending, needs-attention and
   * discarded orders are never pruned. Returns the number of orders deleted.
   */
  prune(retentionDays: number): number {
    const cutoff = isoAt(this.deps.clock.now() - retentionDays * 86_400_000);
    const n = this.db
      .transaction(() => {
        const ids = this.s.prunable.all(cutoff).map((r) => r.order_id);
        for (const id of ids) {
          for (const r of this.s.refundIdsOf.all(id)) {
            this.outbox.purge(r.refund_id);
            this.s.deleteLog.run(r.refund_id);
          }
          this.s.deleteRefunds.run(id);
          this.outbox.purge(id);
          this.s.deleteLog.run(id);
          this.s.deleteOrder.run(id);
        }
        return ids.length;
      })
      .immediate();
    if (n > 0) {
      this.deps.logger?.info({ pruned: n, retentionDays }, 'retention: synced orders pruned');
      this.deps.onChange?.();
    }
    return n;
  }
}

function notFound(id: string): CaptureRefusedError {
  return new CaptureRefusedError('ORDER_NOT_FOUND', `There is no order or refund ${id} on this till.`, 'orderId');
}

/** The stored order in input form, with the patch laid over it (null removes a field). */
export function mergeForEdit(row: OrderRow, patch: Record<string, unknown>, country: string): Record<string, unknown> {
  const base: Record<string, unknown> = {
    name: row.name ?? undefined,
    email: row.email ?? undefined,
    currency: row.currency,
    totalPaidMinor: row.total_paid_minor,
    totalPriceMinor: row.total_price_minor ?? undefined,
    totalDiscountMinor: row.total_discount_minor ?? undefined,
    totalTaxMinor: row.total_tax_minor ?? undefined,
    totalShippingMinor: row.total_shipping_minor ?? undefined,
    lineItems: row.line_items_json === null ? undefined : parseLineItems(row.line_items_json),
    receiptNo: row.receipt_no ?? undefined,
    // A referrer named by id stays named by id (its code is looked up again at sync).
    referrerCode: row.referrer_customer_id ?? row.referrer_code ?? undefined,
  };
  // Identity: a customer id that came from the mobile follows a corrected mobile; an explicit one stays.
  let derivedFromMobile = false;
  if (row.mobile !== null) {
    try {
      derivedFromMobile = normaliseMobile(row.mobile, country).customerId === row.customer_id;
    } catch {
      derivedFromMobile = false;
    }
  }
  if (patch.customerId !== undefined || patch.mobile !== undefined) {
    base.customerId = patch.customerId ?? (derivedFromMobile ? undefined : row.customer_id);
    base.mobile = patch.mobile ?? (patch.customerId !== undefined ? undefined : (row.mobile ?? undefined));
    if (patch.customerId === null) base.customerId = undefined;
    if (patch.mobile === null) base.mobile = undefined;
  } else {
    base.customerId = row.customer_id;
    base.mobile = row.mobile ?? undefined;
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key === 'customerId' || key === 'mobile' || value === undefined) continue;
    if (value === null) delete base[key];
    else base[key] = value;
  }
  for (const k of Object.keys(base)) if (base[k] === undefined) delete base[k];
  return base;
}
