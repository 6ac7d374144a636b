// How every Gameball answer is read: one pure classification shared by the client and the sync
// engine. Gameball's rules (see the project's Gameball notes):
//  - retry later: a network error before the request left, a timeout, 429, any 5xx, code 2001
//    (another request for the same customer is running);
//  - unknown: the request may have reached Gameball but its answer was lost (socket closed or
//    timed out after sending), and 9004 (the id already exists): never post again blindly,
//    confirm with `GET /orders/{orderId}/transactions` first;
//  - attention: any other 4xx. A person must read Gameball's code and message, correct, resend.
// An error body that is not JSON or not Gameball-shaped never throws: it becomes a clear message.
import { z } from 'zod';

export type GameballOutcomeKind = 'ok' | 'retry' | 'attention' | 'unknown';

/** Why the outcome is what it is; finer than `kind`, for status lines and the audit log. */
export type GameballCause =
  | 'ok'
  | 'network' // nothing was sent (connection refused, DNS, unreachable)
  | 'lost' // sent, answer lost (socket closed, reset after sending)
  | 'timeout'
  | 'rate-limited'
  | 'server'
  | 'concurrent' // 2001
  | 'duplicate' // 9004
  | 'auth' // 401/403: the keys, not the order
  | 'rejected' // other 4xx
  | 'bad-answer'; // a 2xx whose body we cannot read

export interface GameballResult<T = unknown> {
  kind: GameballOutcomeKind;
  cause: GameballCause;
  /** null when no HTTP answer arrived. */
  httpStatus: number | null;
  /** Gameball's error code (e.g. 9004), null on success or when the body had none. */
  code: number | null;
  /** Gameball's message, or ours saying what happened. Never contains a key. */
  message: string;
  requestId: string | null;
  method: 'GET' | 'POST';
  /** Path below the API root, e.g. `/orders`; no query string with customer data. */
  path: string;
  durationMs: number;
  /** Gameball's clock from the answer's `Date` header (epoch ms, whole seconds); null or absent without an answer or header. */
  serverTime?: number | null;
  /** The parsed answer when kind is 'ok'. */
  value?: T;
}

export const GAMEBALL_CODES = {
  unauthorized: 1000,
  secretKeyRequired: 1001,
  forbidden: 1002,
  concurrentRequest: 2001,
  transactionIdExists: 9004,
} as const;

const ErrorBodySchema = z
  .object({
    code: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).optional(),
    type: z.string().optional(),
    message: z.string().optional(),
    requestId: z.string().optional(),
  })
  .loose();

export interface ParsedErrorBody {
  code: number | null;
  message: string | null;
  requestId: string | null;
  gameballShaped: boolean;
}

/** Reads an error body leniently. Total: never throws, whatever the text. */
export function parseErrorBody(text: string): ParsedErrorBody {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { code: null, message: null, requestId: null, gameballShaped: false };
  }
  const parsed = ErrorBodySchema.safeParse(json);
  if (!parsed.success) return { code: null, message: null, requestId: null, gameballShaped: false };
  const { code, message, requestId } = parsed.data;
  return {
    code: code ?? null,
    message: message ?? null,
    requestId: requestId ?? null,
    gameballShaped: code !== undefined || message !== undefined,
  };
}

function describeBody(text: string, contentType: string | null): string {
  if (text.trim() === '') return 'an empty body';
  return `a body that is not a Gameball error (${contentType ?? 'no content type'}, ${text.length} bytes)`;
}

type Classified = Pick<GameballResult, 'kind' | 'cause' | 'code' | 'message' | 'requestId'>;

/**
 * Classifies an HTTP answer other than 2xx. `requestIdHeader` is used when the body has none.
 * Pure and total.
 */
export function classifyErrorAnswer(
  httpStatus: number,
  bodyText: string,
  contentType: string | null,
  requestIdHeader: string | null = null,
): Classified {
  const body = parseErrorBody(bodyText);
  const code = body.code;
  const requestId = body.requestId ?? requestIdHeader;
  const gbMessage = body.message ?? `Gameball answered HTTP ${httpStatus} with ${describeBody(bodyText, contentType)}`;

  if (code === GAMEBALL_CODES.transactionIdExists) {
    return { kind: 'unknown', cause: 'duplicate', code, message: gbMessage, requestId };
  }
  if (httpStatus === 429) return { kind: 'retry', cause: 'rate-limited', code, message: gbMessage, requestId };
  if (httpStatus >= 500) return { kind: 'retry', cause: 'server', code, message: gbMessage, requestId };
  if (code === GAMEBALL_CODES.concurrentRequest) {
    return { kind: 'retry', cause: 'concurrent', code, message: gbMessage, requestId };
  }
  if (httpStatus === 408) return { kind: 'retry', cause: 'timeout', code, message: gbMessage, requestId };
  if (
    httpStatus === 401 ||
    httpStatus === 403 ||
    code === GAMEBALL_CODES.unauthorized ||
    code === GAMEBALL_CODES.secretKeyRequired ||
    code === GAMEBALL_CODES.forbidden
  ) {
    return { kind: 'attention', cause: 'auth', code, message: gbMessage, requestId };
  }
  if (httpStatus >= 400) return { kind: 'attention', cause: 'rejected', code, message: gbMessage, requestId };
  // 1xx/3xx: fetch follows redirects, so this is an answer we do not understand. It may have
  // been acted on: treat as unknown (confirm before re-posting).
  return {
    kind: 'unknown',
    cause: 'bad-answer',
    code,
    message: `Gameball answered an unexpected HTTP ${httpStatus}`,
    requestId,
  };
}

/** Error codes from Node's network stack that mean the request never left this machine. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_INVALID_URL',
]);

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  syscall?: unknown;
  cause?: unknown;
}

function asErrorLike(v: unknown): ErrorLike | undefined {
  return typeof v === 'object' && v !== null ? (v as ErrorLike) : undefined;
}

/**
 * Classifies a failed fetch. A failure while connecting means nothing was sent: retry. Anything
 * after that (reset, socket closed, timeout) may have reached Gameball: for a write that is
 * `unknown`, for a read (`idempotent`) it is a plain retry. `timedOut` says our own timer fired.
 */
export function classifyTransportError(err: unknown, opts: { idempotent: boolean; timedOut: boolean }): Classified {
  const e = asErrorLike(err);
  const cause = asErrorLike(e?.cause);
  const code = typeof cause?.code === 'string' ? cause.code : typeof e?.code === 'string' ? e.code : null;
  const syscall = typeof cause?.syscall === 'string' ? cause.syscall : null;
  const detail = typeof cause?.message === 'string' ? cause.message : typeof e?.message === 'string' ? e.message : 'unknown error';

  if (opts.timedOut) {
    return {
      kind: opts.idempotent ? 'retry' : 'unknown',
      cause: 'timeout',
      code: null,
      message: 'Gameball did not answer in time',
      requestId: null,
    };
  }
  // fetch refuses some ports (e.g. 9, 6000) before opening any connection.
  const refusedLocally = code === null && detail === 'bad port';
  const notSent = (code !== null && NOT_SENT_CODES.has(code)) || syscall === 'connect' || syscall === 'getaddrinfo' || refusedLocally;
  if (notSent) {
    return {
      kind: 'retry',
      cause: 'network',
      code: null,
      message: `Cannot reach Gameball (${code ?? detail})`,
      requestId: null,
    };
  }
  return {
    kind: opts.idempotent ? 'retry' : 'unknown',
    cause: 'lost',
    code: null,
    message: `The connection to Gameball broke before its answer arrived (${code ?? detail})`,
    requestId: null,
  };
}
