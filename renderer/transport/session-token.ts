// Browser mode's session token on the page side. `serve` prints `http://127.0.0.1:PORT/#token=T`;
// the fragment never reaches a server, so the token travels only where the page sends it: the
// WebSocket upgrade to its own origin (see ws-client.ts). Promises:
//   - a token in the fragment is taken, kept for this tab, and removed from the address bar (and
//     so from history, bookmarks and screenshots) before anything else runs;
//   - without one in the fragment, the tab's kept token is used (a reload, F5 on the till);
//   - nothing else: never a cookie (a cookie for 127.0.0.1 is sent to every local port), never
//     localStorage (it outlives the tab).
// sessionStorage is the one place it is kept, so a reload keeps working: it belongs to this
// origin (scheme, host and port), so a server on another local port cannot read it; it ends with
// the tab; and a script able to read it already runs in this page and could use the open
// WebSocket anyway. Pure of globals: the location, history and storage are passed in.
import { SESSION_TOKEN_QUERY } from '../../preload/api.ts';

export const SESSION_STORAGE_KEY = 'pos-companion.session-token';

/** The slices of window.location, window.history and sessionStorage used here. */
export interface PageLocation {
  readonly pathname: string;
  readonly search: string;
  readonly hash: string;
}
export interface PageHistory {
  replaceState(data: unknown, unused: string, url?: string): void;
}
export interface TabStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** What a token looks like (`serve` makes 43 base64url characters; `--token` at least 16). */
const TOKEN = /^[A-Za-z0-9_-]{16,512}$/;

/**
 * Takes the session token for this page: from the address's fragment (then stripped from the
 * address bar and kept for the tab), else the one kept for this tab. undefined: the page was
 * opened without the printed address.
 */
export function takeSessionToken(location: PageLocation, history: PageHistory, storage: TabStorage | undefined): string | undefined {
  const fragment = location.hash.startsWith('#') ? location.hash.slice(1) : location.hash;
  const params = new URLSearchParams(fragment);
  const offered = params.get(SESSION_TOKEN_QUERY);
  if (offered !== null) {
    params.delete(SESSION_TOKEN_QUERY);
    const rest = params.toString();
    history.replaceState(null, '', `${location.pathname}${location.search}${rest === '' ? '' : `#${rest}`}`);
    if (TOKEN.test(offered)) {
      keep(storage, offered);
      return offered;
    }
  }
  const kept = read(storage);
  return kept !== null && TOKEN.test(kept) ? kept : undefined;
}

// Storage can throw (disabled, quota, a sandboxed frame): the page then works until a reload.
function keep(storage: TabStorage | undefined, token: string): void {
  try {
    storage?.setItem(SESSION_STORAGE_KEY, token);
  } catch {
    // Kept in memory only.
  }
}

function read(storage: TabStorage | undefined): string | null {
  try {
    return storage?.getItem(SESSION_STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}
