// The HTTP face of the simulator: routing under /api/v4.0|v4.1/integrations, Gameball's auth
// and payload errors, rate limits, fault injection, and the loopback-only /_sim control API.
// Before anything else, the Host header must name the simulator itself (127.0.0.1:PORT or
// localhost:PORT) unless the host check is off: a web page that rebinds its own name to
// 127.0.0.1 reaches the port, but its requests carry its own name. Refused: 403, not counted.
// The control API also needs a loopback peer, `Content-Type: application/json` on every POST
// (a web page can send text/plain across sites without asking, but not JSON), and, when the
// simulator was started with one, the control token (`Authorization: Bearer <token>`).
// Order of checks for one integration request (the README documents it):
//   outage -> reset roll -> read body -> auth -> rate limit -> content type -> JSON -> schema
//   -> 2001 (customer in flight) -> [mark in flight] -> latency -> 5xx roll -> rules + commit
//   -> drop roll (commit kept, socket destroyed) or answer -> [unmark]
// Batch jobs run after the answer, a slice of items per turn of the event loop (index.ts), so a
// poll sees `pending`, then `processing` with the results so far, then `completed` (or `failed`).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { CODES, SimError, errorBody } from './errors.ts';
import type { ErrorTypeStyle } from './errors.ts';
import { roll } from './prng.ts';
import type { Random } from './prng.ts';
import type { RateGroup } from '../gameball/rate-limits.ts';
import type { RateLimiter } from './rate-limit.ts';
import { CouponBurnSchema, CouponValidateSchema, RewardPreviewSchema } from './schemas.ts';
import { customerBalance, customerReferralsCount, customerTierProgress, rewardPreview } from './loyalty.ts';
import {
  BatchOrderItemSchema,
  HoldPointsBodySchema,
  MAX_BATCH_ITEMS,
  RefundSchema,
  TrackOrderSchema,
  UpsertCustomerSchema,
} from './schemas.ts';
import type { ApiVersion, BatchItemResult, LedgerBatch, LedgerCounters, LedgerTransaction, SimulatorState } from './state.ts';
import { parseRequest } from './validate.ts';

export interface Faults {
  latencyMs: number;
  jitterMs: number;
  errorRate: number;
  resetRate: number;
  dropRate: number;
  /**
   * How many of the next orders (`POST /orders`, or order items of a batch job) are refused with
   * 422/3003 (nothing committed): a rule of Gameball's that an order can break, on demand, so the
   * needs-attention path can be tested.
   */
  refuseOrders: number;
  /** How many of the next `POST /batch/orders` are answered 503/5003 (nothing committed): batches failing as a whole. */
  batchErrors: number;
  /** How many of the next `POST /batch/orders` are committed (the job runs), then lose their answer. */
  dropBatchAnswers: number;
  /** The next order batch job fails once this many of its items are processed (then null again). */
  failBatchAfter: number | null;
  /** How many of the next `POST /batch/orders/transactions` are committed (the look-up job runs), then lose their answer. */
  dropLookUpAnswers: number;
  /** How many of the next `POST /batch/orders/transactions` are answered 503/5003 (no job started): look-up jobs refused for now. */
  lookUpErrors: number;
  /** The next order look-up job (`POST /batch/orders/transactions`) fails once this many of its items are processed. */
  failLookUpAfter: number | null;
  /** How many of the next `POST /transactions/hold` are committed and then lose their answer. */
  dropHolds: number;
  /**
   * How many of the next `POST /orders` that carry `redemption.pointsHoldReference` are committed
   * (the points spent) and then lose their answer.
   */
  dropRedemptionOrders: number;
}

export interface ServerContext {
  state: SimulatorState;
  limiter: RateLimiter;
  faults: Faults;
  outage: { on: boolean; mode: 'error' | 'refuse' };
  random: Random;
  apiKey: string;
  secretKey: string;
  errorTypeStyle: ErrorTypeStyle;
  /** What an order id unknown to `GET /orders/{id}/transactions` gets. */
  unknownOrderTransactions: 'not-found' | 'empty';
  baseUrl: () => string;
  /** Called after every committed change (persistence hooks in here). */
  onChange: () => void;
  scheduleBatch: (jobId: number) => void;
  /** The /_sim control API, handled by the owner of the context. */
  control: (req: IncomingMessage, res: ServerResponse, path: string, body: string) => void;
  timers: Set<NodeJS.Timeout>;
  /** Customers with a write between its checks and its answer (a second one gets 422/2001). */
  inFlight: Set<string>;
  /** Host header values answered (lower case); null: any. Filled in once the port is known. */
  allowedHosts: readonly string[] | null;
  /** The /_sim control API needs `Authorization: Bearer <controlToken>` when set. */
  controlToken: string | null;
}

type Params = Record<string, string>;

interface Prepared {
  /** Set for writes Gameball serialises per customer (rule 2001). */
  customerId?: string;
  commit: () => unknown;
}

interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  template: string;
  pattern: RegExp;
  group: RateGroup;
  /** Needs the SecretKey under v4.0 too (under v4.1 every route does). */
  secret: boolean;
  prepare: (ctx: ServerContext, input: { body: unknown; params: Params; query: URLSearchParams; version: ApiVersion }) => Prepared;
}

const MAX_BODY_BYTES = 8 * 1024 * 1024;

function route(method: Route['method'], template: string, group: RateGroup, secret: boolean, prepare: Route['prepare']): Route {
  const pattern = new RegExp(`^${template.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`);
  return { method, template, pattern, group, secret, prepare };
}

const ROUTES: Route[] = [
  route('POST', '/customers', 'customerWrites', false, (ctx, { body }) => {
    const req = parseRequest(UpsertCustomerSchema, body);
    return { customerId: req.customerId, commit: () => ctx.state.upsertCustomer(req) };
  }),
  route('GET', '/customers/{customerId}', 'customerReads', false, (ctx, { params }) => ({
    commit: () => {
      const customer = ctx.state.getCustomer(params.customerId ?? '');
      if (!customer) throw new SimError(404, CODES.notFound, 'Customer not found.');
      const code = customer.referralCode;
      return {
        gameballId: customer.gameballId,
        customerId: customer.customerId,
        customerAttributes: { ...customer.customerAttributes, totalOrders: customer.orderCount },
        referralCode: code,
        referralLink: `${ctx.baseUrl()}/referral?GBReferral=${code}`,
        isReferred: customer.referredBy !== undefined,
      };
    },
  })),
  route('GET', '/referrals/validate', 'customerReads', false, (ctx, { query }) => {
    const referrerCode = query.get('referrerCode');
    if (!referrerCode) throw new SimError(400, CODES.missingField, 'referrerCode is required.');
    const forCustomerId = query.get('forCustomerId') ?? undefined;
    return { commit: () => ({ isValid: ctx.state.validateReferral(referrerCode, forCustomerId) }) };
  }),
  route('POST', '/orders', 'orders', true, (ctx, { body, version }) => {
    const req = parseRequest(TrackOrderSchema, body);
    return { customerId: req.customerId, commit: () => ctx.state.trackOrder(req, 'orders', version) };
  }),
  route('GET', '/orders/{orderId}/transactions', 'transactions', true, (ctx, { params }) => ({
    commit: () => {
      const found = listTransactions(ctx.state, params.orderId ?? '');
      if (!found && ctx.unknownOrderTransactions === 'empty') return { transactions: [], count: 0 };
      if (!found) throw new SimError(404, CODES.orderNotFound, 'Order not found.');
      return found;
    },
  })),
  route('POST', '/transactions/refund', 'transactions', true, (ctx, { body }) => {
    const req = parseRequest(RefundSchema, body);
    return { customerId: req.customerId, commit: () => ctx.state.refund(req) };
  }),
  // Holds of points (spending points at the till): hold, look up, release.
  route('POST', '/transactions/hold', 'transactions', true, (ctx, { body }) => {
    const req = parseRequest(HoldPointsBodySchema, body);
    return { customerId: req.customerId, commit: () => ctx.state.holdPoints(req) };
  }),
  route('GET', '/transactions/hold/{holdReference}', 'transactions', true, (ctx, { params }) => ({
    commit: () => {
      const hold = ctx.state.getHold(params.holdReference ?? '');
      if (!hold) throw new SimError(404, CODES.holdNotFound, 'Hold not found.');
      return hold;
    },
  })),
  route('DELETE', '/transactions/hold/{holdReference}', 'transactions', true, (ctx, { params }) => ({
    commit: () => ctx.state.releaseHold(params.holdReference ?? ''),
  })),
  route('POST', '/batch/orders', 'others', true, (ctx, { body, version }) => {
    const items = batchItems(body, 'orders');
    return {
      commit: () => {
        const failAfter = ctx.faults.failBatchAfter ?? undefined;
        ctx.faults.failBatchAfter = null;
        const batch = ctx.state.createBatch('orders', items, version, failAfter);
        ctx.scheduleBatch(batch.jobId);
        return { jobId: batch.jobId };
      },
    };
  }),
  route('POST', '/batch/orders/transactions', 'others', true, (ctx, { body, version }) => {
    const ids = batchItems(body, 'order ids');
    const bad = ids.findIndex((id) => typeof id !== 'string' || id === '');
    if (bad >= 0) throw new SimError(422, CODES.invalidValue, `body.${bad}: an order id (a non-empty string) is expected.`);
    return {
      commit: () => {
        const failAfter = ctx.faults.failLookUpAfter ?? undefined;
        ctx.faults.failLookUpAfter = null;
        const batch = ctx.state.createBatch('orderTransactions', ids, version, failAfter);
        ctx.scheduleBatch(batch.jobId);
        return { jobId: batch.jobId };
      },
    };
  }),
  // ---- loyalty at the till (loyalty.ts, coupons.ts) ----
  route('GET', '/customers/{customerId}/balance', 'customerReads', true, (ctx, { params }) => ({
    commit: () => customerBalance(ctx.state, params.customerId ?? ''),
  })),
  route('GET', '/customers/{customerId}/tier-progress', 'customerReads', true, (ctx, { params }) => ({
    commit: () => customerTierProgress(ctx.state, params.customerId ?? ''),
  })),
  route('GET', '/customers/{customerId}/referrals/count', 'customerReads', true, (ctx, { params }) => ({
    commit: () => customerReferralsCount(ctx.state, params.customerId ?? ''),
  })),
  route('POST', '/coupons/validate', 'others', true, (ctx, { body }) => {
    const req = parseRequest(CouponValidateSchema, body);
    return { customerId: req.customerId, commit: () => ctx.state.coupons.validate(req) };
  }),
  route('POST', '/coupons/burn', 'others', true, (ctx, { body }) => {
    const req = parseRequest(CouponBurnSchema, body);
    return { customerId: req.customerId, commit: () => ctx.state.coupons.burn(req) };
  }),
  route('DELETE', '/coupons/{lockReference}', 'others', true, (ctx, { params }) => ({
    commit: () => ctx.state.coupons.release(params.lockReference ?? ''),
  })),
  route('POST', '/orders/reward-preview', 'others', false, (ctx, { body }) => {
    const req = parseRequest(RewardPreviewSchema, body);
    return { commit: () => rewardPreview(ctx.state, req) };
  }),
  route('GET', '/batches/{batchId}/status', 'others', true, (ctx, { params }) => ({
    commit: () => {
      const batch = ctx.state.getBatch(Number(params.batchId));
      if (!batch) throw new SimError(404, CODES.notFound, 'Batch job not found.');
      const errors = batch.results.filter((r) => r.status === 'failed');
      return {
        batchId: String(batch.jobId),
        status: batch.status,
        progress: batch.totalItems === 0 ? 100 : Math.round((batch.processedItems / batch.totalItems) * 100),
        totalItems: batch.totalItems,
        processedItems: batch.processedItems,
        failedItems: batch.failedItems,
        results: batch.results,
        errors,
      };
    },
  })),
];

/**
 * The items of a batch request: the spec wraps them as `{ "body": [...] }`, a prose guide posts a
 * bare array; both are accepted. No `body` 400/3000; not an array 422/3003; empty or more than
 * 1,000 items 422/3003 with the count, so a client sees at once that it must split the batch.
 * Items themselves are validated one by one when the job runs (one bad item fails alone).
 */
export function batchItems(body: unknown, what: string): unknown[] {
  let items: unknown = body;
  if (!Array.isArray(body)) {
    if (body === null || typeof body !== 'object')
      throw new SimError(422, CODES.invalidValue, `body: expected { "body": [...] } or an array of ${what}.`);
    items = (body as { body?: unknown }).body;
    if (items === undefined || items === null)
      throw new SimError(400, CODES.missingField, `body is required: an array of 1 to ${MAX_BATCH_ITEMS.toLocaleString('en-US')} ${what}.`);
    if (!Array.isArray(items)) throw new SimError(422, CODES.invalidValue, `body: expected an array of ${what}.`);
  }
  const list = items as unknown[];
  if (list.length === 0) throw new SimError(422, CODES.invalidValue, `body: a batch needs at least one item; this one is empty.`);
  if (list.length > MAX_BATCH_ITEMS) {
    throw new SimError(
      422,
      CODES.invalidValue,
      `body: a batch holds at most ${MAX_BATCH_ITEMS.toLocaleString('en-US')} items; this one has ${list.length.toLocaleString('en-US')}. Split it into several batches.`,
    );
  }
  return list;
}

function listTransactions(
  state: SimulatorState,
  orderId: string,
): { transactions: Array<Omit<LedgerTransaction, 'customerId'>>; count: number } | undefined {
  const list = state.orderTransactions(orderId);
  if (!list) return undefined;
  const transactions = list.map((t) => ({
    transactionDate: t.transactionDate,
    gameballTransactionId: t.gameballTransactionId,
    transactionType: t.transactionType,
    amount: t.amount,
    transactionId: t.transactionId,
    equivalentPoints: t.equivalentPoints,
  }));
  return { transactions, count: transactions.length };
}

/**
 * One item of a batch job. Order items go through the same validation and rules as
 * `POST /orders` (minus referrals); order-id items are looked up like
 * `GET /orders/{orderId}/transactions` (unknown: the item fails with 9005).
 */
export function processBatchItem(faults: Faults, state: SimulatorState, batch: LedgerBatch, item: unknown): Partial<BatchItemResult> {
  if (batch.kind === 'orderTransactions') {
    const found = typeof item === 'string' ? listTransactions(state, item) : undefined;
    if (!found) throw new SimError(404, CODES.orderNotFound, 'Order not found.');
    return found;
  }
  refuseOrderOnDemand(faults);
  const req = parseRequest(BatchOrderItemSchema, item);
  return { rewardedPoints: state.trackOrder(req, 'batch', batch.apiVersion).rewardedPoints };
}

/** The `refuseOrders` fault: the next N orders, posted alone or as batch items, are refused 3003. */
function refuseOrderOnDemand(faults: Faults): void {
  if (faults.refuseOrders <= 0) return;
  faults.refuseOrders -= 1;
  throw new SimError(422, CODES.invalidValue, 'Invalid order: refused by the simulator (refuseOrders fault).');
}

const API_PATH = /^\/api\/(v4\.[01])\/integrations(\/.*)$/;

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** True for 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 (`::ffff:127.0.0.1`). The control API answers only these peers. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/** The Host header values a simulator on `port` answers: anything else may be a rebinding. */
export function loopbackHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

/** Constant-time compare of a presented token (both sides hashed, so length leaks nothing). */
function tokenMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined || given.length === 0 || given.length > 512) return false;
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer <token>` header. */
function bearer(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header(req, 'authorization') ?? '');
  return m?.[1];
}

const JSON_TYPE = /^application\/json\b/i;

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, requestId?: string): void {
  if (res.destroyed || res.headersSent) return;
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  };
  if (requestId) headers['x-request-id'] = requestId;
  res.writeHead(status, headers);
  res.end(text);
}

/**
 * The answer's `Date` header from the simulator's own clock (the `now` option) at answer time, as
 * Gameball stamps its answers: a test can give the simulator a clock that differs from the till's.
 */
function stampDate(ctx: ServerContext, res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('date', new Date(ctx.state.config.now()).toUTCString());
}

function delay(ctx: ServerContext): Promise<void> | undefined {
  const { latencyMs, jitterMs } = ctx.faults;
  const ms = latencyMs + (jitterMs > 0 ? ctx.random() * jitterMs : 0);
  if (ms <= 0) return undefined;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      ctx.timers.delete(timer);
      resolve();
    }, ms);
    ctx.timers.add(timer);
  });
}

export function createHandler(ctx: ServerContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(ctx, ctx.inFlight, req, res).catch(() => {
      // A socket error mid-request: nothing to answer.
      if (!res.headersSent) res.destroy();
    });
  };
}

async function handle(ctx: ServerContext, inFlight: Set<string>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const host = (header(req, 'host') ?? '').toLowerCase();
  if (ctx.allowedHosts !== null && !ctx.allowedHosts.includes(host)) {
    sendJson(res, 403, { message: 'Forbidden: this simulator answers requests for 127.0.0.1 or localhost on its own port only.' });
    return;
  }
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname.startsWith('/_sim/')) {
    if (!isLoopback(req.socket.remoteAddress)) {
      sendJson(res, 403, { message: 'The control API answers loopback clients only.' });
      return;
    }
    if (ctx.controlToken !== null && !tokenMatches(bearer(req), ctx.controlToken)) {
      sendJson(res, 401, { message: 'The control API of this simulator needs its control token (Authorization: Bearer ...).' });
      return;
    }
    if (req.method !== 'GET' && !JSON_TYPE.test((header(req, 'content-type') ?? '').trim())) {
      sendJson(res, 415, { message: 'Content-Type must be application/json.' });
      return;
    }
    const body = (await readBody(req)) ?? '';
    ctx.control(req, res, url.pathname, body);
    return;
  }

  const counters: LedgerCounters = ctx.state.counters;
  const api = API_PATH.exec(url.pathname);
  const version = (api?.[1] ?? 'v4.0') as ApiVersion;
  const subPath = api?.[2] ?? '';
  let found: { route: Route; params: Params } | undefined;
  if (api) {
    for (const r of ROUTES) {
      if (r.method !== req.method) continue;
      const m = r.pattern.exec(subPath);
      if (m) {
        const params: Params = {};
        let decoded = true;
        for (const [k, v] of Object.entries(m.groups ?? {})) {
          try {
            params[k] = decodeURIComponent(v);
          } catch {
            decoded = false; // malformed %-escape: no such resource
          }
        }
        if (decoded) found = { route: r, params };
        break;
      }
    }
  }
  bump(counters.requests, found ? `${found.route.method} ${found.route.template}` : 'unknown');

  if (ctx.outage.on) {
    counters.outageRejections += 1;
    if (ctx.outage.mode === 'refuse') {
      req.socket.destroy();
      return;
    }
  } else if (roll(ctx.random, ctx.faults.resetRate)) {
    counters.resets += 1;
    req.socket.destroy();
    return;
  }

  const requestId = randomUUID();
  const raw = await readBody(req);
  let delayed = false;
  let marked: string | undefined;
  try {
    if (ctx.outage.on) throw new SimError(503, CODES.serviceUnavailable, 'Service unavailable.');
    if (!found) throw new SimError(404, CODES.notFound, `No endpoint ${req.method} ${url.pathname}.`);
    const { route: r, params } = found;
    authenticate(ctx, req, version, r.secret);
    if (!ctx.limiter.admit(r.group, ctx.state.config.now())) {
      counters.rateLimited += 1;
      // One account's windows, whichever client asked: say when a request would fit again (whole
      // seconds, at least one). Gameball promises no Retry-After; clients must cope without it.
      const wait = ctx.limiter.retryAfterMs(r.group, ctx.state.config.now());
      res.setHeader('retry-after', String(Math.max(1, Math.ceil(wait / 1_000))));
      throw new SimError(429, CODES.rateLimited, 'Too many requests: rate limit exceeded.');
    }
    let body: unknown;
    if (r.method === 'POST') {
      if (raw === undefined) throw new SimError(400, CODES.malformedJson, 'Request body is too large.');
      const type = header(req, 'content-type') ?? '';
      if (!JSON_TYPE.test(type.trim())) {
        throw new SimError(415, CODES.unsupportedContentType, 'Content-Type must be application/json.');
      }
      try {
        body = JSON.parse(raw);
      } catch {
        throw new SimError(400, CODES.malformedJson, 'Request body is not valid JSON.');
      }
    }
    const prepared = r.prepare(ctx, { body, params, query: url.searchParams, version });
    if (prepared.customerId !== undefined) {
      if (inFlight.has(prepared.customerId)) {
        throw new SimError(422, CODES.concurrentRequest, 'Another request for this customer is in progress; retry later.');
      }
      inFlight.add(prepared.customerId);
      marked = prepared.customerId;
    }
    const wait = delay(ctx);
    delayed = true;
    if (wait) await wait;
    if (roll(ctx.random, ctx.faults.errorRate)) {
      counters.injectedErrors += 1;
      const unavailable = ctx.random() < 0.5;
      throw unavailable
        ? new SimError(503, CODES.serviceUnavailable, 'Service unavailable.')
        : new SimError(500, CODES.serverError, 'Internal server error.');
    }
    if (r.method === 'POST' && r.template === '/batch/orders' && ctx.faults.batchErrors > 0) {
      ctx.faults.batchErrors -= 1;
      counters.injectedErrors += 1;
      throw new SimError(503, CODES.serviceUnavailable, 'Service unavailable.');
    }
    if (r.method === 'POST' && r.template === '/batch/orders/transactions' && ctx.faults.lookUpErrors > 0) {
      ctx.faults.lookUpErrors -= 1;
      counters.injectedErrors += 1;
      throw new SimError(503, CODES.serviceUnavailable, 'Service unavailable.');
    }
    if (r.method === 'POST' && r.template === '/orders') refuseOrderOnDemand(ctx.faults);
    const result = prepared.commit();
    if (r.method !== 'GET') ctx.onChange();
    const dropBatch =
      r.method === 'POST' &&
      ((r.template === '/batch/orders' && ctx.faults.dropBatchAnswers > 0) ||
        (r.template === '/batch/orders/transactions' && ctx.faults.dropLookUpAnswers > 0));
    if (dropBatch && r.template === '/batch/orders') ctx.faults.dropBatchAnswers -= 1;
    else if (dropBatch) ctx.faults.dropLookUpAnswers -= 1;
    if (dropBatch || roll(ctx.random, ctx.faults.dropRate) || takeRedemptionDrop(ctx, r, body)) {
      counters.drops += 1;
      req.socket.destroy();
      return;
    }
    bump(counters.responses, '200');
    stampDate(ctx, res);
    sendJson(res, 200, result, requestId);
  } catch (caught) {
    // A fault in the simulator itself answers like Gameball's own 500 rather than hanging up.
    const err = caught instanceof SimError ? caught : new SimError(500, CODES.serverError, 'Internal server error.');
    if (!delayed) {
      const wait = delay(ctx);
      if (wait) await wait;
    }
    bump(counters.responses, `${err.status}/${err.code}`);
    stampDate(ctx, res);
    sendJson(res, err.status, errorBody(err.code, err.message, requestId, ctx.errorTypeStyle), requestId);
  } finally {
    if (marked !== undefined) inFlight.delete(marked);
  }
}

/** The hold and redemption-order faults: the next N such requests lose their answer after the commit. */
function takeRedemptionDrop(ctx: ServerContext, r: Route, body: unknown): boolean {
  if (r.method !== 'POST') return false;
  if (r.template === '/transactions/hold' && ctx.faults.dropHolds > 0) {
    ctx.faults.dropHolds -= 1;
    return true;
  }
  const redemption = (body as { redemption?: { pointsHoldReference?: unknown } } | null)?.redemption;
  if (r.template === '/orders' && ctx.faults.dropRedemptionOrders > 0 && typeof redemption?.pointsHoldReference === 'string') {
    ctx.faults.dropRedemptionOrders -= 1;
    return true;
  }
  return false;
}

/**
 * Gameball's keys: `APIKey` always (401/1000); `SecretKey` for orders, refunds, transactions
 * and batches under v4.0, and for everything under v4.1 (401/1001). Header names are
 * case-insensitive; the older name `TransactionKey` is accepted for the secret.
 */
function authenticate(ctx: ServerContext, req: IncomingMessage, version: ApiVersion, needsSecret: boolean): void {
  if (header(req, 'apikey') !== ctx.apiKey) {
    throw new SimError(401, CODES.unauthorized, 'Unauthorized: missing or invalid APIKey.');
  }
  if (needsSecret || version === 'v4.1') {
    const secret = header(req, 'secretkey') ?? header(req, 'transactionkey');
    if (secret !== ctx.secretKey) {
      throw new SimError(401, CODES.secretKeyRequired, 'Unauthorized: a valid SecretKey is required for this endpoint.');
    }
  }
}

// ---- control API (/_sim/...) ------------------------------------------------------------------

export const FaultsPatchSchema = z.strictObject({
  latencyMs: z.number().min(0).optional(),
  jitterMs: z.number().min(0).optional(),
  errorRate: z.number().min(0).max(1).optional(),
  resetRate: z.number().min(0).max(1).optional(),
  dropRate: z.number().min(0).max(1).optional(),
  refuseOrders: z.number().int().min(0).optional(),
  batchErrors: z.number().int().min(0).optional(),
  dropBatchAnswers: z.number().int().min(0).optional(),
  failBatchAfter: z.number().int().min(0).nullable().optional(),
  dropLookUpAnswers: z.number().int().min(0).optional(),
  lookUpErrors: z.number().int().min(0).optional(),
  failLookUpAfter: z.number().int().min(0).nullable().optional(),
  dropHolds: z.number().int().min(0).optional(),
  dropRedemptionOrders: z.number().int().min(0).optional(),
  rateLimit: z
    .union([
      z.literal(false),
      z.object({
        perSecond: z.number().int().positive(),
        per30s: z.number().int().positive(),
        customerReads: z.object({ perSecond: z.number().int().positive(), per30s: z.number().int().positive() }).optional(),
      }),
    ])
    .optional(),
});

export const OutageSchema = z.strictObject({ on: z.boolean(), mode: z.enum(['error', 'refuse']).optional() });
