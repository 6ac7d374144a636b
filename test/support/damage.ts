// Store faults on real SQLite files: pages overwritten with garbage, files cut short. The page
// numbers come from SQLite's own dbstat table, so a test damages exactly the b-tree it means to.
import { closeSync, openSync, readFileSync, statSync, truncateSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';

export interface PageInfo {
  pageno: number;
  pagetype: string;
  ncell: number;
}

/** The pages of one table or index (leaf pages only by default), in file order. */
export function pagesOf(file: string, name: string, type: 'leaf' | 'internal' | 'any' = 'leaf'): PageInfo[] {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare<[string], PageInfo>('SELECT pageno, pagetype, ncell FROM dbstat WHERE name = ? ORDER BY pageno').all(name);
    return type === 'any' ? rows : rows.filter((r) => r.pagetype === type);
  } finally {
    db.close();
  }
}

export function pageSize(file: string): number {
  const raw = readFileSync(file).readUInt16BE(16);
  return raw === 1 ? 65536 : raw;
}

/** Writes `length` bytes of deterministic garbage at `offset` inside page `pageno` (1-based). */
export function overwritePage(file: string, pageno: number, offset = 200, length = 1500): void {
  const size = pageSize(file);
  const garbage = Buffer.alloc(length);
  for (let i = 0; i < length; i++) garbage[i] = (i * 151 + 89) & 0xff;
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, garbage, 0, length, (pageno - 1) * size + offset);
  } finally {
    closeSync(fd);
  }
}

/** Cuts the file short so that only its first `pages` pages remain. */
export function cutToPages(file: string, pages: number): void {
  truncateSync(file, pages * pageSize(file));
}

export function pageCount(file: string): number {
  return Math.floor(statSync(file).size / pageSize(file));
}

export function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Copies every -wal frame into the main file and empties the -wal (a checkpointed, self-contained file). */
export function checkpointFully(file: string): void {
  const db = new BetterSqlite3(file);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}
