// The sync engine: posts the outbox to Gameball in the background, exactly once per call.
//
// Contract:
//  - Works only from rows. Bodies are built at send time from the current order/refund row.
//  - One request at a time per customer, in outbox order; up to `concurrency` customers at once.
//  - Rows are claimed under a lease (see outbox-store.ts); an outcome is written only while the
//    lease is still ours, together with its audit row, in one transaction.
//  - Client-side rate limiter per Gameball resource group (see rate-limiter.ts): no 429s.
//  - Retry (network error, timeout, 429, 5xx, 2001): capped exponential backoff with full
//    jitter. While Gameball is unreachable (including an answer that is not Gameball's: a captive
//    portal's page, a cut or empty body) one probe at a time goes out; the first success brings
//    every waiting row forward.
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
//  - A data folder that cannot be written (disk full, read-only) pauses claiming, and is reported
//    once (log, status lastError, `storageProblem()`). An outcome that cannot be recorded is kept
//    in memory and written when the folder takes writes again; if the engine stops first, the row
//    stays in flight under its lease and the next engine reconciles it with Gameball (at once
//    when this process is gone, see lease-owner.ts) instead of posting it blindly.
//  - A statement that meets a damaged database (SQLITE_CORRUPT, SQLITE_NOTADB) stops the engine:
//    nothing more can be recorded safely. It is reported once (`onDatabaseError`), requests in
//    flight are abandoned (their rows stay in flight, so they are looked up at Gameball before any
//    re-post once the database is recovered), and `drain` rejects with the reported error.
//  - The till's clock may be wrong or change: every answer's Date header measures it against
//    Gameball's (stored for the status); a clock set back never stretches a wait (the outbox's due
//    rules, the limiter, and the pauses held here keep their length); an order or refund dated
//    ahead of Gameball's clock (captured while the till's clock was ahead) is sent with a date
//    Gameball accepts instead of being refused as future-dated (9007).
//  - A new engine counts what other syncs sent in the last 30 s (audit table), so a restart does
//    not burst into Gameball's per-account rate limit.
import { dirname } from 'node:path';
import type { Clock } from '../clock.ts';
import { isoAt, systemClock } from '../clock.ts';
import { isDatabaseDamage } from '../db/database.ts';
import { withoutKeys } from '../config/keys.ts';
import type { Database } from '../db/database.ts';
import type { GameballClient, OrderTransactions } from '../gameball/client.ts';
import { buildRefundBody, buildRegisterCustomerBody, buildTrackOrderBody, parseOrderRow, parseRefundRow, RowUnreadableError } from '../gameball/mappers.ts';
import type { SyncOrderRow } from '../gameball/mappers.ts';
import { meansGameballUnreachable } from '../gameball/outcome.ts';
import type { GameballResult } from '../gameball/outcome.ts';
import type { RateGroup, RateLimits } from '../gameball/rate-limits.ts';
import { DATA_FOLDER_CODES, dataFolderMessage, probeDataFolder, problemOf } from '../data-folder.ts';
import type { DataFolderProblem } from '../data-folder.ts';
import type { Logger } from '../log.ts';
import type { SyncStatus } from '../orders/schemas.ts';
import { CLOCK_ADVICE_THRESHOLD_MS } from '../../preload/clock-advice.ts';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff.ts';
import { ClockCheckStore } from './clock-check-store.ts';
import { ClockWatch, sendableTime, SkewEstimator, skewSample } from './clock-skew.ts';
import type { BackoffPolicy } from './backoff.ts';
import { OutboxStore } from './outbox-store.ts';
import type { ClaimedRow, Finish, OutboxRow, SyncLogInput } from './outbox-store.ts';
import { isLocalOwnerGone, newLeaseOwner } from './lease-owner.ts';
import { GameballRateLimiter, rateGroupOf } from './rate-limiter.ts';
import { lastErrorOf, StatusFeed, StatusReader } from './status.ts';
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
  /** While the data folder cannot be written: how often to look again (default 2 s). */
  storageRetryMs?: number;
  /** Whether the engine that holds a lease is certainly gone (default: a process of this host that no longer runs). */
  isOwnerGone?: (owner: string) => boolean;
  /**
   * Told once when a statement meets a damaged database; returns the error to hand on (the
   * engine's DatabaseDamagedError, with its sentence for people). Default: SQLite's own error.
   */
  onDatabaseError?: (err: unknown, where: string) => unknown;
}

/** The data folder cannot take writes: what is wrong, the sentence for people, since when. */
export interface StorageProblem {
  problem: DataFolderProblem;
  code: string;
  folder: string;
  message: string;
  since: number;
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
/** The debounce of this engine's own status events. */
const STATUS_DELAY_MS = 100;
/** How often the leases of other engines are checked for owners that are gone. */
const DEAD_LEASE_CHECK_MS = 5_000;
/** Gameball's "transaction time is not valid": a date in its future. */
const TIME_NOT_VALID = 9007;
/** How far back the limiter is seeded from other syncs' calls: Gameball's longest window. */
const RATE_WINDOW_MS = 30_000;
/** A stored skew is rewritten when the estimate moves by at least this. */
const SKEW_SAVE_STEP_MS = 1_000;

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
  private readonly storageRetryMs: number;
  private readonly folder: string;
  private readonly isOwnerGone: (owner: string) => boolean;
  private storage: StorageProblem | null = null;
  /** While `storage` is set: claim nothing before this time. */
  private storageRetryAt = 0;
  private deadLeaseCheckAt = 0;
  private lastContactAt = -Infinity;
  private probing$: Promise<void> | undefined;

  private running = false;
  private loopDone: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private stopController = new AbortController();
  private wakeController = new AbortController();
  private readonly active = new Map<number, Promise<void>>();
  /** Gameball unreachable or refusing the keys: claim nothing before this time. */
  private pausedUntil = 0;
  /** After trouble: one request at a time until one gets through. */
  private probing = false;
  private consecutiveTrouble = 0;
  private live: LiveFacts;
  /** Status events for this engine's own listeners (the facade listens to onChange instead). */
  private readonly statusFeed: StatusFeed;
  private readonly changeListeners = new Set<() => void>();
  private readonly idleWaiters = new Set<() => void>();
  /** Set when a statement met a damaged database: the engine has stopped for good. */
  private damage: Error | undefined;
  private readonly clockWatch = new ClockWatch();
  private readonly skew = new SkewEstimator();
  private readonly clockChecks: ClockCheckStore;
  /** The skew this engine last stored (null: none yet, so the first measurement is always stored). */
  private savedSkew: number | null = null;
  private limiterSeeded = false;

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
    this.storageRetryMs = opts.storageRetryMs ?? 2_000;
    this.folder = dirname(opts.db.name);
    this.isOwnerGone = opts.isOwnerGone ?? ((owner) => isLocalOwnerGone(owner));
    this.limiter = new GameballRateLimiter({ limits: opts.rateLimits, marginMs: opts.rateMarginMs });
    this.store = new OutboxStore(opts.db, {
      training: opts.training,
      ownerId: opts.ownerId ?? newLeaseOwner(),
      leaseMs: this.leaseMs,
    });
    this.statusReader = new StatusReader(opts.db);
    this.statusFeed = new StatusFeed({
      read: () => this.status(),
      delayMs: STATUS_DELAY_MS,
      onReadError: (err) => {
        if (!this.databaseDamaged(err, 'reading the status')) this.logger?.warn({ err: errorText(err) }, 'could not read sync status');
      },
      logger: opts.logger,
    });
    this.clockChecks = new ClockCheckStore(opts.db);
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
    this.seedLimiter();
    this.stopController = new AbortController();
    this.loopDone = this.loop().catch((err: unknown) => {
      this.logger?.error({ err: errorText(err) }, 'sync loop stopped unexpectedly');
    });
  }

  /**
   * Stops: no new claims, waiting stops, requests in flight are aborted and their rows recorded
   * (a write whose answer we abandon is marked unknown_outcome and reconciled next time).
   */
  stop(): Promise<void> {
    // A status computation may be pending even when the loop never ran (a one-shot engine whose
    // capture called notify): it must not fire after stop, when the caller closes the database
    // and the log (it used to, on a slow machine, and the CLI then died with exit 1).
    this.statusFeed.cancel();
    // A second stop while the first still waits for its jobs gets the same wait: the caller closes
    // the database after it, and a job may still be writing its outcome.
    if (this.stopping) return this.stopping;
    if (!this.running) return Promise.resolve();
    this.running = false;
    this.stopController.abort();
    this.wake();
    this.stopping = (async () => {
      await this.loopDone;
      await Promise.allSettled([...this.active.values(), this.probing$]);
      this.statusFeed.cancel();
      for (const w of this.idleWaiters) w();
    })().finally(() => {
      this.stopping = undefined;
    });
    return this.stopping;
  }

  /** Calls of this engine's world still owed to Gameball (pending or in flight). */
  owed(): number {
    return this.store.activeCount();
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
      if (!this.storageTrouble(err) && !this.databaseDamaged(err, 'bringing waiting calls forward')) this.logger?.warn({ err: errorText(err) }, 'could not bring waiting calls forward');
    }
    this.storageRetryAt = 0;
    this.wake();
  }

  /** The data folder cannot take writes now (claiming is paused); null when it can. */
  storageProblem(): StorageProblem | null {
    return this.storage ? { ...this.storage } : null;
  }

  status(): SyncStatus {
    return this.statusReader.read(this.opts.training, this.clock.now(), this.live);
  }

  /** Status events, debounced and only when the status changed (see StatusFeed). */
  onStatus(listener: (s: SyncStatus) => void): () => void {
    return this.statusFeed.subscribe(listener);
  }

  /**
   * Told at once, every time something the status shows may have changed (no status is read):
   * for a caller that debounces and reads the status itself (the engine facade).
   */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /**
   * Runs until the outbox of this world is empty (`untilEmpty`) or, otherwise, until one pass is
   * over (nothing claimable now and nothing in flight), or until `timeoutMs`. Starts the loop if
   * needed and leaves it running.
   */
  async drain(opts: { untilEmpty: boolean; timeoutMs: number }): Promise<DrainResult> {
    if (!this.client()) return { empty: this.activeCount() === 0, remaining: this.activeCount(), timedOut: false };
    this.start();
    // Time spent is summed step by step, and a step back of the clock counts as none: setting
    // the clock back must not stretch the timeout.
    let last = this.clock.now();
    let spent = 0;
    for (;;) {
      if (this.damage) throw this.damage;
      const remaining = this.activeCount();
      if (remaining === 0) return { empty: true, remaining, timedOut: false };
      // One pass is over when nothing more can be claimed now, a full or read-only folder included
      // (what waits to be recorded is tried once more when the engine stops).
      if (!opts.untilEmpty && (this.isIdle() || this.storage)) return { empty: false, remaining, timedOut: false };
      const now = this.clock.now();
      spent += Math.max(0, now - last);
      last = now;
      const left = opts.timeoutMs - spent;
      if (left <= 0) return { empty: false, remaining, timedOut: true };
      if (!this.running) {
        if (this.damage) throw this.damage;
        return { empty: false, remaining, timedOut: false };
      }
      await this.idleOrTick(Math.min(left, 250));
    }
  }

  private activeCount(): number {
    try {
      return this.store.activeCount();
    } catch (err) {
      if (this.databaseDamaged(err, 'counting the calls still owed')) throw this.damage;
      throw err;
    }
  }

  /** See the contract: true (and the engine stopped) when `err` is a damaged database. */
  private databaseDamaged(err: unknown, where: string): boolean {
    if (!isDatabaseDamage(err)) return false;
    if (this.damage) return true;
    const reported = this.opts.onDatabaseError?.(err, `the sync (${where})`);
    this.damage = reported instanceof Error ? reported : err instanceof Error ? err : new Error(String(err));
    this.logger?.error({ where, err: errorText(err) }, 'sync stopped: the database is damaged');
    this.running = false;
    this.stopController.abort();
    this.wake();
    for (const w of this.idleWaiters) w();
    return true;
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
      this.noticeClock(now);
      let slots = this.concurrency - this.active.size;
      if (this.pausedUntil > now || !this.client()) slots = 0;
      else if (this.probing) slots = this.active.size === 0 ? 1 : 0;
      if (slots > 0 && !this.storageWritable(now)) slots = 0;

      let claimed = 0;
      if (slots > 0) {
        try {
          this.releaseDeadLeases(now);
          const rows = this.store.claim(now, slots);
          claimed = rows.length;
          for (const row of rows) this.startJob(row);
        } catch (err) {
          if (this.databaseDamaged(err, 'claiming calls to send')) break;
          if (!this.storageTrouble(err)) this.logger?.warn({ err: errorText(err) }, 'could not claim outbox rows; will look again');
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
          due = this.store.nextDueAt(now);
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
    const logs: SyncLogInput[] = [];
    let outcome: Outcome;
    try {
      outcome = await this.process(row, logs);
    } catch (err) {
      if (this.databaseDamaged(err, 'reading an order to send')) return;
      if (!this.storageTrouble(err)) {
        // A bug or a database error: leave the row under our lease; when it expires another look
        // (by us or another engine) treats it as an unknown outcome and reconciles. Never crash.
        this.logger?.error({ outboxId: row.id, entityId: row.entityId, err: errorText(err) }, 'sync job failed');
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
      const handBack: Finish = { type: 'retry', nextAttemptAt: this.clock.now(), code: null, message: 'Sync stopped before sending.', unknownOutcome, countAttempt: false };
      await this.record(row, handBack, outcome.logs, true);
      return;
    }
    await this.record(row, outcome.finish, outcome.logs, false);
    this.scheduleStatus();
  }

  /**
   * Writes a row's outcome. While the data folder cannot take it, the outcome waits here (the job
   * stays active, so its row is not claimed again) and is tried every storageRetryMs; when the
   * engine stops first, it is given up: the row stays in flight under this engine's lease, and
   * the next claim treats it as an unknown outcome and asks Gameball before any re-post.
   */
  private async record(row: ClaimedRow, finish: Finish, logs: SyncLogInput[], handBack: boolean): Promise<void> {
    for (;;) {
      try {
        const held = this.store.finish(row, finish, logs, this.clock.now());
        this.storageRecovered();
        if (handBack) return;
        if (!held) this.logger?.warn({ outboxId: row.id, entityId: row.entityId }, 'lease lost before the outcome was written; the new holder reconciles');
        if (finish.type === 'attention' || finish.type === 'dead') {
          this.logger?.warn({ outboxId: row.id, entityId: row.entityId, kind: row.kind, code: finish.code, message: finish.message }, 'needs attention');
        }
        return;
      } catch (err) {
        if (this.databaseDamaged(err, handBack ? 'releasing a call' : 'recording what Gameball answered')) return;
        if (!this.storageTrouble(err)) {
          this.logger?.error({ outboxId: row.id, entityId: row.entityId, err: errorText(err) }, handBack ? 'could not release an outbox row' : 'could not record a sync outcome');
          return;
        }
        if (this.stopController.signal.aborted) {
          this.logger?.warn(
            { outboxId: row.id, entityId: row.entityId, outcome: finish.type, code: this.storage?.code },
            'stopped before the outcome could be recorded: the row stays in flight and the next sync confirms it with Gameball before sending again',
          );
          return;
        }
        await this.sleep(this.storageRetryMs, this.stopController.signal);
      }
    }
  }

  /**
   * True when claims may go ahead. While the folder is known to refuse writes, it is looked at
   * again (one small probe write) every storageRetryMs, not on every turn of the loop.
   */
  private storageWritable(now: number): boolean {
    if (!this.storage) return true;
    if (now < this.storageRetryAt) return false;
    this.storageRetryAt = now + this.storageRetryMs;
    const problem = probeDataFolder(this.folder);
    if (problem !== null) return false;
    this.storageRecovered();
    return true;
  }

  /**
   * When `err` is the data folder refusing a write: records the problem (told once, in the log and
   * as the status's last error), pauses claims, and answers true. Else false: not a folder problem.
   */
  private storageTrouble(err: unknown): boolean {
    const problem = problemOf(err, this.folder);
    if (problem === null) return false;
    const now = this.clock.now();
    this.storageRetryAt = now + this.storageRetryMs;
    if (this.storage?.problem === problem) return true;
    const message = dataFolderMessage(problem, this.folder, 'sync');
    this.storage = { problem, code: DATA_FOLDER_CODES[problem], folder: this.folder, message, since: now };
    this.live.lastError = lastErrorOf(isoAt(now), message, this.storage.code, null);
    this.logger?.error({ code: this.storage.code, folder: this.folder, err: errorText(err) }, message);
    this.scheduleStatus();
    return true;
  }

  private storageRecovered(): void {
    const was = this.storage;
    if (!was) return;
    this.storage = null;
    this.storageRetryAt = 0;
    if (this.live.lastError?.code === was.code) this.live.lastError = null;
    this.logger?.info({ folder: was.folder, code: was.code, forMs: this.clock.now() - was.since }, 'the data folder takes writes again: sync resumes');
    this.scheduleStatus();
  }

  /**
   * Takes over, at once, the leases of engines of this machine that are gone (see lease-owner.ts).
   * Checked at most every few seconds; an error here only means the leases are waited out.
   */
  private releaseDeadLeases(now: number): void {
    if (now < this.deadLeaseCheckAt) return;
    this.deadLeaseCheckAt = now + DEAD_LEASE_CHECK_MS;
    for (const owner of this.store.leaseOwners(now)) {
      if (!this.isOwnerGone(owner)) continue;
      const n = this.store.expireLeasesOf(owner, now);
      if (n > 0) this.logger?.warn({ owner, rows: n }, 'took over the calls of a sync that is no longer running; each is confirmed with Gameball before it is sent again');
    }
  }

  // ---- one row ------------------------------------------------------------------------------------

  private async process(row: ClaimedRow, logs: SyncLogInput[]): Promise<Outcome> {
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
    const res = await this.postDated(row, logs, body, 'orderDate', (c, b, s) => c.trackOrder(b, s), '/orders');
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
    const res = await this.postDated(row, logs, body, 'transactionTime', (c, b, s) => c.refund(b, s), '/transactions/refund');
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

  /**
   * Posts a body dated by `field` with a date Gameball accepts: the captured one, unless it is ahead
   * of Gameball's clock as far as the till knows (its clock was ahead at capture, or has gone back
   * since), then Gameball's clock (see sendableTime). When Gameball still answers that the date is
   * in its future (9007: typically the first answer to a till whose clock was never measured), that
   * answer's Date is Gameball's clock: the body goes once more, dated no later than that. A 9007
   * records nothing, so sending again cannot count twice, and it stays one request at a time for
   * the customer (same job). The till keeps the captured date; the log says what was sent.
   */
  private async postDated<T>(
    row: ClaimedRow,
    logs: SyncLogInput[],
    body: Record<string, unknown>,
    field: 'orderDate' | 'transactionTime',
    post: (client: GameballClient, body: object, signal: AbortSignal) => Promise<GameballResult<T>>,
    path: string,
  ): Promise<GameballResult<T> | 'abandoned'> {
    const captured = body[field];
    if (typeof captured !== 'string') return this.call(row, logs, (c, s) => post(c, body, s), 'POST', path);
    const first = this.redated(row, body, field, captured, sendableTime(captured, this.clock.now(), this.skew.estimate()));
    const res = await this.call(row, logs, (c, s) => post(c, first, s), 'POST', path);
    if (res === 'abandoned' || res.code !== TIME_NOT_VALID || typeof res.serverTime !== 'number') return res;
    const again = Math.min(Date.parse(sendableTime(captured, this.clock.now(), this.skew.estimate())), res.serverTime);
    if (!(again < Date.parse(String(first[field])))) return res;
    const second = this.redated(row, body, field, captured, isoAt(again));
    return this.call(row, logs, (c, s) => post(c, second, s), 'POST', path);
  }

  private redated(row: ClaimedRow, body: Record<string, unknown>, field: string, captured: string, sendable: string): Record<string, unknown> {
    if (sendable === captured) return body;
    this.logger?.warn(
      { outboxId: row.id, entityId: row.entityId, captured, sentAs: sendable },
      "date ahead of Gameball's clock (the till's clock was ahead when it was captured): sent with Gameball's time instead",
    );
    return { ...body, [field]: sendable };
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
    const sentAt = this.clock.now();
    const res = withoutKeys(await fn(client, this.stopController.signal), this.opts.secretValues?.());
    this.noticeAnswer(res.serverTime, sentAt);
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
      const sentAt = this.clock.now();
      const res = withoutKeys(await client.orderTransactions('pos-companion-connection-probe', this.stopController.signal), this.opts.secretValues?.());
      if (this.stopController.signal.aborted) return;
      this.noticeAnswer(res.serverTime, sentAt);
      const wasOnline = this.live.online;
      const trouble = meansGameballUnreachable(res.cause);
      this.live.online = !trouble && res.cause !== 'auth';
      if (!this.live.online) this.live.lastError = lastErrorOf(isoAt(this.clock.now()), res.message, res.code ?? (res.httpStatus === null ? res.cause : `HTTP_${res.httpStatus}`), null);
      if (wasOnline !== this.live.online) this.logger?.info({ online: this.live.online }, this.live.online ? 'Gameball reachable' : 'Gameball unreachable');
      this.scheduleStatus();
    } catch (err) {
      this.logger?.warn({ err: errorText(err) }, 'connection probe failed');
    }
  }

  // ---- the till's clock ---------------------------------------------------------------------------

  /**
   * Notices the till's clock going back (see ClockWatch): the pauses held here keep their
   * remaining length, the measured skew moves with the clock (Gameball's did not move), and the
   * status is told. Outbox rows need nothing here: their due rules hold whatever the clock did
   * (outbox-store.ts), and the limiter counts a send "in the future" as sent now.
   */
  private noticeClock(now: number): void {
    const back = this.clockWatch.observe(now);
    if (back === 0) return;
    if (this.pausedUntil > 0) this.pausedUntil -= back;
    this.lastContactAt -= back;
    this.skew.shift(-back);
    this.logger?.warn({ backMs: back }, "the till's clock went back; waits keep their length");
    this.saveSkew(now);
    this.scheduleStatus();
  }

  /** One answer's evidence about the clock: its Date header against the till's clock around the request. */
  private noticeAnswer(serverTime: number | null | undefined, sentAt: number): void {
    const answeredAt = this.clock.now();
    this.noticeClock(answeredAt);
    const sample = skewSample(serverTime, sentAt, answeredAt);
    if (!sample) return;
    this.skew.add(sample);
    this.saveSkew(answeredAt);
  }

  /** Stores the skew for the status (every process's) when it is new to this engine or moved. Never throws. */
  private saveSkew(now: number): void {
    const skew = this.skew.estimate();
    if (skew === null || (this.savedSkew !== null && Math.abs(skew - this.savedSkew) < SKEW_SAVE_STEP_MS)) return;
    try {
      this.clockChecks.save(this.opts.training, skew, now);
    } catch (err) {
      this.logger?.warn({ err: errorText(err) }, 'could not record the clock check');
      return;
    }
    const wasOff = this.savedSkew !== null && Math.abs(this.savedSkew) >= CLOCK_ADVICE_THRESHOLD_MS;
    const isOff = Math.abs(skew) >= CLOCK_ADVICE_THRESHOLD_MS;
    if (isOff) this.logger?.warn({ clockSkewMs: skew }, skew > 0 ? "the till's clock is ahead of Gameball's" : "the till's clock is behind Gameball's");
    else if (wasOff) this.logger?.info({ clockSkewMs: skew }, "the till's clock agrees with Gameball's again");
    this.savedSkew = skew;
    this.scheduleStatus();
  }

  /**
   * Counts what other syncs of this world sent in the last 30 s (see OutboxStore.recentCalls), once
   * per engine: Gameball's windows are per account, so a restarted sync must not start from zero.
   * Never throws (a limiter that starts empty is the old behaviour, not a failure).
   */
  private seedLimiter(): void {
    if (this.limiterSeeded) return;
    this.limiterSeeded = true;
    const now = this.clock.now();
    try {
      const { audited, inFlight } = this.store.recentCalls(now, RATE_WINDOW_MS);
      const times = new Map<RateGroup, number[]>();
      const add = (group: RateGroup, at: number) => {
        const list = times.get(group);
        if (list) list.push(at);
        else times.set(group, [at]);
      };
      for (const c of audited) add(rateGroupOf(c.method, c.path), c.at);
      // Not audited yet: they may have been sent just now.
      for (const r of inFlight) {
        add(CALL_GROUP_OF_KIND[r.kind], now);
        if (r.unknownOutcome) add('transactions', now);
      }
      for (const [group, at] of times) this.limiter.seed(group, at, now);
      if (audited.length + inFlight.length > 0) {
        this.logger?.info({ audited: audited.length, inFlight: inFlight.length }, 'rate limiter counts the calls other syncs made in the last 30 s');
      }
    } catch (err) {
      this.logger?.warn({ err: errorText(err) }, 'could not read the recent calls; the rate limiter starts empty');
    }
  }

  /** Updates online/offline, pauses and the last success/error from one answer. */
  private observe(row: ClaimedRow, res: GameballResult, group: ReturnType<typeof rateGroupOf>): void {
    const now = this.clock.now();
    const at = isoAt(now);
    const wasOnline = this.live.online;
    this.lastContactAt = now;
    if (res.cause === 'rate-limited') this.limiter.blockUntil(group, now + 1_000);
    const trouble = meansGameballUnreachable(res.cause);
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
          if (!this.storageTrouble(err) && !this.databaseDamaged(err, 'bringing waiting calls forward')) this.logger?.warn({ err: errorText(err) }, 'could not bring waiting calls forward');
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
    this.statusFeed.changed();
    for (const l of this.changeListeners) {
      try {
        l();
      } catch (err) {
        this.logger?.warn({ err: errorText(err) }, 'status change listener failed');
      }
    }
  }

  /** Computes the status and tells listeners when it changed. */
  emitStatus(): void {
    this.statusFeed.emit();
  }
}

/** The rate group of the call an outbox row of each kind makes. */
const CALL_GROUP_OF_KIND: Record<OutboxRow['kind'], RateGroup> = {
  register_customer: rateGroupOf('POST', '/customers'),
  track_order: rateGroupOf('POST', '/orders'),
  refund: rateGroupOf('POST', '/transactions/refund'),
};

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
