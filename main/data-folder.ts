// The data folder as a condition, not a crash. A full disk, a read-only mount, a folder that is
// missing, not a folder, or not ours to write are facts about the till, not bugs: every front door
// (CLI stderr and exit code, the screen, the log) says which folder, what is wrong and what to do,
// in one line, with the sentences below.
//
// Contract:
//  - `problemOf(err, folder)` names the condition behind an error from SQLite or the file system,
//    or returns null when the error is something else (a bug, a corrupt file). Codes that say it
//    outright (ENOSPC, SQLITE_FULL, EROFS, SQLITE_READONLY, ...) are taken at their word; vague
//    ones (SQLITE_IOERR_*, SQLITE_CANTOPEN) are checked by probing the folder, so a disk I/O error
//    on a full disk still reads "full" and a real I/O fault is not blamed on the disk's space.
//  - `checkDataFolder(folder)` creates the folder when it is missing (a first start) and probes it
//    with one small write. It never throws: it answers the problem or null.
//  - Nothing here deletes or changes a file of the till; the probe file is removed at once.
import { closeSync, mkdirSync, openSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import type { RefusalReason } from '../preload/api.ts';

export type DataFolderProblem = 'full' | 'read-only' | 'no-permission' | 'missing' | 'not-a-folder' | 'shared';

/** What the till was doing when it met the problem: it picks the end of the sentence. */
export type DataFolderActivity = 'save' | 'sync' | 'start';

/** CLI exit code: the data folder cannot be used (read-only, missing, not a folder, permission denied, shared). */
export const EXIT_DATA_FOLDER = 4;
/** CLI exit code: the disk of the data folder is full. */
export const EXIT_DISK_FULL = 5;

/** Stable codes for each problem (screen translations, `status` JSON, the log). */
export const DATA_FOLDER_CODES = {
  full: 'DISK_FULL',
  'read-only': 'DATA_FOLDER_READ_ONLY',
  'no-permission': 'DATA_FOLDER_UNAVAILABLE',
  missing: 'DATA_FOLDER_UNAVAILABLE',
  'not-a-folder': 'DATA_FOLDER_UNAVAILABLE',
  shared: 'DATA_FOLDER_UNAVAILABLE',
} as const satisfies Record<DataFolderProblem, RefusalReason>;
export type DataFolderCode = (typeof DATA_FOLDER_CODES)[DataFolderProblem];

const ELSEWHERE = 'or choose another folder with --data-dir or POS_COMPANION_DATA_DIR';

const AFTER: Record<DataFolderActivity, string> = {
  save: 'orders already saved are safe and nothing new was saved.',
  sync: 'orders already saved are safe and the sync carries on once it can write again.',
  start: 'nothing was changed.',
};

/** The one-line sentence for people: which folder, what is wrong, what to do. */
export function dataFolderMessage(problem: DataFolderProblem, folder: string, activity: DataFolderActivity): string {
  const after = AFTER[activity];
  switch (problem) {
    case 'full':
      if (activity === 'start') {
        return `The data folder ${folder} is full (no space left on the device): free some space on that disk; until then new orders cannot be saved, and orders already saved are safe.`;
      }
      return `The data folder ${folder} is full (no space left on the device): free some space on that disk; ${after}`;
    case 'read-only':
      return `The data folder ${folder} is read-only (its disk or share is mounted read-only): make it writable again, ${ELSEWHERE}; ${after}`;
    case 'no-permission':
      return `The data folder ${folder} cannot be written (permission denied): give the user who runs POS Companion write access to it, ${ELSEWHERE}; ${after}`;
    case 'missing':
      return `The data folder ${folder} does not exist and cannot be created (a folder on its path is missing, or its drive is not connected): connect the drive or create the folder, ${ELSEWHERE}; ${after}`;
    case 'not-a-folder':
      return `The data folder ${folder} is not a folder (a file is in its place or on its path): move that file away, ${ELSEWHERE}; ${after}`;
    case 'shared':
      // Customer data must not sit in a folder every user can write (the sticky bit, as on /tmp),
      // and changing a shared folder's mode would break its other users.
      return `The data folder ${folder} is a shared folder (like /tmp): customer data needs a folder of its own. Give one with --data-dir or POS_COMPANION_DATA_DIR, e.g. ${join(folder, 'pos-companion')}; ${after}`;
  }
}

export function exitCodeFor(problem: DataFolderProblem): number {
  return problem === 'full' ? EXIT_DISK_FULL : EXIT_DATA_FOLDER;
}

/** The data folder cannot be used. `message` is the sentence for people; `code` is stable. */
export class DataFolderError extends Error {
  override name = 'DataFolderError';
  readonly code: DataFolderCode;
  constructor(
    readonly problem: DataFolderProblem,
    readonly folder: string,
    activity: DataFolderActivity,
  ) {
    super(dataFolderMessage(problem, folder, activity));
    this.code = DATA_FOLDER_CODES[problem];
  }

  get exitCode(): number {
    return exitCodeFor(this.problem);
  }
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The problem an error code states outright; 'probe' when the code is vague and only a look at
 * the folder can tell; null when the error is not about the folder at all.
 */
export function problemFromCode(err: unknown): DataFolderProblem | 'probe' | null {
  const code = codeOf(err);
  if (code === undefined) return null;
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL') return 'full';
  if (code === 'EROFS' || code === 'SQLITE_READONLY' || code === 'SQLITE_READONLY_DIRECTORY') return 'read-only';
  if (code === 'EACCES' || code === 'EPERM' || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH') return 'no-permission';
  if (code === 'ENOENT') return 'missing';
  if (code === 'ENOTDIR' || code === 'EEXIST') return 'not-a-folder';
  // SQLite reports a full disk while it maps the shared-memory file, and a missing or unwritable
  // folder on open, as I/O or cannot-open errors; its other read-only variants (recovery, a
  // database moved away) likewise need a look at the folder.
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY')) return 'probe';
  return null;
}

/** Looks at the folder: exists, is a folder, takes one small write. Never throws. */
export function probeDataFolder(folder: string): DataFolderProblem | null {
  try {
    if (!statSync(folder).isDirectory()) return 'not-a-folder';
  } catch (err) {
    return fromProbe(err);
  }
  const probe = join(folder, `.write-check-${process.pid}-${randomBytes(4).toString('hex')}`);
  let fd: number | undefined;
  try {
    fd = openSync(probe, 'wx');
    // One byte takes a block (a page on tmpfs): a full disk refuses it.
    writeSync(fd, 'x');
    return null;
  } catch (err) {
    return fromProbe(err);
  } finally {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // closing a probe can fail on a vanished mount; nothing to keep
      }
    }
    try {
      unlinkSync(probe);
    } catch {
      // never created, or the folder went away meanwhile
    }
  }
}

/** The condition behind `err`, checking the folder when the code is vague; null: not a folder problem. */
export function problemOf(err: unknown, folder: string): DataFolderProblem | null {
  const p = problemFromCode(err);
  if (p !== 'probe') return p;
  return probeDataFolder(folder);
}

/**
 * Creates the folder when missing (first start), then probes it. Answers the problem or null;
 * never throws. A full disk is answered too: the caller decides whether to start anyway (reading
 * still works, and the screen should say why saving does not).
 */
export function checkDataFolder(folder: string): DataFolderProblem | null {
  return createFolder(resolve(folder)) ?? probeDataFolder(folder);
}

/**
 * Creates the folder and its missing parents one level at a time, so a failure says why: Node's
 * recursive mkdir reports ENOENT for a read-only disk. Answers the problem, or null when the folder
 * exists (now) as a folder.
 */
function createFolder(folder: string): DataFolderProblem | null {
  const missing: string[] = [];
  for (let dir = folder; ;) {
    try {
      if (!statSync(dir).isDirectory()) return 'not-a-folder';
      break;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === 'ENOTDIR') return 'not-a-folder';
      if (code !== 'ENOENT') return fromProbe(err) ?? 'missing';
      missing.unshift(dir);
      const up = dirname(dir);
      if (up === dir) return 'missing';
      dir = up;
    }
  }
  for (const dir of missing) {
    try {
      mkdirSync(dir);
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'EEXIST') return fromProbe(err) ?? 'missing';
      // Made meanwhile by another process, or a link to something that is not there (a drive that
      // is not connected).
      try {
        if (!statSync(dir).isDirectory()) return 'not-a-folder';
      } catch {
        return 'missing';
      }
    }
  }
  return null;
}

function fromProbe(err: unknown): DataFolderProblem | null {
  const p = problemFromCode(err);
  return p === 'probe' ? null : p;
}

/** `err` as a DataFolderError when it is about the data folder; null when it is something else. */
export function asDataFolderError(err: unknown, folder: string, activity: DataFolderActivity): DataFolderError | null {
  if (err instanceof DataFolderError) return err;
  const problem = problemOf(err, folder);
  return problem === null ? null : new DataFolderError(problem, folder, activity);
}
