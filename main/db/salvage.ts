// Reading what is still readable in a damaged SQLite file, defensively. SQLite stops a statement
// at the first bad page, so a plain `SELECT *` loses every row after it; this reader goes table by
// table and, within a table, resumes past each bad stretch of rowids, so one bad page costs only
// the rows stored on it. Indexes are read separately to name rows whose own page is gone.
//
// Contract of `salvageFile`:
// - the file (and its -wal) is never written: a copy in a temporary folder is read, then deleted;
// - never throws for damage: what could not be read is counted and described in `problems`;
// - a row is returned as SQLite decoded it (plus `_rowid_`); checking that its values make sense
//   is the caller's job (a torn page can decode into a row of zeros);
// - `readable: false` means not even the table list could be read.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { cutShort, hasWalContent } from './file-header.ts';

export interface TablePlan {
  table: string;
  /** The column that names a row (e.g. order_id), read from `indexes` when the row itself is not. */
  key?: string;
  /** Indexes whose entries carry `key`, each with its columns in order; each is read on its own. */
  indexes?: readonly { name: string; orderBy: readonly string[] }[];
}

export interface SalvagedTable {
  table: string;
  /** Every row that could be read, with its `_rowid_`. */
  rows: Record<string, unknown>[];
  /** Keys (from the plan's indexes) of rows that exist but could not be read. */
  unreadableKeys: string[];
  /** Rowids (from the indexes) that exist but could not be read, including those in `unreadableKeys`. */
  unreadableRowids: number[];
  /** True when reading the rows met damage: rows may be missing beyond those named. */
  damaged: boolean;
  /** An index of the plan was read whole: every row is either read or named in `unreadableKeys`. */
  indexed: boolean;
}

export interface SalvageResult {
  file: string;
  /** false: nothing could be read (not even the list of tables). */
  readable: boolean;
  /** Set when the main file is shorter than its header says (and no -wal was there to make up for it). */
  cutShort: { pages: number; expectedPages: number } | null;
  tables: Map<string, SalvagedTable>;
  /** `sqlite_sequence`: the last id each AUTOINCREMENT table handed out, where readable. */
  sequences: Map<string, number>;
  /** What went wrong, for the log (table, where, SQLite's message). */
  problems: string[];
}

/** How far past the last readable rowid to keep probing one rowid at a time when no index says more. */
const PROBE_SLACK = 2_000;

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Every readable row of one table. A scan in rowid order runs until SQLite reports damage; then
 * single-rowid lookups step over the bad stretch (a lookup that fails is a rowid on a bad page; one
 * that answers, with a row or without, is past it) and the scan resumes. Lookups go as far as the
 * highest rowid any index knows, plus some slack.
 */
function salvageRows(db: BetterSqlite3.Database, plan: TablePlan, problems: string[]): SalvagedTable {
  const t = quote(plan.table);
  const rows = new Map<number, Record<string, unknown>>();
  let damaged = false;
  const note = (where: string, err: unknown) => problems.push(`${plan.table}: ${where} (${message(err)})`);
  const fail = (where: string, err: unknown) => {
    damaged = true;
    note(where, err);
  };

  // What the indexes know: rowid -> key. Each index is read from both ends, each way until it fails.
  const known = new Map<number, string | null>();
  let indexed = false;
  const learn = (e: { k: unknown; r: unknown }) => {
    if (typeof e.r !== 'number') return;
    if (!known.has(e.r) || (known.get(e.r) === null && typeof e.k === 'string')) known.set(e.r, typeof e.k === 'string' ? e.k : null);
  };
  if (plan.key) {
    for (const index of plan.indexes ?? []) {
      for (const dir of ['ASC', 'DESC'] as const) {
        try {
          const sql = `SELECT ${quote(plan.key)} AS k, rowid AS r FROM ${t} INDEXED BY ${quote(index.name)} ORDER BY ${index.orderBy.map((c) => `${quote(c)} ${dir}`).join(', ')}`;
          for (const e of db.prepare<[], { k: unknown; r: unknown }>(sql).iterate()) learn(e);
          if (dir === 'ASC') indexed = true;
          break; // read whole: no need for the other direction
        } catch (err) {
          // A damaged index loses no row by itself: the table is read on its own below.
          note(`index ${index.name} unreadable in part, read ${dir === 'ASC' ? 'forwards' : 'backwards'}`, err);
        }
      }
    }
  }

  let scanUp: BetterSqlite3.Statement<[number], Record<string, unknown>>;
  let scanDown: BetterSqlite3.Statement<[], Record<string, unknown>>;
  let point: BetterSqlite3.Statement<[number], Record<string, unknown>>;
  try {
    scanUp = db.prepare(`SELECT rowid AS _rowid_, * FROM ${t} WHERE rowid > ? ORDER BY rowid`);
    scanDown = db.prepare(`SELECT rowid AS _rowid_, * FROM ${t} ORDER BY rowid DESC`);
    point = db.prepare(`SELECT rowid AS _rowid_, * FROM ${t} WHERE rowid = ?`);
  } catch (err) {
    fail('cannot be read at all', err);
    return finish(plan, rows, known, damaged, indexed);
  }

  // From the end backwards, until damage: the rows after a bad stretch, and how far rowids go.
  // Everything from `tailFrom` up is read; a table read whole this way needs nothing more.
  let tailFrom = Number.MIN_SAFE_INTEGER;
  let tailWhole = false;
  try {
    for (const row of scanDown.iterate()) {
      tailFrom = Number(row._rowid_);
      rows.set(tailFrom, row);
    }
    tailWhole = true;
  } catch (err) {
    fail('damaged, read backwards from the end', err);
  }
  if (tailWhole) return finish(plan, rows, known, damaged, indexed);
  let maxHint = 0;
  for (const r of known.keys()) if (r > maxHint) maxHint = r;
  for (const r of rows.keys()) if (r > maxHint) maxHint = r;

  // Forwards; past each bad stretch by single-rowid lookups.
  let cursor = Number.MIN_SAFE_INTEGER;
  for (;;) {
    try {
      for (const row of scanUp.iterate(cursor)) {
        const id = Number(row._rowid_);
        cursor = id;
        if (id >= tailFrom && tailFrom !== Number.MIN_SAFE_INTEGER) break; // the backward scan read the rest
        rows.set(id, row);
      }
      break; // reached the end, or the part read backwards
    } catch (err) {
      fail(`damaged after rowid ${cursor === Number.MIN_SAFE_INTEGER ? '0' : cursor}`, err);
    }
    const start = cursor === Number.MIN_SAFE_INTEGER ? 0 : cursor;
    const limit = Math.max(maxHint, start) + PROBE_SLACK;
    let resumed = false;
    for (let r = start + 1; r <= limit; r++) {
      try {
        const row = point.get(r);
        if (row) rows.set(r, row);
        cursor = r;
        resumed = true;
        break;
      } catch {
        // still inside the bad stretch
      }
    }
    if (!resumed) break;
  }

  // Rows an index names that the scans did not reach: one more try each.
  for (const r of known.keys()) {
    if (rows.has(r)) continue;
    try {
      const row = point.get(r);
      if (row) rows.set(r, row);
    } catch {
      // unreadable: reported by finish()
    }
  }
  return finish(plan, rows, known, damaged, indexed);
}

function finish(
  plan: TablePlan,
  rows: Map<number, Record<string, unknown>>,
  known: Map<number, string | null>,
  damaged: boolean,
  indexed: boolean,
): SalvagedTable {
  const readKeys = new Set(plan.key ? [...rows.values()].map((r) => r[plan.key!]).filter((k): k is string => typeof k === 'string') : []);
  const unreadableRowids: number[] = [];
  const unreadableKeys: string[] = [];
  for (const [rowid, key] of known) {
    if (rows.has(rowid) || (key !== null && readKeys.has(key))) continue;
    unreadableRowids.push(rowid);
    if (key !== null) unreadableKeys.push(key);
  }
  return { table: plan.table, rows: [...rows.values()], unreadableKeys, unreadableRowids, damaged, indexed };
}

/** Reads every table of `plans` from a copy of `file` (and its -wal). Never throws for damage. */
export function salvageFile(file: string, plans: readonly TablePlan[]): SalvageResult {
  const result: SalvageResult = { file, readable: false, cutShort: null, tables: new Map(), sequences: new Map(), problems: [] };
  const work = mkdtempSync(join(tmpdir(), 'pos-companion-salvage-'));
  const copy = join(work, 'damaged.db');
  let db: BetterSqlite3.Database | undefined;
  try {
    copyFileSync(file, copy);
    if (hasWalContent(file)) copyFileSync(`${file}-wal`, `${copy}-wal`);
    result.cutShort = cutShort(copy);
    if (result.cutShort)
      result.problems.push(`the file is cut short: ${result.cutShort.pages} of ${result.cutShort.expectedPages} pages are there`);
    db = new BetterSqlite3(copy, { fileMustExist: true });
    // Off the defensive mode, so writable_schema can make SQLite read a file shorter than its
    // header says instead of refusing it whole; this connection only ever reads.
    db.unsafeMode(true);
    db.pragma('writable_schema = ON');
    db.pragma('cell_size_check = ON');
    db.pragma('query_only = ON');
    const present = new Set(
      db
        .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
        .all()
        .map((r) => r.name),
    );
    result.readable = true;
    if (present.has('sqlite_sequence')) {
      try {
        for (const s of db.prepare<[], { name: string; seq: number }>('SELECT name, seq FROM sqlite_sequence').all())
          result.sequences.set(s.name, Number(s.seq));
      } catch (err) {
        result.problems.push(`sqlite_sequence: unreadable (${message(err)})`);
      }
    }
    for (const plan of plans) {
      if (!present.has(plan.table)) {
        result.problems.push(`${plan.table}: not in the file's table list`);
        continue;
      }
      result.tables.set(plan.table, salvageRows(db, plan, result.problems));
    }
  } catch (err) {
    result.problems.push(`the file cannot be read as a database (${message(err)})`);
  } finally {
    try {
      db?.close();
    } catch {
      // a damaged copy may refuse to close cleanly; it is deleted below either way
    }
    rmSync(work, { recursive: true, force: true });
  }
  return result;
}
