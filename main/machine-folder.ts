// One queue per till: the per-machine data folder. A till installed "for all users" keeps its
// database, till id (till.json), keys and logs in one folder every account on it shares:
//   Windows  %ProgramData%\POS Companion
//   macOS    /Library/Application Support/POS Companion
//   Linux    /var/lib/pos-companion
// The mode is chosen at install, not by the app: $POS_COMPANION_INSTALL=per-machine|per-user
// (MDM), else the marker file `per-machine` in that folder (the Windows installer writes it for an
// all-users install, IT's package or script elsewhere; docs/rollout.md), else per-user.
//
// Switching an existing till to per-machine moves its per-user queue once (`adoptUserFolder`):
//  - only when the machine folder has no database yet; the database is copied as one consistent
//    snapshot (VACUUM INTO, with writers held off) to a temporary name and renamed into place,
//    then till.json; only then is the per-user database renamed aside (`*.moved-to-machine-folder`)
//    and a `moved-to-machine-folder.json` note left, so the per-user copy is never used again;
//  - a failure leaves the per-user folder as it was and the till keeps using it (never an empty
//    new queue beside a full one); the next start tries again;
//  - when both folders hold a database (a second account that had its own queue), nothing is
//    copied: the per-user file is reported as `leftover`, for the app to merge with the engine's
//    recovery (orders owed are looked up at Gameball before any is sent again) and set aside.
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, posix, win32 } from 'node:path';
import Database from 'better-sqlite3';
import { DB_FILE_NAME, IDENTITY_FILE_NAME, PRODUCT_NAME } from './db/file-names.ts';

export type InstallMode = 'per-machine' | 'per-user';

export const INSTALL_MODE_ENV = 'POS_COMPANION_INSTALL';
/** The file whose presence in the machine folder makes an install per-machine. */
export const MACHINE_MARKER = 'per-machine';
/** Left in a per-user folder whose queue moved to the machine folder. */
export const MOVED_NOTE = 'moved-to-machine-folder.json';
export const MOVED_SUFFIX = '.moved-to-machine-folder';

export function machineDataDir(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string {
  if (platform === 'win32') return win32.join(env.ProgramData ?? env.PROGRAMDATA ?? 'C:\\ProgramData', PRODUCT_NAME);
  if (platform === 'darwin') return posix.join('/Library/Application Support', PRODUCT_NAME);
  return '/var/lib/pos-companion';
}

export interface ModeInputs {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  exists?: (path: string) => boolean;
}

/** per-machine or per-user, as the install chose (see the file comment). */
export function installMode({ platform, env, exists = existsSync }: ModeInputs): InstallMode {
  const forced = env[INSTALL_MODE_ENV]?.trim().toLowerCase();
  if (forced === 'per-machine' || forced === 'machine') return 'per-machine';
  if (forced === 'per-user' || forced === 'user') return 'per-user';
  return exists(join(machineDataDir(platform, env), MACHINE_MARKER)) ? 'per-machine' : 'per-user';
}

export type AdoptResult =
  | { kind: 'nothing' }
  | { kind: 'moved'; from: string; files: string[] }
  | { kind: 'leftover'; file: string }
  | { kind: 'failed'; reason: string };

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Moves the per-user queue (`userDir`) into the machine folder (`machineDir`) when the machine
 * folder has none; see the file comment. Never throws; never deletes the per-user database.
 */
export function adoptUserFolder(userDir: string, machineDir: string, now: () => number = Date.now): AdoptResult {
  const source = join(userDir, DB_FILE_NAME);
  const target = join(machineDir, DB_FILE_NAME);
  if (!existsSync(source)) return { kind: 'nothing' };
  if (existsSync(target)) return { kind: 'leftover', file: source };
  const partial = `${target}.migrating`;
  try {
    mkdirSync(machineDir, { recursive: true });
    rmSync(partial, { force: true });
    const writer = new Database(source, { fileMustExist: true, timeout: 5_000 });
    try {
      // Held while the snapshot is taken: no other process adds an order that the copy would miss.
      writer.exec('BEGIN IMMEDIATE');
      const reader = new Database(source, { readonly: true, fileMustExist: true });
      try {
        reader.prepare('VACUUM INTO ?').run(partial);
      } finally {
        reader.close();
      }
      writer.exec('COMMIT');
    } finally {
      writer.close();
    }
    const files = [DB_FILE_NAME];
    if (existsSync(join(userDir, IDENTITY_FILE_NAME))) {
      copyFileSync(join(userDir, IDENTITY_FILE_NAME), join(machineDir, `${IDENTITY_FILE_NAME}.migrating`));
    }
    renameSync(partial, target);
    if (existsSync(join(machineDir, `${IDENTITY_FILE_NAME}.migrating`))) {
      renameSync(join(machineDir, `${IDENTITY_FILE_NAME}.migrating`), join(machineDir, IDENTITY_FILE_NAME));
      files.push(IDENTITY_FILE_NAME);
    }
    setAside(userDir, machineDir, now);
    return { kind: 'moved', from: userDir, files };
  } catch (err) {
    try {
      rmSync(partial, { force: true });
    } catch {
      // a partial copy left behind is overwritten next time
    }
    return { kind: 'failed', reason: errText(err) };
  }
}

/** The per-user database (and its -wal/-shm, till.json) renamed aside, with a note saying where the queue went. */
function setAside(userDir: string, machineDir: string, now: () => number): void {
  writeFileSync(
    join(userDir, MOVED_NOTE),
    `${JSON.stringify({ movedTo: machineDir, at: new Date(now()).toISOString(), note: 'This till keeps its queue in the per-machine folder.' }, null, 2)}\n`,
  );
  for (const name of [DB_FILE_NAME, `${DB_FILE_NAME}-wal`, `${DB_FILE_NAME}-shm`, IDENTITY_FILE_NAME]) {
    const file = join(userDir, name);
    if (existsSync(file)) renameSync(file, `${file}${MOVED_SUFFIX}`);
  }
}

export interface FolderChoice {
  dir: string;
  mode: InstallMode;
  /** The per-user folder of this account (where a per-user install keeps its queue). */
  userDir: string;
  /** What moving the per-user queue did (per-machine mode only). */
  adopt: AdoptResult;
}

/**
 * The data folder for `mode`: per-user, the account's folder, unless its queue already moved to
 * the machine folder (its note says so: never two queues); per-machine, the machine folder, after
 * moving this account's per-user queue into it (adoptUserFolder). When that move fails the till
 * keeps using the per-user folder and `adopt` says why.
 */
export function chooseDataFolder(opts: { mode: InstallMode; userDir: string; machineDir: string; now?: () => number }): FolderChoice {
  const { mode, userDir, machineDir } = opts;
  if (mode === 'per-user') {
    const moved = existsSync(join(userDir, MOVED_NOTE)) && !existsSync(join(userDir, DB_FILE_NAME));
    return { dir: moved ? machineDir : userDir, mode, userDir, adopt: { kind: 'nothing' } };
  }
  const adopt = adoptUserFolder(userDir, machineDir, opts.now);
  return { dir: adopt.kind === 'failed' ? userDir : machineDir, mode, userDir, adopt };
}

/** After the app merged a leftover per-user queue into the machine folder: set it aside the same way. */
export function setLeftoverAside(userDir: string, machineDir: string, now: () => number = Date.now): void {
  setAside(userDir, machineDir, now);
}
