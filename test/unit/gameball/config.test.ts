import { describe, expect, test } from 'vitest';
import { GameballConfigError, resolveGameballConfig } from '../../../main/gameball/config.ts';

describe('resolveGameballConfig', () => {
  test('defaults: Gameball host, v4.0, 15 s', () => {
    expect(resolveGameballConfig({ apiKey: 'a-key-0001', secretKey: 's-key-0001' })).toEqual({
      baseUrl: 'https://api.gameball.co',
      apiVersion: 'v4.0',
      apiKey: 'a-key-0001',
      secretKey: 's-key-0001',
      timeoutMs: 15_000,
    });
  });

  test('the environment wins over stored settings', () => {
    const c = resolveGameballConfig(
      { baseUrl: 'https://api.gameball.co', apiVersion: 'v4.0', apiKey: 'stored-api-key', secretKey: 'stored-secret-key' },
      {
        GAMEBALL_BASE_URL: 'http://127.0.0.1:9999/',
        GAMEBALL_API_VERSION: '4.1',
        GAMEBALL_API_KEY: 'env-api-key',
        GAMEBALL_SECRET_KEY: 'env-secret-key',
      },
    );
    expect(c).toMatchObject({ baseUrl: 'http://127.0.0.1:9999', apiVersion: 'v4.1', apiKey: 'env-api-key', secretKey: 'env-secret-key' });
  });

  test.each([
    [{ baseUrl: 'https://api.gameball.co/api/v4.0' }, /scheme and host only/],
    [{ baseUrl: 'ftp://x' }, /scheme and host only/],
    [{ baseUrl: 'not a url' }, /scheme and host only/],
    [{ apiVersion: 'v5' }, /v4.0 or v4.1/],
    [{ apiKey: '' }, /API key is not set/],
    [{ secretKey: '  ' }, /secret key is not set/],
  ])('%j is refused with a message naming the setting', (patch, message) => {
    const run = () => resolveGameballConfig({ apiKey: 'a-key-0001', secretKey: 's-key-0001', ...patch });
    expect(run).toThrow(GameballConfigError);
    expect(run).toThrow(message);
  });

  test('an error never quotes a key', () => {
    try {
      resolveGameballConfig({ apiKey: 'super-secret-api-key', secretKey: 'super-secret-key', apiVersion: 'bad' });
      expect.unreachable();
    } catch (err) {
      expect(String(err)).not.toContain('super-secret');
    }
  });

  test.each([
    ['http://api.gameball.co', 'a stored setting'],
    ['http://10.0.0.5:8080', 'a LAN address'],
    ['http://127.0.0.1.example.com', 'a name that only starts like loopback'],
    ['http://localhost.example.com:8080', 'a name that only starts like localhost'],
  ])('plain http to %s (%s) is refused: the keys would cross the network in clear', (url) => {
    for (const [stored, env] of [
      [{ baseUrl: url }, {}],
      [{}, { GAMEBALL_BASE_URL: url }],
    ] as const) {
      const run = () => resolveGameballConfig({ apiKey: 'a-key-0001', secretKey: 's-key-0001', ...stored }, env);
      expect(run).toThrow(GameballConfigError);
      expect(run).toThrow(/https/);
    }
  });

  test.each(['http://127.0.0.1:8787', 'http://127.8.9.10:1', 'http://localhost:8787', 'http://[::1]:8787', 'https://gameball.example.com'])(
    '%s is allowed (loopback stays on this computer; https is encrypted)',
    (url) => {
      expect(resolveGameballConfig({ apiKey: 'a-key-0001', secretKey: 's-key-0001' }, { GAMEBALL_BASE_URL: url }).baseUrl).toBe(url);
    },
  );

  test('a key the HTTP client cannot send is a configuration error naming where it came from, never its value', () => {
    const cases: [Parameters<typeof resolveGameballConfig>[0], Record<string, string>, RegExp][] = [
      [
        { apiKey: 'stored-api-key', secretKey: 'stored-secret-key' },
        { GAMEBALL_API_KEY: 'KEYAAAAAAA\nKEYBBBBBBB' },
        /Gameball API key in GAMEBALL_API_KEY cannot be used: it contains a line break/,
      ],
      [
        { apiKey: 'stored-api-key', secretKey: 'KEYAAAAAAA KEYBBBBBBB' },
        {},
        /stored Gameball secret key cannot be used: it contains a space/,
      ],
      [{ apiKey: 'KEYAAAAAAA\u00e9', secretKey: 'stored-secret-key' }, {}, /stored Gameball API key cannot be used: .*ASCII/],
    ];
    for (const [stored, env, message] of cases) {
      let err: unknown;
      try {
        resolveGameballConfig(stored, env);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(GameballConfigError);
      expect(String(err)).toMatch(message);
      expect(String(err)).not.toContain('KEYAAAAAAA');
    }
  });
});
