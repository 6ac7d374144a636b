import { describe, expect, test } from 'vitest';
import { GameballConfigError, resolveGameballConfig } from '../../../main/gameball/config.ts';

describe('resolveGameballConfig', () => {
  test('defaults: Gameball host, v4.0, 15 s', () => {
    expect(resolveGameballConfig({ apiKey: 'a-key-1', secretKey: 's-key-1' })).toEqual({
      baseUrl: 'https://api.gameball.co',
      apiVersion: 'v4.0',
      apiKey: 'a-key-1',
      secretKey: 's-key-1',
      timeoutMs: 15_000,
    });
  });

  test('the environment wins over stored settings', () => {
    const c = resolveGameballConfig(
      { baseUrl: 'https://api.gameball.co', apiVersion: 'v4.0', apiKey: 'stored-a', secretKey: 'stored-s' },
      { GAMEBALL_BASE_URL: 'http://127.0.0.1:9999/', GAMEBALL_API_VERSION: '4.1', GAMEBALL_API_KEY: 'env-a', GAMEBALL_SECRET_KEY: 'env-s' },
    );
    expect(c).toMatchObject({ baseUrl: 'http://127.0.0.1:9999', apiVersion: 'v4.1', apiKey: 'env-a', secretKey: 'env-s' });
  });

  test.each([
    [{ baseUrl: 'https://api.gameball.co/api/v4.0' }, /scheme and host only/],
    [{ baseUrl: 'ftp://x' }, /scheme and host only/],
    [{ baseUrl: 'not a url' }, /scheme and host only/],
    [{ apiVersion: 'v5' }, /v4.0 or v4.1/],
    [{ apiKey: '' }, /API key is not set/],
    [{ secretKey: '  ' }, /secret key is not set/],
  ])('%j is refused with a message naming the setting', (patch, message) => {
    const run = () => resolveGameballConfig({ apiKey: 'a-key-1', secretKey: 's-key-1', ...patch });
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
});
