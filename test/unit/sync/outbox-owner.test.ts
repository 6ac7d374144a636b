// One owner of the outbox: no file under main/ but the outbox module writes outbox rows. Every
// state transition of a call (enqueue, claim, renew, finish, reopen, discard, purge, restore) is
// in main/sync/outbox-store.ts, so its rules (leases, unknown outcomes, the clock) hold in one place.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const OWNER = 'main/sync/outbox-store.ts';
/** Migrations shape tables (create, index, rebuild) before any store runs: not row transitions. */
const SCHEMA = 'main/db/migrations/';
/** A statement that writes outbox rows, however it is spelled or wrapped across lines. */
const WRITE = /\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+["`[]?outbox\b/i;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.(ts|tsx|js|mjs|cjs)$/.test(e.name) ? [path] : [];
  });
}

/** The files under `root`/main that write outbox rows, as repository paths. */
function outboxWriters(root: string): string[] {
  return sources(join(root, 'main'))
    .map((f) => relative(root, f).split(sep).join('/'))
    .filter((f) => f !== OWNER && !f.startsWith(SCHEMA))
    .filter((f) => WRITE.test(readFileSync(join(root, f), 'utf8')));
}

describe('the outbox has one owner', () => {
  it('no module under main/ other than the outbox module inserts, updates or deletes outbox rows', () => {
    expect(outboxWriters(ROOT)).toEqual([]);
  });

  it('the scan sees the statements it forbids, in the forms the code writes them', () => {
    for (const sql of [
      "INSERT INTO outbox (kind) VALUES ('x')",
      'insert or ignore into outbox (kind) values (?)',
      "UPDATE outbox SET state = 'pending'",
      'UPDATE\n        outbox SET state = ?',
      'DELETE FROM outbox WHERE entity_id = ?',
      'REPLACE INTO "outbox" (id) VALUES (1)',
    ]) {
      expect(WRITE.test(sql), sql).toBe(true);
    }
    for (const sql of [
      'SELECT * FROM outbox WHERE entity_id = ?',
      'UPDATE orders SET state = ?',
      'INSERT INTO outbox_archive (id) VALUES (1)',
      'DELETE FROM sync_log',
    ]) {
      expect(WRITE.test(sql), sql).toBe(false);
    }
    // The owner itself does write the table: the scan would see it if it were elsewhere.
    expect(WRITE.test(readFileSync(join(ROOT, OWNER), 'utf8'))).toBe(true);
  });
});
