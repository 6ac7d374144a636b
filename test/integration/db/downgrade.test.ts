// A till moved back to an older version (a downgrade, or an installer from the wrong channel):
// the newer database is refused, untouched, with what to do, from every front door.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseTooNewError, openDatabase, SCHEMA_VERSION } from '../../../main/db/index.ts';
import { tempDir } from '../../support/till-fixture.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('a database from a newer version', () => {
  it('is refused untouched, and the message says what to do after a downgrade', () => {
    const t = tempDir('pos-downgrade-');
    cleanups.push(t.cleanup);
    const file = join(t.dir, 'pos-companion.db');
    openDatabase(file).close();
    const raw = new BetterSqlite3(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    const before = readFileSync(file);
    let error: unknown;
    try {
      openDatabase(file);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DatabaseTooNewError);
    expect((error as Error).message).toBe(
      `The database ${file} was written by a newer version of POS Companion (schema ${SCHEMA_VERSION + 1}; this version understands ` +
        `up to ${SCHEMA_VERSION}). Update POS Companion on this till, or use another data folder (--data-dir). The file was not changed. ` +
        'If an older version was installed over a newer one (a downgrade), install the newer version again: an older version cannot ' +
        'read this database, and the orders in it wait there, safe, until then (do not delete or replace the file).',
    );
    expect(readFileSync(file).equals(before)).toBe(true);
  });
});
