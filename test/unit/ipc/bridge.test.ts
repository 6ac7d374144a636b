// Which engine errors reach the screen with their own message: a damaged database must, as
// "unavailable" with its sentence (what happened, what to do); SQLite's bare error must not.
import { describe, expect, it } from 'vitest';
import { DatabaseDamagedError } from '../../../main/db/database.ts';
import { mapEngineError } from '../../../main/ipc/bridge.ts';

describe('mapEngineError', () => {
  it('a damaged database reaches the screen as unavailable, with its sentence', () => {
    const err = new DatabaseDamagedError("The till's database is damaged (saving an order failed: database disk image is malformed). Close it and open it again.");
    expect(mapEngineError(err)).toEqual({ code: 'unavailable', message: err.message, reason: 'DB_DAMAGED' });
  });

  it("SQLite's own corruption error is not passed through (it becomes 'internal', details to the log)", () => {
    const raw = Object.assign(new Error('database disk image is malformed'), { name: 'SqliteError', code: 'SQLITE_CORRUPT' });
    expect(mapEngineError(raw)).toBeUndefined();
  });
});
