// The Gameball HTTP client: thin. It builds the URL and headers, applies a timeout, and turns
// every answer (or failure) into a GameballResult via the pure rules in outcome.ts. It never
// throws for anything the network or Gameball does, never logs, and never puts a key in a
// message. `fetch` is passed in so tests and the engine choose the transport.
import { z } from 'zod';
import type { GameballConfig } from './config.ts';
import { classifyErrorAnswer, classifyTransportError, type GameballResult } from './outcome.ts';

export type FetchFn = typeof fetch;

export interface GameballRequest<T> {
  method: 'GET' | 'POST';
  /** Below `/api/<version>/integrations`, starting with `/`. Segments must already be encoded. */
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  /** Reads a 2xx body. A body that does not fit is 'retry' for reads, 'ok' without value for writes. */
  schema: z.ZodType<T>;
  /** Reads can be repeated safely: a lost answer is a plain retry, not an unknown outcome. */
  idempotent: boolean;
  signal?: AbortSignal;
}

const Num = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);

export const TrackOrderAnswerSchema = z
  .object({ customerId: z.string().optional(), rewardedPoints: Num.nullish(), redeemedPoints: Num.nullish() })
  .loose();
export type TrackOrderAnswer = z.infer<typeof TrackOrderAnswerSchema>;

export const AnyObjectSchema = z.object({}).loose();

export const OrderTransactionSchema = z
  .object({
    transactionId: z.string().nullish(),
    transactionType: z.string().nullish(),
    equivalentPoints: Num.nullish(),
    amount: Num.nullish(),
    gameballTransactionId: z.union([z.number(), z.string()]).nullish(),
  })
  .loose();
export const OrderTransactionsSchema = z
  .object({ transactions: z.array(OrderTransactionSchema).nullish().transform((t) => t ?? []), count: z.number().nullish() })
  .loose();
export type OrderTransactions = z.infer<typeof OrderTransactionsSchema>;

export const CustomerAnswerSchema = z
  .object({
    customerId: z.string().nullish(),
    referralCode: z.string().nullish(),
    referralLink: z.string().nullish(),
    isReferred: z.boolean().nullish(),
  })
  .loose();
export type CustomerAnswer = z.infer<typeof CustomerAnswerSchema>;

export const ReferralValidationSchema = z.object({ isValid: z.boolean() }).loose();
export type ReferralValidation = z.infer<typeof ReferralValidationSchema>;

export interface GameballClient {
  readonly config: Readonly<Pick<GameballConfig, 'baseUrl' | 'apiVersion' | 'timeoutMs'>>;
  request<T>(req: GameballRequest<T>): Promise<GameballResult<T>>;
  /** `POST /customers` (create or update; safe to repeat). */
  upsertCustomer(body: object, signal?: AbortSignal): Promise<GameballResult<Record<string, unknown>>>;
  /** `POST /orders`. */
  trackOrder(body: object, signal?: AbortSignal): Promise<GameballResult<TrackOrderAnswer>>;
  /** `POST /transactions/refund`. */
  refund(body: object, signal?: AbortSignal): Promise<GameballResult<Record<string, unknown>>>;
  /** `GET /orders/{orderId}/transactions`: what Gameball recorded for an order. */
  orderTransactions(orderId: string, signal?: AbortSignal): Promise<GameballResult<OrderTransactions>>;
  /** `GET /customers/{customerId}`. */
  getCustomer(customerId: string, signal?: AbortSignal): Promise<GameballResult<CustomerAnswer>>;
  /** `GET /referrals/validate?referrerCode=&forCustomerId=`. */
  validateReferral(referrerCode: string, forCustomerId?: string, signal?: AbortSignal): Promise<GameballResult<ReferralValidation>>;
}

export interface GameballClientOptions {
  config: GameballConfig;
  fetch: FetchFn;
  /** Monotonic milliseconds for durations (default performance.now). */
  monotonicNow?: () => number;
}

export function createGameballClient(opts: GameballClientOptions): GameballClient {
  const { config } = opts;
  const fetchFn = opts.fetch;
  const mono = opts.monotonicNow ?? (() => performance.now());
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
      let text: string;
      try {
        res = await fetchFn(url, {
          method: req.method,
          headers,
          body: req.body === undefined ? undefined : JSON.stringify(req.body),
          signal,
          redirect: 'error',
        });
        text = await res.text();
      } catch (err) {
        const c = classifyTransportError(err, { idempotent: req.idempotent, timedOut });
        return { ...base, ...c, httpStatus: null, durationMs: Math.round(mono() - started) };
      }
      const durationMs = Math.round(mono() - started);
      const requestIdHeader = res.headers.get('x-request-id') ?? res.headers.get('request-id');
      // Gameball's clock (whole seconds), so the engine can tell how far off the till's clock is.
      const serverTime = httpDate(res.headers.get('date'));
      if (res.status >= 200 && res.status < 300) {
        let json: unknown = undefined;
        try {
          json = text.trim() === '' ? {} : JSON.parse(text);
        } catch {
          json = undefined;
        }
        const parsed = req.schema.safeParse(json);
        if (parsed.success) {
          return { ...base, kind: 'ok', cause: 'ok', httpStatus: res.status, code: null, message: 'OK', requestId: requestIdHeader, durationMs, serverTime, value: parsed.data };
        }
        // Gameball accepted a write but said it in a way we cannot read: the write stands.
        // A read we cannot understand tells us nothing: ask again later.
        return {
          ...base,
          kind: req.idempotent ? 'retry' : 'ok',
          cause: 'bad-answer',
          httpStatus: res.status,
          code: null,
          message: `Gameball answered HTTP ${res.status} with a body this app cannot read (${text.length} bytes)`,
          requestId: requestIdHeader,
          durationMs,
          serverTime,
        };
      }
      const c = classifyErrorAnswer(res.status, text, res.headers.get('content-type'), requestIdHeader);
      return { ...base, ...c, httpStatus: res.status, durationMs, serverTime };
    } finally {
      clearTimeout(timer);
    }
  }

  const seg = encodeURIComponent;
  return {
    config: { baseUrl: config.baseUrl, apiVersion: config.apiVersion, timeoutMs: config.timeoutMs },
    request,
    // Create-or-update: repeating it is safe, so a lost answer is a plain retry.
    upsertCustomer: (body, signal) => request({ method: 'POST', path: '/customers', body, schema: AnyObjectSchema, idempotent: true, signal }),
    trackOrder: (body, signal) => request({ method: 'POST', path: '/orders', body, schema: TrackOrderAnswerSchema, idempotent: false, signal }),
    refund: (body, signal) => request({ method: 'POST', path: '/transactions/refund', body, schema: AnyObjectSchema, idempotent: false, signal }),
    orderTransactions: (orderId, signal) =>
      request({ method: 'GET', path: `/orders/${seg(orderId)}/transactions`, schema: OrderTransactionsSchema, idempotent: true, signal }),
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
  };
}

/** An HTTP `Date` header as epoch ms; null when absent or unreadable. */
function httpDate(value: string | null): number | null {
  if (value === null) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}
