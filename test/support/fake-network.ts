// What sits between a till and Gameball in a hotel, a mall or an office: a `node:http` server on
// 127.0.0.1 that the till is pointed at instead of Gameball. Each request is answered the way the
// test says: passed through to the real simulator (a working network), or answered by the network
// itself the way captive portals and proxies do (a web page, a cut or empty body, an endless body,
// no answer at all), optionally after forwarding the request (a proxy that mangles the answer of a
// request Gameball did record).
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type NetworkBehaviour =
  /** Forward to the simulator and relay its answer: the network works. */
  | 'pass'
  /** A captive portal's login page, 200 text/html. */
  | 'portal'
  /** Gameball-looking JSON cut halfway, well framed (the till's HTTP stack sees nothing wrong). */
  | 'truncated'
  /** 200 with no body at all. */
  | 'empty'
  /** 200 application/json that never ends (50 MB, streamed without a length). */
  | 'huge'
  /** Accepts the request and never answers. */
  | 'silent';

export interface NetworkRule {
  /** What the till gets. */
  answer: NetworkBehaviour;
  /** Forward the request to the simulator first (Gameball records it), then answer as `answer`. */
  forwardFirst?: boolean;
}

export interface FakeNetwork {
  url: string;
  /** Where 'pass' and `forwardFirst` go (the simulator's URL). */
  upstream: string;
  /** Decides each request; default: every request 'pass'. */
  rule: (method: string, path: string) => NetworkRule;
  /** Requests that reached the network, as `METHOD /path` (without the query). */
  readonly seen: string[];
  /** Bytes of 'huge' bodies written before the till hung up. */
  hugeBytesWritten: number;
  close(): Promise<void>;
}

export const PORTAL_PAGE =
  '<!DOCTYPE html><html><head><title>Welcome to Mall Wi-Fi</title></head><body><form action="/login" method="post">' +
  '<p>Accept the terms to get online.</p><button>Connect</button></form></body></html>';
export const HUGE_BYTES = 50 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function forward(
  upstream: string,
  req: IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'connection') headers[k] = v;
    const out = httpRequest(`${upstream}${req.url ?? '/'}`, { method: req.method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const h: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers))
          if (typeof v === 'string' && k !== 'connection' && k !== 'transfer-encoding') h[k] = v;
        resolve({ status: res.statusCode ?? 502, headers: h, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    out.on('error', reject);
    out.end(body);
  });
}

export async function startFakeNetwork(): Promise<FakeNetwork> {
  const held = new Set<ServerResponse>();
  const net: FakeNetwork = {
    url: '',
    upstream: '',
    rule: () => ({ answer: 'pass' }),
    seen: [],
    hugeBytesWritten: 0,
    async close() {
      for (const r of held) r.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    net.seen.push(`${req.method ?? ''} ${path}`);
    const rule = net.rule(req.method ?? '', path);
    let upstreamAnswer: Awaited<ReturnType<typeof forward>> | undefined;
    if (rule.answer === 'pass' || rule.forwardFirst) upstreamAnswer = await forward(net.upstream, req, body);
    switch (rule.answer) {
      case 'pass': {
        const a = upstreamAnswer!;
        res.writeHead(a.status, { ...a.headers, 'content-length': String(a.body.length) });
        res.end(a.body);
        return;
      }
      case 'portal':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(Buffer.byteLength(PORTAL_PAGE)) });
        res.end(PORTAL_PAGE);
        return;
      case 'truncated': {
        // Half of Gameball's own answer when there is one, else half of a plausible one.
        const whole =
          upstreamAnswer?.body.toString() ?? '{"customerId":"mobile_966500000001","rewardedPoints":12,"redeemedPoints":0,"lineItems":[]}';
        const half = whole.slice(0, Math.max(1, Math.floor(whole.length / 2)));
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(half)) });
        res.end(half);
        return;
      }
      case 'empty':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '0' });
        res.end();
        return;
      case 'huge': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let written = 0;
        const pump = () => {
          while (written < HUGE_BYTES && !res.destroyed) {
            written += chunk.length;
            net.hugeBytesWritten += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          if (!res.destroyed) res.end();
        };
        res.write('{"customerId":"c","pad":"');
        pump();
        return;
      }
      case 'silent':
        held.add(res);
        res.on('close', () => held.delete(res));
        return;
    }
  }

  const server = createServer((req, res) => {
    answer(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('fake network: upstream failed');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  net.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return net;
}
