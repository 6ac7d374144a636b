// The Gameball HTTP client: thin. It builds the URL and headers, applies a timeout, reads the
// answer with a size cap, and turns every answer (or failure) into a GameballResult via the pure
// rules in outcome.ts, with the endpoint's answer shape from answers.ts. It never throws for
// anything the network or Gameball does, never logs, and never puts a key in a message. `fetch`
// is passed in so tests and the engine choose the transport.
import type { z } from 'zod';
import {
  CustomerAnswerSchema,
  HoldAnswerSchema,
  HoldDetailsSchema,
  HoldReleaseAnswerSchema,
  notFoundAsNoTransactions,
  OrderTransactionsSchema,
  RefundAnswerSchema,
  ReferralValidationSchema,
  TrackOrderAnswerSchema,
  UpsertCustomerAnswerSchema,
} from './answers.ts';
import type {
  CustomerAnswer,
  HoldAnswer,
  HoldDetails,
  HoldReleaseAnswer,
  OrderTransactions,
  RefundAnswer,
  ReferralValidation,
  TrackOrderAnswer,
  UpsertCustomerAnswer,
} from './answers.ts';
import type { GameballConfig } from './config.ts';
import {
  BalanceAnswerSchema,
  CouponReleaseAnswerSchema,
  CouponValidateAnswerSchema,
  ReferralsCountAnswerSchema,
  RewardPreviewAnswerSchema,
  TierProgressAnswerSchema,
} from './loyalty-answers.ts';
import type {
  BalanceAnswer,
  CouponReleaseAnswer,
  CouponValidateAnswer,
  ReferralsCountAnswer,
  RewardPreviewAnswer,
  TierProgressAnswer,
} from './loyalty-answers.ts';
import { classifyAnswer, classifyTransportError } from './outcome.ts';
import type { AnswerBody, GameballResult } from './outcome.ts';

export type {
  CustomerAnswer,
  HoldAnswer,
  HoldDetails,
  HoldReleaseAnswer,
  OrderTransactions,
  RefundAnswer,
  ReferralValidation,
  TrackOrderAnswer,
  UpsertCustomerAnswer,
} from './answers.ts';

export type FetchFn = typeof fetch;

/** The largest answer the client reads (1 MiB): Gameball's answers to the till are a few KB. */
export const DEFAULT_MAX_ANSWER_BYTES = 1024 * 1024;

export interface GameballRequest<T> {
  method: 'GET' | 'POST' | 'DELETE';
  /** Below `/api/<version>/integrations`, starting with `/`. Segments must already be encoded. */
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  /**
   * Gameball's answer to a 2xx, with its minimal evidence (answers.ts). A 2xx body that does not
   * fit is not Gameball's answer: 'retry' for reads, 'unknown' for writes.
   */
  schema: z.ZodType<T>;
  /** Reads can be repeated safely: a lost answer is a plain retry, not an unknown outcome. */
  idempotent: boolean;
  signal?: AbortSignal;
}

export interface GameballClient {
  readonly config: Readonly<Pick<GameballConfig, 'baseUrl' | 'apiVersion' | 'timeoutMs'>>;
  request<T>(req: GameballRequest<T>): Promise<GameballResult<T>>;
  /** `POST /customers` (create or update; safe to repeat). */
  upsertCustomer(body: object, signal?: AbortSignal): Promise<GameballResult<UpsertCustomerAnswer>>;
  /** `POST /orders`. */
  trackOrder(body: object, signal?: AbortSignal): Promise<GameballResult<TrackOrderAnswer>>;
  /** `POST /transactions/refund`. */
  refund(body: object, signal?: AbortSignal): Promise<GameballResult<RefundAnswer>>;
  /**
   * `GET /orders/{orderId}/transactions`: what Gameball recorded for an order. Gameball's own
   * "order not found" (404, code 9005) is an answer too: 'ok' with an empty list.
   */
  orderTransactions(orderId: string, signal?: AbortSignal): Promise<GameballResult<OrderTransactions>>;
  /** `GET /customers/{customerId}`. */
  getCustomer(customerId: string, signal?: AbortSignal): Promise<GameballResult<CustomerAnswer>>;
  /** `GET /referrals/validate?referrerCode=&forCustomerId=`. */
  validateReferral(referrerCode: string, forCustomerId?: string, signal?: AbortSignal): Promise<GameballResult<ReferralValidation>>;
  // ---- loyalty at the till (main/loyalty/) ----
  /** `GET /customers/{customerId}/balance`. */
  customerBalance(customerId: string, signal?: AbortSignal): Promise<GameballResult<BalanceAnswer>>;
  /** `GET /customers/{customerId}/tier-progress`. */
  tierProgress(customerId: string, signal?: AbortSignal): Promise<GameballResult<TierProgressAnswer>>;
  /** `GET /customers/{customerId}/referrals/count`. */
  referralsCount(customerId: string, signal?: AbortSignal): Promise<GameballResult<ReferralsCountAnswer>>;
  /**
   * `POST /coupons/validate`; with `lock: true` a write whose lost answer is 'unknown' (asked again,
   * Gameball hands the same customer the lock it already holds, see docs/loyalty.md).
   */
  validateCoupons(body: object, signal?: AbortSignal): Promise<GameballResult<CouponValidateAnswer>>;
  /** `DELETE /coupons/{lockReference}`: safe to repeat (a released lock releases nothing more). */
  releaseCoupons(lockReference: string, signal?: AbortSignal): Promise<GameballResult<CouponReleaseAnswer>>;
  /** `POST /orders/reward-preview`: a read-only quote. */
  rewardPreview(body: object, signal?: AbortSignal): Promise<GameballResult<RewardPreviewAnswer>>;
  // Spending points (holds): main/loyalty/holds.ts and the order flow use these.
  /** `POST /transactions/hold`. Not safe to repeat: a lost answer may have held points. */
  holdPoints(body: object, signal?: AbortSignal): Promise<GameballResult<HoldAnswer>>;
  /** `GET /transactions/hold/{ref}`: the hold's state (active, expired, used); 404 when released or unknown. */
  getHold(holdReference: string, signal?: AbortSignal): Promise<GameballResult<HoldDetails>>;
  /** `DELETE /transactions/hold/{ref}`: releases the held points. */
  releaseHold(holdReference: string, signal?: AbortSignal): Promise<GameballResult<HoldReleaseAnswer>>;
}

export interface GameballClientOptions {
  config: GameballConfig;
  fetch: FetchFn;
  /** Monotonic milliseconds for durations (default performance.now). */
  monotonicNow?: () => number;
  /** Answer bodies longer than this are not read (default DEFAULT_MAX_ANSWER_BYTES). */
  maxAnswerBytes?: number;
}

/**
 * Reads at most `limit` bytes of an answer. Beyond that (or when Content-Length already says so)
 * it stops, cancels the rest, which closes the connection, and reports `overLimit` with no text:
 * a huge body never sits in memory. Rejects like fetch when the request's signal aborts mid-body.
 */
async function readCapped(res: Response, limit: number): Promise<AnswerBody> {
  const announced = Number(res.headers.get('content-length') ?? '');
  const over: AnswerBody = { text: '', bytes: limit, overLimit: true, limit };
  if (Number.isFinite(announced) && announced > limit) {
    await res.body?.cancel().catch(() => undefined);
    return over;
  }
  if (!res.body) return { text: '', bytes: 0, overLimit: false, limit };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > limit) {
      await reader.cancel().catch(() => undefined);
      return over;
    }
    chunks.push(value);
  }
  return { text: new TextDecoder().decode(Buffer.concat(chunks)), bytes, overLimit: false, limit };
}

export function createGameballClient(opts: GameballClientOptions): GameballClient {
  const { config } = opts;
  const fetchFn = opts.fetch;
  const mono = opts.monotonicNow ?? (() => performance.now());
  const maxAnswerBytes = opts.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
  const root = `${config.baseUrl}/api/${config.apiVersion}/integrations`;
  const headers: Record<string, string> = {
    APIKey: config.apiKey,
    SecretKey: config.secretKey,
    'Content-Type': 'application/json',
    Accept: 'application/json',
  };

  async function request<T>(req: GameballRequest<T>): Promise<GameballResult<T>> {
    const started = mono();
    const base = { method: req.method, path: req.path };
    let url = `${root}${req.path}`;
    if (req.query) {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(req.query)) if (v !== undefined) qs.set(k, v);
      const s = qs.toString();
      if (s) url += `?${s}`;
    }
    const timeout = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      timeout.abort();
    }, config.timeoutMs);
    const signal = req.signal ? AbortSignal.any([timeout.signal, req.signal]) : timeout.signal;
    try {
      let res: Response;
      let body: AnswerBody;
      try {
        res = await fetchFn(url, {
          method: req.method,
          headers,
          body: req.body === undefined ? undefined : JSON.stringify(req.body),
          signal,
          // A redirect is never Gameball's answer (a captive portal's login page, a proxy): it is
          // classified, not followed, so the keys never go to another host.
          redirect: 'manual',
        });
        body = await readCapped(res, maxAnswerBytes);
      } catch (err) {
        const waited = Math.round(mono() - started);
        const stoppedAfterMs = !timedOut && req.signal?.aborted ? waited : undefined;
        const c = classifyTransportError(err, { idempotent: req.idempotent, timedOut, timeoutMs: config.timeoutMs, stoppedAfterMs });
        return { ...base, ...c, httpStatus: null, durationMs: waited };
      }
      const durationMs = Math.round(mono() - started);
      const c = classifyAnswer({
        httpStatus: res.status,
        contentType: res.headers.get('content-type'),
        location: res.headers.get('location'),
        requestIdHeader: res.headers.get('x-request-id') ?? res.headers.get('request-id'),
        body,
        schema: req.schema,
        idempotent: req.idempotent,
      });
      // Gameball's clock (whole seconds), so the engine can tell how far off the till's clock is:
      // only from an answer that is Gameball's (one it could read, or an error with Gameball's
      // code), never from a captive portal's or a proxy's page.
      const serverTime = c.cause === 'ok' || c.code !== null ? httpDate(res.headers.get('date')) : null;
      const retryAfterMs = res.status === 429 ? retryAfter(res.headers.get('retry-after'), serverTime) : null;
      return { ...base, ...c, httpStatus: res.status, durationMs, serverTime, retryAfterMs };
    } finally {
      clearTimeout(timer);
    }
  }

  const seg = encodeURIComponent;
  return {
    config: { baseUrl: config.baseUrl, apiVersion: config.apiVersion, timeoutMs: config.timeoutMs },
    request,
    // Create-or-update: repeating it is safe, so a lost answer is a plain retry.
    upsertCustomer: (body, signal) =>
      request({ method: 'POST', path: '/customers', body, schema: UpsertCustomerAnswerSchema, idempotent: true, signal }),
    trackOrder: (body, signal) =>
      request({ method: 'POST', path: '/orders', body, schema: TrackOrderAnswerSchema, idempotent: false, signal }),
    refund: (body, signal) =>
      request({ method: 'POST', path: '/transactions/refund', body, schema: RefundAnswerSchema, idempotent: false, signal }),
    orderTransactions: (orderId, signal) =>
      request({
        method: 'GET',
        path: `/orders/${seg(orderId)}/transactions`,
        schema: OrderTransactionsSchema,
        idempotent: true,
        signal,
      }).then(notFoundAsNoTransactions),
    getCustomer: (customerId, signal) =>
      request({ method: 'GET', path: `/customers/${seg(customerId)}`, schema: CustomerAnswerSchema, idempotent: true, signal }),
    validateReferral: (referrerCode, forCustomerId, signal) =>
      request({
        method: 'GET',
        path: '/referrals/validate',
        query: { referrerCode, forCustomerId },
        schema: ReferralValidationSchema,
        idempotent: true,
        signal,
      }),
    // ---- loyalty at the till ----
    customerBalance: (customerId, signal) =>
      request({ method: 'GET', path: `/customers/${seg(customerId)}/balance`, schema: BalanceAnswerSchema, idempotent: true, signal }),
    tierProgress: (customerId, signal) =>
      request({
        method: 'GET',
        path: `/customers/${seg(customerId)}/tier-progress`,
        schema: TierProgressAnswerSchema,
        idempotent: true,
        signal,
      }),
    referralsCount: (customerId, signal) =>
      request({
        method: 'GET',
        path: `/customers/${seg(customerId)}/referrals/count`,
        schema: ReferralsCountAnswerSchema,
        idempotent: true,
        signal,
      }),
    validateCoupons: (body, signal) =>
      request({
        method: 'POST',
        path: '/coupons/validate',
        body,
        schema: CouponValidateAnswerSchema,
        idempotent: (body as { lock?: unknown }).lock !== true,
        signal,
      }),
    releaseCoupons: (lockReference, signal) =>
      request({ method: 'DELETE', path: `/coupons/${seg(lockReference)}`, schema: CouponReleaseAnswerSchema, idempotent: true, signal }),
    rewardPreview: (body, signal) =>
      request({ method: 'POST', path: '/orders/reward-preview', body, schema: RewardPreviewAnswerSchema, idempotent: true, signal }),
    holdPoints: (body, signal) =>
      request({ method: 'POST', path: '/transactions/hold', body, schema: HoldAnswerSchema, idempotent: false, signal }),
    getHold: (ref, signal) =>
      request({ method: 'GET', path: `/transactions/hold/${seg(ref)}`, schema: HoldDetailsSchema, idempotent: true, signal }),
    // Releasing twice releases nothing more: safe to repeat.
    releaseHold: (ref, signal) =>
      request({ method: 'DELETE', path: `/transactions/hold/${seg(ref)}`, schema: HoldReleaseAnswerSchema, idempotent: true, signal }),
  };
}

/**
 * An HTTP `Retry-After` (seconds, or an HTTP date read against the answer's own Date) as ms; null
 * when absent or unreadable.
 */
export function retryAfter(value: string | null, serverTime: number | null): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1_000;
  const at = Date.parse(v);
  if (!Number.isFinite(at) || serverTime === null) return null;
  return Math.max(0, at - serverTime);
}

/** An HTTP `Date` header as epoch ms; null when absent or unreadable. */
function httpDate(value: string | null): number | null {
  if (value === null) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}
