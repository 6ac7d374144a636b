// What the first bytes of a database file say, read without SQLite: whether it is a SQLite file at
// all, and how many pages it should hold. Used before SQLite opens a file, because SQLite would
// drop the -wal of a file it does not recognise, and refuses a file shorter than its header says
// with no more detail than "malformed".
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** A non-empty file without SQLite's header (an empty file is a new database, not a foreign one). */
export function headerIsForeign(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const head = Buffer.alloc(SQLITE_HEADER.length);
    const n = readSync(fd, head, 0, head.length, 0);
    if (n === 0) return false;
    return n < SQLITE_HEADER.length || !head.equals(SQLITE_HEADER);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export interface PageCounts {
  /** Whole pages in the file on disk. */
  pages: number;
  /** Pages the header records (null when that field is not valid, as SQLite defines it). */
  expectedPages: number | null;
  pageSize: number;
}

/** The page counts of a SQLite file, or null when its header cannot be read. */
export function pageCounts(file: string): PageCounts | null {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const head = Buffer.alloc(100);
    if (readSync(fd, head, 0, 100, 0) < 100 || !head.subarray(0, 16).equals(SQLITE_HEADER)) return null;
    const raw = head.readUInt16BE(16);
    const pageSize = raw === 1 ? 65536 : raw;
    if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) return null;
    // The in-header size is valid only when "version-valid-for" matches the change counter.
    const valid = head.readUInt32BE(92) === head.readUInt32BE(24);
    const expected = head.readUInt32BE(28);
    return { pages: Math.floor(statSync(file).size / pageSize), expectedPages: valid && expected > 0 ? expected : null, pageSize };
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** True when a -wal with content sits beside the file (it may hold pages the main file lacks yet). */
export function hasWalContent(file: string): boolean {
  try {
    return existsSync(`${file}-wal`) && statSync(`${file}-wal`).size > 0;
  } catch {
    return false;
  }
}

/**
 * "cut short" when the file holds fewer pages than its header records and no -wal could make up
 * for them (a checkpoint cut off by a crash leaves the header ahead of the file, but then the -wal
 * still holds the pages and SQLite finishes the job). null when nothing is missing.
 */
export function cutShort(file: string): { pages: number; expectedPages: number } | null {
  const c = pageCounts(file);
  if (!c || c.expectedPages === null || c.pages >= c.expectedPages || hasWalContent(file)) return null;
  return { pages: c.pages, expectedPages: c.expectedPages };
}
