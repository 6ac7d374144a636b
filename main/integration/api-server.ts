// The local integration API: the store's POS posts its sales here (docs/local-api.md, described by
// docs/local-api.openapi.json). Contract:
//   - binds 127.0.0.1 only; a request must name this server in its Host header (127.0.0.1:PORT or
//     localhost:PORT), so a DNS-rebound name never reaches it;
//   - a request from a web page is refused (403): any `Origin` or `Sec-Fetch-*` header. A POS
//     program sends neither; a browser always does on a cross-site POST, so no page the till's
//     browser opens can post a sale;
//   - every request carries `Authorization: Bearer <token>` (compared in constant time; the token
//     is read from the data folder on each request, so a rotation applies at once): else 401;
//   - bodies are JSON (`Content-Type: application/json`, else 415), at most MAX_BODY_BYTES (413);
//     a body that does not parse is 400; one that is not a sale is 422 with every field at fault.
//     A refused body writes nothing;
//   - versioned paths: POST /v1/sales, POST /v1/refunds, GET /v1/sales/{posSaleId}, GET /v1/status.
// Errors are `{ "error": { "code", "message", "fields"?: [{ "field", "message" }] } }`; messages
// are for the person wiring the POS, never a secret. Nothing a client sends can crash the server.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { Engine } from '../engine.ts';
import type { Logger } from '../log.ts';
import { CaptureRefusedError } from '../orders/errors.ts';
import { formatMinor, isKnownCurrency, MoneyError, toMinorUnits } from '../orders/money.ts';
import { isAllowedHost, tokenMatches } from '../web/security.ts';
import { SaleConflictError, SaleNotFoundError, SaleRejectedError } from './intake.ts';
import type { IntakeResult, SaleRecord } from './intake.ts';
import { clientRefForSale, fieldErrors, posIdSchema, PosSaleIdSchema } from './sale.ts';
import type { SaleFieldError } from './sale.ts';

export const API_HOST = '127.0.0.1';
export const API_VERSION = 'v1';
/** A sale is a few hundred bytes: anything near this is not one. */
export const MAX_BODY_BYTES = 16 * 1024;

export type ApiEngine = Pick<Engine, 'sales' | 'captureRefund' | 'getOrder' | 'status' | 'training' | 'getSettings'>;

export interface ApiServerOptions {
  engine: ApiEngine;
  /** 0 picks a free port (the actual one is in the result). */
  port: number;
  /** The current token (read on each request: a rotation applies at once). Null: every request is refused. */
  token: () => string | null;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  appVersion: string;
}

export interface RunningApiServer {
  port: number;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  close(): Promise<void>;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: SaleFieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A refund from the POS: its own id makes sending it again safe; the sale (or order) it belongs to. */
export const PosRefundSchema = z
  .object({
    posRefundId: posIdSchema('posRefundId', 'RF-1043'),
    posSaleId: PosSaleIdSchema.optional(),
    orderId: z.string({ error: 'orderId is text' }).trim().min(1).max(200).optional(),
    /** Decimal text in the order's currency; absent: everything still refundable. */
    amount: z.string({ error: 'amount is a decimal amount in text, e.g. "25.00"' }).trim().min(1).max(32).optional(),
  })
  .strict()
  .refine((r) => r.posSaleId !== undefined || r.orderId !== undefined, {
    path: ['posSaleId'],
    message: 'posSaleId (or orderId) names the sale to refund',
    // Said even when another field failed too: the POS hears of every field at fault at once.
    when: (payload) => {
      const v = payload.value as Record<string, unknown> | null;
      return v !== null && typeof v === 'object' && v.posSaleId === undefined && v.orderId === undefined;
    },
  });

/** The sale as the API answers it. */
function saleBody(sale: SaleRecord, replayed?: boolean) {
  return { ...sale, ...(replayed === undefined ? {} : { replayed }) };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(text);
};

async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json')
    throw new ApiError(415, 'unsupported-media-type', 'Send the body as JSON, with Content-Type: application/json.');
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
    throw new ApiError(413, 'body-too-large', `The body is larger than ${MAX_BODY_BYTES} bytes: send one sale per request.`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new ApiError(413, 'body-too-large', `The body is larger than ${MAX_BODY_BYTES} bytes: send one sale per request.`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new ApiError(400, 'invalid-json', 'The body is not valid JSON. Check the quotes and commas.');
  }
}

/** An engine refusal as the API's answer: a field at fault is 422, the folder's problems 503, the rest 409. */
function fromRefusal(err: CaptureRefusedError): ApiError {
  if (err.folder !== undefined) return new ApiError(503, err.code.toLowerCase().replaceAll('_', '-'), err.message);
  const code = err.code.toLowerCase().replaceAll('_', '-');
  if (err.field !== undefined) return new ApiError(422, code, err.message, [{ field: publicField(err.field), message: err.message }]);
  return new ApiError(409, code, err.message);
}

/** The engine names its minor-unit fields; the POS sent the decimal ones. */
function publicField(field: string): string {
  return field.endsWith('Minor') ? field.slice(0, -'Minor'.length) : field;
}

export async function startApiServer(opts: ApiServerOptions): Promise<RunningApiServer> {
  const { engine, logger } = opts;
  const server = createServer({ requestTimeout: 10_000, headersTimeout: 5_000 });
  let port = 0;

  const routes = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const method = req.method ?? 'GET';
    if (path === '/v1/status') {
      if (method !== 'GET') throw methodNotAllowed('GET');
      const s = engine.status();
      const settings = engine.getSettings();
      const pending = engine.sales.pendingSale();
      json(res, 200, {
        api: API_VERSION,
        app: opts.appVersion,
        tillId: settings.tillId,
        storeId: settings.storeId,
        training: engine.training,
        online: s.online,
        currency: settings.currency,
        pendingSale: pending === null ? null : pending.posSaleId,
        queue: { pending: s.counts.pending, sending: s.counts.sending, attention: s.counts.attention },
      });
      return;
    }
    if (path === '/v1/sales') {
      if (method !== 'POST') throw methodNotAllowed('POST');
      const body = await readJson(req);
      let result: IntakeResult;
      try {
        result = engine.sales.intakeSale(body);
      } catch (err) {
        if (err instanceof SaleRejectedError) throw new ApiError(422, 'invalid-sale', err.message, err.errors);
        throw err;
      }
      const status = result.replayed ? 200 : result.sale.state === 'pending' ? 202 : 201;
      json(res, status, saleBody(result.sale, result.replayed));
      return;
    }
    const saleMatch = /^\/v1\/sales\/([^/]+)$/.exec(path);
    if (saleMatch) {
      if (method !== 'GET') throw methodNotAllowed('GET');
      let id: string;
      try {
        id = decodeURIComponent(saleMatch[1] ?? '');
      } catch {
        throw new ApiError(400, 'invalid-path', 'The posSaleId in the path is not valid percent-encoding.');
      }
      const sale = engine.sales.getSale(id);
      if (!sale) throw new ApiError(404, 'sale-not-found', `There is no sale ${id} on this till.`);
      json(res, 200, saleBody(sale));
      return;
    }
    if (path === '/v1/refunds') {
      if (method !== 'POST') throw methodNotAllowed('POST');
      const body = await readJson(req);
      const parsed = PosRefundSchema.safeParse(body);
      if (!parsed.success) throw new ApiError(422, 'invalid-refund', 'The refund was refused.', fieldErrors(parsed.error));
      const r = parsed.data;
      let orderId = r.orderId;
      if (r.posSaleId !== undefined) {
        const sale = engine.sales.getSale(r.posSaleId);
        if (!sale)
          throw new ApiError(422, 'sale-not-found', `There is no sale ${r.posSaleId} on this till.`, [
            { field: 'posSaleId', message: `There is no sale ${r.posSaleId} on this till.` },
          ]);
        if (sale.orderId === null) {
          const message = `Sale ${r.posSaleId} has no order (it is ${sale.state}), so there is nothing to refund.`;
          throw new ApiError(409, 'sale-without-order', message);
        }
        if (orderId !== undefined && orderId !== sale.orderId) {
          const message = `orderId ${orderId} is not the order of sale ${r.posSaleId} (${sale.orderId}).`;
          throw new ApiError(422, 'invalid-refund', message, [{ field: 'orderId', message }]);
        }
        orderId = sale.orderId;
      }
      const order = engine.getOrder(orderId ?? '');
      if (!order) {
        const message = `There is no order ${orderId ?? ''} on this till.`;
        throw new ApiError(422, 'order-not-found', message, [{ field: 'orderId', message }]);
      }
      let amountMinor: number | undefined;
      if (r.amount !== undefined) {
        if (!isKnownCurrency(order.currency))
          throw new ApiError(409, 'unknown-currency', `Order ${order.orderId} has an unknown currency.`);
        try {
          amountMinor = toMinorUnits(r.amount, order.currency);
        } catch (err) {
          if (!(err instanceof MoneyError)) throw err;
          throw new ApiError(422, 'invalid-refund', `amount: ${err.message}`, [{ field: 'amount', message: `amount: ${err.message}` }]);
        }
      }
      const refund = engine.captureRefund({
        orderId: order.orderId,
        ...(amountMinor === undefined ? {} : { amountMinor }),
        clientRef: clientRefForSale(`refund:${r.posRefundId}`),
      });
      json(res, refund.replayed ? 200 : 201, {
        posRefundId: r.posRefundId,
        refundId: refund.refundId,
        orderId: refund.orderId,
        amount: refund.amountMinor === null ? null : formatMinor(refund.amountMinor, refund.currency),
        amountMinor: refund.amountMinor,
        currency: refund.currency,
        state: refund.state,
        training: refund.training,
        replayed: refund.replayed === true,
      });
      return;
    }
    throw new ApiError(404, 'not-found', `There is no ${path} here. The API's paths start with /v1/ (see docs/local-api.md).`);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = req.url ?? '/';
    const path = url.split('?')[0] ?? '/';
    try {
      if (!isAllowedHost(req.headers.host, port)) {
        throw new ApiError(403, 'forbidden-host', `Call the API as http://127.0.0.1:${port}.`);
      }
      if (req.headers.origin !== undefined || Object.keys(req.headers).some((h) => h.startsWith('sec-fetch-'))) {
        throw new ApiError(403, 'forbidden-origin', 'Web pages may not call the local API: only programs on this computer (the POS) may.');
      }
      const token = opts.token();
      const auth = req.headers.authorization;
      const given = auth !== undefined && /^Bearer /i.test(auth) ? auth.slice(7).trim() : null;
      if (token === null || !tokenMatches(given, token)) {
        throw new ApiError(
          401,
          'unauthorized',
          'Send the till\'s API token as "Authorization: Bearer <token>" (see pos-companion api token).',
          undefined,
          {
            'WWW-Authenticate': 'Bearer realm="pos-companion"',
          },
        );
      }
      await routes(req, res, path);
    } catch (err) {
      const apiErr = asApiError(err);
      if (apiErr.status >= 500)
        logger.error({ path, method: req.method, err: err instanceof Error ? err.message : String(err) }, 'local API request failed');
      else if (apiErr.status === 401 || apiErr.status === 403)
        logger.warn({ path, method: req.method, code: apiErr.code }, 'local API request refused');
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // Refused before the body was read: stop reading it.
      if (apiErr.status === 413 || apiErr.status === 401 || apiErr.status === 403) res.setHeader('Connection', 'close');
      json(
        res,
        apiErr.status,
        { error: { code: apiErr.code, message: apiErr.message, ...(apiErr.fields ? { fields: apiErr.fields } : {}) } },
        apiErr.headers,
      );
    }
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err: unknown) => {
      logger.error({ err: err instanceof Error ? err.message : String(err) }, 'local API answer failed');
      res.destroy();
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(opts.port, API_HOST, () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
  port = (server.address() as AddressInfo).port;
  logger.info({ port }, 'local API listening');
  return {
    port,
    origin: `http://${API_HOST}:${port}`,
    close: () =>
      new Promise<void>((resolvePromise) => {
        server.close(() => resolvePromise());
        server.closeAllConnections();
      }),
  };
}

function methodNotAllowed(allow: string): ApiError {
  return new ApiError(405, 'method-not-allowed', `Use ${allow} here.`, undefined, { Allow: allow });
}

function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof SaleConflictError) return new ApiError(409, err.code.toLowerCase().replaceAll('_', '-'), err.message);
  if (err instanceof SaleNotFoundError) return new ApiError(404, 'sale-not-found', err.message);
  if (err instanceof CaptureRefusedError) return fromRefusal(err);
  if (err instanceof Error && err.name === 'DatabaseDamagedError') return new ApiError(503, 'unavailable', err.message);
  return new ApiError(
    500,
    'internal',
    'The till could not answer. Try again; if it keeps failing, tell support (the till log has the details).',
  );
}
