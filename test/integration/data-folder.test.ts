// The data folder's condition on real file systems: a small tmpfs filled to the brim, and one
// mounted read-only. Skipped (with the reason) only where a tmpfs cannot be mounted (not root).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { checkDataFolder, probeDataFolder, problemOf } from '../../main/data-folder.ts';
import { mountTmpfs, whyNoTmpfs } from '../support/tmpfs.ts';
import type { Tmpfs } from '../support/tmpfs.ts';

const noTmpfs = whyNoTmpfs();
if (noTmpfs) console.warn(`Data folder tests on a tmpfs skipped: ${noTmpfs}`);

describe.skipIf(noTmpfs !== null)('data folder on a real disk', () => {
  let disk: Tmpfs | undefined;
  afterEach(() => {
    disk?.unmount();
    disk = undefined;
  });

  it('a full disk is "full", and fine again once space is freed', () => {
    disk = mountTmpfs({ sizeKb: 256 });
    const dir = join(disk.dir, 'data');
    expect(checkDataFolder(dir)).toBeNull();
    expect(disk.fill()).toBeGreaterThan(200 * 1024);
    expect(checkDataFolder(dir)).toBe('full');
    disk.free();
    expect(checkDataFolder(dir)).toBeNull();
  });

  it("SQLite's disk I/O error on a full disk (opening needs its shared-memory file) is read as full", () => {
    disk = mountTmpfs({ sizeKb: 512 });
    const dir = join(disk.dir, 'data');
    mkdirSync(dir);
    const file = join(dir, 'x.db');
    const first = new BetterSqlite3(file);
    first.pragma('journal_mode = WAL');
    first.exec('CREATE TABLE t (x)');
    first.close();
    disk.fill();
    let caught: unknown;
    try {
      const db = new BetterSqlite3(file);
      try {
        db.pragma('journal_mode = WAL');
        db.prepare('INSERT INTO t VALUES (1)').run();
      } finally {
        db.close();
      }
    } catch (err) {
      caught = err;
    }
    expect((caught as { code?: string } | undefined)?.code).toMatch(/^SQLITE_(IOERR|FULL)/);
    expect(problemOf(caught, dir)).toBe('full');
  });

  it('a read-only mount is "read-only", a missing folder on it too (not "missing", as Node\'s recursive mkdir says)', () => {
    disk = mountTmpfs({ sizeKb: 64, readOnly: true });
    expect(probeDataFolder(disk.dir)).toBe('read-only');
    expect(checkDataFolder(join(disk.dir, 'data'))).toBe('read-only');
  });

  it('a folder remounted read-only after it was used is "read-only"', () => {
    disk = mountTmpfs({ sizeKb: 64 });
    const dir = join(disk.dir, 'data');
    expect(checkDataFolder(dir)).toBeNull();
    disk.remount('ro');
    expect(checkDataFolder(dir)).toBe('read-only');
    disk.remount('rw');
    expect(checkDataFolder(dir)).toBeNull();
  });
});
