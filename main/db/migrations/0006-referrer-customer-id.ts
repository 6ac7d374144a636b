// A referrer named by customer id instead of referral code (the POS referral guide allows both).
// Captured offline, the id is kept here and its referral code looked up just before the new
// customer is registered; `referrer_code` then holds the code. NULL: no referrer, or one named by
// code. Append-only: never edit once shipped.
import type { Migration } from './types.ts';

export const migration0006: Migration = {
  version: 6,
  name: 'referrer-customer-id',
  up(db) {
    db.exec('ALTER TABLE orders ADD COLUMN referrer_customer_id TEXT');
  },
};
