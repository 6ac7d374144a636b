// Idempotent capture and the indexes the queue needs at scale. Append-only: never edit once shipped.
// - `client_ref`: the screen's own reference for one save. A save retried after its connection
//   dropped carries the same reference and gets the stored order back instead of a second order.
//   Unique where present (partial indexes: rows without one are not constrained).
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
`);
  },
};
