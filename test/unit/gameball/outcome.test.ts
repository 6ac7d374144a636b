import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import {
  classifyAnswer,
  classifyErrorAnswer,
  classifyTransportError,
  looksCutShort,
  meansGameballUnreachable,
  parseErrorBody,
} from '../../../main/gameball/outcome.ts';
import type { AnswerBody } from '../../../main/gameball/outcome.ts';

const gb = (code: number, message = 'msg') =>
  JSON.stringify({ code, type: 'PAYLOAD_ERROR', message, documentationUrl: 'x', requestId: 'rq-1' });

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
    expect(classifyTransportError(fetchFailed(cause), { idempotent: false, timedOut: false })).toMatchObject({
      kind: 'unknown',
      cause: 'lost',
    });
    expect(classifyTransportError(fetchFailed(cause), { idempotent: true, timedOut: false })).toMatchObject({
      kind: 'retry',
      cause: 'lost',
    });
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

describe('classifyAnswer: a 2xx is a success only when it is Gameball answer', () => {
  const Shape = z.object({ customerId: z.string() }).loose();
  const body = (text: string, extra: Partial<AnswerBody> = {}): AnswerBody => ({
    text,
    bytes: Buffer.byteLength(text),
    overLimit: false,
    limit: 1024 * 1024,
    ...extra,
  });
  const read = (
    text: string,
    contentType: string | null,
    opts: { idempotent?: boolean; status?: number; extra?: Partial<AnswerBody> } = {},
  ) =>
    classifyAnswer({
      httpStatus: opts.status ?? 200,
      contentType,
      requestIdHeader: 'rq-7',
      body: body(text, opts.extra),
      schema: Shape,
      idempotent: opts.idempotent ?? false,
    });

  test("Gameball's answer: ok with the parsed value, extra fields kept, a byte-order mark tolerated", () => {
    const r = read('\uFEFF{"customerId":"c-1","pointsEarned":3}', 'application/json; charset=utf-8');
    expect(r).toMatchObject({ kind: 'ok', cause: 'ok', code: null, requestId: 'rq-7', value: { customerId: 'c-1', pointsEarned: 3 } });
  });

  test.each([
    // what arrived, content type, the sentence it must produce
    [
      '<!DOCTYPE html><html><head><title>Hotel Wi-Fi</title></head><body><form>Log in</form></body></html>',
      'text/html; charset=UTF-8',
      'The network answered with a web page instead of Gameball (HTTP 200, text/html): a captive portal or proxy? Sign the till in to the network or ask IT.',
    ],
    [
      '  <html><body>Access denied</body></html>',
      'text/plain',
      'The network answered with a web page instead of Gameball (HTTP 200, text/plain)',
    ],
    ['<?xml version="1.0"?><portal/>', null, 'a web page instead of Gameball (HTTP 200, no content type)'],
    [
      '{"customerId":"c-1","rewardedPoi',
      'application/json',
      "Gameball's answer was cut short (HTTP 200, application/json, only 32 bytes arrived)",
    ],
    ['[{"a":"b\\"', 'application/json', "Gameball's answer was cut short"],
    ['{"customerId":"c-1"', 'application/json', "Gameball's answer was cut short"],
    [
      '',
      'application/json',
      "The network gave an empty answer instead of Gameball's (HTTP 200, application/json): a captive portal or proxy?",
    ],
    ['   \n', null, "The network gave an empty answer instead of Gameball's (HTTP 200, no content type)"],
    ['OK!', 'text/plain', "The network answered with something that is not Gameball's answer (HTTP 200, text/plain, 3 bytes of text)"],
    ['{"customerId": "c-1"} trailing', 'application/json', "something that is not Gameball's answer"],
    [
      '[1,2,3]',
      'application/json',
      "The network answered with data that is not Gameball's answer (HTTP 200, application/json, a JSON list)",
    ],
    ['"c-1"', 'application/json', 'a JSON string'],
    ['42', 'application/json', 'a JSON number'],
    ['true', 'application/json', 'a JSON boolean'],
    ['null', 'application/json', 'JSON null'],
    ['{}', 'application/json', "a JSON object without the fields of Gameball's answer"],
    ['{"status":"ok","redirect":"https://login.example"}', 'application/json', "a JSON object without the fields of Gameball's answer"],
    ['{"customerId": 12}', 'application/json', "a JSON object without the fields of Gameball's answer"],
    [
      '\u0000\u0001\u0002garbage',
      'application/octet-stream',
      "something that is not Gameball's answer (HTTP 200, application/octet-stream",
    ],
  ])('%j (%s) is not Gameball: unknown for a write, retry for a read, and says what arrived', (text, contentType, sentence) => {
    const write = read(text, contentType);
    expect(write).toMatchObject({ kind: 'unknown', cause: 'bad-answer', code: null, requestId: 'rq-7' });
    expect(write.value).toBeUndefined();
    expect(write.message).toContain(sentence);
    const again = read(text, contentType, { idempotent: true });
    expect(again).toMatchObject({ kind: 'retry', cause: 'bad-answer' });
    expect(again.message).toBe(write.message);
  });

  test.each([201, 202, 204, 299])('any 2xx (%i) is held to the same rule', (status) => {
    expect(read('', null, { status })).toMatchObject({ kind: 'unknown', cause: 'bad-answer' });
    expect(read('{"customerId":"c"}', 'application/json', { status })).toMatchObject({ kind: 'ok' });
  });

  test('a body over the limit is never parsed, whatever its start, and says so with the limit', () => {
    const r = read('', 'application/json', { extra: { overLimit: true, bytes: 1024 * 1024, limit: 1024 * 1024 } });
    expect(r).toMatchObject({ kind: 'unknown', cause: 'bad-answer' });
    expect(r.message).toBe(
      "The network sent an answer larger than 1048576 bytes instead of Gameball's (HTTP 200, application/json): a proxy, or a wrong Gameball address? The till stopped reading it. The till will check with Gameball and try again; ask IT if this keeps happening.",
    );
    // Even a valid-looking start is not trusted once the rest is missing.
    expect(read('{"customerId":"c"}', 'application/json', { extra: { overLimit: true } }).kind).toBe('unknown');
  });

  test('an over-limit error body: classified by its status, described by its size', () => {
    const r = read('', 'text/html', { status: 502, extra: { overLimit: true, limit: 1000 } });
    expect(r).toMatchObject({ kind: 'retry', cause: 'server' });
    expect(r.message).toBe('Gameball answered HTTP 502 with a body larger than 1000 bytes (text/html) that the till stopped reading');
  });

  test.each([
    [
      302,
      'http://login.hotel-wifi.example/portal?mac=00:11',
      "The network redirected the till's request (HTTP 302 to login.hotel-wifi.example) instead of letting it reach Gameball: a captive portal or proxy? Sign the till in to the network or ask IT.",
    ],
    [307, null, "The network redirected the till's request (HTTP 307) instead of letting it reach Gameball"],
    [301, 'not a url \u0007', "The network redirected the till's request (HTTP 301) instead"],
    [303, 'https://evil.example/<script>alert(1)</script>', 'HTTP 303 to evil.example)'],
  ])('a redirect (%i) is not followed and not Gameball: unknown for a write, retry for a read', (status, location, sentence) => {
    const write = classifyAnswer({
      httpStatus: status,
      contentType: 'text/html',
      location,
      requestIdHeader: null,
      body: body('<html/>'),
      schema: Shape,
      idempotent: false,
    });
    expect(write).toMatchObject({ kind: 'unknown', cause: 'bad-answer' });
    expect(write.message).toContain(sentence);
    for (const bad of ['<', '>', '\u0000', '\u0007']) expect(write.message).not.toContain(bad);
    const again = classifyAnswer({
      httpStatus: status,
      contentType: null,
      location,
      requestIdHeader: null,
      body: body(''),
      schema: Shape,
      idempotent: true,
    });
    expect(again.kind).toBe('retry');
  });

  test('4xx/5xx still read as Gameball errors', () => {
    expect(read(gb(9003, 'Time exists'), 'application/json', { status: 422 })).toMatchObject({
      kind: 'attention',
      code: 9003,
      message: 'Time exists',
    });
    expect(read('<html>Bad gateway</html>', 'text/html', { status: 502 })).toMatchObject({ kind: 'retry', cause: 'server' });
  });

  test('a hostile content type never reaches the message as is', () => {
    const r = read('', 'text/html\r\nSet-Cookie: x=1; <script>alert(1)</script>' + 'x'.repeat(500), { idempotent: false });
    expect(r.message).not.toMatch(/[\r\n<>]/);
    expect(r.message.length).toBeLessThan(300);
  });

  test('total on many hostile bodies: never throws, never ok', () => {
    const junk = Array.from({ length: 300 }, (_, i) => String.fromCharCode((i * 7919) % 65536)).join('');
    for (const text of [junk, '{'.repeat(10_000), '['.repeat(10_000) + ']'.repeat(10_000), '"'.repeat(999), '\\'.repeat(50)]) {
      expect(() => read(text, null)).not.toThrow();
      expect(read(text, null).kind).toBe('unknown');
    }
  });
});

describe('looksCutShort', () => {
  test.each([
    ['{"a":1', true],
    ['{"a":"1', true],
    ['[{"a":[1,2', true],
    ['  {"a":"x\\"}', true],
    ['{"a":"}"', true],
    ['{"a":1}', false],
    ['{"a":1}}', false],
    ['[1]x', false],
    ['hello', false],
    ['<html>', false],
    ['', false],
  ])('%j -> %s', (text, expected) => {
    expect(looksCutShort(text)).toBe(expected);
  });
});

describe('classifyTransportError: certificates, our timeout, the till giving up', () => {
  const fetchFailed = (cause: Record<string, unknown>) => Object.assign(new TypeError('fetch failed'), { cause });

  test.each([
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'ERR_TLS_CERT_ALTNAME_INVALID',
    'ERR_SSL_WRONG_VERSION_NUMBER',
  ])('%s: a portal or inspecting proxy answered; nothing was sent, so a plain retry even for a write', (code) => {
    const r = classifyTransportError(fetchFailed({ code, message: 'x' }), { idempotent: false, timedOut: false });
    expect(r).toMatchObject({ kind: 'retry', cause: 'network' });
    expect(r.message).toBe(
      `The network answered with a certificate that is not Gameball's (${code}), so nothing was sent: a captive portal, or a proxy that inspects traffic? Sign the till in to the network or ask IT.`,
    );
  });

  test.each(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID'])('%s points at the till clock first', (code) => {
    const r = classifyTransportError(fetchFailed({ code }), { idempotent: false, timedOut: false });
    expect(r).toMatchObject({ kind: 'retry', cause: 'network' });
    expect(r.message).toMatch(/check the till's date and time/);
  });

  test('our timeout names how long the till waited', () => {
    const abort = new DOMException('aborted', 'AbortError');
    expect(classifyTransportError(abort, { idempotent: false, timedOut: true, timeoutMs: 15_000 }).message).toBe(
      'Gameball did not answer in time (no answer within 15 s)',
    );
    expect(classifyTransportError(abort, { idempotent: true, timedOut: true, timeoutMs: 250 }).message).toBe(
      'Gameball did not answer in time (no answer within 0.3 s)',
    );
  });

  test('the caller giving up (sync stopping) is said as such, not as a broken connection', () => {
    const abort = new DOMException('This operation was aborted', 'AbortError');
    const write = classifyTransportError(abort, { idempotent: false, timedOut: false, stoppedAfterMs: 3_200 });
    expect(write).toMatchObject({
      kind: 'unknown',
      cause: 'timeout',
      message: 'Gameball had not answered after 3.2 s when the till stopped waiting',
    });
    expect(classifyTransportError(abort, { idempotent: true, timedOut: false, stoppedAfterMs: 40_000 })).toMatchObject({
      kind: 'retry',
      message: 'Gameball had not answered after 40 s when the till stopped waiting',
    });
  });
});

describe('meansGameballUnreachable', () => {
  test.each([
    ['network', true],
    ['lost', true],
    ['timeout', true],
    ['server', true],
    ['bad-answer', true],
    ['ok', false],
    ['rate-limited', false],
    ['concurrent', false],
    ['duplicate', false],
    ['auth', false],
    ['rejected', false],
  ] as const)('%s -> %s', (cause, expected) => {
    expect(meansGameballUnreachable(cause)).toBe(expected);
  });
});
