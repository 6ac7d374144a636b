// Sales the store's POS sent (local API, folder import), keyed on the POS's own sale id, and the
// order each became. The PRIMARY KEY is what makes a sale sent twice, even by two requests or two
// processes at once, one row; the order itself is unique through its client_ref (migration 0003),
// derived from the sale id. Append-only: never edit once shipped.
//  - state: 'pending' (no customer yet: shown on the checkout screen until the cashier scans one),
//    'captured' (order_id is the order), 'skipped' (the cashier dismissed it: no loyalty customer);
//  - sale_json: the sale as accepted (main/integration/sale.ts canonicalSale), amounts as decimal
//    text in its currency; customer_json: the customer it was captured for (the sale's own, or
//    the one the cashier scanned), null while pending.
import type { Migration } from './types.ts';

export const migration0009: Migration = {
  version: 9,
  name: 'pos-sales',
  up(db) {
    db.exec(`
CREATE TABLE pos_sales (
  pos_sale_id TEXT PRIMARY KEY NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending','captured','skipped')),
  sale_json TEXT NOT NULL,
  customer_json TEXT,
  order_id TEXT,
  received_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX pos_sales_order ON pos_sales(order_id) WHERE order_id IS NOT NULL;
CREATE INDEX pos_sales_pending ON pos_sales(received_at) WHERE state = 'pending';
`);
  },
};
