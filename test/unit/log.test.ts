import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { addSecretValues, createLogger, redactKeyFields, silentLogger } from '../../main/log.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, destination, text: () => lines.join('') };
}

const API_KEY = 'gb-live-api-7d1f2e3a9b';
const SECRET = 'gb-live-secret-c0ffee42';

describe('logger', () => {
  it('never writes a key, whatever field or header it hides in', () => {
    const out = capture();
    const log = createLogger({ destination: out.destination, secretValues: () => [API_KEY, SECRET] });
    log.info({ apiKey: API_KEY, secretKey: SECRET }, 'top level');
    log.info({ config: { apiKey: API_KEY, secretKey: SECRET } }, 'nested');
    log.info({ req: { headers: { APIKey: API_KEY, SecretKey: SECRET, apikey: API_KEY, secretkey: SECRET } } }, 'headers');
    log.warn({ err: new Error(`request failed with header SecretKey=${SECRET}`) }, 'error text');
    log.error(`free text mentioning ${API_KEY} and "${SECRET}"`);
    log.info({ deep: { a: { b: { c: SECRET } } } }, 'deep value');
    const text = out.text();
    expect(out.lines).toHaveLength(6);
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain(SECRET);
    expect(text).toContain('[Redacted]');
    expect(text).toContain('request failed with header');
  });

  it('redacts key fields by name even without registered values', () => {
    const out = capture();
    const log = createLogger({ destination: out.destination });
    log.info({ apiKey: 'some-key-value', nested: { SecretKey: 'other-key-value' }, headers: { apikey: 'third-key-value' } }, 'x');
    expect(out.text()).not.toMatch(/some-key-value|other-key-value|third-key-value/);
  });

  it('keeps ordinary fields', () => {
    const out = capture();
    const log = createLogger({ destination: out.destination, secretValues: () => [SECRET] });
    log.info({ orderId: 'till-1-abc', customerId: 'mobile_966500001234' }, 'order captured');
    const entry = JSON.parse(out.lines[0] ?? '{}') as Record<string, unknown>;
    expect(entry).toMatchObject({ orderId: 'till-1-abc', customerId: 'mobile_966500001234', msg: 'order captured' });
  });
});

describe('addSecretValues', () => {
  it('scrubs values added after the logger was made, in its child loggers too, until removed', () => {
    const out = capture();
    const log = createLogger({ destination: out.destination, secretValues: () => [API_KEY] });
    const child = log.child({ part: 'sync' });
    log.info(`before: ${SECRET}`);
    const stop = addSecretValues(child, () => [SECRET]);
    log.info(`root: ${SECRET} ${API_KEY}`);
    child.info(`child: ${SECRET}`);
    stop();
    log.info(`after: ${SECRET}`);
    expect(out.lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual([
      `before: ${SECRET}`,
      'root: [Redacted] [Redacted]',
      'child: [Redacted]',
      `after: ${SECRET}`,
    ]);
  });

  it('does nothing for a logger without a scrubber', () => {
    const stop = addSecretValues(silentLogger(), () => {
      throw new Error('never asked');
    });
    silentLogger().info('x');
    stop();
  });
});

describe('redactKeyFields', () => {
  it('censors key fields at the top, one level down and in headers, without touching the caller object', () => {
    const input = {
      apiKey: 'a-value',
      orderId: 'till-1-x',
      config: { secretKey: 'b-value', baseUrl: 'https://x' },
      headers: { APIKey: 'c-value', Authorization: 'Bearer d-value', accept: 'json' },
      req: { headers: { SecretKey: 'e-value', authorization: 'f-value' }, method: 'POST' },
      list: ['apiKey'],
    };
    const copy = structuredClone(input);
    const out = redactKeyFields(input);
    expect(input).toEqual(copy);
    expect(out).toEqual({
      apiKey: '[Redacted]',
      orderId: 'till-1-x',
      config: { secretKey: '[Redacted]', baseUrl: 'https://x' },
      headers: { APIKey: '[Redacted]', Authorization: '[Redacted]', accept: 'json' },
      req: { headers: { SecretKey: '[Redacted]', authorization: '[Redacted]' }, method: 'POST' },
      list: ['apiKey'],
    });
  });

  it('returns the same object when there is nothing to censor (the capture line)', () => {
    const line = { orderId: 'till-1-abc', customerId: 'mobile_966500001234', calls: ['track_order'], training: false };
    expect(redactKeyFields(line)).toBe(line);
  });
});
