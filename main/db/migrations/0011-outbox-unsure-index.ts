// The calls whose outcome a look-up must settle, indexed on their own. Append-only: never edit
// once shipped.
// - `outbox_unsure`: owed calls of unknown outcome, or in flight (one whose lease runs out is
//   taken over as unknown). The look-up claim (main/sync/outbox-store.ts claimLookUps) reads only
//   these, so it costs the same with 20 or 100,000 calls waiting in the backlog: without it, every
//   look of the batch sender read every owed call (4 ms at 20,000 owed, on the till's main thread).
import type { Migration } from './types.ts';

export const migration0011: Migration = {
  version: 11,
  name: 'outbox-unsure-index',
  up(db) {
    db.exec(`
CREATE INDEX outbox_unsure ON outbox(id) WHERE state IN ('pending', 'in_flight') AND (unknown_outcome = 1 OR state = 'in_flight');
`);
  },
};
