// The data folder holds customers' mobile numbers and orders, the log and the training ledger:
// only the user the till runs as may read it. On POSIX the folder is 0700 and its files 0600, and
// the process creates every later file (the database's -wal and -shm, a new log, a ledger) with
// umask 077, so nothing is ever readable by other users, even for a moment. An install made by
// an older version (folder 0755, files 0644) is tightened on the next start.
//
// Windows: nothing to do here. The data folder is under the user's own %APPDATA%, whose ACL gives
// access to that user (and SYSTEM and administrators) only, and new files inherit it.
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { DataFolderError } from '../data-folder.ts';

const FOLDER_MODE = 0o700;
const FILE_MODE = 0o600;
/** Sub-folders of the data folder whose files the app writes itself. */
const OWN_SUBFOLDERS = ['logs'];

/** From now on, files and folders this process creates are private to its user (umask 077). */
export function restrictNewFiles(platform: NodeJS.Platform = process.platform): void {
  if (platform !== 'win32') process.umask(0o077);
}

/**
 * Creates `dir` (0700) if missing, sets the process umask to 077, and takes group and other
 * permissions away from the folder, the files directly in it and in `logs/` (never adding any,
 * never following a symlink, never touching what another user owns). Refuses (DataFolderError) a
 * folder with the sticky bit, such as /tmp: customer data needs a folder of its own, and
 * changing a shared folder's mode would break every other user of it.
 */
export function ensurePrivateDataDir(dir: string, platform: NodeJS.Platform = process.platform): void {
  restrictNewFiles(platform);
  mkdirSync(dir, { recursive: true, mode: FOLDER_MODE });
  if (platform === 'win32') return;
  const st = statSync(dir);
  if (st.mode & 0o1000) {
    throw new DataFolderError('shared', dir, 'start');
  }
  tighten(dir, st, FOLDER_MODE);
  tightenEntries(dir, true);
}

function tightenEntries(dir: string, top: boolean): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isFile()) tighten(path, statSync(path), FILE_MODE);
    else if (top && entry.isDirectory() && OWN_SUBFOLDERS.includes(entry.name)) {
      tighten(path, statSync(path), FOLDER_MODE);
      tightenEntries(path, false);
    }
  }
}

/** Removes the bits `allowed` does not have (chmod only when something changes). */
function tighten(path: string, st: Stats, allowed: number): void {
  if (process.getuid !== undefined && st.uid !== process.getuid()) return;
  const current = st.mode & 0o7777;
  const next = current & allowed;
  if (next !== current) chmodSync(path, next);
}

/**
 * Writes `text` to `file` whole, private to this user (0600): a temporary file beside it, synced,
 * then renamed over it, and the rename synced too. A reader (or a restart after a power cut) sees
 * the old content or the new, never half; the temporary file never outlives a failure.
 */
export function writePrivateFileAtomic(file: string, text: string): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true });
  const temp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const fd = openSync(temp, 'wx', FILE_MODE);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  // The rename itself must reach the disk; folders cannot be opened for this on Windows.
  if (process.platform !== 'win32') {
    const dirFd = openSync(dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  }
}
