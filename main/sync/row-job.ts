// One claimed row's job: the flow of its kind (flows/) with the engine's line to Gameball, then
// its outcome recorded (outbox-store.ts: only while the lease is still ours, with the audit rows).
// A job that stops before sending hands its row back as it was (unknown outcome when a POST went
// out earlier in the job); a job that fails for a bug leaves its row under the lease, to be
// reconciled when the lease expires. Never throws.
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { ConnectivityPolicy } from './connectivity.ts';
import type { Sleep } from './engine-options.ts';
import type { Outcome } from './flows/calls.ts';
import { runRow } from './flows/row.ts';
import { errorText } from './gameball-link.ts';
import type { GameballLink } from './gameball-link.ts';
import type { ClaimedRow, Finish, OutboxStore, SyncLogInput } from './outbox-store.ts';
import { rowOutcome } from './row-outcome.ts';
import type { StorageWatch } from './storage-watch.ts';

export interface RowJobDeps {
  link: GameballLink;
  store: OutboxStore;
  storage: StorageWatch;
  training: boolean;
  clock: Clock;
  logger: Logger | undefined;
  policy: ConnectivityPolicy;
  sleep: Sleep;
  /** While the data folder refuses the outcome: how often to try again. */
  storageRetryMs: number;
  stopSignal: () => AbortSignal;
  /** True (and the engine stopped) when `err` is a damaged database. */
  databaseDamaged: (err: unknown, where: string) => boolean;
  /** The status changed. */
  changed: () => void;
}

export async function runJob(row: ClaimedRow, deps: RowJobDeps): Promise<void> {
  const logs: SyncLogInput[] = [];
  const { link, clock } = deps;
  let outcome: Outcome;
  try {
    outcome = await runRow(
      {
        row,
        logs,
        call: (fn, method, path) => link.call(row, logs, fn, method, path),
        postDated: (body, field, post, path) => link.postDated(row, logs, body, field, post, path),
        transactionsOf: (orderId) => link.transactionsOf(row, orderId, logs),
        outcome: (res, unknownOutcome) => rowOutcome(res, { attempts: row.attempts, unknownOutcome, now: clock.now(), ...deps.policy }),
      },
      { store: deps.store, training: deps.training, now: () => clock.now(), logger: deps.logger },
    );
  } catch (err) {
    if (deps.databaseDamaged(err, 'reading an order to send')) return;
    if (!deps.storage.trouble(err)) {
      // A bug or a database error: leave the row under our lease; when it expires another look
      // (by us or another engine) treats it as an unknown outcome and reconciles. Never crash.
      deps.logger?.error({ outboxId: row.id, entityId: row.entityId, err: errorText(err) }, 'sync job failed');
      return;
    }
    // The folder refused a write (a lease renewal) before the next request went out: hand the
    // row back as it was, with the calls already made kept for the record.
    outcome = { abandoned: true, logs };
  }
  if ('abandoned' in outcome) {
    // Stopped before sending (or the lease is gone): hand the row back as it was. A POST made
    // earlier in this job (answered, then the job stopped) makes the outcome unknown.
    const unknownOutcome = row.unknownOutcome || outcome.logs.some((l) => l.method === 'POST');
    const handBack: Finish = {
      type: 'retry',
      nextAttemptAt: clock.now(),
      code: null,
      message: 'Sync stopped before sending.',
      unknownOutcome,
      countAttempt: false,
    };
    await record(row, handBack, outcome.logs, true, deps);
    return;
  }
  await record(row, outcome.finish, outcome.logs, false, deps);
  deps.changed();
}

/**
 * Writes a row's outcome. While the data folder cannot take it, the outcome waits here (the job
 * stays active, so its row is not claimed again) and is tried every storageRetryMs; when the
 * engine stops first, it is given up: the row stays in flight under this engine's lease, and
 * the next claim treats it as an unknown outcome and asks Gameball before any re-post.
 */
async function record(row: ClaimedRow, finish: Finish, logs: SyncLogInput[], handBack: boolean, deps: RowJobDeps): Promise<void> {
  for (;;) {
    try {
      const held = deps.store.finish(row, finish, logs, deps.clock.now());
      deps.storage.recovered();
      if (handBack) return;
      if (!held)
        deps.logger?.warn(
          { outboxId: row.id, entityId: row.entityId },
          'lease lost before the outcome was written; the new holder reconciles',
        );
      if (finish.type === 'attention' || finish.type === 'dead') {
        deps.logger?.warn(
          { outboxId: row.id, entityId: row.entityId, kind: row.kind, code: finish.code, message: finish.message },
          'needs attention',
        );
      }
      return;
    } catch (err) {
      if (deps.databaseDamaged(err, handBack ? 'releasing a call' : 'recording what Gameball answered')) return;
      if (!deps.storage.trouble(err)) {
        deps.logger?.error(
          { outboxId: row.id, entityId: row.entityId, err: errorText(err) },
          handBack ? 'could not release an outbox row' : 'could not record a sync outcome',
        );
        return;
      }
      if (deps.stopSignal().aborted) {
        deps.logger?.warn(
          { outboxId: row.id, entityId: row.entityId, outcome: finish.type, code: deps.storage.problem?.code },
          'stopped before the outcome could be recorded: the row stays in flight and the next sync confirms it with Gameball before sending again',
        );
        return;
      }
      await deps.sleep(deps.storageRetryMs, deps.stopSignal());
    }
  }
}
