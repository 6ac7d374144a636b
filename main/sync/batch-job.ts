// One batch of orders, from its claimed rows to each row's outcome: one `POST /batch/orders`
// (main/gameball/batches.ts), the job polled with backoff until it is done, then every item's
// result settles its own row (batch-plan.ts itemSettlement), all recorded in one transaction
// (outbox-store.ts finishAll: only rows whose lease is still ours). Never throws.
//
// Exactly once, whatever happens:
//  - Nothing answered the POST for sure (answer lost, timed out, not Gameball's, or the engine
//    stopped after sending): the job may exist, so every row goes back as of unknown outcome and
//    the order flow looks each one up at Gameball before anything is posted again (a row of
//    unknown outcome never goes in a batch). The same holds when the engine dies between the POST
//    and the last poll: its rows stay in flight under its lease, and whoever takes them over marks
//    them unknown (outbox-store.ts claim), so the rows' own state is the record of the batch.
//  - The POST was refused or failed before Gameball took it (4xx, 429, 5xx, nothing sent):
//    nothing was recorded; the rows go back as they were, and the batch counts as failed
//    (BatchGate: after two failures in a row batches pause and the single path sends everything).
//  - The job fails midway, or says nothing of some items: those rows are of unknown outcome
//    (looked up first); the items it did answer settle as usual.
//  - The job cannot be polled to the end (gone, or not done within `pollForMs`): every row is of
//    unknown outcome.
// Dates: an item goes with the date the single flow would send (gameball-link.ts postDated: the
// captured one unless it is ahead of Gameball's clock as far as the till knows). Items Gameball
// still refuses as dated in its future (9007: it recorded nothing) go once more at once, in one
// more batch of the same rows under the same lease, dated no later than Gameball's clock as the
// job's status answer gave it (or with their own date, when that clock has passed it since: the
// answer comes later than the items, and its Date has whole seconds). Only a customer's first item
// not done goes again (its later ones wait their turn: its orders keep their order and never share
// a re-dated time, 9003); what is refused again, or waits, goes singly. Without this, a till whose clock is a little ahead sends
// most of a fresh backlog one by one: each refused item counts an attempt, and a row that was
// tried never goes in a batch again.
// A row that turns out not to be batchable once its order is read (a redemption, a referrer, a
// row that no longer reads) is sent by the single flow (row-job.ts) right away, under the same
// lease; later rows of its customer in the batch go back to the queue, so its calls stay in order.
// Audit: the carrier row (the first) records the POST and the last poll; every row records its
// item's result (method `BATCH`, so the restart seeding of the rate limiter does not count it
// as a call).
import { batchStatus, postBatchOrders } from '../gameball/batches.ts';
import type { BatchItemResult, BatchStatusAnswer } from '../gameball/batches.ts';
import { buildTrackOrderBody, parseOrderRow } from '../gameball/mappers.ts';
import type { GameballResult } from '../gameball/outcome.ts';
import { backoffDelay } from './backoff.ts';
import { itemSettlement } from './batch-plan.ts';
import type { BatchGate } from './batch-plan.ts';
import { errorText } from './gameball-link.ts';
import type { ClaimedRow, Finish, SyncLogInput } from './outbox-store.ts';
import { runJob } from './row-job.ts';
import type { RowJobDeps } from './row-job.ts';
import { rowOutcome } from './row-outcome.ts';

export interface BatchJobDeps extends RowJobDeps {
  gate: BatchGate;
  /** The client's request timeout now (a lease must outlast a request). */
  clientTimeoutMs: () => number;
  /** How long a job may take before its rows are given up as unknown (default 10 min). */
  pollForMs?: number;
  /** Up to `limit` more rows for this batch, taken under the lease (the claim goes in steps); throws what the claim throws. */
  more?: (limit: number) => ClaimedRow[];
  /** Most rows in this batch. */
  maxRows?: number;
}

/** Rows read and mapped, or recorded, per step: the event loop is free between steps (captures go on). */
const STEP = 100;

/** Lets other work of the process run (a capture, a status read) between two steps of a batch. */
export const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Waits between polls of one job: quick at first (small jobs finish in a moment), then every 2 s. */
const POLL_DELAYS_MS = [150, 300, 600, 1_200, 2_000];
const DEFAULT_POLL_FOR_MS = 10 * 60_000;

/** A row's outcome with its audit rows, as recordAll writes it. */
export interface Entry {
  row: ClaimedRow;
  outcome: Finish;
  logs: SyncLogInput[];
}

export async function runBatch(taken: readonly ClaimedRow[], deps: BatchJobDeps): Promise<void> {
  const singles: Array<Promise<void>> = [];
  const rows = [...taken];
  try {
    await topUp(rows, deps);
    const plan = await prepare(rows, deps);
    for (const row of plan.singles) singles.push(runJob(row, deps));
    const entries: Entry[] = plan.heldBack.map((row) => ({ row, outcome: handBack(deps, false), logs: [] }));
    if (plan.items.length > 0) entries.push(...(await sendAndSettle(plan.items, deps)));
    await recordAll(entries, deps);
    deps.changed();
  } catch (err) {
    // A bug or the database: the rows stay under our lease and are reconciled when it expires.
    if (!deps.databaseDamaged(err, 'sending a batch')) deps.logger?.error({ rows: rows.length, err: errorText(err) }, 'batch job failed');
  }
  await Promise.allSettled(singles);
}

interface Item {
  row: ClaimedRow;
  orderId: string;
  /** The order's body as captured. */
  body: Record<string, unknown>;
}

/** Gameball's "transaction time is not valid": a date in its future (nothing recorded). */
const TIME_NOT_VALID = '9007';

/** Takes more rows for the batch, a step at a time, up to its size (a failed claim just ends the topping up). */
export async function topUp(rows: ClaimedRow[], deps: BatchJobDeps): Promise<void> {
  const max = deps.maxRows ?? rows.length;
  while (deps.more && rows.length < max && !deps.stopSignal().aborted) {
    await yieldToLoop();
    let more: ClaimedRow[];
    try {
      more = deps.more(max - rows.length);
    } catch (err) {
      if (deps.databaseDamaged(err, 'claiming calls to send')) throw err;
      deps.storage.trouble(err);
      return;
    }
    if (more.length === 0) return;
    rows.push(...more);
    deps.changed();
  }
}

/** Reads each row's order: batch items, rows for the single flow, and rows held back behind them. */
async function prepare(
  rows: readonly ClaimedRow[],
  deps: BatchJobDeps,
): Promise<{ items: Item[]; singles: ClaimedRow[]; heldBack: ClaimedRow[] }> {
  const items: Item[] = [];
  const singles: ClaimedRow[] = [];
  const heldBack: ClaimedRow[] = [];
  const behind = new Set<string>();
  for (const [i, row] of rows.entries()) {
    if (i > 0 && i % STEP === 0) await yieldToLoop();
    if (behind.has(row.customerId)) {
      heldBack.push(row);
      continue;
    }
    const body = batchBody(row, deps);
    if (body) items.push({ row, orderId: row.entityId, body });
    else {
      singles.push(row);
      behind.add(row.customerId);
    }
  }
  return { items, singles, heldBack };
}

/** The order's batch item, or null when the single flow must send it (it also reports what is wrong). */
function batchBody(row: ClaimedRow, deps: BatchJobDeps): Record<string, unknown> | null {
  if (row.kind !== 'track_order' || row.unknownOutcome) return null;
  const raw = deps.store.loadOrder(row.entityId);
  if (!raw) return null;
  try {
    const order = parseOrderRow(raw, row.entityId);
    if (order.training !== (deps.training ? 1 : 0)) return null;
    const body = buildTrackOrderBody(order);
    // Batch items carry no referral, and a redemption needs its live hold: both go singly.
    if (body.referrerCode !== undefined || body.redemption !== undefined) return null;
    return body;
  } catch {
    return null;
  }
}

/** A row back to the queue as it was (unknown: a POST may have recorded it). */
export function handBack(deps: BatchJobDeps, unknownOutcome: boolean): Finish {
  return {
    type: 'retry',
    nextAttemptAt: deps.clock.now(),
    code: null,
    message: unknownOutcome
      ? 'Sent in a batch whose outcome is not known: confirmed with Gameball before any re-send.'
      : 'Waiting to be sent.',
    unknownOutcome,
    countAttempt: false,
  };
}

/**
 * Back off after a failed attempt, counted (`unknown`: look up first). `draw`: one random draw for
 * every row of a batch whose outcome is unknown, so rows with the same attempts are due together
 * and are confirmed in one look-up job (batch-lookup.ts) rather than picked off one by one.
 */
function later(row: ClaimedRow, deps: BatchJobDeps, code: string, message: string, unknownOutcome: boolean, draw?: number): Finish {
  const now = deps.clock.now();
  const random = draw === undefined ? deps.policy.random : () => draw;
  return {
    type: 'retry',
    nextAttemptAt: now + backoffDelay(row.attempts + 1, random, deps.policy.backoff),
    code,
    message,
    unknownOutcome,
    countAttempt: true,
  };
}

/**
 * Posts the items as one batch, follows the job and settles each row. `notAfter`: the second
 * round of items refused as future-dated, dated no later than this (Gameball's clock).
 */
async function sendAndSettle(all: Item[], deps: BatchJobDeps, notAfter?: number): Promise<Entry[]> {
  const { link, clock } = deps;
  let items = all;
  const carrierLogs: SyncLogInput[] = [];
  const everyRow = (outcome: (row: ClaimedRow) => Finish): Entry[] =>
    items.map((it, i) => ({ row: it.row, outcome: outcome(it.row), logs: i === 0 ? carrierLogs : [] }));

  const keep = (): boolean => {
    items = keepLeases(items, deps);
    return items.length > 0;
  };
  // One draw for the rows whose outcome this batch leaves unknown (see later()).
  const draw = deps.policy.random();

  if (!keep()) return [];
  const carrier = items[0] as Item;
  const bodies = items.map((it) => link.datedItem(it.body, 'orderDate', notAfter));
  const sentDate = new Map(items.map((it, i) => [it.row.id, bodies[i]?.orderDate]));
  const redated = bodies.filter((b, i) => b !== items[i]?.body).length;
  if (redated > 0)
    deps.logger?.warn(
      { rows: items.length, redated },
      "batch orders dated ahead of Gameball's clock (the till's clock was ahead when they were captured): sent with Gameball's time instead",
    );
  const posted = await link.call(carrier.row, carrierLogs, (c, s) => postBatchOrders(c, bodies, s), 'POST', '/batch/orders');
  if (posted === 'abandoned') {
    const sent = carrierLogs.some((l) => l.method === 'POST');
    return everyRow(() => handBack(deps, sent));
  }
  if (posted.kind !== 'ok' || !posted.value) {
    const paused = deps.gate.failed(clock.now());
    deps.logger?.warn(
      { rows: items.length, httpStatus: posted.httpStatus, code: posted.code, message: posted.message, pausedBatches: paused },
      posted.kind === 'unknown'
        ? 'batch answer lost: its orders are confirmed with Gameball before any re-send'
        : 'batch refused or failed; its orders go back to the queue',
    );
    if (posted.kind === 'unknown') {
      return everyRow((row) => later(row, deps, posted.code === null ? 'BATCH_UNKNOWN' : String(posted.code), posted.message, true, draw));
    }
    return everyRow(() => handBack(deps, false));
  }
  const jobId = posted.value.jobId;
  const polled = await poll(jobId, carrier.row, carrierLogs, deps, keep);
  if (polled.type === 'abandoned') return everyRow(() => handBack(deps, true));
  if (polled.type === 'gave-up') {
    deps.gate.failed(clock.now());
    deps.logger?.warn(
      { jobId, rows: items.length, message: polled.message },
      'batch job could not be followed to its end; its orders are confirmed with Gameball',
    );
    return everyRow((row) => later(row, deps, 'BATCH_UNKNOWN', polled.message, true, draw));
  }
  const status = polled.answer;
  if (status.status === 'failed') {
    deps.gate.failed(clock.now());
    deps.logger?.warn(
      { jobId, rows: items.length, answered: status.results.length },
      'batch job failed midway; the orders it did not answer are confirmed with Gameball',
    );
  } else deps.gate.succeeded();
  const entries = settle(items, status, jobId, polled.res, carrierLogs, deps, draw);
  const gameballNow = polled.res.serverTime;
  if (notAfter !== undefined || typeof gameballNow !== 'number') return entries;
  return resendFutureDated(items, sentDate, entries, gameballNow, deps);
}

/**
 * Whether an item refused as dated in Gameball's future goes once more in a batch: when its date
 * can go earlier (`after`, the date it would go with now, before `before`, the one refused), or
 * when Gameball's clock (`gameballNow`, read from the job's answer) has passed that date since the
 * item was refused: the answer comes later than the items, and its Date has whole seconds, so
 * the date can stand as it is. Otherwise the item goes singly. Times in ms; NaN never goes again.
 */
export function worthSendingAgain(before: number, after: number, gameballNow: number): boolean {
  return after < before || before <= gameballNow;
}

/**
 * The second round (see the header): the items refused as dated in Gameball's future whose date
 * can go earlier, posted once more as one batch dated no later than `gameballNow`; each keeps the
 * audit rows of its first round. Only a customer's first item not done goes again (its later ones
 * wait their turn, so its orders still reach Gameball in order, never two on one re-dated time).
 * The rest keep their outcome.
 */
async function resendFutureDated(
  items: readonly Item[],
  sentDate: ReadonlyMap<number, unknown>,
  entries: Entry[],
  gameballNow: number,
  deps: BatchJobDeps,
): Promise<Entry[]> {
  const again: Item[] = [];
  const at = new Map<number, number>();
  const behind = new Set<string>();
  entries.forEach((e, i) => {
    const item = items[i];
    if (!item || e.outcome.type === 'done' || behind.has(item.row.customerId)) return;
    behind.add(item.row.customerId);
    if (e.outcome.type !== 'retry' || e.outcome.unknownOutcome || e.outcome.code !== TIME_NOT_VALID) return;
    const before = Date.parse(String(sentDate.get(item.row.id)));
    const after = Date.parse(String(deps.link.datedItem(item.body, 'orderDate', gameballNow).orderDate));
    if (!worthSendingAgain(before, after, gameballNow)) return;
    at.set(item.row.id, i);
    again.push(item);
  });
  if (again.length === 0) return entries;
  const settled = await sendAndSettle(again, deps, gameballNow);
  const out = [...entries];
  for (const e of settled) {
    const i = at.get(e.row.id);
    const first = i === undefined ? undefined : entries[i];
    if (i === undefined || !first) continue;
    out[i] = { row: e.row, outcome: e.outcome, logs: [...first.logs, ...e.logs] };
  }
  return out;
}

/**
 * The items whose rows are still ours: renews every lease when one is shorter than a request (plus
 * slack); the rows lost to another engine are dropped (it confirms them with Gameball).
 */
export function keepLeases<I extends { row: ClaimedRow }>(items: I[], deps: BatchJobDeps): I[] {
  const now = deps.clock.now();
  const timeout = deps.clientTimeoutMs() + 5_000;
  if (!items.some((it) => it.row.leaseUntil - now < timeout)) return items;
  const lost = new Set(
    deps.store
      .renewAll(
        items.map((it) => it.row),
        now,
      )
      .map((r) => r.id),
  );
  if (lost.size === 0) return items;
  deps.logger?.warn({ rows: lost.size }, 'batch rows taken over by another sync; it confirms them with Gameball');
  return items.filter((it) => !lost.has(it.row.id));
}

export type Polled =
  | { type: 'done'; answer: BatchStatusAnswer; res: GameballResult<BatchStatusAnswer> }
  | { type: 'abandoned' }
  | { type: 'gave-up'; message: string };

/** Polls the job until it is completed or failed; only the last poll is kept for the audit. */
export async function poll(
  jobId: string,
  carrier: ClaimedRow,
  carrierLogs: SyncLogInput[],
  deps: BatchJobDeps,
  keepLeases: () => boolean,
): Promise<Polled> {
  const { clock, link } = deps;
  const until = clock.now() + (deps.pollForMs ?? DEFAULT_POLL_FOR_MS);
  const kept = carrierLogs.length;
  for (let n = 0; ; n += 1) {
    await deps.sleep(POLL_DELAYS_MS[Math.min(n, POLL_DELAYS_MS.length - 1)] as number, deps.stopSignal());
    if (deps.stopSignal().aborted) return { type: 'abandoned' };
    if (!keepLeases()) return { type: 'abandoned' };
    const logs: SyncLogInput[] = [];
    const res = await link.call(carrier, logs, (c, s) => batchStatus(c, jobId, s), 'GET', `/batches/${encodeURIComponent(jobId)}/status`);
    if (res === 'abandoned') return { type: 'abandoned' };
    carrierLogs.splice(kept, carrierLogs.length - kept, ...logs);
    if (res.kind === 'ok' && res.value && (res.value.status === 'completed' || res.value.status === 'failed'))
      return { type: 'done', answer: res.value, res };
    if (res.httpStatus === 404) return { type: 'gave-up', message: `Gameball does not know batch job ${jobId} (${res.message}).` };
    if (clock.now() >= until)
      return {
        type: 'gave-up',
        message: `Batch job ${jobId} was not done after ${Math.round((deps.pollForMs ?? DEFAULT_POLL_FOR_MS) / 1000)} s.`,
      };
  }
}

/** The job's result for each order id (by `orderId`, else by `index` into `orderIds`; the first wins). */
export function resultsByOrder(results: readonly BatchItemResult[], orderIds: readonly string[]): Map<string, BatchItemResult> {
  const byOrder = new Map<string, BatchItemResult>();
  for (const r of results) {
    const id = r.orderId ?? (typeof r.index === 'number' ? orderIds[r.index] : undefined);
    if (id !== undefined && !byOrder.has(id)) byOrder.set(id, r);
  }
  return byOrder;
}

/** Each item's result to its row's outcome and audit row. */
function settle(
  items: Item[],
  status: BatchStatusAnswer,
  jobId: string,
  res: GameballResult<BatchStatusAnswer>,
  carrierLogs: SyncLogInput[],
  deps: BatchJobDeps,
  draw: number,
): Entry[] {
  const byOrder = resultsByOrder(
    status.results,
    items.map((it) => it.orderId),
  );
  const now = deps.clock.now();
  return items.map((it, i) => {
    const result = byOrder.get(it.orderId);
    const s = itemSettlement(result, jobId);
    const log: SyncLogInput = {
      method: 'BATCH',
      path: `/batches/${jobId}/status`,
      httpStatus: res.httpStatus,
      code: result?.code ?? null,
      message:
        s.type === 'done'
          ? s.reconciled
            ? `Already recorded by Gameball (batch job ${jobId}).`
            : `Accepted in batch job ${jobId}.`
          : s.message,
      requestId: res.requestId,
      outcome:
        s.type === 'done'
          ? s.reconciled
            ? 'reconciled'
            : 'ok'
          : s.type === 'refused'
            ? 'attention'
            : s.type === 'later'
              ? 'retry'
              : 'unknown',
      durationMs: null,
    };
    const logs = i === 0 ? [...carrierLogs, log] : [log];
    let outcome: Finish;
    if (s.type === 'done') outcome = { type: 'done', rewardedPoints: s.rewardedPoints };
    else if (s.type === 'refused')
      // Gameball refused this order: the same mapping as a refused POST /orders (needs a person, with its reason).
      outcome = rowOutcome(
        {
          kind: 'attention',
          cause: 'rejected',
          httpStatus: res.httpStatus,
          code: Number(s.code),
          message: s.message,
          requestId: res.requestId,
          method: 'POST',
          path: '/batch/orders',
          durationMs: 0,
        },
        { attempts: it.row.attempts, unknownOutcome: false, now, ...deps.policy },
      );
    else if (s.type === 'later') outcome = later(it.row, deps, s.code, s.message, false);
    else outcome = later(it.row, deps, 'BATCH_UNKNOWN', s.message, true, draw);
    return { row: it.row, outcome, logs };
  });
}

/**
 * Writes every outcome in one transaction. While the data folder refuses it, it waits like a
 * single row's job (row-job.ts record); when the engine stops first, the rows stay in flight under
 * this engine's lease and the next claim reconciles them with Gameball.
 */
export async function recordAll(entries: Entry[], deps: BatchJobDeps): Promise<void> {
  if (entries.length === 0) return;
  // Written in steps, each its own transaction; a retry after a refused write resumes at the step that failed.
  const held: boolean[] = [];
  for (;;) {
    try {
      for (let i = held.length; i < entries.length; i = held.length) {
        if (i > 0) await yieldToLoop();
        held.push(...deps.store.finishAll(entries.slice(i, i + STEP * 2), deps.clock.now()));
      }
      deps.storage.recovered();
      const lost = held.filter((h) => !h).length;
      if (lost > 0) deps.logger?.warn({ rows: lost }, 'lease lost before a batch outcome was written; the new holder reconciles');
      for (const e of entries) {
        if (e.outcome.type === 'attention' || e.outcome.type === 'dead')
          deps.logger?.warn(
            { outboxId: e.row.id, entityId: e.row.entityId, kind: e.row.kind, code: e.outcome.code, message: e.outcome.message },
            'needs attention',
          );
      }
      return;
    } catch (err) {
      if (deps.databaseDamaged(err, 'recording what Gameball answered')) return;
      if (!deps.storage.trouble(err)) {
        deps.logger?.error({ rows: entries.length, err: errorText(err) }, 'could not record a batch outcome');
        return;
      }
      if (deps.stopSignal().aborted) {
        deps.logger?.warn(
          { rows: entries.length, code: deps.storage.problem?.code },
          'stopped before the batch outcome could be recorded: its rows stay in flight and the next sync confirms them with Gameball before sending again',
        );
        return;
      }
      await deps.sleep(deps.storageRetryMs, deps.stopSignal());
    }
  }
}
