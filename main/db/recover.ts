// Recovery: copies every readable order and refund (and the settings, stored keys and customer
// cache) out of a damaged database file into the live one, so nothing the till had accepted is
// dropped with the damaged file. What keeps a sale from being taken twice comes along too: the
// POS's sale ids (pos_sales: a sale the POS sends again answers with its order, not a second one),
// the receipts already captured (receipt_keys), the folder imports already done (imported_files),
// and the points holds orders redeem (point_holds: "hold again" needs the expired one); and the
// loyalty panel's cache.
//
// Contract of `recoverInto`:
// - the damaged file is only read (a copy of it, see salvage.ts), never changed or deleted;
// - idempotent: rows are keyed on order_id / refund_id, and one already in the live database is
//   left as it is; running it twice, or after the automatic attempt at start, adds nothing;
// - an order or refund Gameball already has in the damaged file (synced) comes back as history
//   and is never sent again; one still owed (pending, sending, needs attention) comes back with
//   its calls in the outbox marked unknown_outcome = 1, so the sync engine first asks Gameball
//   whether it has it (GET /orders/{id}/transactions) and posts only when it does not; a post of
//   one Gameball has anyway is answered 9004 and settled by the same look-up;
// - what needs a person stays with a person: needs-attention rows come back in attention, with
//   Gameball's code and message; a retry looks them up first like the others;
// - everything is written in one transaction: all of it or, on failure, nothing;
// - what could not be read is reported: by id where an index or the outbox still names it,
//   otherwise as "incomplete" (the file is cut short, or a stretch of a table is unreadable).
// The order tables belong to the order store; recovery writes them directly, as a migration
// does, because it restores rows that store wrote in the first place. Outbox rows go through the
// outbox module (main/sync/outbox-store.ts), the one writer of that table.
import { isoAt } from '../clock.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { SyncOrderRowSchema, SyncRefundRowSchema } from '../gameball/mappers.ts';
import { Outbox } from '../sync/outbox-store.ts';
import type { Database } from './database.ts';
import { salvageFile } from './salvage.ts';
import type { SalvageResult, SalvagedTable, TablePlan } from './salvage.ts';

/** A row known to have been in the damaged file that could not be read. */
export interface UnreadableEntry {
  kind: 'order' | 'refund';
  id: string;
  /** true: Gameball has it (only its record here is lost); false: it had not reached Gameball; null: not known. */
  atGameball: boolean | null;
  /** The customer, when the damaged file's outbox still names it. */
  customerId: string | null;
  /** When it was captured, read from its id (a uuid v7 carries its time). */
  capturedAt: string | null;
}

/** The time in a `<tillId>-<uuid v7>` id: the uuid's first 48 bits are Unix milliseconds. */
export function capturedAtOf(id: string): string | null {
  const m = /([0-9a-f]{8})-([0-9a-f]{4})-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/.exec(id);
  if (!m) return null;
  const ms = parseInt(`${m[1]}${m[2]}`, 16);
  return Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : null;
}

export interface RecoveredCounts {
  /** Copied into the live database. */
  recovered: number;
  /** Of those, the ones put back in the queue (still owed to Gameball, or needing attention). */
  requeued: number;
  /** Already in the live database (an earlier recovery): left as they were. */
  alreadyHere: number;
}

export interface RecoveryReport {
  from: string;
  /** false: nothing at all could be read from the file. */
  readable: boolean;
  orders: RecoveredCounts;
  refunds: RecoveredCounts;
  customers: number;
  settings: number;
  keys: number;
  /** Rows copied of the tables that keep a sale from being taken twice, and of the loyalty cache. */
  related: RelatedCounts;
  unreadable: UnreadableEntry[];
  /** Rows that decoded into nonsense (a torn page) and carry no usable id. */
  unreadableUnnamed: number;
  /** Orders or refunds may be missing that nothing names (their table is damaged and no index of it is whole). */
  incomplete: boolean;
  cutShort: SalvageResult['cutShort'];
  /** Orders recovered with a save reference that a newer order in the live database already has. */
  clientRefConflicts: { recovered: string; live: string }[];
  /** Details for the log. */
  problems: string[];
}

export interface RecoverOptions {
  clock: Clock;
  logger?: Logger;
}

/**
 * Tables copied row by row as they are (the columns both files have; a row the live file already
 * has is kept): each row is keyed on its own id, and none is an order or a call to Gameball.
 */
const RELATED = [
  { table: 'pos_sales', key: 'pos_sale_id', label: 'posSales' },
  { table: 'receipt_keys', key: 'receipt_key', label: 'receiptKeys' },
  { table: 'imported_files', key: 'content_hash', label: 'importedFiles' },
  { table: 'point_holds', key: 'hold_reference', label: 'pointHolds' },
  { table: 'loyalty_cache', key: 'customer_id', label: 'loyaltyCache' },
] as const;

export type RelatedCounts = Record<(typeof RELATED)[number]['label'], number>;

const PLANS: readonly TablePlan[] = [
  { table: 'settings', key: 'key' },
  { table: 'secrets', key: 'name' },
  {
    table: 'orders',
    key: 'order_id',
    indexes: [
      { name: 'sqlite_autoindex_orders_1', orderBy: ['order_id'] },
      { name: 'orders_created', orderBy: ['created_at', 'order_id'] },
      { name: 'orders_state_created', orderBy: ['state', 'created_at', 'order_id'] },
    ],
  },
  { table: 'refunds', key: 'refund_id', indexes: [{ name: 'sqlite_autoindex_refunds_1', orderBy: ['refund_id'] }] },
  { table: 'outbox', key: 'entity_id', indexes: [{ name: 'outbox_entity', orderBy: ['entity_id'] }] },
  { table: 'customer_cache', key: 'customer_id' },
  ...RELATED.map(({ table, key }) => ({ table, key })),
];

const OWED = new Set(['pending', 'sending', 'attention']);
const STATES = new Set(['pending', 'sending', 'synced', 'attention', 'discarded']);

interface OutboxFacts {
  kind: string;
  customer_id: string | null;
  state: string;
  attempts: number;
  last_error_code: string | null;
  last_error_message: string | null;
  created_at: string | null;
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : typeof v === 'bigint' ? Number(v) : null);

function outboxByEntity(t: SalvagedTable | undefined): Map<string, OutboxFacts[]> {
  const out = new Map<string, OutboxFacts[]>();
  for (const r of [...(t?.rows ?? [])].sort((a, b) => Number(a._rowid_) - Number(b._rowid_))) {
    const entity = text(r.entity_id);
    const kind = text(r.kind);
    const state = text(r.state);
    if (!entity || !kind || !state) continue;
    const list = out.get(entity) ?? [];
    list.push({
      kind,
      customer_id: text(r.customer_id),
      state,
      attempts: int(r.attempts) ?? 0,
      last_error_code: text(r.last_error_code),
      last_error_message: text(r.last_error_message),
      created_at: text(r.created_at),
    });
    out.set(entity, list);
  }
  return out;
}

/** Whether the damaged file's outbox says Gameball has this entity (its own call done). */
function atGameball(calls: OutboxFacts[] | undefined, kind: 'track_order' | 'refund'): boolean | null {
  const own = calls?.filter((c) => c.kind === kind) ?? [];
  if (own.length === 0) return null;
  return own.some((c) => c.state === 'done');
}

/** The columns of a live table, so a row from an older or newer file copies only what both have. */
function columnsOf(db: Database, table: string): string[] {
  return db
    .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}')`)
    .all()
    .map((c) => c.name);
}

function insertStatement(db: Database, table: string, columns: string[]) {
  return db.prepare(
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')}) ON CONFLICT DO NOTHING`,
  );
}

function pick(row: Record<string, unknown>, columns: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of columns) out[c] = row[c] ?? null;
  return out;
}

/** Reads `from` defensively and copies what it can into `live`. See the contract above. */
export function recoverInto(live: Database, from: string, opts: RecoverOptions): RecoveryReport {
  const salvaged = salvageFile(from, PLANS);
  const report: RecoveryReport = {
    from,
    readable: salvaged.readable,
    orders: { recovered: 0, requeued: 0, alreadyHere: 0 },
    refunds: { recovered: 0, requeued: 0, alreadyHere: 0 },
    customers: 0,
    settings: 0,
    keys: 0,
    related: { posSales: 0, receiptKeys: 0, importedFiles: 0, pointHolds: 0, loyaltyCache: 0 },
    unreadable: [],
    unreadableUnnamed: 0,
    incomplete: ['orders', 'refunds'].some((t) => {
      const read = salvaged.tables.get(t);
      return !read || (read.damaged && !read.indexed);
    }),
    cutShort: salvaged.cutShort,
    clientRefConflicts: [],
    problems: [...salvaged.problems],
  };
  if (!salvaged.readable) return report;

  const now = opts.clock.now();
  const at = isoAt(now);
  const calls = outboxByEntity(salvaged.tables.get('outbox'));
  const orderCols = columnsOf(live, 'orders');
  const refundCols = columnsOf(live, 'refunds');
  const outbox = new Outbox(live);
  const stmt = {
    setting: live.prepare('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)'),
    secret: live.prepare('INSERT OR IGNORE INTO secrets (name, ciphertext, scheme, updated_at) VALUES (?, ?, ?, ?)'),
    customer: live.prepare(
      'INSERT OR IGNORE INTO customer_cache (customer_id, referral_code, exists_in_gameball, fetched_at) VALUES (?, ?, ?, ?)',
    ),
    order: insertStatement(live, 'orders', orderCols),
    refund: insertStatement(live, 'refunds', refundCols),
    orderExists: live.prepare<[string], { one: number }>('SELECT 1 AS one FROM orders WHERE order_id = ?'),
    refundExists: live.prepare<[string], { one: number }>('SELECT 1 AS one FROM refunds WHERE refund_id = ?'),
    orderByRef: live.prepare<[string], { order_id: string }>('SELECT order_id FROM orders WHERE client_ref = ?'),
    refundByRef: live.prepare<[string], { refund_id: string }>('SELECT refund_id FROM refunds WHERE client_ref = ?'),
  };

  const unreadable = (kind: UnreadableEntry['kind'], id: string, own: 'track_order' | 'refund') => {
    if (report.unreadable.some((u) => u.id === id)) return;
    const known = calls.get(id);
    report.unreadable.push({
      kind,
      id,
      atGameball: atGameball(known, own),
      customerId: known?.find((c) => c.customer_id)?.customer_id ?? null,
      capturedAt: capturedAtOf(id),
    });
  };

  /**
   * Puts an owed entity's calls back: those the damaged outbox still had open or, when the outbox
   * said nothing of it, those it must owe (`owes`, its own call last). Its own call is always among
   * them, or nothing would ever send it. Every row is of unknown outcome: look up before posting.
   */
  const requeue = (
    entity: string,
    customer: string,
    state: string,
    owes: readonly string[],
    attention: { code: string | null; message: string | null },
  ) => {
    const own = owes[owes.length - 1]!;
    const fresh = (kind: string): OutboxFacts => ({
      kind,
      customer_id: customer,
      state: 'pending',
      attempts: 0,
      last_error_code: null,
      last_error_message: null,
      created_at: null,
    });
    const seen = calls.get(entity);
    let rows = seen ? seen.filter((c) => c.state !== 'done' && c.state !== 'discarded') : owes.map(fresh);
    if (!rows.some((r) => r.kind === own)) rows = [...rows, fresh(own)];
    const stuck = (r: OutboxFacts) => r.state === 'attention' || r.state === 'dead';
    // Needs attention, but the outbox row that said why is gone: its own call waits for a person.
    const ownWaits = state === 'attention' && !rows.some(stuck);
    for (const r of rows) {
      const waits = stuck(r) || (ownWaits && r.kind === own);
      outbox.restore(
        {
          kind: r.kind,
          entityId: entity,
          customerId: customer,
          state: waits ? 'attention' : 'pending',
          attempts: r.attempts,
          code: waits ? (r.last_error_code ?? attention.code) : r.last_error_code,
          message: waits ? (r.last_error_message ?? attention.message) : r.last_error_message,
          createdAt: r.created_at,
        },
        now,
      );
    }
  };

  live
    .transaction(() => {
      for (const r of salvaged.tables.get('settings')?.rows ?? []) {
        const key = text(r.key);
        const value = text(r.value);
        if (key && value !== null && stmt.setting.run(key, value).changes === 1) report.settings += 1;
      }
      for (const r of salvaged.tables.get('secrets')?.rows ?? []) {
        const name = text(r.name);
        const scheme = text(r.scheme);
        if (
          name &&
          scheme &&
          Buffer.isBuffer(r.ciphertext) &&
          stmt.secret.run(name, r.ciphertext, scheme, text(r.updated_at) ?? at).changes === 1
        )
          report.keys += 1;
      }
      for (const r of salvaged.tables.get('customer_cache')?.rows ?? []) {
        const id = text(r.customer_id);
        if (id && stmt.customer.run(id, text(r.referral_code), int(r.exists_in_gameball), text(r.fetched_at) ?? at).changes === 1)
          report.customers += 1;
      }

      const orders = salvaged.tables.get('orders');
      // Oldest first, so each customer's calls queue in the order they were made (ISO times sort as text).
      const byAge = (a: Record<string, unknown>, b: Record<string, unknown>) => {
        const x = String(a.created_at);
        const y = String(b.created_at);
        return x < y ? -1 : x > y ? 1 : Number(a._rowid_) - Number(b._rowid_);
      };
      const sortedOrders = [...(orders?.rows ?? [])].sort(byAge);
      for (const row of sortedOrders) {
        const id = text(row.order_id);
        const state = text(row.state);
        if (!SyncOrderRowSchema.safeParse(row).success || !state || !STATES.has(state) || !text(row.created_at)) {
          if (id && /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}-[0-9a-f-]{36}$/.test(id)) unreadable('order', id, 'track_order');
          else report.unreadableUnnamed += 1;
          continue;
        }
        const orderId = id!;
        if (stmt.orderExists.get(orderId)) {
          report.orders.alreadyHere += 1;
          continue;
        }
        const owed = OWED.has(state);
        const values = pick(row, orderCols);
        if (state === 'sending') values.state = 'pending';
        const ref = text(row.client_ref);
        if (ref) {
          const other = stmt.orderByRef.get(ref);
          if (other) {
            report.clientRefConflicts.push({ recovered: orderId, live: other.order_id });
            values.client_ref = null;
          }
        }
        if (owed) values.updated_at = at;
        stmt.order.run(values);
        report.orders.recovered += 1;
        if (!owed) continue;
        const customer = String(row.customer_id);
        const fallback = text(row.referrer_code) ? ['register_customer', 'track_order'] : ['track_order'];
        requeue(orderId, customer, state, fallback, { code: text(row.attention_code), message: text(row.attention_message) });
        report.orders.requeued += 1;
      }
      for (const key of orders?.unreadableKeys ?? []) {
        if (!stmt.orderExists.get(key)) unreadable('order', key, 'track_order');
      }

      const refunds = salvaged.tables.get('refunds');
      for (const row of refunds?.rows ?? []) {
        const id = text(row.refund_id);
        const state = text(row.state);
        if (!SyncRefundRowSchema.safeParse(row).success || !state || !STATES.has(state) || !text(row.created_at)) {
          if (id && /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}-[0-9a-f-]{36}$/.test(id)) unreadable('refund', id, 'refund');
          else report.unreadableUnnamed += 1;
          continue;
        }
        const refundId = id!;
        if (stmt.refundExists.get(refundId)) {
          report.refunds.alreadyHere += 1;
          continue;
        }
        if (!stmt.orderExists.get(String(row.order_id))) {
          // Its order is neither recovered nor here: the refund cannot stand alone.
          report.problems.push(`refund ${refundId}: its order ${String(row.order_id)} could not be read`);
          unreadable('refund', refundId, 'refund');
          continue;
        }
        const owed = OWED.has(state);
        const values = pick(row, refundCols);
        if (state === 'sending') values.state = 'pending';
        const ref = text(row.client_ref);
        if (ref && stmt.refundByRef.get(ref)) values.client_ref = null;
        if (owed) values.updated_at = at;
        stmt.refund.run(values);
        report.refunds.recovered += 1;
        if (!owed) continue;
        requeue(refundId, String(row.customer_id), state, ['refund'], {
          code: text(row.attention_code),
          message: text(row.attention_message),
        });
        report.refunds.requeued += 1;
      }
      for (const key of refunds?.unreadableKeys ?? []) {
        if (!stmt.refundExists.get(key)) unreadable('refund', key, 'refund');
      }

      // After the orders: a sale id or receipt names its order, which is back by now (or named
      // unreadable; the sale id is kept either way, so the POS sending it again is not a new sale).
      for (const { table, label } of RELATED) {
        const rows = salvaged.tables.get(table)?.rows ?? [];
        if (rows.length === 0) continue;
        const cols = columnsOf(live, table);
        const insert = insertStatement(live, table, cols);
        for (const row of rows) {
          try {
            if (insert.run(pick(row, cols)).changes === 1) report.related[label] += 1;
          } catch (err) {
            // A torn row that breaks the table's rules: that row only (the statement is undone, not the recovery).
            report.problems.push(`${table}: a row could not be copied (${err instanceof Error ? err.message : String(err)})`);
          }
        }
      }

      // The outbox may still name orders and refunds whose rows are gone from every table and index.
      for (const [entity, list] of calls) {
        const kind = list.some((c) => c.kind === 'refund') ? 'refund' : 'order';
        const exists = kind === 'refund' ? stmt.refundExists.get(entity) : stmt.orderExists.get(entity);
        if (!exists) unreadable(kind, entity, kind === 'refund' ? 'refund' : 'track_order');
      }
    })
    .immediate();

  const logFields = {
    from,
    orders: report.orders,
    refunds: report.refunds,
    customers: report.customers,
    settings: report.settings,
    keys: report.keys,
    related: report.related,
    unreadable: report.unreadable.length,
    unreadableUnnamed: report.unreadableUnnamed,
    incomplete: report.incomplete,
  };
  if (report.unreadable.length > 0 || report.unreadableUnnamed > 0 || report.incomplete) {
    opts.logger?.error(
      { ...logFields, unreadableIds: report.unreadable, problems: report.problems.slice(0, 50) },
      'recovery from a damaged database: some rows could not be read',
    );
  } else {
    opts.logger?.info(logFields, 'recovery from a damaged database: every row read');
  }
  for (const c of report.clientRefConflicts) {
    opts.logger?.warn(c, 'recovered order has the save reference of a newer order: both kept, check them');
  }
  return report;
}

/**
 * Marks every call still owed as of unknown outcome, so the sync engine asks Gameball before it
 * posts: for a database that lost its latest writes (restored without its -wal), which may have
 * included the record of calls Gameball answered. Returns how many rows were marked.
 */
export function markOwedUnknown(db: Database, now: number): number {
  return new Outbox(db).markOwedUnknown(now);
}
