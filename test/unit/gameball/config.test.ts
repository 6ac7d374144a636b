import { describe, expect, test } from 'vitest';
import {
  GameballConfigError,
  gameballConfigProblem,
  NO_KEYS_MESSAGE,
  resolveGameballConfig,
  unreadableKeysMessage,
} from '../../../main/gameball/config.ts';

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

describe('gameballConfigProblem', () => {
  const keys = { apiKey: 'a-key-0001', secretKey: 's-key-0001' };

  test('null when the client can be built, the same configuration resolveGameballConfig takes', () => {
    expect(gameballConfigProblem(keys)).toBeNull();
    expect(gameballConfigProblem({}, { GAMEBALL_API_KEY: 'env-api-key', GAMEBALL_SECRET_KEY: 'env-secret-key' })).toBeNull();
  });

  test('a missing key: the not-set reason; a key stored but unreadable here: that reason, with what to do', () => {
    expect(gameballConfigProblem({ apiKey: 'a-key-0001', secretKey: null })).toBe(NO_KEYS_MESSAGE);
    const unreadable = gameballConfigProblem({
      apiKey: null,
      secretKey: null,
      unreadable: 'stored with electron-safestorage-v1, which is not available here',
    });
    expect(unreadable).toBe(unreadableKeysMessage('stored with electron-safestorage-v1, which is not available here'));
    expect(unreadable).toMatch(/^The Gameball keys are stored on this till but cannot be read here \(stored with electron-safestorage-v1/);
    expect(unreadable).toMatch(/GAMEBALL_API_KEY and GAMEBALL_SECRET_KEY/);
  });

  test("with both keys, the configuration's own error (the base URL, the version, a key a header cannot carry), never a key", () => {
    expect(gameballConfigProblem(keys, { GAMEBALL_BASE_URL: 'http://10.0.0.5' })).toMatch(
      /^The Gameball base URL "http:\/\/10\.0\.0\.5" must be https/,
    );
    expect(gameballConfigProblem({ ...keys, apiVersion: '5' })).toMatch(/^The Gameball API version must be v4.0 or v4.1/);
    const bad = gameballConfigProblem(keys, { GAMEBALL_SECRET_KEY: 'secret key with spaces' });
    expect(bad).toMatch(/GAMEBALL_SECRET_KEY cannot be used: it contains a space/);
    expect(bad).not.toContain('with spaces');
  });

  test('a base URL carrying credentials is refused (fetch cannot send it, and it would be a secret in a setting)', () => {
    expect(() => resolveGameballConfig(keys, { GAMEBALL_BASE_URL: 'https://me:pw@api.gameball.co' })).toThrow(/scheme and host only/);
  });
});
