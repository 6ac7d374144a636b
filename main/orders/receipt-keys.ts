// Owner of `receipt_keys` (migration 0010): which order a receipt read from its barcode was
// captured as. Called only inside the order capture transaction (order-store.ts), so the check
// and the claim see the same database and a receipt is captured once, from any process.
import type { Database } from '../db/database.ts';
import { CaptureRefusedError } from './errors.ts';

/** The refusal a second capture of one receipt gets; the screen names the order from `orderId`. */
export class ReceiptCapturedError extends CaptureRefusedError {
  constructor(readonly orderId: string) {
    super(
      'RECEIPT_ALREADY_CAPTURED',
      `This receipt was already captured as order ${orderId}, so nothing was saved again. Find that order in the queue.`,
      'receiptKey',
    );
  }
}

export class ReceiptKeys {
  private readonly find;
  private readonly claimStmt;

  constructor(db: Database) {
    // A receipt whose order was discarded (it never reached Gameball) may be captured again. One
    // whose order is gone was synced and pruned by retention (discarded orders are never pruned):
    // Gameball has it, so the receipt stays taken.
    this.find = db.prepare<[string, number], { order_id: string }>(
      `SELECT k.order_id FROM receipt_keys k LEFT JOIN orders o ON o.order_id = k.order_id
        WHERE k.receipt_key = ? AND k.training = ? AND (o.state IS NULL OR o.state != 'discarded')`,
    );
    this.claimStmt = db.prepare<{ key: string; training: number; order: string; at: string }>(
      `INSERT INTO receipt_keys (receipt_key, training, order_id, created_at) VALUES (@key, @training, @order, @at)
         ON CONFLICT (receipt_key, training) DO UPDATE SET order_id = excluded.order_id, created_at = excluded.created_at`,
    );
  }

  /** The order the receipt was captured as (not discarded), or null. */
  orderOf(key: string, training: boolean): string | null {
    return this.find.get(key, training ? 1 : 0)?.order_id ?? null;
  }

  /** Throws ReceiptCapturedError when the receipt belongs to an order already. */
  assertFree(key: string, training: boolean): void {
    const orderId = this.orderOf(key, training);
    if (orderId !== null) throw new ReceiptCapturedError(orderId);
  }

  /** Records the receipt as `orderId`'s (inside the capture transaction, after assertFree). */
  claim(key: string, training: boolean, orderId: string, at: string): void {
    this.claimStmt.run({ key, training: training ? 1 : 0, order: orderId, at });
  }
}
