// Idempotent capture and the indexes the queue needs at scale. Append-only: never edit once shipped.
// - `client_ref`: the screen's own reference for one save. A save retried after its connection
//   dropped carries the same reference and gets the stored order back instead of a second order.
//   Unique where present (partial indexes: rows without one are not constrained).
// - the outbox claim: owed rows in id order without reading the done history (a partial index),
//   and per-customer searches (first owed call, call in flight) instead of a pass over all owed rows.
import type { Migration } from './types.ts';

export const migration0003: Migration = {
  version: 3,
  name: 'client-ref-and-indexes',
  up(db) {
    db.exec(`
ALTER TABLE orders ADD COLUMN client_ref TEXT;
ALTER TABLE refunds ADD COLUMN client_ref TEXT;
CREATE UNIQUE INDEX orders_client_ref ON orders(client_ref) WHERE client_ref IS NOT NULL;
CREATE UNIQUE INDEX refunds_client_ref ON refunds(client_ref) WHERE client_ref IS NOT NULL;
DROP INDEX orders_state_created;
CREATE INDEX orders_state_created ON orders(state, created_at, order_id);
CREATE INDEX orders_created ON orders(created_at, order_id);
CREATE INDEX orders_training_state ON orders(training, state, created_at);
CREATE INDEX refunds_training_state ON refunds(training, state, created_at);
CREATE INDEX outbox_owed ON outbox(id) WHERE state IN ('pending', 'in_flight');
CREATE INDEX outbox_customer ON outbox(customer_id, state, id);
`);
  },
};
