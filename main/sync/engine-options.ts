// What a sync engine is given (SyncEngineOptions) and what its drain answers: the engine's
// public shapes, apart from the loop (sync-engine.ts) so each part can name them.
import type { Clock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import type { GameballClient } from '../gameball/client.ts';
import type { RateLimits } from '../gameball/rate-limits.ts';
import type { Logger } from '../log.ts';
import type { BackoffPolicy } from './backoff.ts';
import type { SharedBudgetPolicy } from './shared-budget.ts';
import type { BatchOptions } from './batch-sender.ts';

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
  /** How this till's share of the account's budget adapts to 429s (default DEFAULT_SHARED_BUDGET). */
  sharing?: Partial<SharedBudgetPolicy>;
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
  /**
   * A backlog of orders goes to Gameball in batches (`POST /batch/orders`, see batch-plan.ts);
   * false: every call one by one. Default: batches of up to 1,000 once 20 orders are due.
   */
  batch?: BatchOptions | false;
}

export interface DrainResult {
  /** Nothing of this engine's world is left pending or in flight. */
  empty: boolean;
  /** Rows still pending or in flight. */
  remaining: number;
  timedOut: boolean;
}
