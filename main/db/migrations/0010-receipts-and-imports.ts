// Receipts captured once, and files imported once. Append-only: never edit once shipped.
// - `receipt_keys`: the key of a receipt read from its barcode (a ZATCA QR: VAT number, invoice
//   time and total; a receipt pattern: its receipt number; see preload/receipt-qr.ts) and the
//   order it was captured as, per mode (a training capture never blocks the live one). Written in
//   the order's capture transaction, so a receipt is never captured twice, from any process.
// - `imported_files`: every file the folder import read, by the SHA-256 of its content, with
//   what came of it. Written in the same transaction as the sales it imported, so a crash
//   between the import and the file's move leaves a file whose hash is known: it is moved, never
//   imported again (main/integration/folder-import.ts).
import type { Migration } from './types.ts';

export const migration0010: Migration = {
  version: 10,
  name: 'receipts-and-imports',
  up(db) {
    db.exec(`
CREATE TABLE receipt_keys (
  receipt_key TEXT NOT NULL,
  training INTEGER NOT NULL CHECK (training IN (0, 1)),
  order_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (receipt_key, training)
);
CREATE TABLE imported_files (
  content_hash TEXT PRIMARY KEY NOT NULL,
  file_name TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('done', 'failed')),
  sales INTEGER NOT NULL,
  failed_rows INTEGER NOT NULL,
  reason TEXT,
  imported_at TEXT NOT NULL
);
`);
  },
};
