// SyncEngine.stop as a one-shot CLI command uses it: the engine never ran its loop, a capture
// asked for a status, and right after stop the caller closes the database and the log. Nothing
// of the engine may run after that (a status timer that fired later killed the CLI with exit 1).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { openDatabase } from '../../../main/db/database.ts';
import type { Database } from '../../../main/db/database.ts';
import type { SyncStatus } from '../../../main/orders/schemas.ts';
import { SyncEngine } from '../../../main/sync/sync-engine.ts';

let dir: string;
let db: Database;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pos-sync-stop-'));
  db = openDatabase(join(dir, 'pos-companion.db'));
});
afterEach(() => {
  vi.useRealTimers();
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

test.each([true, false])(
  'a status asked for before stop is never computed after it (training %s, loop never started)',
  async (training) => {
    vi.useFakeTimers();
    const engine = new SyncEngine({ db, client: null, training, notConfiguredMessage: 'no keys' });
    const seen: SyncStatus[] = [];
    engine.onStatus((s) => seen.push(s));
    engine.notify();
    await engine.stop();
    // The database stays open here so that a late status would be computed and seen.
    vi.advanceTimersByTime(10_000);
    expect(seen).toEqual([]);
  },
);

test('without stop, the same notify does tell the listener (the test above would see a late status)', () => {
  vi.useFakeTimers();
  const engine = new SyncEngine({ db, client: null, training: true });
  const seen: SyncStatus[] = [];
  engine.onStatus((s) => seen.push(s));
  engine.notify();
  vi.advanceTimersByTime(10_000);
  expect(seen).toHaveLength(1);
  expect(seen[0]).toMatchObject({ training: true, lastError: null });
});
