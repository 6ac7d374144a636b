// The till's clock against Gameball's, as last measured by a sync, so every process (the `status`
// command too, which talks to nobody) can say when the till's clock is wrong. One row per mode:
// training talks to the built-in simulator, which runs on the till's own clock, and must not
// overwrite what Gameball said. Append-only: never edit once shipped.
//  - skew_ms: the till's clock minus Gameball's (positive: the till is ahead);
//  - checked_at: the till's clock (epoch ms) when it was measured;
//  - behind_ms: how far the till's clock then read before the newest order, refund or call it had
//    recorded (0 normally), so a later reader can tell whether the clock went back since.
import type { Migration } from './types.ts';

export const migration0005: Migration = {
  version: 5,
  name: 'clock-check',
  up(db) {
    db.exec(`
CREATE TABLE clock_check (
  training INTEGER PRIMARY KEY CHECK (training IN (0, 1)),
  skew_ms INTEGER NOT NULL,
  checked_at INTEGER NOT NULL,
  behind_ms INTEGER NOT NULL
);
`);
  },
};
