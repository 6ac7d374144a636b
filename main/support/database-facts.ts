// The database as the support bundle reports it: SQLite's quick_check (every problem it finds, up
// to 100), the schema version and the file sizes, read through a read-only connection of its own
// so a damaged file is described rather than refused. Also the till's known customer ids and
// mobiles, which the bundle masks wherever they appear (see redact.ts); they never leave this
// process in clear.
import { existsSync, statSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { databaseFile } from '../db/paths.ts';

export interface DatabaseFacts {
  file: string;
  exists: boolean;
  /** Bytes of the file, its -wal and -shm (absent: 0). */
  bytes: { db: number; wal: number; shm: number };
  /** ["ok"] when SQLite finds nothing wrong; else its findings. null: it could not be run (why in `error`). */
  quickCheck: string[] | null;
  userVersion: number | null;
  pageSize: number | null;
  pageCount: number | null;
  freelistCount: number | null;
  journalMode: string | null;
  error: string | null;
}

const CUSTOMER_QUERIES = [
  'SELECT customer_id AS v FROM orders UNION SELECT mobile FROM orders WHERE mobile IS NOT NULL',
  'SELECT referrer_customer_id AS v FROM orders WHERE referrer_customer_id IS NOT NULL',
  'SELECT customer_id AS v FROM refunds',
  'SELECT customer_id AS v FROM outbox',
  'SELECT customer_id AS v FROM customer_cache',
];

const size = (f: string): number => {
  try {
    return statSync(f).size;
  } catch {
    return 0;
  }
};

/** The facts, and the customer ids to mask. Never throws: what failed is in `error`. */
export function readDatabaseFacts(dataDir: string): { facts: DatabaseFacts; customerIds: Set<string> } {
  const file = databaseFile(dataDir);
  const facts: DatabaseFacts = {
    file,
    exists: existsSync(file),
    bytes: { db: size(file), wal: size(`${file}-wal`), shm: size(`${file}-shm`) },
    quickCheck: null,
    userVersion: null,
    pageSize: null,
    pageCount: null,
    freelistCount: null,
    journalMode: null,
    error: null,
  };
  const customerIds = new Set<string>();
  if (!facts.exists) return { facts, customerIds };
  let db: BetterSqlite3.Database | undefined;
  try {
    db = new BetterSqlite3(file, { readonly: true, fileMustExist: true, timeout: 5_000 });
    facts.quickCheck = (db.pragma('quick_check(100)') as { quick_check: string }[]).map((r) => r.quick_check);
    facts.userVersion = db.pragma('user_version', { simple: true }) as number;
    facts.pageSize = db.pragma('page_size', { simple: true }) as number;
    facts.pageCount = db.pragma('page_count', { simple: true }) as number;
    facts.freelistCount = db.pragma('freelist_count', { simple: true }) as number;
    facts.journalMode = db.pragma('journal_mode', { simple: true }) as string;
    for (const sql of CUSTOMER_QUERIES) {
      try {
        for (const row of db.prepare(sql).iterate() as Iterable<{ v: unknown }>) if (typeof row.v === 'string') customerIds.add(row.v);
      } catch {
        // a table or column this version of the database does not have (or cannot read): skipped
      }
    }
  } catch (err) {
    facts.error = err instanceof Error ? err.message : String(err);
  } finally {
    db?.close();
  }
  return { facts, customerIds };
}
