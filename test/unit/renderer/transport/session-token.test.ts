// The page's side of the browser-mode session: the token comes from the address's fragment, is
// removed from the address bar at once, kept for the tab only, and never read from anywhere a
// server could have put it.
import { describe, expect, it } from 'vitest';
import { SESSION_STORAGE_KEY, takeSessionToken } from '../../../../renderer/transport/session-token.ts';

const TOKEN = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde';

function page(href: string, stored?: Record<string, string>) {
  const url = new URL(href);
  const replaced: string[] = [];
  const storage = new Map(Object.entries(stored ?? {}));
  return {
    location: { pathname: url.pathname, search: url.search, hash: url.hash },
    history: { replaceState: (_d: unknown, _u: string, next?: string) => replaced.push(next ?? '') },
    storage: { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => void storage.set(k, v) },
    replaced,
    stored: storage,
  };
}

describe('takeSessionToken', () => {
  it('takes the token from the fragment, strips it from the address bar and keeps it for the tab', () => {
    const p = page(`http://127.0.0.1:4477/#token=${TOKEN}`);
    expect(takeSessionToken(p.location, p.history, p.storage)).toBe(TOKEN);
    expect(p.replaced).toEqual(['/']);
    expect(p.stored.get(SESSION_STORAGE_KEY)).toBe(TOKEN);
  });

  it('keeps the path, the query and any other fragment parameter', () => {
    const p = page(`http://127.0.0.1:4477/queue?x=1#a=b&token=${TOKEN}`);
    expect(takeSessionToken(p.location, p.history, p.storage)).toBe(TOKEN);
    expect(p.replaced).toEqual(['/queue?x=1#a=b']);
  });

  it('after a reload (no fragment), uses the token kept for the tab and touches no address', () => {
    const p = page('http://127.0.0.1:4477/', { [SESSION_STORAGE_KEY]: TOKEN });
    expect(takeSessionToken(p.location, p.history, p.storage)).toBe(TOKEN);
    expect(p.replaced).toEqual([]);
  });

  it('a new address wins over the kept token', () => {
    const fresh = `${TOKEN.slice(1)}Z`;
    const p = page(`http://127.0.0.1:4477/#token=${fresh}`, { [SESSION_STORAGE_KEY]: TOKEN });
    expect(takeSessionToken(p.location, p.history, p.storage)).toBe(fresh);
    expect(p.stored.get(SESSION_STORAGE_KEY)).toBe(fresh);
  });

  it('never reads the token from the query: a query reaches the server and its logs', () => {
    const p = page(`http://127.0.0.1:4477/?token=${TOKEN}`);
    expect(takeSessionToken(p.location, p.history, p.storage)).toBeUndefined();
    expect(p.stored.size).toBe(0);
  });

  it.each(['', '#', '#token=', '#token=short', `#token=${TOKEN}%22%3E`, '#token=a b c d e f g h i j k l m n o p'])(
    'has no token for %j (and strips a malformed one)',
    (hash) => {
      const p = page(`http://127.0.0.1:4477/${hash}`);
      expect(takeSessionToken(p.location, p.history, p.storage)).toBeUndefined();
      expect(p.stored.size).toBe(0);
      if (hash.includes('token=')) expect(p.replaced).toEqual(['/']);
    },
  );

  it('works without storage (disabled or throwing): the token is used for this load only', () => {
    const p = page(`http://127.0.0.1:4477/#token=${TOKEN}`);
    const throwing = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
    };
    expect(takeSessionToken(p.location, p.history, throwing)).toBe(TOKEN);
    expect(takeSessionToken(p.location, p.history, undefined)).toBe(TOKEN);
    const reload = page('http://127.0.0.1:4477/');
    expect(takeSessionToken(reload.location, reload.history, throwing)).toBeUndefined();
  });
});
