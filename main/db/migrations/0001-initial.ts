// The till's first schema: settings, encrypted secrets, orders, refunds, the outbox of Gameball
// calls still owed, and the audit trail of every call made. Append-only: never edit once shipped.
import type { Migration } from './types.ts';

export const migration0001: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE secrets (name TEXT PRIMARY KEY, ciphertext BLOB NOT NULL, scheme TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE orders (
  order_id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  mobile TEXT, name TEXT, email TEXT,
  currency TEXT NOT NULL,
  total_paid_minor INTEGER NOT NULL,
  total_price_minor INTEGER, total_discount_minor INTEGER, total_tax_minor INTEGER, total_shipping_minor INTEGER,
  line_items_json TEXT,
  receipt_no TEXT,
  referrer_code TEXT,
  order_date TEXT NOT NULL,
  store_id TEXT, branch_id TEXT, till_id TEXT NOT NULL,
  training INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL CHECK (state IN ('pending','sending','synced','attention','discarded')),
  rewarded_points INTEGER,
  attention_code TEXT, attention_message TEXT,
  discard_reason TEXT,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, synced_at TEXT
);
CREATE INDEX orders_state_created ON orders(state, created_at);
CREATE INDEX orders_customer ON orders(customer_id, created_at);
CREATE TABLE refunds (
  refund_id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES orders(order_id),
  customer_id TEXT NOT NULL,
  amount_minor INTEGER,
  currency TEXT NOT NULL,
  transaction_time TEXT NOT NULL,
  training INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL CHECK (state IN ('pending','sending','synced','attention','discarded')),
  attention_code TEXT, attention_message TEXT, discard_reason TEXT,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, synced_at TEXT
);
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind IN ('register_customer','track_order','refund')),
  entity_id TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending','in_flight','done','attention','dead','discarded')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  lease_owner TEXT, lease_expires_at INTEGER,
  unknown_outcome INTEGER NOT NULL DEFAULT 0,
  last_error_code TEXT, last_error_message TEXT,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE INDEX outbox_ready ON outbox(state, next_attempt_at);
CREATE INDEX outbox_entity ON outbox(entity_id);
CREATE TABLE sync_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT, outbox_id INTEGER, entity_id TEXT, method TEXT NOT NULL, path TEXT NOT NULL,
  http_status INTEGER, gameball_code INTEGER, message TEXT, request_id TEXT, outcome TEXT NOT NULL,
  duration_ms INTEGER, at TEXT NOT NULL
);
`);
  },
};
