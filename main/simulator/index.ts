// A local Gameball: the backend of training mode, and the Gameball every test and benchmark of
// the sync engine talks to. Faithful to Gameball's published contract (auth, validation, order
// and referral rules, rate limits) and able to fail the ways the real one fails (latency,
// 5xx, resets, answers lost after the commit, outages, 429 storms). See README, "Gameball
// simulator".
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { ErrorTypeStyle } from './errors.ts';
import { loadStateFile, StateWriter } from './persistence.ts';
import { createRandom } from './prng.ts';
import { RateLimiter, resolveRateLimits } from './rate-limit.ts';
import type { RateLimitOption } from './rate-limit.ts';
import { createHandler, FaultsPatchSchema, loopbackHosts, OutageSchema, processBatchItem, sendJson } from './server.ts';
import type { Faults, ServerContext } from './server.ts';
import { SimulatorState } from './state.ts';
import type { SimulatorLedger } from './state.ts';

export type {
  SimulatorLedger,
  LedgerCustomer,
  LedgerReferral,
  LedgerOrder,
  LedgerRefund,
  LedgerTransaction,
  LedgerBatch,
  LedgerCounters,
  BatchItemResult,
  TransactionType,
  LedgerHold,
  HoldState,
} from './state.ts';
export { DEFAULT_HOLD_TTL_MS } from './state.ts';
export type { RateLimitOption } from './rate-limit.ts';
export type { RateLimit, RateGroup } from '../gameball/rate-limits.ts';
export { GAMEBALL_RATE_LIMITS } from '../gameball/rate-limits.ts';
export type { ErrorTypeStyle, GameballErrorBody } from './errors.ts';

export interface SimulatorOptions {
  apiKey?: string; // default 'sim-api-key'
  secretKey?: string; // default 'sim-secret-key'
  /** Default 0 = a free port. The simulator always binds 127.0.0.1. */
  port?: number;
  latencyMs?: number;
  jitterMs?: number;
  /** 0..1 share of 5xx answers (500/5000 or 503/5003 bodies); nothing is committed. */
  errorRate?: number;
  /** 0..1 share of connections reset before anything is read or committed. */
  resetRate?: number;
  /** 0..1 share of requests committed, then the connection destroyed without an answer. */
  dropRate?: number;
  /** Default Gameball's (30/s and 360 per 30 s; customer reads 100 and 1,200). false: no limits. */
  rateLimit?: RateLimitOption | false;
  referralWindowMs?: number; // default 5 * 60_000
  /** Earning rule: rewardedPoints = floor(totalPaid * pointsPerUnit). Default 1. */
  pointsPerUnit?: number;
  /** Points both sides of a referral get on the referred customer's first order. Default 100 / 50. */
  referralRewardPoints?: { referrer: number; referred: number };
  /** Money per point in balance answers (default 0.1) and its currency (default SAR). */
  pointValue?: number;
  currency?: string;
  /** How long a hold of points lasts (default Gameball's 10 minutes). */
  holdTtlMs?: number;
  /** Persist the ledger (JSON) so training mode keeps its history. */
  stateFile?: string;
  /** Injectable clock (epoch ms) for timestamps, rate windows, the referral window and 9007. */
  now?: () => number;
  /** Seed of the fault PRNG (resets, drops, 5xx, jitter) and of referral codes. Default: random. */
  seed?: number;
  /** Spelling of the `type` field of error bodies (Gameball's docs use both). Default 'upper'. */
  errorTypeStyle?: ErrorTypeStyle;
  /** `GET /orders/{id}/transactions` for an unknown order: 404/9005 (default) or an empty list. */
  unknownOrderTransactions?: 'not-found' | 'empty';
  /** Delay before a batch job runs (ms). Default 0: on the next turn of the event loop. */
  batchDelayMs?: number;
  /**
   * Answer only requests whose Host header is 127.0.0.1:PORT or localhost:PORT (default true), so
   * a web page that rebinds its own name to 127.0.0.1 cannot read or drive the simulator.
   * false: any Host (a client that reaches the simulator under another name, e.g. a proxy).
   */
  checkHost?: boolean;
  /**
   * When set, the control API (/_sim/...) needs `Authorization: Bearer <controlToken>`. Training
   * mode sets a random one that only the till process knows.
   */
  controlToken?: string;
}

export type FaultSettings = Partial<
  Pick<SimulatorOptions, 'latencyMs' | 'jitterMs' | 'errorRate' | 'resetRate' | 'dropRate' | 'rateLimit'>
> & {
  /** The next N orders (`POST /orders`, or order items of a batch job) are refused with 422/3003, nothing committed (the needs-attention path). */
  refuseOrders?: number;
  /** The next N `POST /batch/orders` are answered 503/5003, nothing committed (batches failing as a whole). */
  batchErrors?: number;
  /** The next N `POST /batch/orders` are committed (the job runs), then the connection is destroyed without an answer. */
  dropBatchAnswers?: number;
  /** The next order batch job fails (`failed`) once this many of its items are processed; null: none. */
  failBatchAfter?: number | null;
  /** The next N `POST /batch/orders/transactions` are committed (the look-up job runs), then their answer is lost. */
  dropLookUpAnswers?: number;
  /** The next N `POST /batch/orders/transactions` are answered 503/5003, no job started (look-up jobs refused for now). */
  lookUpErrors?: number;
  /** The next order look-up job fails (`failed`) once this many of its items are processed; null: none. */
  failLookUpAfter?: number | null;
  /** The next N `POST /transactions/hold` are committed, then their answer is lost. */
  dropHolds?: number;
  /** The next N `POST /orders` carrying a hold reference are committed (points spent), then their answer is lost. */
  dropRedemptionOrders?: number;
};

/** A coupon the control API adds (coupons.ts `LedgerCoupon` without its use count). */
export const CouponInputSchema = z.strictObject({
  code: z.string().trim().min(1).max(100),
  type: z.enum(['fixed', 'percentage']),
  value: z.number().positive(),
  customerId: z.string().min(1).optional(),
  usageLimit: z.number().int().positive().default(1),
  minOrderValue: z.number().nonnegative().optional(),
  expiryDate: z.iso.datetime({ offset: true }).optional(),
});
export type CouponInput = z.input<typeof CouponInputSchema>;

export interface SimulatorControl {
  setFaults(f: FaultSettings): void;
  /** on: every integration request fails; mode 'error' (default) answers 503/5003, 'refuse' destroys the connection. */
  setOutage(on: boolean, mode?: 'error' | 'refuse'): void;
  /** A deep copy: customers, referrals, orders, refunds, transactions per order, batches, counters. */
  ledger(): SimulatorLedger;
  /** Empties the ledger and counters, ends any outage and restores the faults given at start. */
  reset(): void;
  /** Adds or replaces a coupon (also `POST /_sim/coupons`); a fresh ledger has the training coupons of coupons.ts. */
  putCoupon(coupon: CouponInput): void;
  /**
   * Customers with a write (customer upsert, order, refund) between its checks and its answer:
   * a second write for one of them now gets 422/2001. Lets a test wait until a request is
   * really in flight instead of sleeping.
   */
  inFlight(): string[];
  /** Every active hold of points expires now (the expired-hold path without waiting); returns how many. */
  expireHolds(): number;
}

export interface RunningSimulator {
  url: string; // 'http://127.0.0.1:PORT' (no path)
  port: number;
  control: SimulatorControl;
  /** Set when the state file could not be read and was moved aside (the simulator started empty). */
  stateFileMovedAside?: string;
  /** Writes the state file now (when there is one). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Items a batch job processes per turn of the event loop: its status shows `processing` and partial results in between. */
const BATCH_SLICE = 100;

export const DEFAULT_API_KEY = 'sim-api-key';
export const DEFAULT_SECRET_KEY = 'sim-secret-key';

export async function startSimulator(opts: SimulatorOptions = {}): Promise<RunningSimulator> {
  if (opts.controlToken !== undefined && opts.controlToken.length < 16)
    throw new Error('The control token must be at least 16 characters.');
  const now = opts.now ?? Date.now;
  const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 32);
  const initialFaults: Faults = {
    latencyMs: opts.latencyMs ?? 0,
    jitterMs: opts.jitterMs ?? 0,
    errorRate: opts.errorRate ?? 0,
    resetRate: opts.resetRate ?? 0,
    dropRate: opts.dropRate ?? 0,
    refuseOrders: 0,
    batchErrors: 0,
    dropBatchAnswers: 0,
    failBatchAfter: null,
    dropLookUpAnswers: 0,
    lookUpErrors: 0,
    failLookUpAfter: null,
    dropHolds: 0,
    dropRedemptionOrders: 0,
  };
  const initialRateLimit = opts.rateLimit;
  const state = new SimulatorState({
    now,
    random: createRandom(seed ^ 0x5bd1e995),
    referralWindowMs: opts.referralWindowMs ?? 5 * 60_000,
    pointsPerUnit: opts.pointsPerUnit ?? 1,
    referralRewardPoints: opts.referralRewardPoints ?? { referrer: 100, referred: 50 },
    ...(opts.pointValue !== undefined ? { pointValue: opts.pointValue } : {}),
    ...(opts.currency !== undefined ? { currency: opts.currency } : {}),
    ...(opts.holdTtlMs !== undefined ? { holdTtlMs: opts.holdTtlMs } : {}),
    ...(opts.pointValue !== undefined ? { pointValue: opts.pointValue } : {}),
  });

  let movedAside: string | undefined;
  let writer: StateWriter | undefined;
  if (opts.stateFile) {
    const loaded = loadStateFile(opts.stateFile, now());
    if (loaded.snapshot) state.restore(loaded.snapshot);
    movedAside = loaded.movedAside;
    writer = new StateWriter(
      opts.stateFile,
      () => state.snapshot(),
      (err) => {
        process.emitWarning(`Gameball simulator could not write its state file: ${err instanceof Error ? err.message : String(err)}`);
      },
    );
  }

  let baseUrl = '';
  const timers = new Set<NodeJS.Timeout>();
  const ctx: ServerContext = {
    state,
    limiter: new RateLimiter(resolveRateLimits(initialRateLimit)),
    faults: { ...initialFaults },
    outage: { on: false, mode: 'error' },
    random: createRandom(seed),
    apiKey: opts.apiKey ?? DEFAULT_API_KEY,
    secretKey: opts.secretKey ?? DEFAULT_SECRET_KEY,
    errorTypeStyle: opts.errorTypeStyle ?? 'upper',
    unknownOrderTransactions: opts.unknownOrderTransactions ?? 'not-found',
    baseUrl: () => baseUrl,
    onChange: () => writer?.schedule(),
    scheduleBatch: (jobId) => {
      const later = (ms: number): void => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          const more = state.runBatch(jobId, (batch, item) => processBatchItem(ctx.faults, state, batch, item), BATCH_SLICE);
          writer?.schedule();
          if (more) later(0);
        }, ms);
        timers.add(timer);
      };
      later(opts.batchDelayMs ?? 0);
    },
    control: (req, res, path, body) => handleControl(req, res, path, body),
    timers,
    inFlight: new Set<string>(),
    // Nothing is answered before the port is known; then only its own names (see checkHost).
    allowedHosts: opts.checkHost === false ? null : [],
    controlToken: opts.controlToken ?? null,
  };

  const control: SimulatorControl = {
    setFaults(f) {
      const patch = FaultsPatchSchema.parse(f);
      const { rateLimit, ...rest } = patch;
      for (const [key, value] of Object.entries(rest)) {
        if (value !== undefined) Object.assign(ctx.faults, { [key as keyof Faults]: value });
      }
      if (rateLimit !== undefined) ctx.limiter.setLimits(resolveRateLimits(rateLimit));
    },
    setOutage(on, mode = 'error') {
      ctx.outage = { on, mode };
    },
    ledger: () => state.ledger(),
    inFlight: () => [...ctx.inFlight],
    expireHolds() {
      const n = state.expireHolds();
      writer?.schedule();
      return n;
    },
    reset() {
      state.clear();
      ctx.limiter.setLimits(resolveRateLimits(initialRateLimit));
      ctx.limiter.clear();
      ctx.faults = { ...initialFaults };
      ctx.outage = { on: false, mode: 'error' };
      writer?.schedule();
    },
    putCoupon(coupon) {
      state.coupons.put(CouponInputSchema.parse(coupon));
      writer?.schedule();
    },
  };

  /** What GET/POST /_sim/faults answer: the faults, the rate limits per group (false: off) and the outage. */
  const faultState = (): object => ({ ...ctx.faults, rateLimit: ctx.limiter.current(), outage: ctx.outage });

  function handleControl(req: IncomingMessage, res: ServerResponse, path: string, body: string): void {
    const json = (): unknown => (body.trim() === '' ? {} : JSON.parse(body));
    try {
      if (req.method === 'GET' && path === '/_sim/ledger') return sendJson(res, 200, control.ledger());
      if (req.method === 'GET' && path === '/_sim/faults') return sendJson(res, 200, faultState());
      if (req.method === 'POST' && path === '/_sim/faults') {
        control.setFaults(FaultsPatchSchema.parse(json()) as FaultSettings);
        return sendJson(res, 200, faultState());
      }
      if (req.method === 'POST' && path === '/_sim/outage') {
        const o = OutageSchema.parse(json());
        control.setOutage(o.on, o.mode);
        return sendJson(res, 200, { outage: ctx.outage });
      }
      if (req.method === 'POST' && path === '/_sim/coupons') {
        control.putCoupon(CouponInputSchema.parse(json()));
        return sendJson(res, 200, { ok: true });
      }
      if (req.method === 'POST' && path === '/_sim/expire-holds') return sendJson(res, 200, { expired: control.expireHolds() });
      if (req.method === 'POST' && path === '/_sim/reset') {
        control.reset();
        return sendJson(res, 200, { ok: true });
      }
      sendJson(res, 404, { message: `No control endpoint ${req.method} ${path}.` });
    } catch (err) {
      sendJson(res, 400, { message: err instanceof Error ? err.message : String(err) });
    }
  }

  // Jobs accepted before a restart run now.
  for (const batch of state.pendingBatches()) ctx.scheduleBatch(batch.jobId);

  const server = createServer({ keepAliveTimeout: 5_000 }, createHandler(ctx));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://127.0.0.1:${port}`;
  if (ctx.allowedHosts !== null) ctx.allowedHosts = loopbackHosts(port);

  let closed: Promise<void> | undefined;
  return {
    url: baseUrl,
    port,
    control,
    ...(movedAside !== undefined ? { stateFileMovedAside: movedAside } : {}),
    flush: () => writer?.flush() ?? Promise.resolve(),
    close() {
      closed ??= (async () => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await stopped;
        await writer?.flush();
      })();
      return closed;
    },
  };
}
