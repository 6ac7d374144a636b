// What the till learns about customers when online (their own referral code, whether Gameball
// already knows them), so the self-referral rule still applies offline later; and the indexes the
// order detail and retention need (refunds of an order, calls of an order). Append-only: never
// edit once shipped.
import type { Migration } from './types.ts';

export const migration0002: Migration = {
  version: 2,
  name: 'customer-cache',
  up(db) {
    db.exec(`
CREATE TABLE customer_cache (
  customer_id TEXT PRIMARY KEY,
  referral_code TEXT,
  exists_in_gameball INTEGER,
  fetched_at TEXT NOT NULL
);
CREATE INDEX refunds_order ON refunds(order_id);
CREATE INDEX sync_log_entity ON sync_log(entity_id);
`);
  },
};
