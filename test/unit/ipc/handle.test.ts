// The main-side door: unknown channels, foreign senders and malformed arguments are refused
// before any handler runs; answers are checked against the contract on the way out.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CHANNEL_NAMES, CHANNELS, type ChannelName } from '../../../preload/api.ts';
import { createIpcRouter, isTrustedCaller, originOf, PosError, type CallerInfo, type Handlers } from '../../../main/ipc/handle.ts';

const OWN = 'app://pos-companion';
const page: CallerInfo = { url: `${OWN}/index.html`, isMainFrame: true };

interface Recorded {
  calls: Array<{ channel: string; request: unknown }>;
  logs: Array<{ level: string; fields: object; msg: string }>;
}

/** Handlers that record their calls; a channel nobody configured throws (a fake never silently succeeds). */
function setup(overrides: Partial<Record<ChannelName, (req: unknown) => unknown>> = {}) {
  const rec: Recorded = { calls: [], logs: [] };
  const handlers = Object.fromEntries(
    CHANNEL_NAMES.map((name) => [
      name,
      (request: unknown) => {
        rec.calls.push({ channel: name, request });
        const fn = overrides[name];
        if (!fn) throw new Error(`no fake configured for ${name}`);
        return fn(request);
      },
    ]),
  ) as unknown as Handlers;
  const logger = {
    warn: (fields: object, msg: string) => rec.logs.push({ level: 'warn', fields, msg }),
    error: (fields: object, msg: string) => rec.logs.push({ level: 'error', fields, msg }),
  };
  const router = createIpcRouter({ handlers, trustedOrigins: [OWN, 'http://127.0.0.1:4477'], logger });
  return { router, rec };
}

const status = {
  counts: { pending: 1, sending: 0, synced: 2, attention: 0, discarded: 0 },
  oldestPendingAgeMs: 1500,
  lastSuccessAt: null,
  lastError: null,
  online: true,
  training: false,
};

describe('channel check', () => {
  it.each([
    ['orders:drop-table'],
    ['ORDERS:CAPTURE'],
    ['__proto__'],
    ['constructor'],
    ['toString'],
    ['hasOwnProperty'],
    [''],
    [42],
    [null],
    [undefined],
    [{ channel: 'status:get' }],
  ])('refuses channel %j before anything else', async (channel) => {
    const { router, rec } = setup({ 'status:get': () => status });
    const res = await router.dispatch(channel, [], page);
    expect(res).toEqual({ ok: false, error: { code: 'unknown-channel', message: expect.any(String) } });
    expect(rec.calls).toHaveLength(0);
  });

  it('answers a known channel from the own page', async () => {
    const { router, rec } = setup({ 'status:get': () => status });
    expect(await router.dispatch('status:get', [], page)).toEqual({ ok: true, value: status });
    expect(rec.calls).toEqual([{ channel: 'status:get', request: undefined }]);
  });
});

describe('sender check', () => {
  it.each<[string, CallerInfo]>([
    ['a foreign origin', { url: 'https://evil.example/', isMainFrame: true }],
    ['a look-alike host', { url: 'app://pos-companion.evil/index.html', isMainFrame: true }],
    ['credentials in the URL', { url: 'app://x@evil/index.html', isMainFrame: true }],
    ['another loopback port', { url: 'http://127.0.0.1:4478/', isMainFrame: true }],
    ['localhost instead of the configured address', { url: 'http://localhost:4477/', isMainFrame: true }],
    ['a file URL', { url: 'file:///C:/index.html', isMainFrame: true }],
    ['a data URL', { url: 'data:text/html,<script>1</script>', isMainFrame: true }],
    ['about:blank', { url: 'about:blank', isMainFrame: true }],
    ['no URL', { url: undefined, isMainFrame: true }],
    ['garbage', { url: 'not a url', isMainFrame: true }],
    ['a sub-frame of the own page', { url: `${OWN}/index.html`, isMainFrame: false }],
  ])('refuses %s without running the handler', async (_what, caller) => {
    const { router, rec } = setup({ 'status:get': () => status });
    const res = await router.dispatch('status:get', [], caller);
    expect(res).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(rec.calls).toHaveLength(0);
    expect(rec.logs.some((l) => l.msg.includes('foreign sender'))).toBe(true);
  });

  it('computes origins like a browser, including custom schemes', () => {
    expect(originOf('app://pos-companion/assets/x.js?y#z')).toBe('app://pos-companion');
    expect(originOf('http://127.0.0.1:4477/#token=abc')).toBe('http://127.0.0.1:4477');
    expect(originOf('')).toBeUndefined();
    expect(isTrustedCaller({ url: 'http://127.0.0.1:4477/x', isMainFrame: true }, ['http://127.0.0.1:4477'])).toBe(true);
    // isMainFrame must be exactly true: a missing flag is not a main frame.
    expect(isTrustedCaller({ url: 'http://127.0.0.1:4477/x', isMainFrame: 'yes' as unknown as boolean }, ['http://127.0.0.1:4477'])).toBe(
      false,
    );
  });
});

describe('argument check', () => {
  // Shapes that no channel accepts: wrong types, unknown keys, prototype tricks.
  const hostile: unknown[] = [
    42,
    'text',
    true,
    [],
    [1, 2],
    { unexpected: 1 },
    JSON.parse('{"__proto__":{"polluted":1}}'),
    { constructor: { prototype: {} } },
  ];

  it.each(CHANNEL_NAMES)('%s refuses every hostile shape before its handler runs', async (name) => {
    const { router, rec } = setup();
    for (const arg of hostile) {
      const res = await router.dispatch(name, [arg], page);
      expect(res, `${name} with ${JSON.stringify(arg)}`).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    }
    expect(rec.calls).toHaveLength(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each(CHANNEL_NAMES)('%s refuses a second argument', async (name) => {
    const { router, rec } = setup();
    const res = await router.dispatch(name, [undefined, undefined], page);
    expect(res).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(rec.calls).toHaveLength(0);
  });

  const validCapture = { customer: { mobile: '+966 50 000 1234' }, currency: 'SAR', totalPaidMinor: 12_550 };
  it.each<[string, unknown, string]>([
    ['a negative amount', { ...validCapture, totalPaidMinor: -1 }, 'totalPaidMinor'],
    ['a fractional amount', { ...validCapture, totalPaidMinor: 12.5 }, 'totalPaidMinor'],
    ['an amount as a string', { ...validCapture, totalPaidMinor: '125.50' }, 'totalPaidMinor'],
    ['NaN-like amount', { ...validCapture, totalPaidMinor: Number.POSITIVE_INFINITY }, 'totalPaidMinor'],
    ['a lowercase currency', { ...validCapture, currency: 'sar' }, 'currency'],
    ['no customer identity', { ...validCapture, customer: {} }, 'customer.mobile'],
    ['letters in the mobile number', { ...validCapture, customer: { mobile: '05x0000' } }, 'customer.mobile'],
    ['control characters in the receipt', { ...validCapture, receiptNo: 'R1\u0000' }, 'receiptNo'],
    ['a huge referral code', { ...validCapture, referrerCode: 'A'.repeat(5000) }, 'referrerCode'],
    ['an unknown field', { ...validCapture, orderId: 'mine' }, ''],
    [
      'too many line items',
      { ...validCapture, lineItems: Array.from({ length: 501 }, () => ({ productId: 'p', quantity: 1, priceMinor: 1 })) },
      'lineItems',
    ],
  ])('orders:capture refuses %s and names the field', async (_what, arg, field) => {
    const { router, rec } = setup({ 'orders:capture': () => ({}) });
    const res = await router.dispatch('orders:capture', [arg], page);
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.code).toBe('invalid-request');
    if (field) expect(res.error.field).toBe(field);
    expect(res.error.message.length).toBeLessThanOrEqual(300);
    expect(rec.calls).toHaveLength(0);
  });

  it('never echoes the refused value (a key typed in the wrong field stays out of the answer)', async () => {
    const { router } = setup();
    const secret = 'sk_live_0123456789abcdef0123456789';
    const res = await router.dispatch('settings:set-keys', [{ apiKey: `${secret}\n`, secretKey: 42 }], page);
    expect(JSON.stringify(res)).not.toContain('0123456789abcdef');
  });

  it('passes parsed data, with defaults applied, to the handler', async () => {
    const { router, rec } = setup({ 'orders:list': () => ({ total: 0, rows: [] }) });
    await router.dispatch('orders:list', [{ search: 'mobile_9665' }], page);
    expect(rec.calls[0]?.request).toEqual({ state: 'all', search: 'mobile_9665', offset: 0, limit: 100 });
  });

  it('trims and checks required text', async () => {
    const { router, rec } = setup({ 'orders:discard': () => ({}) });
    const res = await router.dispatch('orders:discard', [{ orderId: 'o1', reason: '   ' }], page);
    expect(res).toMatchObject({ ok: false, error: { code: 'invalid-request', field: 'reason' } });
    expect(rec.calls).toHaveLength(0);
  });

  it('survives arbitrary JSON on every channel: never throws, refuses or answers from the handler', async () => {
    const { router } = setup(
      Object.fromEntries(
        CHANNEL_NAMES.map((n) => [
          n,
          () => {
            throw new PosError('refused', 'fake');
          },
        ]),
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...CHANNEL_NAMES), fc.jsonValue(), async (name, arg) => {
        const res = await router.dispatch(name, [arg], page);
        if (res.ok) return false; // every fake refuses, so ok would mean a bypass
        const parses = CHANNELS[name].request.safeParse(arg).success;
        return parses ? res.error.code === 'refused' : res.error.code === 'invalid-request';
      }),
      { numRuns: 400, seed: 5 },
    );
  });
});

describe('answers', () => {
  it('strips fields the contract does not name (a key can never ride along)', async () => {
    const { router } = setup({
      'settings:set-keys': () => ({ apiKeySet: true, secretKeySet: false, training: true, apiKey: 'leaked-value-123456' }),
    });
    const res = await router.dispatch('settings:set-keys', [{ apiKey: 'new-key-value' }], page);
    expect(res).toEqual({ ok: true, value: { apiKeySet: true, secretKeySet: false, training: true } });
  });

  it('turns a handler answer that breaks the contract into an internal error without the value', async () => {
    const { router, rec } = setup({ 'status:get': () => ({ counts: 'lots', secret: 'x-secret-value' }) });
    const res = await router.dispatch('status:get', [], page);
    expect(res).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(res)).not.toContain('x-secret-value');
    expect(JSON.stringify(rec.logs)).not.toContain('x-secret-value');
    expect(rec.logs.some((l) => l.level === 'error')).toBe(true);
  });

  it('passes a PosError code and message through', async () => {
    const { router } = setup({
      'orders:discard': () => {
        throw new PosError('wrong-state', 'Only orders that need attention can be discarded.', 'orderId');
      },
    });
    const res = await router.dispatch('orders:discard', [{ orderId: 'o1', reason: 'duplicate' }], page);
    expect(res).toEqual({
      ok: false,
      error: { code: 'wrong-state', message: 'Only orders that need attention can be discarded.', field: 'orderId' },
    });
  });

  it('hides an unexpected error behind a message for people and logs it', async () => {
    const { router, rec } = setup({
      'status:get': () => {
        throw new Error('ENOENT: /home/till/secret/path.db');
      },
    });
    const res = await router.dispatch('status:get', [], page);
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.code).toBe('internal');
    expect(res.error.message).not.toContain('/home');
    expect(res.error.message).toMatch(/try again/i);
    expect(rec.logs.filter((l) => l.level === 'error')).toHaveLength(1);
  });

  it('maps a ZodError thrown by the engine to invalid-request', async () => {
    const { router } = setup({ 'settings:update': () => z.object({ tillId: z.string().min(3) }).parse({ tillId: 'x' }) });
    const res = await router.dispatch('settings:update', [{ tillId: 'x' }], page);
    expect(res).toMatchObject({ ok: false, error: { code: 'invalid-request', field: 'tillId' } });
  });

  it('answers unavailable after stop, for every channel, without running handlers', async () => {
    const { router, rec } = setup({ 'status:get': () => status });
    router.stop();
    for (const name of CHANNEL_NAMES) {
      expect(await router.dispatch(name, [], page)).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    }
    expect(rec.calls).toHaveLength(0);
  });

  it('awaits async handlers', async () => {
    const { router } = setup({ 'settings:test-connection': async () => ({ ok: true, message: 'Connected.' }) });
    expect(await router.dispatch('settings:test-connection', [], page)).toEqual({ ok: true, value: { ok: true, message: 'Connected.' } });
  });
});
