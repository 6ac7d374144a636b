// Loyalty at the till. Append-only: never edit once shipped.
//  - loyalty_cache: the last answer Gameball gave about a customer (name, points, tier, referral
//    code and count) with when it came, so the panel can show it offline with its age. One row per
//    customer and mode: training answers come from the built-in simulator and never stand in for
//    Gameball's. `answer_json` NULL: Gameball did not know the customer then.
//  - orders.coupon_code / coupon_lock_reference: the coupon locked online for this sale; the order
//    carries the lock as `redemption.couponsLockReference`, which burns the coupon at Gameball.
//  - orders.store_name / branch_name: the settings' names when the sale was captured, sent in
//    `merchant` beside the ids.
import type { Migration } from './types.ts';

export const migration0008: Migration = {
  version: 8,
  name: 'loyalty-panel',
  up(db) {
    db.exec(`
CREATE TABLE loyalty_cache (
  customer_id TEXT NOT NULL,
  training INTEGER NOT NULL,
  answer_json TEXT,
  fetched_at TEXT NOT NULL,
  PRIMARY KEY (customer_id, training)
);
ALTER TABLE orders ADD COLUMN coupon_code TEXT;
ALTER TABLE orders ADD COLUMN coupon_lock_reference TEXT;
ALTER TABLE orders ADD COLUMN store_name TEXT;
ALTER TABLE orders ADD COLUMN branch_name TEXT;
`);
  },
};
