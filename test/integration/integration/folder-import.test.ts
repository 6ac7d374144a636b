// Folder import (main/integration/folder-import.ts) on a real inbox folder and a real SQLite file:
// each file imported once, moved to done/ or failed/ with its reason; half-written files waited
// for; a crash before or after the commit loses nothing and imports nothing twice.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FolderImport } from '../../../main/integration/folder-import.ts';
import type { FolderImportDeps } from '../../../main/integration/folder-import.ts';
import { SaleIntake } from '../../../main/integration/intake.ts';
import { tillFixture } from '../../support/till-fixture.ts';
import type { TillFixture } from '../../support/till-fixture.ts';

const repoRoot = resolve(import.meta.dirname, '../../..');
let till: TillFixture | undefined;
afterEach(() => till?.close());

const sale = (n: number, extra: Record<string, string> = {}) => ({
  posSaleId: `S-${n}`,
  totalPaid: `${n}.50`,
  currency: 'SAR',
  receiptNo: `R-${n}`,
  soldAt: '2025-03-01T11:32:00+03:00',
  mobile: `05000000${String(n).padStart(2, '0')}`,
  ...extra,
});
const HEADER = 'posSaleId,totalPaid,currency,receiptNo,soldAt,mobile';
const csvRow = (n: number) => Object.values(sale(n)).join(',');

function setup(overrides: Partial<FolderImportDeps> = {}) {
  till = tillFixture();
  const t = till;
  const inbox = join(t.dir, 'inbox');
  mkdirSync(inbox, { recursive: true });
  const intake = new SaleIntake({ db: t.db, clock: t.clock, capture: (i) => t.orders.captureOrder(i) });
  const folder = new FolderImport({ db: t.db, intake, inbox: () => inbox, clock: t.clock, ...overrides });
  const count = (table: string) => t.rows<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`)[0]?.n;
  const ls = (sub = '') =>
    readdirSync(join(inbox, sub))
      .filter((n) => n !== 'done' && n !== 'failed')
      .sort();
  /** Two passes: the first sees the file, the second finds it unchanged and imports it. */
  const settle = () => [...folder.pass(), ...folder.pass()];
  return { t, inbox, intake, folder, count, ls, settle };
}

describe('folder import', () => {
  it('imports a JSON sale and a CSV of sales once each and moves them to done/', () => {
    const { inbox, count, ls, settle } = setup();
    writeFileSync(join(inbox, 'sale-1.json'), JSON.stringify(sale(1)));
    writeFileSync(join(inbox, 'day.csv'), [HEADER, csvRow(2), csvRow(3), ''].join('\n'));
    const outcomes = settle();
    expect(outcomes.map((o) => [o.file, o.outcome, o.sales]).sort()).toEqual([
      ['day.csv', 'done', 2],
      ['sale-1.json', 'done', 1],
    ]);
    expect(count('orders')).toBe(3);
    expect(ls()).toEqual([]);
    expect(ls('done')).toEqual(['day.csv', 'sale-1.json']);
    expect(ls('failed')).toEqual([]);
    expect(settle()).toEqual([]);
  });

  it('the same file twice, and one posSaleId in two files, are imported once', () => {
    const { inbox, count, ls, settle } = setup();
    writeFileSync(join(inbox, 'a.json'), JSON.stringify(sale(1)));
    settle();
    // The same content again, under the same name and under another.
    writeFileSync(join(inbox, 'a.json'), JSON.stringify(sale(1)));
    writeFileSync(join(inbox, 'copy.json'), JSON.stringify(sale(1)));
    const again = settle();
    expect(again.every((o) => o.known && o.outcome === 'done')).toBe(true);
    // Another file holding sale 1 (re-exported, other spacing) and sale 2.
    writeFileSync(join(inbox, 'day.csv'), [HEADER, csvRow(1), csvRow(2)].join('\r\n'));
    expect(settle()).toMatchObject([{ file: 'day.csv', outcome: 'done', sales: 2 }]);
    expect(count('orders')).toBe(2);
    expect(count('pos_sales')).toBe(2);
    expect(ls('done')).toEqual(['a-2.json', 'a.json', 'copy.json', 'copy.json.reason.txt', 'day.csv']);
    expect(readFileSync(join(inbox, 'done', 'copy.json.reason.txt'), 'utf8')).toMatch(/imported already from a\.json/);
  });

  it('waits for a file that is still being written, and never reads temporary names', () => {
    const { inbox, count, ls, folder } = setup();
    const path = join(inbox, 'slow.json');
    const whole = JSON.stringify(sale(5));
    writeFileSync(path, whole.slice(0, 20));
    expect(folder.pass()).toEqual([]);
    writeFileSync(path, whole.slice(0, 40)); // grew between passes
    expect(folder.pass()).toEqual([]);
    writeFileSync(path, whole);
    utimesSync(path, new Date(), new Date(Date.now() + 5_000)); // touched again
    expect(folder.pass()).toEqual([]);
    expect(count('orders')).toBe(0);
    writeFileSync(join(inbox, 'next.json.tmp'), JSON.stringify(sale(6)));
    writeFileSync(join(inbox, '.next.json'), JSON.stringify(sale(7)));
    writeFileSync(join(inbox, '~next.csv'), HEADER);
    expect(folder.pass()).toMatchObject([{ file: 'slow.json', outcome: 'done', sales: 1 }]);
    expect(folder.pass()).toEqual([]);
    expect(count('orders')).toBe(1);
    expect(ls()).toEqual(['.next.json', 'next.json.tmp', '~next.csv']);
  });

  it('moves bad files to failed/ with the reason, and names the CSV rows that failed while importing the others', () => {
    const { inbox, count, settle } = setup();
    writeFileSync(join(inbox, 'broken.json'), '{"posSaleId": "S-1", "totalPaid": ');
    writeFileSync(join(inbox, 'number.json'), '42');
    writeFileSync(join(inbox, 'empty.csv'), '');
    writeFileSync(join(inbox, 'quotes.csv'), `${HEADER}\n"S-9,9.50,SAR,R-9,2025-03-01T11:32:00+03:00,0500000009\n`);
    writeFileSync(
      join(inbox, 'day.csv'),
      [
        HEADER,
        csvRow(1),
        'S-2,12.345,SAR,R-2,2025-03-01T11:32:00+03:00,0500000002', // three decimals in SAR
        csvRow(3),
        'S-4,4.50,SAR', // too few cells
        'S-5,abc,SAR,R-5,yesterday,0500000005',
      ].join('\n'),
    );
    const byFile = Object.fromEntries(settle().map((o) => [o.file, o]));
    expect(Object.values(byFile).every((o) => o.outcome === 'failed')).toBe(true);
    const reason = (name: string) => readFileSync(join(inbox, 'failed', `${name}.reason.txt`), 'utf8');
    expect(reason('broken.json')).toMatch(/not valid JSON/);
    expect(reason('number.json')).toMatch(/one sale \(an object\) or a list of sales/);
    expect(reason('empty.csv')).toMatch(/empty/);
    expect(reason('quotes.csv')).toMatch(/not valid CSV/);
    const day = reason('day.csv');
    expect(day).toMatch(/^day\.csv: 3 sale\(s\) could not be imported; 2 were imported\./);
    expect(day).toMatch(/^line 3: totalPaid: .*/m);
    expect(day).toMatch(/^line 5: the row has 3 cells and the header 6$/m);
    expect(day).toMatch(/^line 6: .*totalPaid.*/m);
    expect(day).toMatch(/^line 6: .*soldAt.*/m);
    expect(day).not.toMatch(/^line [24]:/m);
    expect(count('orders')).toBe(2);
    // Fixed and dropped again: only the fixed rows are new.
    writeFileSync(join(inbox, 'day.csv'), [HEADER, csvRow(1), csvRow(2), csvRow(3)].join('\n'));
    expect(settle()).toMatchObject([{ file: 'day.csv', outcome: 'done', sales: 3 }]);
    expect(count('orders')).toBe(3);
  });

  it('a crash before the commit imports nothing, and the file is imported whole at the next pass', () => {
    let rows = 0;
    const { t, inbox, count, ls, settle } = setup();
    const real = new SaleIntake({ db: t.db, clock: t.clock, capture: (i) => t.orders.captureOrder(i) });
    const dying = new FolderImport({
      db: t.db,
      inbox: () => inbox,
      clock: t.clock,
      intake: {
        intakeSale: (body) => {
          rows += 1;
          if (rows === 2) throw new Error('the process stops here');
          return real.intakeSale(body);
        },
      },
    });
    writeFileSync(join(inbox, 'day.csv'), [HEADER, csvRow(1), csvRow(2), csvRow(3)].join('\n'));
    dying.pass();
    expect(() => dying.pass()).toThrow('the process stops here');
    expect(count('orders')).toBe(0);
    expect(count('pos_sales')).toBe(0);
    expect(count('imported_files')).toBe(0);
    expect(ls()).toEqual(['day.csv']);
    expect(settle()).toMatchObject([{ file: 'day.csv', outcome: 'done', sales: 3 }]);
    expect(count('orders')).toBe(3);
  });

  it('a process killed after the commit, before the move: the file is moved at restart, nothing imported twice', () => {
    const { t, inbox, ls } = setup();
    const count = (table: string) => till?.rows<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`)[0]?.n;
    // The child runs on the real clock: its sales are sold now, within the sale-time bounds.
    const soldNow = (n: number) => Object.values(sale(n, { soldAt: new Date().toISOString() })).join(',');
    writeFileSync(join(inbox, 'day.csv'), [HEADER, soldNow(1), soldNow(2), soldNow(3)].join('\n'));
    t.db.close();
    const child = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'test/support/folder-import-child.ts'), t.dir, inbox], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.signal, child.stderr).toBe('SIGKILL');
    // Killed with the sales committed and the file not yet moved.
    expect(ls()).toEqual(['day.csv']);
    till = t.reopen();
    const restarted = till;
    const intake = new SaleIntake({ db: restarted.db, clock: restarted.clock, capture: (i) => restarted.orders.captureOrder(i) });
    const folder = new FolderImport({ db: restarted.db, intake, inbox: () => inbox, clock: restarted.clock });
    expect(count('orders')).toBe(3);
    folder.pass();
    expect(folder.pass()).toMatchObject([{ file: 'day.csv', outcome: 'done', sales: 3, known: true }]);
    expect(ls()).toEqual([]);
    expect(ls('done')).toEqual(['day.csv']);
    expect(restarted.rows('SELECT COUNT(*) AS n FROM orders')).toEqual([{ n: 3 }]);
    expect(restarted.rows('SELECT COUNT(*) AS n FROM imported_files')).toEqual([{ n: 1 }]);
  });
});
