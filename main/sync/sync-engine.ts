// The sync engine: posts the outbox to Gameball in the background, exactly once per call.
//
// Contract:
//  - Works only from rows. Bodies are built at send time from the current order/refund row.
//  - One request at a time per customer, in outbox order; up to `concurrency` customers at once.
//  - Rows are claimed under a lease (see outbox-store.ts); an outcome is written only while the
//    lease is still ours, together with its audit row, in one transaction.
//  - Client-side rate limiter per Gameball resource group (see rate-limiter.ts): no 429s.
//  - Retry (network error, timeout, 429, 5xx, 2001): capped exponential backoff with full
//    jitter. While Gameball is unreachable one probe at a time goes out; the first success
//    brings every waiting row forward.
//  - Unknown outcome (answer lost after sending): unknown_outcome=1 in the same write; the next
//    attempt first asks `GET /orders/{orderId}/transactions`: listed -> synced, absent -> post.
//    9004 on an order: confirmed the same way at once. Refunds: listed under the original order
//    with the refund id -> synced; otherwise re-posted with the same refundTransactionId, which
//    Gameball refuses with 9004 if it already has it (taken as confirmation).
//  - Other 4xx: needs attention with Gameball's code and message (a person edits and resends
//    or discards). 401/403 are about the keys, not the order: sync pauses, rows stay pending.
//  - A row that no longer parses goes to attention (local code), never crashes the loop.
//  - Training engines post only training rows (to the built-in simulator); an engine configured
//    for Gameball never posts a training row.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { isoAt, systemClock } from '../clock.ts';
import { withoutKeys } from '../config/keys.ts';
import type { Database } from '../db/database.ts';
import type { GameballClient, OrderTransactions } from '../gameball/client.ts';
import { buildRefundBody, buildRegisterCustomerBody, buildTrackOrderBody, parseOrderRow, parseRefundRow, RowUnreadableError } from '../gameball/mappers.ts';
import type { SyncOrderRow } from '../gameball/mappers.ts';
import type { GameballResult } from '../gameball/outcome.ts';
import type { RateLimits } from '../gameball/rate-limits.ts';
import type { Logger } from '../log.ts';
import type { SyncStatus } from '../orders/schemas.ts';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff.ts';
import type { BackoffPolicy } from './backoff.ts';
import { OutboxStore } from './outbox-store.ts';
import type { ClaimedRow, Finish, SyncLogInput } from './outbox-store.ts';
import { GameballRateLimiter, rateGroupOf } from './rate-limiter.ts';
import { lastErrorOf, StatusReader, statusChanged } from './status.ts';
import type { LiveFacts } from './status.ts';

/** Waits `ms`; resolves early (never rejects) when `signal` aborts. Injected so tests can step time. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, Math.min(ms, 2 ** 31 - 1)));
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export interface SyncEngineOptions {
  db: Database;
  /**
   * The client, or a function giving the current one (keys can change while running). null in a
   * live engine: no Gameball configured (no keys), so the engine only reports status and says why.
   * null in a training engine: the built-in simulator is not up yet (it starts when first needed);
   * that is not an error and is never reported as one.
   */
  client: GameballClient | null | (() => GameballClient | null);
  /** Which rows this engine may post: training rows (to the simulator) or real ones. */
  training: boolean;
  clock?: Clock;
  logger?: Logger;
  /** Unique per engine instance (default host:pid:random). */
  ownerId?: string;
  /** Customers in flight at once (default 6). */
  concurrency?: number;
  /** Lease length in ms (default 60 s; renewed before a request when less than timeout + 5 s is left). */
  leaseMs?: number;
  backoff?: BackoffPolicy;
  random?: () => number;
  rateLimits?: Partial<RateLimits>;
  rateMarginMs?: number;
  sleep?: Sleep;
  /** Longest wait between looks at the outbox when idle (default 2 s; captures also wake it). */
  idlePollMs?: number;
  /** Pause after Gameball refuses the keys (default 5 min; syncNow and a restart end it). */
  authPauseMs?: number;
  /**
   * When nothing has been sent for this long, one read-only call (`GET /orders/{probe}/transactions`)
   * checks that Gameball is reachable, so online/offline stays true while the till is idle
   * (default 60 s; also right after start). Probes carry no order data and are not audited.
   */
  probeEveryMs?: number;
  /** Reason shown while `client` is null in a live engine (never used in training). */
  notConfiguredMessage?: string;
  /** The key values in use: replaced by [Redacted] in an answer before anything of it is recorded. */
  secretValues?: () => Iterable<string | null>;
}

export interface DrainResult {
  /** Nothing of this engine's world is left pending or in flight. */
  empty: boolean;
  /** Rows still pending or in flight. */
  remaining: number;
  timedOut: boolean;
}

type Outcome = { finish: Finish; logs: SyncLogInput[] } | { abandoned: true; logs: SyncLogInput[] };

const MIN_IDLE_MS = 200;

export class SyncEngine {
  private readonly store: OutboxStore;
  private readonly statusReader: StatusReader;
  private readonly clock: Clock;
  private readonly logger: Logger | undefined;
  private readonly concurrency: number;
  private readonly backoff: BackoffPolicy;
  private readonly random: () => number;
  private readonly limiter: GameballRateLimiter;
  private readonly sleep: Sleep;
  private readonly idlePollMs: number;
  private readonly authPauseMs: number;
  private readonly leaseMs: number;
  private readonly probeEveryMs: number;
  private lastContactAt = -Infinity;
  private probing$: Promise<void> | undefined;

  private running = false;
  private loopDone: Promise<void> | undefined;
  private stopController = new AbortController();
  private wakeController = new AbortController();
  private readonly active = new Map<number, Promise<void>>();
  /** Gameball unreachable or refusing the keys: claim nothing before this time. */
  private pausedUntil = 0;
  /** After trouble: one request at a time until one gets through. */
  private probing = false;
  private consecutiveTrouble = 0;
  private live: LiveFacts;
  private lastStatus: SyncStatus | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(s: SyncStatus) => void>();
  private readonly idleWaiters = new Set<() => void>();

  constructor(private readonly opts: SyncEngineOptions) {
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger;
    this.concurrency = Math.max(1, opts.concurrency ?? 6);
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.random = opts.random ?? Math.random;
    this.sleep = opts.sleep ?? realSleep;
    this.idlePollMs = opts.idlePollMs ?? 2_000;
    this.authPauseMs = opts.authPauseMs ?? 5 * 60_000;
    this.leaseMs = opts.leaseMs ?? 60_000;
    this.probeEveryMs = opts.probeEveryMs ?? 60_000;
    this.limiter = new GameballRateLimiter({ limits: opts.rateLimits, marginMs: opts.rateMarginMs });
    this.store = new OutboxStore(opts.db, {
      training: opts.training,
      ownerId: opts.ownerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
      leaseMs: this.leaseMs,
    });
    this.statusReader = new StatusReader(opts.db);
    const seed = this.statusReader.seed();
    this.live = { ...seed, online: false };
    if (!opts.training && !this.client()) {
      this.live.lastError = lastErrorOf(isoAt(this.clock.now()), opts.notConfiguredMessage ?? 'Gameball is not configured.', null, null);
    }
  }

  private client(): GameballClient | null {
    const c = this.opts.client;
    return typeof c === 'function' ? c() : c;
  }

  get ownerId(): string {
    return this.store.ownerId;
  }

  get training(): boolean {
    return this.opts.training;
  }

  /** Starts the background loop (idempotent). Does nothing without a client. */
  start(): void {
    if (this.running || !this.client()) return;
    this.running = true;
    this.stopController = new AbortController();
    this.loopDone = this.loop().catch((err: unknown) => {
      this.logger?.error({ err: errorText(err) }, 'sync loop stopped unexpectedly');
    });
  }

  /**
   * Stops: no new claims, waiting stops, requests in flight are aborted and their rows recorded
   * (a write whose answer we abandon is marked unknown_outcome and reconciled next time).
   */
  async stop(): Promise<void> {
    // A status computation may be pending even when the loop never ran (a one-shot engine whose
    // capture called notify): it must not fire after stop, when the caller closes the database
    // and the log (it used to, on a slow machine, and the CLI then died with exit 1).
    if (this.statusTimer) clearTimeout(this.statusTimer);
    this.statusTimer = undefined;
    if (!this.running) return;
    this.running = false;
    this.stopController.abort();
    this.wake();
    await this.loopDone;
    await Promise.allSettled([...this.active.values(), this.probing$]);
    if (this.statusTimer) clearTimeout(this.statusTimer);
    this.statusTimer = undefined;
    for (const w of this.idleWaiters) w();
  }

  /** Something changed in the outbox (a capture, a retry): look now. */
  notify(): void {
    this.wake();
    this.scheduleStatus();
  }

  /** Retry now: ends pauses and brings every waiting row of this engine's world forward. */
  syncNow(): void {
    this.pausedUntil = 0;
    this.consecutiveTrouble = 0;
    try {
      this.store.pullForward(this.clock.now(), false);
    } catch (err) {
      this.logger?.warn({ err: errorText(err) }, 'could not bring waiting calls forward');
    }
    this.wake();
  }

  status(): SyncStatus {
    return this.statusReader.read(this.opts.training, this.clock.now(), this.live);
  }

  onStatus(listener: (s: SyncStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Runs until the outbox of this world is empty (`untilEmpty`) or, otherwise, until one pass is
   * over (nothing claimable now and nothing in flight), or until `timeoutMs`. Starts the loop if
   * needed and leaves it running.
   */
  async drain(opts: { untilEmpty: boolean; timeoutMs: number }): Promise<DrainResult> {
    if (!this.client()) return { empty: this.store.activeCount() === 0, remaining: this.store.activeCount(), timedOut: false };
    this.start();
    const deadline = this.clock.now() + opts.timeoutMs;
    for (;;) {
      const remaining = this.store.activeCount();
      if (remaining === 0) return { empty: true, remaining, timedOut: false };
      if (!opts.untilEmpty && this.isIdle()) return { empty: false, remaining, timedOut: false };
      const left = deadline - this.clock.now();
      if (left <= 0) return { empty: false, remaining, timedOut: true };
      if (!this.running) return { empty: false, remaining, timedOut: false };
      await this.idleOrTick(Math.min(left, 250));
    }
  }

  /** Resolves when the loop next goes idle, or after `ms`. */
  private idleOrTick(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.idleWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.idleWaiters.add(done);
    });
  }

  // ---- the loop ---------------------------------------------------------------------------------

  private idleSince: number | null = null;

  private isIdle(): boolean {
    return this.active.size === 0 && this.idleSince !== null;
  }

  private wake(): void {
    this.idleSince = null;
    this.wakeController.abort();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      this.wakeController = new AbortController();
      const now = this.clock.now();
      let slots = this.concurrency - this.active.size;
      if (this.pausedUntil > now || !this.client()) slots = 0;
      else if (this.probing) slots = this.active.size === 0 ? 1 : 0;

      let claimed = 0;
      if (slots > 0) {
        try {
          const rows = this.store.claim(now, slots);
          claimed = rows.length;
          for (const row of rows) this.startJob(row);
        } catch (err) {
          this.logger?.warn({ err: errorText(err) }, 'could not claim outbox rows; will look again');
        }
      }
      if (claimed > 0) {
        this.idleSince = null;
        this.scheduleStatus();
        continue;
      }
      if (this.active.size === 0 && this.idleSince === null) {
        this.idleSince = now;
        for (const w of this.idleWaiters) w();
      }
      if (this.active.size === 0 && this.pausedUntil <= now && !this.probing$ && now - this.lastContactAt >= this.probeEveryMs) {
        this.probing$ = this.probeConnection().finally(() => (this.probing$ = undefined));
      }

      let waitMs: number;
      if (this.pausedUntil > now) waitMs = this.pausedUntil - now;
      else if (slots <= 0) waitMs = this.idlePollMs;
      else {
        let due: number | null = null;
        try {
          due = this.store.nextDueAt();
        } catch {
          due = null;
        }
        waitMs = due === null ? this.idlePollMs : Math.min(this.idlePollMs, Math.max(MIN_IDLE_MS, due - now));
      }
      const signal = AbortSignal.any([this.wakeController.signal, this.stopController.signal]);
      await this.sleep(waitMs, signal);
    }
  }

  private startJob(row: ClaimedRow): void {
    const job = this.runJob(row).finally(() => {
      this.active.delete(row.id);
      this.wake();
    });
    this.active.set(row.id, job);
  }

  private async runJob(row: ClaimedRow): Promise<void> {
    let outcome: Outcome;
    try {
      outcome = await this.process(row);
    } catch (err) {
      // A bug or a database error: leave the row under our lease; when it expires another look
      // (by us or another engine) treats it as an unknown outcome and reconciles. Never crash.
      this.logger?.error({ outboxId: row.id, entityId: row.entityId, err: errorText(err) }, 'sync job failed');
      return;
    }
    const now = this.clock.now();
    if ('abandoned' in outcome) {
      // Stopped before sending (or the lease is gone): hand the row back as it was.
      try {
        this.store.finish(
          row,
          { type: 'retry', nextAttemptAt: now, code: null, message: 'Sync stopped before sending.', unknownOutcome: row.unknownOutcome, countAttempt: false },
          outcome.logs,
          now,
        );
      } catch (err) {
        this.logger?.error({ outboxId: row.id, entityId: row.entityId, err: errorText(err) }, 'could not release an outbox row');
      }
      return;
    }
    try {
      const held = this.store.finish(row, outcome.finish, outcome.logs, now);
      if (!held) this.logger?.warn({ outboxId: row.id, entityId: row.entityId }, 'lease lost before the outcome was written; the new holder reconciles');
      if (outcome.finish.type === 'attention' || outcome.finish.type === 'dead') {
        this.logger?.warn({ outboxId: row.id, entityId: row.entityId, kind: row.kind, code: outcome.finish.code, message: outcome.finish.message }, 'needs attention');
      }
    } catch (err) {
      this.logger?.error({ outboxId: row.id, entityId: row.entityId, err: errorText(err) }, 'could not record a sync outcome');
    }
    this.scheduleStatus();
  }

  // ---- one row ------------------------------------------------------------------------------------

  private async process(row: ClaimedRow): Promise<Outcome> {
    const logs: SyncLogInput[] = [];
    let order: SyncOrderRow;
    let refundBody: Record<string, unknown> | undefined;
    try {
      if (row.kind === 'refund') {
        const refundRaw = this.store.loadRefund(row.entityId);
        if (!refundRaw) return { finish: { type: 'dead', code: 'LOCAL_MISSING', message: `Refund ${row.entityId} no longer exists on this till.` }, logs };
        const refund = parseRefundRow(refundRaw, row.entityId);
        const orderRaw = this.store.loadOrder(refund.order_id);
        if (!orderRaw) return { finish: { type: 'dead', code: 'LOCAL_MISSING', message: `The refunded order ${refund.order_id} no longer exists on this till.` }, logs };
        if (orderRaw.state === 'discarded') {
          return {
            finish: {
              type: 'attention',
              code: 'LOCAL_ORDER_DISCARDED',
              message: `Order ${refund.order_id} was discarded on this till, so Gameball never received it: discard this refund too.`,
            },
            logs,
          };
        }
        order = parseOrderRow(orderRaw, refund.order_id);
        if (refund.training !== (this.opts.training ? 1 : 0)) return this.wrongWorld(row, logs);
        refundBody = buildRefundBody(refund, order);
      } else {
        const orderRaw = this.store.loadOrder(row.entityId);
        if (!orderRaw) return { finish: { type: 'dead', code: 'LOCAL_MISSING', message: `Order ${row.entityId} no longer exists on this till.` }, logs };
        order = parseOrderRow(orderRaw, row.entityId);
      }
      if (order.training !== (this.opts.training ? 1 : 0)) return this.wrongWorld(row, logs);
    } catch (err) {
      if (err instanceof RowUnreadableError) return { finish: { type: 'attention', code: 'LOCAL_UNREADABLE', message: err.message }, logs };
      throw err;
    }

    try {
      if (row.kind === 'register_customer') {
        const body = buildRegisterCustomerBody(order);
        const res = await this.call(row, logs, (c, s) => c.upsertCustomer(body, s), 'POST', '/customers');
        if (res === 'abandoned') return { abandoned: true, logs };
        return { finish: this.decide(row, res, { unknownOutcome: false }), logs };
      }
      if (row.kind === 'track_order') return await this.syncOrder(row, order, logs);
      return await this.syncRefund(row, order.order_id, refundBody ?? {}, logs);
    } catch (err) {
      if (err instanceof RowUnreadableError) return { finish: { type: 'attention', code: 'LOCAL_UNREADABLE', message: err.message }, logs };
      throw err;
    }
  }

  private wrongWorld(row: ClaimedRow, logs: SyncLogInput[]): Outcome {
    // Unreachable through claim(); kept as a last guard: a training row never reaches Gameball
    // and a real row never reaches the simulator.
    this.logger?.error({ outboxId: row.id, entityId: row.entityId, training: this.opts.training }, 'refused to post a row of the other mode');
    return {
      finish: { type: 'retry', nextAttemptAt: this.clock.now() + 60 * 60_000, code: 'LOCAL_MODE', message: 'Waiting for an engine in the matching mode.', unknownOutcome: false, countAttempt: false },
      logs,
    };
  }

  private async syncOrder(row: ClaimedRow, order: SyncOrderRow, logs: SyncLogInput[]): Promise<Outcome> {
    if (row.unknownOutcome) {
      const rec = await this.reconcileOrder(row, order.order_id, logs);
      if (rec === 'abandoned') return { abandoned: true, logs };
      if (rec.kind === 'found') return { finish: { type: 'done', rewardedPoints: rec.points }, logs };
      if (rec.kind === 'failed') return { finish: this.decide(row, rec.result, { unknownOutcome: true }), logs };
      // absent: nothing was recorded, posting is safe.
    }
    const body = buildTrackOrderBody(order);
    const res = await this.call(row, logs, (c, s) => c.trackOrder(body, s), 'POST', '/orders');
    if (res === 'abandoned') return { abandoned: true, logs };
    if (res.kind === 'ok') {
      const points = res.value?.rewardedPoints;
      return { finish: { type: 'done', rewardedPoints: typeof points === 'number' && Number.isFinite(points) ? Math.round(points) : null }, logs };
    }
    if (res.cause === 'duplicate') {
      const rec = await this.reconcileOrder(row, order.order_id, logs);
      if (rec === 'abandoned') return { abandoned: true, logs };
      if (rec.kind === 'found') return { finish: { type: 'done', rewardedPoints: rec.points }, logs };
      if (rec.kind === 'failed') return { finish: this.decide(row, rec.result, { unknownOutcome: true }), logs };
      return {
        finish: {
          type: 'attention',
          code: String(res.code ?? 9004),
          message: `Gameball says order id ${order.order_id} already exists but lists nothing recorded for it. Check the order in Gameball; discard it here if it is there.`,
        },
        logs,
      };
    }
    return { finish: this.decide(row, res, { unknownOutcome: res.kind === 'unknown' }), logs };
  }

  private async syncRefund(row: ClaimedRow, orderId: string, body: Record<string, unknown>, logs: SyncLogInput[]): Promise<Outcome> {
    if (row.unknownOutcome) {
      const rec = await this.transactionsOf(row, orderId, logs);
      if (rec === 'abandoned') return { abandoned: true, logs };
      if (rec.kind === 'ok' && rec.value?.transactions.some((t) => t.transactionId === row.entityId)) {
        markReconciled(logs);
        return { finish: { type: 'done' }, logs };
      }
      // Not listed by id: Gameball's listing may name the order instead. Re-posting with the same
      // refundTransactionId is safe: Gameball refuses a known one with 9004 (handled below).
    }
    const res = await this.call(row, logs, (c, s) => c.refund(body, s), 'POST', '/transactions/refund');
    if (res === 'abandoned') return { abandoned: true, logs };
    if (res.kind === 'ok') return { finish: { type: 'done' }, logs };
    if (res.cause === 'duplicate') {
      markReconciled(logs);
      return { finish: { type: 'done' }, logs };
    }
    return { finish: this.decide(row, res, { unknownOutcome: res.kind === 'unknown' }), logs };
  }

  private async reconcileOrder(
    row: ClaimedRow,
    orderId: string,
    logs: SyncLogInput[],
  ): Promise<'abandoned' | { kind: 'found'; points: number | null } | { kind: 'absent' } | { kind: 'failed'; result: GameballResult }> {
    const res = await this.transactionsOf(row, orderId, logs);
    if (res === 'abandoned') return res;
    if (res.kind === 'ok' && res.value) {
      const mine = res.value.transactions.filter((t) => t.transactionId === undefined || t.transactionId === null || t.transactionId === orderId);
      if (mine.length > 0) {
        markReconciled(logs);
        return { kind: 'found', points: rewardedPointsOf(res.value, orderId) };
      }
      return { kind: 'absent' };
    }
    if (res.httpStatus === 404) return { kind: 'absent' };
    return { kind: 'failed', result: res };
  }

  private transactionsOf(row: ClaimedRow, orderId: string, logs: SyncLogInput[]): Promise<GameballResult<OrderTransactions> | 'abandoned'> {
    return this.call(row, logs, (c, s) => c.orderTransactions(orderId, s), 'GET', `/orders/${encodeURIComponent(orderId)}/transactions`);
  }

  /**
   * Makes one call under the rate limiter and the lease, records its audit row in `logs`, and
   * updates the engine's view of Gameball (online, pauses). 'abandoned': stopped before sending,
   * or the lease was lost.
   */
  private async call<T>(
    row: ClaimedRow,
    logs: SyncLogInput[],
    fn: (client: GameballClient, signal: AbortSignal) => Promise<GameballResult<T>>,
    method: 'GET' | 'POST',
    path: string,
  ): Promise<GameballResult<T> | 'abandoned'> {
    const client = this.client();
    if (!client) return 'abandoned';
    const group = rateGroupOf(method, path.startsWith('/orders/') ? '/orders/x/transactions' : path);
    for (;;) {
      if (this.stopController.signal.aborted) return 'abandoned';
      const wait = this.limiter.delay(group, this.clock.now());
      if (wait === 0) break;
      await this.sleep(wait, this.stopController.signal);
    }
    // The lease must outlast the request: renew when less than a timeout (plus slack) is left.
    // Renewing also proves the row is still ours before anything is sent.
    if (row.leaseUntil - this.clock.now() < client.config.timeoutMs + 5_000 && !this.store.renew(row, this.clock.now())) return 'abandoned';
    // The slot is taken right before sending (not before the lease write above), so the time the
    // limiter counts is as close as possible to when Gameball sees the request.
    for (;;) {
      if (this.stopController.signal.aborted) return 'abandoned';
      const wait = this.limiter.take(group, this.clock.now());
      if (wait === 0) break;
      await this.sleep(wait, this.stopController.signal);
    }
    const res = withoutKeys(await fn(client, this.stopController.signal), this.opts.secretValues?.());
    logs.push({
      method: res.method,
      path: res.path,
      httpStatus: res.httpStatus,
      code: res.code,
      message: res.message,
      requestId: res.requestId,
      outcome: res.kind,
      durationMs: res.durationMs,
    });
    this.observe(row, res, group);
    return res;
  }

  /** The idle reachability check (see probeEveryMs). Never throws. */
  private async probeConnection(): Promise<void> {
    const client = this.client();
    if (!client) return;
    this.lastContactAt = this.clock.now();
    try {
      if (this.limiter.take('transactions', this.clock.now()) > 0) return;
      const res = withoutKeys(await client.orderTransactions('pos-companion-connection-probe', this.stopController.signal), this.opts.secretValues?.());
      if (this.stopController.signal.aborted) return;
      const wasOnline = this.live.online;
      const trouble = res.cause === 'network' || res.cause === 'lost' || res.cause === 'timeout' || res.cause === 'server';
      this.live.online = !trouble && res.cause !== 'auth';
      if (!this.live.online) this.live.lastError = lastErrorOf(isoAt(this.clock.now()), res.message, res.code ?? (res.httpStatus === null ? res.cause : `HTTP_${res.httpStatus}`), null);
      if (wasOnline !== this.live.online) this.logger?.info({ online: this.live.online }, this.live.online ? 'Gameball reachable' : 'Gameball unreachable');
      this.scheduleStatus();
    } catch (err) {
      this.logger?.warn({ err: errorText(err) }, 'connection probe failed');
    }
  }

  /** Updates online/offline, pauses and the last success/error from one answer. */
  private observe(row: ClaimedRow, res: GameballResult, group: ReturnType<typeof rateGroupOf>): void {
    const now = this.clock.now();
    const at = isoAt(now);
    const wasOnline = this.live.online;
    this.lastContactAt = now;
    if (res.cause === 'rate-limited') this.limiter.blockUntil(group, now + 1_000);
    const trouble = res.cause === 'network' || res.cause === 'lost' || res.cause === 'timeout' || res.cause === 'server';
    if (this.stopController.signal.aborted && (res.cause === 'lost' || res.cause === 'timeout')) return;
    if (trouble) {
      this.consecutiveTrouble += 1;
      this.live.online = false;
      this.probing = true;
      this.pausedUntil = now + backoffDelay(this.consecutiveTrouble, this.random, this.backoff);
    } else {
      this.live.online = true;
      if (this.probing || this.consecutiveTrouble > 0) {
        this.probing = false;
        this.consecutiveTrouble = 0;
        this.pausedUntil = 0;
        // Back online: whatever waited out the trouble goes now.
        try {
          this.store.pullForward(now, true);
        } catch (err) {
          this.logger?.warn({ err: errorText(err) }, 'could not bring waiting calls forward');
        }
      }
    }
    if (res.cause === 'auth') {
      this.pausedUntil = now + this.authPauseMs;
    }
    if (res.kind === 'ok') this.live.lastSuccessAt = at;
    else this.live.lastError = lastErrorOf(at, res.message, res.code ?? (res.httpStatus === null ? res.cause : `HTTP_${res.httpStatus}`), row.entityId);
    if (wasOnline !== this.live.online) {
      this.logger?.info({ online: this.live.online, message: res.message }, this.live.online ? 'Gameball reachable' : 'Gameball unreachable; retrying with backoff');
    }
    this.scheduleStatus();
  }

  /** The row's next state after a non-success answer. */
  private decide(row: ClaimedRow, res: GameballResult, opts: { unknownOutcome: boolean }): Finish {
    const now = this.clock.now();
    if (res.kind === 'ok') return { type: 'done' };
    if (res.cause === 'auth') {
      return {
        type: 'retry',
        nextAttemptAt: now + this.authPauseMs,
        code: res.code === null ? String(res.httpStatus ?? '') : String(res.code),
        message: `Gameball refused the keys: ${res.message}. Check the API key and secret key in the settings.`,
        unknownOutcome: opts.unknownOutcome,
        countAttempt: false,
      };
    }
    if (res.kind === 'attention') {
      return { type: 'attention', code: res.code === null ? `HTTP_${res.httpStatus ?? 0}` : String(res.code), message: res.message };
    }
    // retry or unknown: back off. An unknown outcome is retried sooner (one reconcile GET).
    const attempt = row.attempts + 1;
    const delay = backoffDelay(attempt, this.random, this.backoff);
    return {
      type: 'retry',
      nextAttemptAt: now + delay,
      code: res.code === null ? (res.httpStatus === null ? res.cause.toUpperCase() : `HTTP_${res.httpStatus}`) : String(res.code),
      message: res.message,
      unknownOutcome: opts.unknownOutcome,
      countAttempt: true,
    };
  }

  // ---- status -------------------------------------------------------------------------------------

  private scheduleStatus(): void {
    if (this.statusTimer || this.listeners.size === 0) return;
    this.statusTimer = setTimeout(() => {
      this.statusTimer = undefined;
      this.emitStatus();
    }, 100);
    this.statusTimer.unref?.();
  }

  /** Computes the status and tells listeners when it changed. */
  emitStatus(): void {
    let s: SyncStatus;
    try {
      s = this.status();
    } catch (err) {
      this.logger?.warn({ err: errorText(err) }, 'could not read sync status');
      return;
    }
    if (!statusChanged(this.lastStatus, s)) return;
    this.lastStatus = s;
    for (const l of this.listeners) {
      try {
        l(s);
      } catch (err) {
        this.logger?.warn({ err: errorText(err) }, 'status listener failed');
      }
    }
  }
}

function markReconciled(logs: SyncLogInput[]): void {
  const last = logs[logs.length - 1];
  if (last) last.outcome = 'reconciled';
}

/** The points Gameball gave for the order itself (its PaymentReward), when listed. */
function rewardedPointsOf(tx: OrderTransactions, orderId: string): number | null {
  let sum: number | null = null;
  for (const t of tx.transactions) {
    if (t.transactionType !== 'PaymentReward' || (t.transactionId && t.transactionId !== orderId)) continue;
    const p = typeof t.equivalentPoints === 'number' ? t.equivalentPoints : null;
    if (p !== null && Number.isFinite(p)) sum = (sum ?? 0) + p;
  }
  return sum === null ? null : Math.round(sum);
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
