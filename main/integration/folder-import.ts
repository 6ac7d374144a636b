// Sales the POS writes as files into an inbox folder (default `inbox/` in the data folder, setting
// `inboxFolder`), imported by the running app (desktop and `serve`) through the same intake as
// the local API (intake.ts): keyed on each sale's posSaleId.
//
// The promise, per file:
// - only `*.json` (one sale, or a list of sales) and `*.csv` (a header row naming the sale's
//   fields, one sale per row) are read; names starting with `.` or `~` and temporary names
//   (`.tmp`, `.part`, `.partial`, `.crdownload`, `.download`, `.swp`) are left alone, and so is
//   every other file;
// - a file is read only once its size and modification time were the same at two passes in a
//   row (a POS still writing it changes them); the safe way for a POS is still to write under a
//   temporary name and rename when done;
// - imported once: its content's SHA-256 is stored (imported_files, migration 0010) in the SAME
//   transaction as every sale it imported, so a crash before that commit imports nothing and the
//   file is read again, and a crash after it leaves a file whose hash is known: it is only moved.
//   A sale already known by its posSaleId (another file, the local API) is not imported twice;
// - then moved to `done/` (every sale imported) or `failed/` (the file, or some of its rows, could
//   not be imported) inside the inbox, with `<name>.reason.txt` beside it saying which rows and
//   why. The good rows of a partly failed file are imported; once the bad rows are fixed, the
//   same file dropped again imports only them (the others are known by their posSaleId).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import type { Clock } from '../clock.ts';
import { isoAt } from '../clock.ts';
import type { Database } from '../db/database.ts';
import type { Logger } from '../log.ts';
import { CaptureRefusedError } from '../orders/errors.ts';
import { SaleConflictError, SaleNotFoundError, SaleRejectedError } from './intake.ts';
import type { SaleIntake } from './intake.ts';

/** The inbox the `inboxFolder` setting names: null is `inbox` in the data folder; a relative path is taken from the data folder. */
export function inboxFolder(dataDir: string, setting: string | null): string {
  return setting === null ? join(dataDir, 'inbox') : resolve(dataDir, setting);
}

/** Larger files are refused: a day's sales of one till fit many times over. */
export const MAX_IMPORT_FILE_BYTES = 5 * 1024 * 1024;
export const DEFAULT_POLL_MS = 2000;
const TEMP_NAME = /^[.~]|\.(tmp|temp|part|partial|crdownload|download|swp)$/i;
const IMPORTED = /\.(json|csv)$/i;

export interface FolderImportDeps {
  db: Database;
  intake: Pick<SaleIntake, 'intakeSale'>;
  /** The inbox folder, read at every pass (the setting may change while the app runs). */
  inbox: () => string;
  clock: Clock;
  logger?: Logger;
  pollMs?: number;
  /** Told after a file's import committed, before the file is moved (the crash test stops the process here). */
  onCommitted?: (file: string) => void;
}

/** What became of one file. */
export interface FileOutcome {
  file: string;
  outcome: 'done' | 'failed';
  /** Sales imported (or already known by their posSaleId) from it. */
  sales: number;
  /** Rows that could not be imported, with why. */
  failedRows: string[];
  /** Set when the file as a whole could not be read, or was imported before. */
  reason?: string;
  /** True: its content was imported before; it was only moved. */
  known: boolean;
}

interface ImportedRow {
  content_hash: string;
  file_name: string;
  outcome: 'done' | 'failed';
  sales: number;
  failed_rows: number;
  reason: string | null;
  imported_at: string;
}

interface SaleRow {
  /** "line 3" (CSV), "sale 2" (a JSON list), "the sale" (a JSON object). */
  where: string;
  body: unknown;
}

type Parsed = { ok: true; rows: SaleRow[]; rowErrors: string[] } | { ok: false; reason: string };

export class FolderImport {
  private readonly seen = new Map<string, string>();
  private readonly stmt;
  private readonly importTx: (hash: string, name: string, rows: SaleRow[], rowErrors: string[], fileReason: string | null) => FileOutcome;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: FolderImportDeps) {
    const db = deps.db;
    this.stmt = {
      byHash: db.prepare<[string], ImportedRow>('SELECT * FROM imported_files WHERE content_hash = ?'),
      insert: db.prepare(
        `INSERT INTO imported_files (content_hash, file_name, outcome, sales, failed_rows, reason, imported_at)
         VALUES (@content_hash, @file_name, @outcome, @sales, @failed_rows, @reason, @imported_at)`,
      ),
    };
    this.importTx = db.transaction((hash: string, name: string, rows: SaleRow[], rowErrors: string[], fileReason: string | null) =>
      this.importIn(hash, name, rows, rowErrors, fileReason),
    ).immediate;
  }

  /** Runs a pass every pollMs until close(). A pass that fails is logged and tried again at the next. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.pass();
      } catch (err) {
        this.deps.logger?.warn(
          { err: err instanceof Error ? err.message : String(err), inbox: this.deps.inbox() },
          'folder import pass failed',
        );
      }
    }, this.deps.pollMs ?? DEFAULT_POLL_MS);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * One look at the inbox: imports and moves every file that was complete (unchanged since the
   * previous pass). Returns what became of each file handled. Synchronous; the database work of
   * one file is one transaction.
   */
  pass(): FileOutcome[] {
    const inbox = this.deps.inbox();
    mkdirSync(join(inbox, 'done'), { recursive: true });
    mkdirSync(join(inbox, 'failed'), { recursive: true });
    const out: FileOutcome[] = [];
    const present = new Set<string>();
    for (const entry of readdirSync(inbox, { withFileTypes: true })) {
      if (!entry.isFile() || TEMP_NAME.test(entry.name) || !IMPORTED.test(entry.name)) continue;
      const path = join(inbox, entry.name);
      present.add(entry.name);
      let st;
      try {
        st = statSync(path);
      } catch {
        continue; // gone since the listing
      }
      const mark = `${st.size}:${st.mtimeMs}`;
      const before = this.seen.get(entry.name);
      this.seen.set(entry.name, mark);
      if (before !== mark) continue; // new or still changing: look again at the next pass
      const outcome = this.importFile(inbox, entry.name);
      if (outcome) {
        this.seen.delete(entry.name);
        out.push(outcome);
      }
    }
    for (const name of this.seen.keys()) if (!present.has(name)) this.seen.delete(name);
    return out;
  }

  /** Imports one complete file and moves it; undefined when it vanished meanwhile. */
  private importFile(inbox: string, name: string): FileOutcome | undefined {
    const path = join(inbox, name);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      return undefined;
    }
    const hash = createHash('sha256').update(bytes).digest('hex');
    const stored = this.stmt.byHash.get(hash);
    let outcome: FileOutcome;
    let reasonText: string | null;
    if (stored) {
      // Imported before: by this very file before a crash or a failed move (same name), or the
      // same content dropped again. Either way nothing is imported twice.
      const again = stored.file_name !== name;
      outcome = {
        file: name,
        outcome: again ? 'done' : stored.outcome,
        sales: stored.sales,
        failedRows: [],
        known: true,
        ...(again ? { reason: 'already imported' } : {}),
      };
      reasonText = again
        ? `${name}: the same content was imported already from ${stored.file_name} (at ${stored.imported_at}); nothing was imported again.\n`
        : stored.reason;
    } else {
      const parsed = bytes.length > MAX_IMPORT_FILE_BYTES ? tooLarge(bytes.length) : parseFile(name, bytes);
      outcome = parsed.ok
        ? this.importTx(hash, name, parsed.rows, parsed.rowErrors, null)
        : this.importTx(hash, name, [], [], parsed.reason);
      reasonText = reasonFor(outcome);
      this.deps.onCommitted?.(name);
      this.deps.logger?.info(
        { file: name, outcome: outcome.outcome, sales: outcome.sales, failedRows: outcome.failedRows.length },
        'POS file imported',
      );
    }
    moveWithReason(inbox, name, outcome.outcome, reasonText);
    return outcome;
  }

  private importIn(hash: string, name: string, rows: SaleRow[], rowErrors: string[], fileReason: string | null): FileOutcome {
    const failedRows = [...rowErrors];
    let sales = 0;
    for (const row of rows) {
      try {
        // Nested in this transaction: a refused sale rolls back to its own savepoint only.
        this.deps.intake.intakeSale(row.body);
        sales += 1;
      } catch (err) {
        const why = rowRefusal(err);
        if (why === null) throw err; // not about the row (the disk, the database): the file stays for the next pass
        failedRows.push(`${row.where}: ${why}`);
      }
    }
    const outcome: FileOutcome = {
      file: name,
      outcome: fileReason === null && failedRows.length === 0 ? 'done' : 'failed',
      sales,
      failedRows,
      known: false,
      ...(fileReason === null ? {} : { reason: fileReason }),
    };
    this.stmt.insert.run({
      content_hash: hash,
      file_name: name,
      outcome: outcome.outcome,
      sales,
      failed_rows: failedRows.length,
      reason: reasonFor(outcome),
      imported_at: isoAt(this.deps.clock.now()),
    });
    return outcome;
  }
}

/** Why a sale row was refused, for the reason file; null when the error is not about the row. */
function rowRefusal(err: unknown): string | null {
  if (err instanceof SaleRejectedError) return err.errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('; ');
  if (err instanceof SaleConflictError || err instanceof SaleNotFoundError) return err.message;
  if (err instanceof CaptureRefusedError) {
    // A refusal about the data folder (disk full...) is not the row's fault: try the file again.
    if (err.folder !== undefined) return null;
    return err.message;
  }
  return null;
}

function tooLarge(size: number): Parsed {
  return { ok: false, reason: `the file is ${size} bytes; at most ${MAX_IMPORT_FILE_BYTES} are imported. Split it into smaller files.` };
}

/** The sale rows of a file, or why the file as a whole cannot be read. */
export function parseFile(name: string, bytes: Buffer): Parsed {
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  if (text.trim() === '') return { ok: false, reason: 'the file is empty' };
  return extname(name).toLowerCase() === '.csv' ? parseCsvSales(text) : parseJsonSales(text);
}

function parseJsonSales(text: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `the file is not valid JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  if (Array.isArray(value)) return { ok: true, rows: value.map((body, i) => ({ where: `sale ${i + 1}`, body })), rowErrors: [] };
  if (value !== null && typeof value === 'object') return { ok: true, rows: [{ where: 'the sale', body: value }], rowErrors: [] };
  return { ok: false, reason: 'a JSON file holds one sale (an object) or a list of sales' };
}

function parseCsvSales(text: string): Parsed {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parseCsv(text, { bom: true, skip_empty_lines: true, relax_column_count: true, info: true }) as unknown as typeof records;
  } catch (err) {
    return { ok: false, reason: `the file is not valid CSV (${err instanceof Error ? err.message : String(err)})` };
  }
  const [head, ...rest] = records;
  if (head === undefined) return { ok: false, reason: 'the file is empty' };
  const header = head.record.map((h) => h.trim());
  if (rest.length === 0) return { ok: false, reason: 'the file has a header row and no sales' };
  const rows: SaleRow[] = [];
  const rowErrors: string[] = [];
  for (const { record, info } of rest) {
    const where = `line ${info.lines}`;
    if (record.length !== header.length) {
      rowErrors.push(`${where}: the row has ${record.length} cells and the header ${header.length}`);
      continue;
    }
    rows.push({ where, body: Object.fromEntries(header.map((h, i) => [h, record[i]])) });
  }
  return { ok: true, rows, rowErrors };
}

/** The reason file's text for a file that failed in whole or in part; null when it was all imported. */
function reasonFor(o: FileOutcome): string | null {
  if (o.reason !== undefined) return `${o.file}: not imported: ${o.reason}.\n`;
  if (o.failedRows.length === 0) return null;
  return [
    `${o.file}: ${o.failedRows.length} sale(s) could not be imported; ${o.sales} were imported.`,
    ...o.failedRows,
    'Fix these rows and put the file in the inbox again: the sales already imported are known by their posSaleId and are not imported twice.',
    '',
  ].join('\n');
}

/** Moves `name` into `done/` or `failed/` (a free name there), the reason file written first beside where it goes. */
function moveWithReason(inbox: string, name: string, outcome: 'done' | 'failed', reason: string | null): void {
  const folder = join(inbox, outcome);
  const target = freeName(folder, name);
  if (reason !== null) writeFileSync(join(folder, `${target}.reason.txt`), reason);
  renameSync(join(inbox, name), join(folder, target));
}

/** `name`, or `name-2.ext`, `name-3.ext`... the first not taken in `folder`. */
function freeName(folder: string, name: string): string {
  if (!existsSync(join(folder, name))) return name;
  const ext = extname(name);
  const stem = basename(name, ext);
  for (let n = 2; ; n += 1) {
    const candidate = `${stem}-${n}${ext}`;
    if (!existsSync(join(folder, candidate))) return candidate;
  }
}
