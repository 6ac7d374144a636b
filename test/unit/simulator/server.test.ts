// The HTTP layer's own checks without a socket: the control API's loopback-only rule (a
// non-loopback peer cannot be produced over a real connection to a server bound to 127.0.0.1,
// so the check is driven with a fake peer address here) and the batch body rules.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { SimError } from '../../../main/simulator/errors.ts';
import { createRandom } from '../../../main/simulator/prng.ts';
import { RateLimiter } from '../../../main/simulator/rate-limit.ts';
import { batchItems, createHandler, isLoopback } from '../../../main/simulator/server.ts';
import type { ServerContext } from '../../../main/simulator/server.ts';
import { SimulatorState } from '../../../main/simulator/state.ts';

describe('isLoopback', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['10.0.0.5', false],
    ['192.168.1.20', false],
    ['::ffff:192.168.1.20', false],
    ['fe80::1', false],
    ['0.0.0.0', false],
    ['', false],
    [undefined, false],
  ])('%j -> %s', (address, expected) => {
    expect(isLoopback(address)).toBe(expected);
  });
});

function context(controlCalls: string[]): ServerContext {
  const state = new SimulatorState({
    now: () => 0,
    random: createRandom(1),
    referralWindowMs: 1,
    pointsPerUnit: 1,
    referralRewardPoints: { referrer: 0, referred: 0 },
  });
  return {
    state,
    limiter: new RateLimiter(false),
    faults: {
      latencyMs: 0,
      jitterMs: 0,
      errorRate: 0,
      resetRate: 0,
      dropRate: 0,
      refuseOrders: 0,
      batchErrors: 0,
      dropBatchAnswers: 0,
      failBatchAfter: null,
      dropLookUpAnswers: 0,
      lookUpErrors: 0,
      failLookUpAfter: null,
      dropHolds: 0,
      dropRedemptionOrders: 0,
    },
    outage: { on: false, mode: 'error' },
    random: createRandom(1),
    apiKey: 'k',
    secretKey: 's',
    errorTypeStyle: 'upper',
    unknownOrderTransactions: 'not-found',
    baseUrl: () => 'http://127.0.0.1:1',
    onChange: () => undefined,
    scheduleBatch: () => undefined,
    control: (_req, res, path) => {
      controlCalls.push(path);
      res.writeHead(200);
      res.end('{}');
    },
    timers: new Set(),
    inFlight: new Set(),
    allowedHosts: ['127.0.0.1:1'],
    controlToken: null,
  };
}

/** A request from `remoteAddress` with an empty body, and a response that records its status. */
function exchange(
  remoteAddress: string,
  url: string,
): { req: IncomingMessage; res: ServerResponse; answer: Promise<{ status: number; body: string }> } {
  const listeners: Record<string, Array<(arg?: unknown) => void>> = {};
  const req = {
    url,
    method: 'POST',
    headers: { host: '127.0.0.1:1', 'content-type': 'application/json' },
    socket: { remoteAddress, destroy: () => undefined },
    on(event: string, fn: (arg?: unknown) => void) {
      (listeners[event] ??= []).push(fn);
      if (event === 'end') queueMicrotask(() => fn());
      return req;
    },
    destroy: () => undefined,
  } as unknown as IncomingMessage;
  let resolve!: (v: { status: number; body: string }) => void;
  const answer = new Promise<{ status: number; body: string }>((r) => (resolve = r));
  let status = 0;
  const res = {
    headersSent: false,
    destroyed: false,
    writeHead(code: number) {
      status = code;
      (res as { headersSent: boolean }).headersSent = true;
      return res;
    },
    end(text?: string) {
      resolve({ status, body: text ?? '' });
    },
    destroy: () => undefined,
  } as unknown as ServerResponse;
  return { req, res, answer };
}

describe('control API peer check', () => {
  it.each(['10.0.0.5', '192.168.1.20', '::ffff:172.16.0.9', 'fe80::1'])(
    'refuses %s with 403 and never reaches the control handler',
    async (peer) => {
      const calls: string[] = [];
      const handler = createHandler(context(calls));
      const { req, res, answer } = exchange(peer, '/_sim/reset');
      handler(req, res);
      const a = await answer;
      expect(a.status).toBe(403);
      expect(a.body).toContain('loopback');
      expect(calls).toEqual([]);
    },
  );

  it.each(['127.0.0.1', '::1', '::ffff:127.0.0.1'])('serves %s', async (peer) => {
    const calls: string[] = [];
    const handler = createHandler(context(calls));
    const { req, res, answer } = exchange(peer, '/_sim/reset');
    handler(req, res);
    expect((await answer).status).toBe(200);
    expect(calls).toEqual(['/_sim/reset']);
  });
});

describe('batchItems', () => {
  const fail = (body: unknown): { status: number; code: number; message: string } => {
    try {
      batchItems(body, 'orders');
    } catch (err) {
      if (err instanceof SimError) return { status: err.status, code: err.code, message: err.message };
      throw err;
    }
    throw new Error('accepted');
  };

  it('accepts { body: [...] } and a bare array of 1 to 1,000 items', () => {
    expect(batchItems({ body: [1] }, 'orders')).toEqual([1]);
    expect(batchItems([1, 2], 'orders')).toEqual([1, 2]);
    expect(
      batchItems(
        Array.from({ length: 1000 }, (_, i) => i),
        'orders',
      ),
    ).toHaveLength(1000);
  });

  it('names the limit and the count above 1,000 items', () => {
    for (const body of [{ body: Array.from({ length: 1001 }, () => ({})) }, Array.from({ length: 2500 }, () => ({}))]) {
      const e = fail(body);
      expect([e.status, e.code]).toEqual([422, 3003]);
      expect(e.message).toMatch(/at most 1,000 items; this one has (1,001|2,500)\. Split it/);
    }
  });

  it('no body is 400/3000; empty, not an array or not an object is 422/3003', () => {
    expect(fail({})).toMatchObject({ status: 400, code: 3000 });
    expect(fail({ body: null })).toMatchObject({ status: 400, code: 3000 });
    expect(fail({ body: [] })).toMatchObject({ status: 422, code: 3003, message: expect.stringContaining('empty') });
    expect(fail([])).toMatchObject({ status: 422, code: 3003 });
    expect(fail({ body: 'x' })).toMatchObject({ status: 422, code: 3003 });
    expect(fail('x')).toMatchObject({ status: 422, code: 3003 });
    expect(fail(null)).toMatchObject({ status: 422, code: 3003 });
  });
});
