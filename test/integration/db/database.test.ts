import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseTooNewError, MIGRATIONS, openDatabase, SCHEMA_VERSION, userVersion } from '../../../main/db/index.ts';
import type { CorruptDatabaseReport, Migration } from '../../../main/db/index.ts';
import { tempDir } from '../../support/till-fixture.ts';

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});
function fileInTemp(): { dir: string; file: string } {
  const t = tempDir('pos-db-');
  cleanups.push(t.cleanup);
  return { dir: t.dir, file: join(t.dir, 'pos-companion.db') };
}

const tables = (db: BetterSqlite3.Database) =>
  (
    db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table','index') AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as {
      name: string;
    }[]
  ).map((r) => r.name);

describe('openDatabase', () => {
  it('creates the schema at the latest version with WAL, synchronous=FULL, foreign keys and a busy timeout', () => {
    const { file } = fileInTemp();
    const db = openDatabase(file);
    expect(userVersion(db)).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(tables(db)).toEqual(
      expect.arrayContaining([
        'settings',
        'secrets',
        'orders',
        'refunds',
        'outbox',
        'sync_log',
        'customer_cache',
        'outbox_ready',
        'orders_state_created',
      ]),
    );
    db.close();
  });

  it('turns on fullfsync on macOS', () => {
    const { file } = fileInTemp();
    const db = openDatabase(file, { platform: 'darwin' });
    expect(db.pragma('fullfsync', { simple: true })).toBe(1);
    expect(db.pragma('checkpoint_fullfsync', { simple: true })).toBe(1);
    db.close();
  });

  it('is idempotent: reopening runs nothing and keeps the data', () => {
    const { file } = fileInTemp();
    const db1 = openDatabase(file);
    db1.prepare("INSERT INTO settings (key, value) VALUES ('k', '1')").run();
    const schema1 = tables(db1);
    db1.close();
    let ran = 0;
    const counting = MIGRATIONS.map((m): Migration => ({ ...m, up: (db) => (ran++, m.up(db)) }));
    const db2 = openDatabase(file, { migrations: counting });
    expect(ran).toBe(0);
    expect(tables(db2)).toEqual(schema1);
    expect(db2.prepare("SELECT value FROM settings WHERE key = 'k'").get()).toEqual({ value: '1' });
    db2.close();
  });

  it('upgrades an older database step by step, keeping its rows', () => {
    const { file } = fileInTemp();
    const v1 = openDatabase(file, { migrations: MIGRATIONS.slice(0, 1) });
    expect(userVersion(v1)).toBe(1);
    v1.prepare("INSERT INTO settings (key, value) VALUES ('tillId', '\"till-old\"')").run();
    v1.close();
    const db = openDatabase(file);
    expect(userVersion(db)).toBe(SCHEMA_VERSION);
    expect(tables(db)).toContain('customer_cache');
    expect(db.prepare("SELECT value FROM settings WHERE key = 'tillId'").get()).toEqual({ value: '"till-old"' });
    db.close();
  });

  it('applies all pending steps in one transaction: a failing step leaves the file as it was', () => {
    const { file } = fileInTemp();
    openDatabase(file, { migrations: MIGRATIONS.slice(0, 1) }).close();
    const broken: Migration[] = [
      ...MIGRATIONS,
      {
        version: MIGRATIONS.length + 1,
        name: 'broken',
        up: (db) => {
          db.exec('CREATE TABLE half_done (x INTEGER)');
          throw new Error('step failed');
        },
      },
    ];
    expect(() => openDatabase(file, { migrations: broken })).toThrow('step failed');
    const raw = new BetterSqlite3(file);
    expect(raw.pragma('user_version', { simple: true })).toBe(1);
    expect(tables(raw)).not.toContain('customer_cache');
    expect(tables(raw)).not.toContain('half_done');
    raw.close();
  });

  it('refuses a database written by a newer version, with a clear message, and does not touch it', () => {
    const { file } = fileInTemp();
    openDatabase(file).close();
    const raw = new BetterSqlite3(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    raw.close();
    const before = readFileSync(file);
    let error: unknown;
    try {
      openDatabase(file);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DatabaseTooNewError);
    expect((error as Error).message).toMatch(/newer version of POS Companion.*Update POS Companion/);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses a broken migration list (a gap would silently skip a step)', () => {
    const { file } = fileInTemp();
    const gap = [MIGRATIONS[0]!, { ...MIGRATIONS[1]!, version: 3 }];
    expect(() => openDatabase(file, { migrations: gap })).toThrow(/Migration list is broken/);
  });

  it('moves a corrupt file aside (never deletes it), reports it, and starts a fresh database', () => {
    const { dir, file } = fileInTemp();
    const garbage = Buffer.from('this is not a database, it is a text file pretending '.repeat(200));
    writeFileSync(file, garbage);
    writeFileSync(`${file}-wal`, 'stray wal');
    const reports: CorruptDatabaseReport[] = [];
    const db = openDatabase(file, { clock: { now: () => Date.parse('2025-03-01T10:20:30.456Z') }, onCorrupt: (r) => reports.push(r) });
    expect(userVersion(db)).toBe(SCHEMA_VERSION);
    db.close();
    expect(reports).toHaveLength(1);
    const moved = join(dir, 'pos-companion.db.corrupt-2025-03-01T10-20-30-456Z');
    expect(reports[0]?.movedTo).toEqual([moved, `${moved}-wal`]);
    expect(readFileSync(moved).equals(garbage)).toBe(true);
    expect(readFileSync(`${moved}-wal`, 'utf8')).toBe('stray wal');
    expect(readdirSync(dir).filter((f) => f.includes('corrupt'))).toHaveLength(2);
  });

  it('moves aside a SQLite file whose pages are damaged', () => {
    const { dir, file } = fileInTemp();
    const db = openDatabase(file);
    const insert = db.prepare('INSERT INTO sync_log (method, path, outcome, at, message) VALUES (?, ?, ?, ?, ?)');
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run('POST', '/orders', 'ok', 'now', 'x'.repeat(100));
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const bytes = readFileSync(file);
    // Keep the header page, scribble over the b-tree pages.
    for (let i = 4096; i < bytes.length; i += 7) bytes[i] = 0xa5;
    writeFileSync(file, bytes);
    const reports: CorruptDatabaseReport[] = [];
    const fresh = openDatabase(file, { onCorrupt: (r) => reports.push(r) });
    expect(reports).toHaveLength(1);
    expect(fresh.prepare('SELECT COUNT(*) AS n FROM sync_log').get()).toEqual({ n: 0 });
    fresh.close();
    expect(existsSync(reports[0]!.movedTo[0]!)).toBe(true);
    expect(readdirSync(dir).some((f) => f.includes('.corrupt-'))).toBe(true);
  });

  it('lets two connections see each other (WAL, one data folder, two processes)', () => {
    const { file } = fileInTemp();
    const a = openDatabase(file);
    const b = openDatabase(file);
    a.prepare("INSERT INTO settings (key, value) VALUES ('x', '1')").run();
    expect(b.prepare("SELECT value FROM settings WHERE key = 'x'").get()).toEqual({ value: '1' });
    a.close();
    b.close();
  });
});
