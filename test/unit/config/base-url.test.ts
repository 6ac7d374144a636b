// The stored base URL read without zod (storedBaseUrl, for the quick `status`) takes exactly what
// the settings' schema takes, and gives the same value.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSchemeAndHostOnly, storedBaseUrl } from '../../../main/config/base-url.ts';
import { BaseUrlSchema } from '../../../main/config/settings.ts';

const schema = (raw: unknown): string | null => {
  const r = BaseUrlSchema.safeParse(raw);
  return r.success ? r.data : null;
};

describe('storedBaseUrl', () => {
  it.each([
    ['https://api.gameball.co', 'https://api.gameball.co'],
    ['  https://api.gameball.co/  ', 'https://api.gameball.co'],
    ['https://gameball.example.com:8443', 'https://gameball.example.com:8443'],
    ['http://127.0.0.1:8787', 'http://127.0.0.1:8787'],
    ['http://localhost:8787/', 'http://localhost:8787'],
    ['http://[::1]:8787', 'http://[::1]:8787'],
    ['http://10.0.0.5:8080', null],
    ['http://api.gameball.co', null],
    ['https://api.gameball.co/api/v4.0', null],
    ['https://api.gameball.co/?x=1', null],
    ['https://api.gameball.co/#top', null],
    ['https://user:pass@api.gameball.co', null],
    ['ftp://api.gameball.co', null],
    ['not a url', null],
    ['', null],
    [42, null],
    [null, null],
    [undefined, null],
  ])('%j -> %j, as the settings schema takes it', (raw, want) => {
    expect(storedBaseUrl(raw)).toBe(want);
    expect(schema(raw)).toBe(want);
  });

  it('agrees with the settings schema on any URL-like text', () => {
    const part = fc.constantFrom('', '/', '//', '/x', '?q', '#f', ':8080', ':99999', ' ', 'user@', 'u:p@');
    const host = fc.constantFrom(
      '127.0.0.1',
      '127.9.9.9',
      'localhost',
      '[::1]',
      'api.gameball.co',
      '10.0.0.5',
      '0x7f.1',
      'localhost.example.com',
    );
    const scheme = fc.constantFrom('https://', 'http://', 'HTTPS://', 'ftp://', 'https:/', '');
    fc.assert(
      fc.property(scheme, part, host, part, part, (sc, a, h, b, c) => {
        const raw = `${sc}${a === 'user@' || a === 'u:p@' ? a : ''}${h}${b}${c}`;
        expect(storedBaseUrl(raw)).toBe(schema(raw));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string(), (raw) => {
        expect(storedBaseUrl(raw)).toBe(schema(raw));
      }),
    );
  });

  it('a URL with credentials is not scheme and host only (fetch would refuse it, and a password is never a setting)', () => {
    expect(isSchemeAndHostOnly('https://api.gameball.co')).toBe(true);
    expect(isSchemeAndHostOnly('https://me@api.gameball.co')).toBe(false);
    expect(isSchemeAndHostOnly('https://me:secret@api.gameball.co')).toBe(false);
  });
});
