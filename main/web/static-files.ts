// Resolving a request path to a file of the built screen (build/renderer), for browser mode and
// for the Electron shell's app:// protocol. Only files under the root are ever served: encoded
// dot-segments, backslashes, NUL bytes and absolute paths are refused, and a path without a file
// extension gets index.html (the screen routes in the page). Source maps are never served, even
// when a development build left them in the folder: they carry the whole source.
import { realpathSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/** Files a build may contain that are not for the page: source maps. */
const NEVER_SERVED = /\.map$/i;

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export type StaticLookup = { kind: 'file'; file: string; contentType: string; size: number } | { kind: 'not-found' } | { kind: 'bad-path' };

/**
 * Maps a URL pathname (still percent-encoded, no query) to a file under `root`.
 * Never returns a path outside `root`, also not through a symlink.
 */
export function lookupStatic(root: string, pathname: string): StaticLookup {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { kind: 'bad-path' };
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return { kind: 'bad-path' };
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '..' || s === '.' || /^[A-Za-z]:$/.test(s))) return { kind: 'bad-path' };

  const rootAbs = resolve(root);
  const last = segments[segments.length - 1] ?? '';
  if (NEVER_SERVED.test(last)) return { kind: 'not-found' };
  const wantsFile = segments.length > 0 && extname(last) !== '';
  const rel = wantsFile ? segments.join('/') : 'index.html';
  const candidate = resolve(join(rootAbs, rel));
  if (candidate !== rootAbs && !candidate.startsWith(rootAbs + sep)) return { kind: 'bad-path' };

  try {
    const real = realpathSync(candidate);
    const realRoot = realpathSync(rootAbs);
    if (!real.startsWith(realRoot + sep)) return { kind: 'bad-path' };
    if (NEVER_SERVED.test(real)) return { kind: 'not-found' };
    const st = statSync(real);
    if (!st.isFile()) return { kind: 'not-found' };
    return { kind: 'file', file: real, contentType: contentTypeOf(real), size: st.size };
  } catch {
    return { kind: 'not-found' };
  }
}
