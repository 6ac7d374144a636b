// How every Gameball answer is read: one pure classification shared by the client and the sync
// engine. Gameball's rules (see the project's Gameball notes):
//  - retry later: a network error before the request left, a timeout, 429, any 5xx, code 2001
//    (another request for the same customer is running);
//  - unknown: the request may have reached Gameball but its answer was lost (socket closed or
//    timed out after sending), and 9004 (the id already exists): never post again blindly,
//    confirm with `GET /orders/{orderId}/transactions` first;
//  - attention: any other 4xx. A person must read Gameball's code and message, correct, resend.
// An error body that is not JSON or not Gameball-shaped never throws: it becomes a clear message.
//
// A 2xx is a success only when it is Gameball's answer: a JSON object of the endpoint's shape
// (answers.ts says what each endpoint must show). A web page, an empty, cut-short or oversized
// body, other JSON, or a redirect is what a captive portal or a proxy sends: for a write that is
// an unknown outcome (confirmed with Gameball before anything is posted again), for a read a plain
// retry, and for the sync engine a sign that Gameball is out of reach (see meansGameballUnreachable).
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
  | 'bad-answer'; // not Gameball's answer: a web page, empty, cut short, too large, other JSON, a redirect

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
  method: 'GET' | 'POST' | 'DELETE';
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
  orderNotFound: 9005,
} as const;

/**
 * The causes that mean Gameball is out of reach from this till right now (nothing, or not
 * Gameball, answered), as opposed to Gameball answering about this call: the sync engine then
 * shows offline and backs off as a whole instead of retrying every row on its own.
 */
export function meansGameballUnreachable(cause: GameballCause): boolean {
  return cause === 'network' || cause === 'lost' || cause === 'timeout' || cause === 'server' || cause === 'bad-answer';
}

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

function describeBody(text: string, contentType: string | null, overLimitBytes: number | null): string {
  if (overLimitBytes !== null)
    return `a body larger than ${overLimitBytes} bytes (${mediaTypeOf(contentType)}) that the till stopped reading`;
  if (text.trim() === '') return 'an empty body';
  return `a body that is not a Gameball error (${contentType ?? 'no content type'}, ${text.length} bytes)`;
}

type Classified = Pick<GameballResult, 'kind' | 'cause' | 'code' | 'message' | 'requestId'>;

/**
 * Classifies an HTTP answer other than 2xx. `requestIdHeader` is used when the body has none.
 * `overLimitBytes`: the body was longer than this and only its start is in `bodyText`.
 * Pure and total.
 */
export function classifyErrorAnswer(
  httpStatus: number,
  bodyText: string,
  contentType: string | null,
  requestIdHeader: string | null = null,
  overLimitBytes: number | null = null,
): Classified {
  const body = overLimitBytes === null ? parseErrorBody(bodyText) : { code: null, message: null, requestId: null, gameballShaped: false };
  const code = body.code;
  const requestId = body.requestId ?? requestIdHeader;
  const gbMessage = body.message ?? `Gameball answered HTTP ${httpStatus} with ${describeBody(bodyText, contentType, overLimitBytes)}`;

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

/** A body read with a size cap (see the client): what arrived, and whether there was more. */
export interface AnswerBody {
  /** The body as text; empty when `overLimit` (the rest was never read). */
  text: string;
  /** Bytes received. */
  bytes: number;
  /** The body (or its announced length) went beyond `limit`; the rest was not read. */
  overLimit: boolean;
  limit: number;
}

export interface AnswerInput<T> {
  httpStatus: number;
  contentType: string | null;
  /** `Location` of a redirect, if any: only its host is ever shown. */
  location?: string | null;
  requestIdHeader: string | null;
  body: AnswerBody;
  /** The endpoint's answer shape with its minimal evidence (answers.ts). */
  schema: z.ZodType<T>;
  /** A read (safe to repeat): not Gameball's answer is a plain retry. A write: unknown outcome. */
  idempotent: boolean;
}

const PORTAL_ADVICE = 'a captive portal or proxy? Sign the till in to the network or ask IT.';
const CHECK_AND_RETRY = 'The till will check with Gameball and try again; ask IT if this keeps happening.';

/** The media type of a Content-Type header, safe to show (the header comes from any network). */
function mediaTypeOf(contentType: string | null): string {
  const media =
    (contentType ?? '')
      .split(';')[0]
      ?.trim()
      .toLowerCase()
      .replace(/[^a-z0-9.+/-]/g, '')
      .slice(0, 60) ?? '';
  return media === '' ? 'no content type' : media;
}

/** The host a redirect points to, safe to show; null when there is none worth naming. */
function redirectHostOf(location: string | null | undefined): string | null {
  if (!location) return null;
  try {
    const host = new URL(location).host.replace(/[^a-zA-Z0-9.:[\]-]/g, '').slice(0, 100);
    return host === '' ? null : host;
  } catch {
    return null;
  }
}

/**
 * True when `text` is the start of a JSON object or array that ends too early: an open string,
 * or brackets still open at the end. Pure; one pass, no parsing of values.
 */
export function looksCutShort(text: string): boolean {
  const t = text.replace(/^\uFEFF/, '').trimStart();
  if (!t.startsWith('{') && !t.startsWith('[')) return false;
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (const ch of t) {
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth += 1;
    else if (ch === '}' || ch === ']') {
      depth -= 1;
      if (depth === 0) return false; // closed: whatever is wrong, it is not a missing end
    }
  }
  return inString || depth > 0;
}

function jsonKindOf(value: unknown): string {
  if (value === null) return 'JSON null';
  if (Array.isArray(value)) return 'a JSON list';
  if (typeof value === 'object') return "a JSON object without the fields of Gameball's answer";
  return `a JSON ${typeof value}`;
}

/** What arrived instead of Gameball's answer to a 2xx, said for a person. */
function describeNotGameball(
  httpStatus: number,
  contentType: string | null,
  body: AnswerBody,
  parsed: { ok: true; value: unknown } | { ok: false },
): string {
  const media = mediaTypeOf(contentType);
  const text = body.text.replace(/^\uFEFF/, '');
  if (body.overLimit) {
    return `The network sent an answer larger than ${body.limit} bytes instead of Gameball's (HTTP ${httpStatus}, ${media}): a proxy, or a wrong Gameball address? The till stopped reading it. ${CHECK_AND_RETRY}`;
  }
  if (text.trim() === '') {
    return `The network gave an empty answer instead of Gameball's (HTTP ${httpStatus}, ${media}): ${PORTAL_ADVICE}`;
  }
  if (!parsed.ok && (media.includes('html') || text.trimStart().startsWith('<'))) {
    return `The network answered with a web page instead of Gameball (HTTP ${httpStatus}, ${media}): ${PORTAL_ADVICE}`;
  }
  if (!parsed.ok && looksCutShort(text)) {
    return `Gameball's answer was cut short (HTTP ${httpStatus}, ${media}, only ${body.bytes} bytes arrived): the connection or a proxy broke it off. ${CHECK_AND_RETRY}`;
  }
  if (!parsed.ok) {
    return `The network answered with something that is not Gameball's answer (HTTP ${httpStatus}, ${media}, ${body.bytes} bytes of text): ${PORTAL_ADVICE}`;
  }
  return `The network answered with data that is not Gameball's answer (HTTP ${httpStatus}, ${media}, ${jsonKindOf(parsed.value)}): a proxy, or a wrong Gameball address in the settings? Ask IT.`;
}

/**
 * Classifies any HTTP answer: a 2xx is 'ok' (with its parsed value) only when its body is a JSON
 * object that `schema` accepts; any other 2xx, and any 1xx/3xx, is not Gameball's answer ('unknown'
 * for a write, 'retry' for a read, cause 'bad-answer'); 4xx/5xx go to classifyErrorAnswer.
 * Pure and total: whatever the body, it never throws.
 */
export function classifyAnswer<T>(a: AnswerInput<T>): Classified & { value?: T } {
  const notGameball = (message: string): Classified => ({
    kind: a.idempotent ? 'retry' : 'unknown',
    cause: 'bad-answer',
    code: null,
    message,
    requestId: a.requestIdHeader,
  });
  if (a.httpStatus >= 400) {
    return classifyErrorAnswer(a.httpStatus, a.body.text, a.contentType, a.requestIdHeader, a.body.overLimit ? a.body.limit : null);
  }
  if (a.httpStatus < 200 || a.httpStatus >= 300) {
    const host = redirectHostOf(a.location);
    const where = host === null ? '' : ` to ${host}`;
    return notGameball(
      `The network redirected the till's request (HTTP ${a.httpStatus}${where}) instead of letting it reach Gameball: ${PORTAL_ADVICE}`,
    );
  }
  let parsed: { ok: true; value: unknown } | { ok: false } = { ok: false };
  if (!a.body.overLimit) {
    try {
      parsed = { ok: true, value: JSON.parse(a.body.text.replace(/^\uFEFF/, '')) as unknown };
    } catch {
      parsed = { ok: false };
    }
  }
  if (parsed.ok && typeof parsed.value === 'object' && parsed.value !== null && !Array.isArray(parsed.value)) {
    const checked = a.schema.safeParse(parsed.value);
    if (checked.success) return { kind: 'ok', cause: 'ok', code: null, message: 'OK', requestId: a.requestIdHeader, value: checked.data };
  }
  return notGameball(describeNotGameball(a.httpStatus, a.contentType, a.body, parsed));
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
 * Certificate and TLS failures: something answered in Gameball's place (a captive portal, a proxy
 * that inspects traffic) or the till's clock is off. The handshake comes before the request, so
 * nothing was sent.
 */
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
]);
const CLOCK_TLS_CODES = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/** A duration for a person: "0.2 s", "3 s", "15 s". */
function seconds(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  return `${s < 10 ? Math.round(s * 10) / 10 : Math.round(s)} s`;
}

export interface TransportErrorContext {
  /** A read: safe to repeat. */
  idempotent: boolean;
  /** The client's own timer fired. */
  timedOut: boolean;
  /** The client's timeout, for the message. */
  timeoutMs?: number;
  /** The caller's signal aborted (the till stopped waiting, e.g. sync stopping) after this long. */
  stoppedAfterMs?: number;
}

/**
 * Classifies a failed fetch. A failure while connecting (or a certificate that is not Gameball's)
 * means nothing was sent: retry. Anything after that (reset, socket closed, timeout, the caller
 * giving up) may have reached Gameball: for a write that is `unknown`, for a read (`idempotent`)
 * a plain retry. `timedOut` says our own timer fired.
 */
export function classifyTransportError(err: unknown, opts: TransportErrorContext): Classified {
  const e = asErrorLike(err);
  const cause = asErrorLike(e?.cause);
  const code = typeof cause?.code === 'string' ? cause.code : typeof e?.code === 'string' ? e.code : null;
  const syscall = typeof cause?.syscall === 'string' ? cause.syscall : null;
  const detail = typeof cause?.message === 'string' ? cause.message : typeof e?.message === 'string' ? e.message : 'unknown error';
  const afterSending = opts.idempotent ? 'retry' : 'unknown';

  if (opts.timedOut) {
    return {
      kind: afterSending,
      cause: 'timeout',
      code: null,
      message:
        opts.timeoutMs === undefined
          ? 'Gameball did not answer in time'
          : `Gameball did not answer in time (no answer within ${seconds(opts.timeoutMs)})`,
      requestId: null,
    };
  }
  if (opts.stoppedAfterMs !== undefined) {
    return {
      kind: afterSending,
      cause: 'timeout',
      code: null,
      message: `Gameball had not answered after ${seconds(opts.stoppedAfterMs)} when the till stopped waiting`,
      requestId: null,
    };
  }
  if (code !== null && TLS_CODES.has(code)) {
    const message = CLOCK_TLS_CODES.has(code)
      ? `Gameball's certificate could not be checked (${code}), so nothing was sent: check the till's date and time; otherwise a captive portal or proxy is answering in Gameball's place. Ask IT.`
      : `The network answered with a certificate that is not Gameball's (${code}), so nothing was sent: a captive portal, or a proxy that inspects traffic? Sign the till in to the network or ask IT.`;
    return {
      kind: 'retry',
      cause: 'network',
      code: null,
      message,
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
    kind: afterSending,
    cause: 'lost',
    code: null,
    message: `The connection to Gameball broke before its answer arrived (${code ?? detail})`,
    requestId: null,
  };
}
