// A marker that names this database file: a random id and when it was made. The till's identity
// file (till.json) keeps the marker of the database it belongs with, so a database that turns up
// empty or different (restored from a copy without its -wal, or replaced) is told apart from the
// one the till had. One row only. Append-only: never edit once shipped.
import type { Migration } from './types.ts';

export const migration0004: Migration = {
  version: 4,
  name: 'database-marker',
  up(db) {
    db.exec(`
CREATE TABLE database_info (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  database_id TEXT NOT NULL,
  created_at TEXT NOT NULL
);
INSERT INTO database_info (id, database_id, created_at) VALUES (1, lower(hex(randomblob(16))), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
`);
  },
};
