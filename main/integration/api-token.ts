// The local API's bearer token: made by the till on first use, kept in the data folder as
// `api-token` (0600 on POSIX, inside the 0700 data folder; see main/config/private-files.ts), shown
// to store IT in Settings (behind the store PIN) and by `pos-companion api token`. Rotating it
// replaces the file at once: the running till reads the file on each request, so the old token
// stops working without a restart. Never logged, never on a command line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFileAtomic } from '../config/private-files.ts';
import { newSessionToken } from '../web/security.ts';

export const API_TOKEN_FILE = 'api-token';
const TOKEN = /^[A-Za-z0-9_-]{32,128}$/;

export function apiTokenPath(dataDir: string): string {
  return join(dataDir, API_TOKEN_FILE);
}

/** The token stored in `dataDir`, or null when there is none (or the file does not hold one). */
export function readApiToken(dataDir: string): string | null {
  let text: string;
  try {
    text = readFileSync(apiTokenPath(dataDir), 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return TOKEN.test(text) ? text : null;
}

/** The stored token, made (256 random bits) and stored first when there is none. */
export function ensureApiToken(dataDir: string): string {
  return readApiToken(dataDir) ?? writeApiToken(dataDir);
}

/** A new token replaces the stored one; returns it. */
export function rotateApiToken(dataDir: string): string {
  return writeApiToken(dataDir);
}

/** Written whole (temp file, then rename): a reader sees the old token or the new one, never half. */
function writeApiToken(dataDir: string): string {
  const token = newSessionToken();
  const file = apiTokenPath(dataDir);
  writePrivateFileAtomic(file, `${token}\n`);
  return token;
}
