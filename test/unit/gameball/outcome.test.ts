import { describe, expect, test } from 'vitest';
import { classifyErrorAnswer, classifyTransportError, parseErrorBody } from '../../../main/gameball/outcome.ts';

const gb = (code: number, message = 'msg') => JSON.stringify({ code, type: 'PAYLOAD_ERROR', message, documentationUrl: 'x', requestId: 'rq-1' });

describe('classifyErrorAnswer', () => {
  test.each([
    // status, body, kind, cause, code
    [429, gb(4290), 'retry', 'rate-limited', 4290],
    [429, '', 'retry', 'rate-limited', null],
    [500, gb(5000), 'retry', 'server', 5000],
    [503, gb(5003), 'retry', 'server', 5003],
    [502, '<html>Bad gateway</html>', 'retry', 'server', null],
    [504, 'upstream timeout', 'retry', 'server', null],
    [422, gb(2001), 'retry', 'concurrent', 2001],
    [422, gb(9004), 'unknown', 'duplicate', 9004],
    [400, gb(9004), 'unknown', 'duplicate', 9004],
    [422, gb(9003), 'attention', 'rejected', 9003],
    [422, gb(9007), 'attention', 'rejected', 9007],
    [400, gb(3000), 'attention', 'rejected', 3000],
    [404, gb(9005), 'attention', 'rejected', 9005],
    [422, gb(7003), 'attention', 'rejected', 7003],
    [401, gb(1000), 'attention', 'auth', 1000],
    [401, gb(1001), 'attention', 'auth', 1001],
    [403, gb(1002), 'attention', 'auth', 1002],
    [403, 'Forbidden', 'attention', 'auth', null],
    [408, '', 'retry', 'timeout', null],
    [418, 'teapot', 'attention', 'rejected', null],
  ] as const)('HTTP %i %s -> %s/%s', (status, body, kind, cause, code) => {
    const r = classifyErrorAnswer(status, body, 'application/json');
    expect(r.kind).toBe(kind);
    expect(r.cause).toBe(cause);
    expect(r.code).toBe(code);
    expect(r.message.length).toBeGreaterThan(0);
  });

  test('Gameball message and request id are kept; code given as a string is read', () => {
    const r = classifyErrorAnswer(422, JSON.stringify({ code: '9003', message: 'Time exists', requestId: 'abc' }), 'application/json');
    expect(r).toMatchObject({ kind: 'attention', code: 9003, message: 'Time exists', requestId: 'abc' });
  });

  test.each([
    ['', 'an empty body'],
    ['<html><body>nginx</body></html>', 'not a Gameball error'],
    ['null', 'not a Gameball error'],
    ['[1,2,3]', 'not a Gameball error'],
    ['"just a string"', 'not a Gameball error'],
    ['{"code": {"nested": true}}', 'not a Gameball error'],
    ['{"unrelated": 1}', 'not a Gameball error'],
    ['{"code": 1e400}', 'not a Gameball error'],
    ['\u0000\u0001garbage', 'not a Gameball error'],
  ])('hostile error body %j gives a clear message, never a throw', (body, fragment) => {
    const r = classifyErrorAnswer(400, body, 'text/html');
    expect(r.kind).toBe('attention');
    expect(r.message).toContain('HTTP 400');
    expect(r.message).toContain(fragment);
  });

  test('request id falls back to the header', () => {
    expect(classifyErrorAnswer(500, 'oops', null, 'hdr-1').requestId).toBe('hdr-1');
  });

  test('parseErrorBody is total on a large random body', () => {
    const junk = Array.from({ length: 2000 }, (_, i) => String.fromCharCode((i * 7919) % 65536)).join('');
    expect(() => parseErrorBody(junk)).not.toThrow();
  });
});

describe('classifyTransportError', () => {
  const fetchFailed = (cause: Record<string, unknown>) => Object.assign(new TypeError('fetch failed'), { cause });

  test.each([
    ['ECONNREFUSED', 'connect'],
    ['ENOTFOUND', 'getaddrinfo'],
    ['EAI_AGAIN', 'getaddrinfo'],
    ['ENETUNREACH', 'connect'],
    ['UND_ERR_CONNECT_TIMEOUT', undefined],
    ['ECONNRESET', 'connect'],
  ])('%s during %s: nothing was sent, a plain retry even for a write', (code, syscall) => {
    const r = classifyTransportError(fetchFailed({ code, syscall }), { idempotent: false, timedOut: false });
    expect(r).toMatchObject({ kind: 'retry', cause: 'network' });
  });

  test('a port fetch refuses to use: nothing was sent', () => {
    const err = Object.assign(new TypeError('fetch failed'), { cause: new Error('bad port') });
    expect(classifyTransportError(err, { idempotent: false, timedOut: false })).toMatchObject({ kind: 'retry', cause: 'network' });
  });

  test.each([
    [{ code: 'UND_ERR_SOCKET', message: 'other side closed' }],
    [{ code: 'ECONNRESET', syscall: 'read' }],
    [{ code: 'EPIPE', syscall: 'write' }],
    [{}],
  ])('after sending (%j): a write is an unknown outcome, a read a retry', (cause) => {
    expect(classifyTransportError(fetchFailed(cause), { idempotent: false, timedOut: false })).toMatchObject({ kind: 'unknown', cause: 'lost' });
    expect(classifyTransportError(fetchFailed(cause), { idempotent: true, timedOut: false })).toMatchObject({ kind: 'retry', cause: 'lost' });
  });

  test('our timeout: unknown for a write, retry for a read', () => {
    const abort = new DOMException('aborted', 'AbortError');
    expect(classifyTransportError(abort, { idempotent: false, timedOut: true })).toMatchObject({ kind: 'unknown', cause: 'timeout' });
    expect(classifyTransportError(abort, { idempotent: true, timedOut: true })).toMatchObject({ kind: 'retry', cause: 'timeout' });
  });

  test.each([[null], [undefined], ['a string'], [42], [{ weird: true }]])('non-error value %j is handled', (v) => {
    expect(classifyTransportError(v, { idempotent: false, timedOut: false }).kind).toBe('unknown');
  });
});
