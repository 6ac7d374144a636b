// The sync engine: posts the outbox to Gameball in the background, exactly once per call. This
// file is the loop; each of its other jobs has its own module:
//  - the outbox's rows and their transitions: outbox-store.ts (claim under a lease; an outcome is
//    written only while the lease is still ours, with its audit rows, in one transaction);
//  - one row, by kind: flows/ (registration, order, refund: reconcile before any re-post);
//  - a backlog of orders as one Gameball batch: batch-sender.ts (when), batch-job.ts (how); many
//    orders of unknown outcome confirmed in one look-up job: batch-lookup.ts;
//  - the next state of a row after an answer: row-outcome.ts (pure);
//  - online/offline, backoff and pauses: connectivity.ts (pure);
//  - every request (rate limiter, lease renewal, the till's clock against Gameball's, the restart
//    seed of the limiter): gameball-link.ts;
//  - a data folder that cannot take writes: storage-watch.ts;
//  - the status and its events: status.ts.
//
// The loop's contract:
//  - One request at a time per customer, in outbox order; up to `concurrency` customers at once.
//  - Training engines post only training rows (to the built-in simulator); an engine configured
//    for Gameball never posts a training row.
//  - While the data folder cannot be written, nothing is claimed. An outcome that cannot be
//    recorded is kept in memory and written when the folder takes writes again; if the engine stops
//    first, the row stays in flight under its lease and the next engine reconciles it with Gameball
//    (at once when this process is gone, see lease-owner.ts) instead of posting it blindly.
//  - A statement that meets a damaged database (SQLITE_CORRUPT, SQLITE_NOTADB) stops the engine:
//    nothing more can be recorded safely. It is reported once (`onDatabaseError`), requests in
//    flight are abandoned (their rows stay in flight, so they are looked up at Gameball before any
//    re-post once the database is recovered), and `drain` rejects with the reported error.
//  - When nothing has been sent for `probeEveryMs`, one read-only call checks Gameball is reachable.
import { dirname } from 'node:path';
import type { Clock } from '../clock.ts';
import { systemClock } from '../clock.ts';
import { isDatabaseDamage } from '../db/database.ts';
import type { GameballClient } from '../gameball/client.ts';
import type { Logger } from '../log.ts';
import type { SyncStatus } from '../orders/schemas.ts';
import { DEFAULT_BACKOFF } from './backoff.ts';
import { runBatch } from './batch-job.ts';
import type { BatchJobDeps } from './batch-job.ts';
import { runLookUp } from './batch-lookup.ts';
import { BatchSender } from './batch-sender.ts';
import type { TakenBatch } from './batch-sender.ts';
import { ClockCheckStore } from './clock-check-store.ts';
import { claimableSlots } from './connectivity.ts';
import type { ConnectivityPolicy } from './connectivity.ts';
import { realSleep } from './engine-options.ts';
import type { DrainResult, Sleep, SyncEngineOptions } from './engine-options.ts';
import { errorText, GameballLink } from './gameball-link.ts';
import { isLocalOwnerGone, newLeaseOwner } from './lease-owner.ts';
import { OutboxStore } from './outbox-store.ts';
import type { ClaimedRow } from './outbox-store.ts';
import { GameballRateLimiter } from './rate-limiter.ts';
import { runJob } from './row-job.ts';
import type { RowJobDeps } from './row-job.ts';
import { EngineStatus } from './status.ts';
import { StorageWatch } from './storage-watch.ts';
import type { StorageProblem } from './storage-watch.ts';

export { realSleep };
export type { DrainResult, Sleep, StorageProblem, SyncEngineOptions };

const MIN_IDLE_MS = 200;
/** The debounce of this engine's own status events. */
const STATUS_DELAY_MS = 100;
/** How often the leases of other engines are checked for owners that are gone. */
const DEAD_LEASE_CHECK_MS = 5_000;

export class SyncEngine {
  private readonly store: OutboxStore;
  /** The live status facts and its events (the facade listens to onChange, tests and the CLI to onStatus). */
  private readonly statusBox: EngineStatus;
  private readonly clock: Clock;
  private readonly logger: Logger | undefined;
  private readonly concurrency: number;
  private readonly policy: ConnectivityPolicy;
  private readonly sleep: Sleep;
  private readonly idlePollMs: number;
  private readonly probeEveryMs: number;
  private readonly storageRetryMs: number;
  private readonly isOwnerGone: (owner: string) => boolean;
  private readonly link: GameballLink;
  private readonly storage: StorageWatch;
  private readonly jobs: RowJobDeps;
  /** Batches of orders for a backlog (null: batches off, every call one by one). */
  private readonly batches: BatchSender | null;
  private deadLeaseCheckAt = 0;
  private probing$: Promise<void> | undefined;
  private running = false;
  private loopDone: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private stopController = new AbortController();
  private wakeController = new AbortController();
  private readonly active = new Map<number, Promise<void>>();
  private readonly idleWaiters = new Set<() => void>();
  /** Set when a statement met a damaged database: the engine has stopped for good. */
  private damage: Error | undefined;
  private idleSince: number | null = null;

  constructor(private readonly opts: SyncEngineOptions) {
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger;
    this.concurrency = Math.max(1, opts.concurrency ?? 6);
    this.policy = {
      backoff: opts.backoff ?? DEFAULT_BACKOFF,
      random: opts.random ?? Math.random,
      authPauseMs: opts.authPauseMs ?? 5 * 60_000,
    };
    this.sleep = opts.sleep ?? realSleep;
    this.idlePollMs = opts.idlePollMs ?? 2_000;
    this.probeEveryMs = opts.probeEveryMs ?? 60_000;
    this.storageRetryMs = opts.storageRetryMs ?? 2_000;
    this.isOwnerGone = opts.isOwnerGone ?? ((owner) => isLocalOwnerGone(owner));
    this.store = new OutboxStore(opts.db, {
      training: opts.training,
      ownerId: opts.ownerId ?? newLeaseOwner(),
      leaseMs: opts.leaseMs ?? 60_000,
    });
    this.statusBox = new EngineStatus(opts.db, {
      training: opts.training,
      clock: this.clock,
      logger: this.logger,
      delayMs: STATUS_DELAY_MS,
      onReadError: (err) => {
        if (!this.databaseDamaged(err, 'reading the status')) this.logger?.warn({ err: errorText(err) }, 'could not read sync status');
      },
      notConfigured: !opts.training && !this.client() ? (opts.notConfiguredMessage ?? 'Gameball is not configured.') : null,
    });
    const live = this.statusBox.live;
    const changed = () => this.statusBox.changed();
    this.storage = new StorageWatch({
      folder: dirname(opts.db.name),
      retryMs: this.storageRetryMs,
      clock: this.clock,
      logger: this.logger,
      live,
      changed,
    });
    // What the parts share: the outbox, the clock, the stop signal, the backoff, the status.
    const parts = {
      store: this.store,
      training: opts.training,
      clock: this.clock,
      logger: this.logger,
      sleep: this.sleep,
      policy: this.policy,
      changed,
    };
    const stopSignal = () => this.stopController.signal;
    const limiter = new GameballRateLimiter({
      limits: opts.rateLimits,
      marginMs: opts.rateMarginMs,
      sharing: opts.sharing,
      random: this.policy.random,
    });
    const clockChecks = new ClockCheckStore(opts.db);
    const bringForward = (now: number) => this.pullForward(now, true);
    const link = new GameballLink({
      ...parts,
      client: () => this.client(),
      limiter,
      clockChecks,
      live,
      stopSignal,
      secretValues: opts.secretValues,
      bringForward,
    });
    this.link = link;
    this.jobs = {
      ...parts,
      link,
      storage: this.storage,
      storageRetryMs: this.storageRetryMs,
      stopSignal,
      databaseDamaged: (err, where) => this.databaseDamaged(err, where),
    };
    this.batches = opts.batch === false ? null : new BatchSender(this.store, { ...opts.batch, logger: this.logger });
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

  /**
   * The Gameball configuration changed (keys entered, a setting): `reason` is why Gameball still
   * cannot be reached, or null when it can, which the status shows as its last error. The caller
   * starts the loop, if it wants one running, once a client is there.
   */
  reconfigured(reason: string | null): void {
    if (this.opts.training) return;
    this.statusBox.setNotConfigured(reason);
    this.statusBox.changed();
  }

  /** Starts the background loop (idempotent). Does nothing without a client. */
  start(): void {
    if (this.running || !this.client()) return;
    this.running = true;
    this.link.seedLimiter();
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
    this.statusBox.cancel();
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
      this.statusBox.cancel();
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
    this.batches?.lookNow();
    this.wake();
    this.statusBox.changed();
  }

  /** Retry now: ends pauses and brings every waiting row of this engine's world forward. */
  syncNow(): void {
    this.link.syncNow();
    this.pullForward(this.clock.now(), false);
    this.storage.lookAgainNow();
    this.wake();
  }

  /** Brings waiting rows forward (all, or those that failed once). Never throws. */
  private pullForward(now: number, onlyRetried: boolean): void {
    try {
      this.store.pullForward(now, onlyRetried);
    } catch (err) {
      if (!this.storage.trouble(err) && !this.databaseDamaged(err, 'bringing waiting calls forward'))
        this.logger?.warn({ err: errorText(err) }, 'could not bring waiting calls forward');
    }
  }

  /** The data folder cannot take writes now (claiming is paused); null when it can. */
  storageProblem(): StorageProblem | null {
    const p = this.storage.problem;
    return p ? { ...p } : null;
  }

  status(): SyncStatus {
    return this.statusBox.read();
  }

  /** Status events, debounced and only when the status changed (see StatusFeed). */
  onStatus(listener: (s: SyncStatus) => void): () => void {
    return this.statusBox.subscribe(listener);
  }

  /**
   * Told at once, every time something the status shows may have changed (no status is read):
   * for a caller that debounces and reads the status itself (the engine facade).
   */
  onChange(listener: () => void): () => void {
    return this.statusBox.onChange(listener);
  }

  /** Computes the status and tells listeners when it changed. */
  emitStatus(): void {
    this.statusBox.emit();
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
      if (!opts.untilEmpty && (this.isIdle() || this.storage.problem)) return { empty: false, remaining, timedOut: false };
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
      this.link.noticeClock(now);
      let slots = this.client() ? claimableSlots(this.link.connectivity, now, this.concurrency - this.active.size, this.active.size) : 0;
      if (slots > 0 && !this.storage.writable(now)) slots = 0;

      let claimed = 0;
      if (slots > 0) {
        try {
          this.releaseDeadLeases(now);
          const batch = this.batches?.claim(now, slots) ?? null;
          if (batch) this.startBatch(batch);
          const rows = this.store.claim(now, batch ? slots - 1 : slots);
          claimed = (batch?.rows.length ?? 0) + rows.length;
          for (const row of rows) this.startJob(row);
        } catch (err) {
          if (this.databaseDamaged(err, 'claiming calls to send')) break;
          if (!this.storage.trouble(err)) this.logger?.warn({ err: errorText(err) }, 'could not claim outbox rows; will look again');
        }
      }
      if (claimed > 0) {
        this.idleSince = null;
        this.statusBox.changed();
        continue;
      }
      if (this.active.size === 0 && this.idleSince === null) {
        this.idleSince = now;
        for (const w of this.idleWaiters) w();
      }
      const pausedUntil = this.link.connectivity.pausedUntil;
      if (this.active.size === 0 && pausedUntil <= now && !this.probing$ && now - this.link.lastContact >= this.probeEveryMs) {
        this.probing$ = this.link.probe().finally(() => (this.probing$ = undefined));
      }

      let waitMs: number;
      if (pausedUntil > now) waitMs = pausedUntil - now;
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
      // Its rows are due now: many of them are confirmed in one look-up job.
      if (n > 0) this.batches?.lookNow();
      if (n > 0)
        this.logger?.warn(
          { owner, rows: n },
          'took over the calls of a sync that is no longer running; each is confirmed with Gameball before it is sent again',
        );
    }
  }

  // ---- one row ------------------------------------------------------------------------------------

  /** A batch or look-up job holds one slot, keyed apart from row ids (which are positive). */
  private startBatch({ kind, rows }: TakenBatch): void {
    const batches = this.batches;
    const first = rows[0];
    if (!batches || !first) return;
    const key = -first.id;
    const deps: BatchJobDeps = {
      ...this.jobs,
      gate: kind === 'lookUp' ? batches.lookUpGate : batches.gate,
      clientTimeoutMs: () => this.client()?.config.timeoutMs ?? 10_000,
      pollForMs: batches.pollForMs,
      maxRows: batches.max,
      more: (limit) => batches.more(kind, this.clock.now(), limit),
    };
    const job = (kind === 'lookUp' ? runLookUp(rows, deps) : runBatch(rows, deps)).finally(() => {
      batches.ended();
      this.active.delete(key);
      this.wake();
    });
    this.active.set(key, job);
  }

  private startJob(row: ClaimedRow): void {
    const job = runJob(row, this.jobs).finally(() => {
      this.active.delete(row.id);
      this.wake();
    });
    this.active.set(row.id, job);
  }
}
