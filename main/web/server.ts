// Browser mode: the built screen over loopback HTTP and the contract over one WebSocket, for store
// PCs where Electron is not wanted and for end-to-end tests. Contract:
//   - binds 127.0.0.1 only; every request must name this server in its Host header
//     (127.0.0.1:PORT or localhost:PORT), so a DNS-rebound name never reaches it;
//   - the session token opens the WebSocket, the only way to the engine: the upgrade needs an
//     allowed Origin and the token as a `pos-companion.token.<T>` subprotocol next to ours. The
//     token is never a cookie (a cookie for 127.0.0.1 reaches every local port) and the server
//     never answers with it except in the one redirect below;
//   - the printed address carries the token in its fragment (`/#token=T`), which browsers never
//     send to a server; the page keeps it and strips it from the address bar. An old-style
//     `?token=T` address with the right token is redirected to the fixed path `/#token=T`;
//   - the screen's files (HTML, scripts, styles) hold no secret and need no token; source maps
//     are never served;
//   - every response carries the CSP and security headers; refusals are logged, rate-limited;
//   - a frame that is not a well-formed call gets a clear error answer; nothing a page sends can
//     crash the server. Calls go through the same router as Electron's IPC (main/ipc/handle.ts).
import { createReadStream, existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { SESSION_TOKEN_QUERY, WS_PATH, WS_PROTOCOL, WS_TOKEN_PROTOCOL_PREFIX, WsCallFrameSchema, type Result } from '../../preload/api.ts';
import { systemClock, type Clock } from '../clock.ts';
import type { Bridge } from '../ipc/bridge.ts';
import { describeZodError, type CallerInfo, type RouterLogger } from '../ipc/handle.ts';
import { createRefusalLog } from './refusal-log.ts';
import { lookupStatic } from './static-files.ts';
import { allowedOrigins, contentSecurityPolicy, isAllowedHost, isAllowedOrigin, securityHeaders, tokenMatches } from './security.ts';

export const LOOPBACK = '127.0.0.1';

export interface WebServerLogger extends RouterLogger {
  info(fields: object, msg: string): void;
}

export interface WebServerOptions {
  /** 0 picks a free port (the actual one is in the result). */
  port: number;
  /** The built screen (build/renderer). */
  staticDir: string;
  token: string;
  logger: WebServerLogger;
  /** Creates the bridge once the server's own origins are known (they include the port). */
  createBridge: (trustedOrigins: string[]) => Bridge;
  /** Largest accepted WebSocket frame. Default 1 MiB. */
  maxFrameBytes?: number;
  /** Calls one page may have open at once; more are answered 'unavailable'. Default 64. */
  maxInFlight?: number;
  /** Pages connected at once. Default 16. */
  maxClients?: number;
  /** Clock of the refusal log's rate limit. */
  clock?: Clock;
}

export interface RunningWebServer {
  port: number;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** The address to open, the token in its fragment: `http://127.0.0.1:PORT/#token=...`. */
  openUrl: string;
  bridge: Bridge;
  close(): Promise<void>;
}

/** Buffered bytes beyond which a page that does not read gets no more events. */
const MAX_BUFFERED = 8 * 1024 * 1024;

export async function startWebServer(opts: WebServerOptions): Promise<RunningWebServer> {
  const { logger, token } = opts;
  const maxInFlight = opts.maxInFlight ?? 64;
  const maxClients = opts.maxClients ?? 16;
  const server = createServer();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: opts.maxFrameBytes ?? 1024 * 1024,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(opts.port, LOOPBACK, () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const origins = allowedOrigins(port);
  const wsOrigins = origins.map((o) => o.replace(/^http:/, 'ws:'));
  const headers = securityHeaders(contentSecurityPolicy(wsOrigins));
  const bridge = opts.createBridge(origins);
  // A hostile scan or a rebinding page can send refusals by the thousand: the log stays bounded.
  const refusals = createRefusalLog({ logger, clock: opts.clock ?? systemClock });
  const fragmentAddress = `/#${SESSION_TOKEN_QUERY}=${encodeURIComponent(token)}`;

  function plain(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
    res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...extra });
    res.end(`${text}\n`);
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    if (!isAllowedHost(req.headers.host, port)) {
      refusals.refused({ host: String(req.headers.host ?? '').slice(0, 100) }, 'request with a foreign Host header refused');
      return plain(res, 403, 'Forbidden: open this app at http://127.0.0.1 with the address it printed.');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'Method not allowed.', { Allow: 'GET, HEAD' });

    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    } catch {
      return plain(res, 400, 'Bad request.');
    }

    const offered = url.searchParams.get(SESSION_TOKEN_QUERY);
    if (offered !== null) {
      if (!tokenMatches(offered, token))
        return plain(res, 401, 'This address has an old or wrong token. Open the address the app printed when it started.');
      // An address from an older version (a shortcut made with --token): the same session, with
      // the token moved into the fragment. Always the fixed path `/`, whatever path was asked
      // for, so no request can make this an open redirect.
      res.writeHead(303, { ...headers, Location: fragmentAddress, 'Cache-Control': 'no-store' });
      res.end();
      return;
    }
    if (url.pathname === WS_PATH) return plain(res, 426, 'Upgrade required.', { Upgrade: 'websocket' });

    if (!existsSync(opts.staticDir))
      return plain(res, 503, 'The screen is not built yet: run `npm run build` (or `npm run serve`, which builds it).');
    const found = lookupStatic(opts.staticDir, url.pathname);
    if (found.kind === 'bad-path') return plain(res, 400, 'Bad path.');
    if (found.kind === 'not-found') return plain(res, 404, 'Not found.');
    res.writeHead(200, {
      ...headers,
      'Content-Type': found.contentType,
      'Content-Length': String(found.size),
      // The page itself is never cached (it names the current bundle); the hashed bundles may be.
      'Cache-Control': found.contentType.startsWith('text/html') ? 'no-store' : 'private, max-age=3600',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(found.file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }

  server.on('request', (req, res) => {
    try {
      onRequest(req, res);
    } catch (err) {
      logger.error({ err }, 'browser-mode request failed');
      if (!res.headersSent) plain(res, 500, 'Internal error.');
      else res.destroy();
    }
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  function refuseUpgrade(socket: Duplex, status: number, reason: string, why: string, fields: object = {}): void {
    refusals.refused({ ...fields, why }, 'WebSocket upgrade refused');
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const host = req.headers.host;
    if (!isAllowedHost(host, port))
      return refuseUpgrade(socket, 403, 'Forbidden', 'foreign host', { host: String(host ?? '').slice(0, 100) });
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', `http://${host}`).pathname;
    } catch {
      return refuseUpgrade(socket, 400, 'Bad Request', 'bad url');
    }
    if (pathname !== WS_PATH) return refuseUpgrade(socket, 404, 'Not Found', 'wrong path');
    const origin = req.headers.origin;
    if (!isAllowedOrigin(origin, port))
      return refuseUpgrade(socket, 403, 'Forbidden', 'foreign origin', { origin: String(origin ?? 'none').slice(0, 100) });

    const offeredProtocols = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    const protocolToken = offeredProtocols.find((p) => p.startsWith(WS_TOKEN_PROTOCOL_PREFIX))?.slice(WS_TOKEN_PROTOCOL_PREFIX.length);
    if (!tokenMatches(protocolToken, token)) return refuseUpgrade(socket, 401, 'Unauthorized', 'missing or wrong token');
    // A client that offers subprotocols must offer ours: the answer never echoes the token.
    if (offeredProtocols.length > 0 && !offeredProtocols.includes(WS_PROTOCOL))
      return refuseUpgrade(socket, 400, 'Bad Request', 'no supported subprotocol');
    if (wss.clients.size >= maxClients) return refuseUpgrade(socket, 503, 'Service Unavailable', 'too many pages connected');

    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, (origin as string).toLowerCase()));
  });

  function send(ws: WebSocket, frame: unknown): void {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(JSON.stringify(frame));
  }

  function frameError(message: string, id: number | null = null): { id: number | null; result: Result<never> } {
    return { id, result: { ok: false, error: { code: 'invalid-request', message } } };
  }

  function onConnection(ws: WebSocket, origin: string): void {
    const caller: CallerInfo = { url: `${origin}/`, isMainFrame: true };
    let inFlight = 0;
    const unsubscribe = bridge.events.subscribe((event, payload) => {
      if (ws.readyState !== ws.OPEN || ws.bufferedAmount > MAX_BUFFERED) return;
      send(ws, { event, payload });
    });
    // A page that connects late starts from the current state.
    for (const event of ['status', 'scanner-state'] as const) {
      const last = bridge.events.last(event);
      if (last !== undefined) send(ws, { event, payload: last });
    }

    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return send(ws, frameError('Frames must be JSON text.'));
      let json: unknown;
      try {
        json = JSON.parse(rawToString(data));
      } catch {
        return send(ws, frameError('The frame is not valid JSON.'));
      }
      const frame = WsCallFrameSchema.safeParse(json);
      if (!frame.success) {
        const id =
          typeof (json as { id?: unknown } | null)?.id === 'number' && Number.isSafeInteger((json as { id: number }).id)
            ? (json as { id: number }).id
            : null;
        return send(ws, frameError(`Not a call frame: ${describeZodError(frame.error).message}`, id));
      }
      const { id, channel, request } = frame.data;
      if (inFlight >= maxInFlight) {
        return send(ws, {
          id,
          result: { ok: false, error: { code: 'unavailable', message: 'Too many requests at once; wait for the answers.' } },
        });
      }
      inFlight += 1;
      const args = request === undefined ? [] : [request];
      void bridge.router
        .dispatch(channel, args, caller)
        .then((result) => send(ws, { id, result }))
        .finally(() => {
          inFlight -= 1;
        });
    });
    ws.on('error', (err) => logger.warn({ err: err.message }, 'browser-mode socket error'));
    ws.on('close', () => unsubscribe());
  }

  let closing: Promise<void> | undefined;
  return {
    port,
    origin: `http://${LOOPBACK}:${port}`,
    openUrl: `http://${LOOPBACK}:${port}${fragmentAddress}`,
    bridge,
    close() {
      closing ??= (async () => {
        bridge.close();
        for (const ws of wss.clients) ws.close(1001, 'server closing');
        await new Promise<void>((r) => wss.close(() => r()));
        await new Promise<void>((r) => {
          server.close(() => r());
          server.closeAllConnections();
        });
        refusals.flush();
      })();
      return closing;
    },
  };
}

function rawToString(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
