// Row shapes of the order tables and their mapping to the views the screen and CLI see (the
// contract's, money in minor units), and to the export file (the one place here with decimal text).
import { OrderStateSchema } from '../../preload/api.ts';
import { formatMinor } from './money.ts';
import { LineItemsSchema, OutboxKindSchema, OutboxStateSchema } from './schemas.ts';
import type { LineItem, OrderDetail, OrderView, OutboxEntryView, RefundView, SyncLogEntry, SyncTrackedView } from './schemas.ts';
import type { OutboxRow } from '../sync/outbox-store.ts';

/**
 * The columns orders and refunds share: their mode, where they are in the sync, why a person
 * must look at them, and when. One definition, so both tables move through the sync alike.
 */
export interface SyncTrackedRow {
  training: number;
  state: string;
  attention_code: string | null;
  attention_message: string | null;
  discard_reason: string | null;
  created_at: string;
  updated_at: string;
  synced_at: string | null;
  /** The screen's reference for the save that created it (idempotent capture); null for others. */
  client_ref: string | null;
}

/** A freshly captured row: pending, nothing to look at, created now. */
export function newSyncTracked(training: number, iso: string, clientRef: string | null): SyncTrackedRow {
  return {
    training,
    state: 'pending',
    attention_code: null,
    attention_message: null,
    discard_reason: null,
    created_at: iso,
    updated_at: iso,
    synced_at: null,
    client_ref: clientRef,
  };
}

export interface OrderRow extends SyncTrackedRow {
  order_id: string;
  customer_id: string;
  mobile: string | null;
  name: string | null;
  email: string | null;
  currency: string;
  total_paid_minor: number;
  total_price_minor: number | null;
  total_discount_minor: number | null;
  total_tax_minor: number | null;
  total_shipping_minor: number | null;
  line_items_json: string | null;
  receipt_no: string | null;
  referrer_code: string | null;
  /** A referrer named by customer id (migration 0006); referrer_code holds its code once looked up. */
  referrer_customer_id: string | null;
  /** The coupon locked for this sale and the lock the order carries (migration 0008). */
  coupon_code?: string | null;
  coupon_lock_reference?: string | null;
  /** The store's and branch's names when captured (migration 0008), sent in `merchant`. */
  store_name?: string | null;
  branch_name?: string | null;
  order_date: string;
  store_id: string | null;
  branch_id: string | null;
  till_id: string;
  rewarded_points: number | null;
}

export interface RefundRow extends SyncTrackedRow {
  refund_id: string;
  order_id: string;
  customer_id: string;
  amount_minor: number | null;
  currency: string;
  transaction_time: string;
}

export interface SyncLogRow {
  id: number;
  outbox_id: number | null;
  entity_id: string | null;
  method: string;
  path: string;
  http_status: number | null;
  gameball_code: number | null;
  message: string | null;
  request_id: string | null;
  outcome: string;
  duration_ms: number | null;
  at: string;
}

function syncTrackedView(r: SyncTrackedRow): SyncTrackedView {
  return {
    training: r.training === 1,
    state: OrderStateSchema.parse(r.state),
    attentionCode: r.attention_code,
    attentionMessage: r.attention_message,
    discardReason: r.discard_reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    syncedAt: r.synced_at,
  };
}

export function orderView(r: OrderRow): OrderView {
  return {
    orderId: r.order_id,
    customerId: r.customer_id,
    mobile: r.mobile,
    name: r.name,
    email: r.email,
    currency: r.currency,
    totalPaidMinor: r.total_paid_minor,
    receiptNo: r.receipt_no,
    referrerCode: r.referrer_code,
    ...(r.referrer_customer_id ? { referrerCustomerId: r.referrer_customer_id } : {}),
    orderDate: r.order_date,
    storeId: r.store_id,
    branchId: r.branch_id,
    tillId: r.till_id,
    rewardedPoints: r.rewarded_points,
    ...syncTrackedView(r),
  };
}

/**
 * Line items as stored. A value that no longer parses yields [] here (the view must still open);
 * the sync mapper parses strictly and sends such an order to a visible dead state instead.
 */
export function parseLineItems(json: string | null): LineItem[] {
  if (json === null) return [];
  try {
    const parsed = LineItemsSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

export function refundView(r: RefundRow): RefundView {
  return {
    refundId: r.refund_id,
    orderId: r.order_id,
    customerId: r.customer_id,
    amountMinor: r.amount_minor,
    currency: r.currency,
    transactionTime: r.transaction_time,
    ...syncTrackedView(r),
  };
}

export function outboxView(r: OutboxRow): OutboxEntryView {
  return {
    id: r.id,
    kind: OutboxKindSchema.parse(r.kind),
    entityId: r.entity_id,
    state: OutboxStateSchema.parse(r.state),
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    unknownOutcome: r.unknown_outcome === 1,
    lastErrorCode: r.last_error_code,
    lastErrorMessage: r.last_error_message,
  };
}

export function syncLogView(r: SyncLogRow): SyncLogEntry {
  return {
    id: r.id,
    outboxId: r.outbox_id,
    entityId: r.entity_id,
    method: r.method,
    path: r.path,
    httpStatus: r.http_status,
    gameballCode: r.gameball_code,
    message: r.message,
    requestId: r.request_id,
    outcome: r.outcome,
    durationMs: r.duration_ms,
    at: r.at,
  };
}

export function orderDetail(r: OrderRow, refunds: RefundRow[], outbox: OutboxRow[], log: SyncLogRow[]): OrderDetail {
  return {
    ...orderView(r),
    totalPriceMinor: r.total_price_minor,
    totalDiscountMinor: r.total_discount_minor,
    totalTaxMinor: r.total_tax_minor,
    totalShippingMinor: r.total_shipping_minor,
    lineItems: parseLineItems(r.line_items_json),
    refunds: refunds.map(refundView),
    outbox: outbox.map(outboxView),
    syncLog: log.map(syncLogView),
  };
}

// --- The export file ------------------------------------------------------------------------------
// People read an export in a spreadsheet: its amounts are decimal text in the order's currency
// ("125.50", KWD "2.500"), next to the minor units, field for field as the file has always had them.

const money = (minor: number | null, currency: string): string | null => (minor === null ? null : formatMinor(minor, currency));

/** An order as one export record: the view with the amounts also as decimal text. */
export function orderExportRecord(r: OrderRow) {
  const { orderId, customerId, mobile, name, email, currency, totalPaidMinor, ...rest } = orderView(r);
  return {
    orderId,
    customerId,
    mobile,
    name,
    email,
    currency,
    totalPaid: formatMinor(totalPaidMinor, currency),
    totalPaidMinor,
    totalPrice: money(r.total_price_minor, currency),
    ...rest,
  };
}

/** A refund as the export shows it: the view with the amount also as decimal text. */
export function refundExportRecord(r: RefundRow) {
  const { refundId, orderId, customerId, ...rest } = refundView(r);
  return { refundId, orderId, customerId, amount: money(r.amount_minor, r.currency), ...rest };
}
