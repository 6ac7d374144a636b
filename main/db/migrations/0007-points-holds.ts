// Spending points at the till. `orders.points_hold_reference`: the Gameball hold the order
// redeems (sent as `redemption.pointsHoldReference`); NULL for an order that redeems nothing.
// `point_holds`: every hold the till took, with its points and value, so a cancelled sale can
// release it, a capture can check it, and an order whose hold expired can hold the same points
// again. The partial index finds the redemption orders still owed at once, so the sync sends them
// ahead of the backlog without reading it. Append-only: never edit once shipped.
import type { Migration } from './types.ts';

export const migration0007: Migration = {
  version: 7,
  name: 'points-holds',
  up(db) {
    db.exec(`
ALTER TABLE orders ADD COLUMN points_hold_reference TEXT;
CREATE INDEX orders_redemption_owed ON orders(order_id) WHERE points_hold_reference IS NOT NULL AND state IN ('pending', 'sending');
CREATE TABLE point_holds (
  hold_reference TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  points INTEGER NOT NULL,
  amount_minor INTEGER NOT NULL,
  currency TEXT NOT NULL,
  training INTEGER NOT NULL,
  state TEXT NOT NULL,
  order_id TEXT,
  expires_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX point_holds_order ON point_holds(order_id);
`);
  },
};
