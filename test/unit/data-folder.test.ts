// Naming the data folder's condition from an error, and the sentences people read. Real folders
// for the cases a plain temp folder can show (missing, a file in the way, a dangling link); the
// full and read-only disks are in test/integration/data-folder.test.ts (they need a mount).
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  asDataFolderError,
  checkDataFolder,
  DataFolderError,
  dataFolderMessage,
  EXIT_DATA_FOLDER,
  EXIT_DISK_FULL,
  problemFromCode,
  problemOf,
} from '../../main/data-folder.ts';
import type { DataFolderActivity, DataFolderProblem } from '../../main/data-folder.ts';

const err = (code: string) => Object.assign(new Error(code), { code });

describe('problemFromCode', () => {
  it.each([
    ['ENOSPC', 'full'],
    ['EDQUOT', 'full'],
    ['SQLITE_FULL', 'full'],
    ['EROFS', 'read-only'],
    ['SQLITE_READONLY', 'read-only'],
    ['EACCES', 'no-permission'],
    ['EPERM', 'no-permission'],
    ['ENOENT', 'missing'],
    ['ENOTDIR', 'not-a-folder'],
    ['EEXIST', 'not-a-folder'],
    // Vague: only a look at the folder tells (a full disk shows up as an I/O error in SQLite's shm).
    ['SQLITE_IOERR_SHMSIZE', 'probe'],
    ['SQLITE_IOERR_WRITE', 'probe'],
    ['SQLITE_CANTOPEN', 'probe'],
    ['SQLITE_READONLY_DBMOVED', 'probe'],
    // Not about the folder at all.
    ['SQLITE_CONSTRAINT_UNIQUE', null],
    ['SQLITE_BUSY', null],
    ['ECONNREFUSED', null],
  ] as const)('%s -> %s', (code, expected) => {
    expect(problemFromCode(err(code))).toBe(expected);
  });

  it('an error without a code is not about the folder', () => {
    expect(problemFromCode(new Error('boom'))).toBeNull();
    expect(problemFromCode('text')).toBeNull();
    expect(problemFromCode(null)).toBeNull();
  });
});

describe('the sentences', () => {
  const problems: DataFolderProblem[] = ['full', 'read-only', 'no-permission', 'missing', 'not-a-folder'];
  const activities: DataFolderActivity[] = ['save', 'sync', 'start'];
  it.each(problems.flatMap((p) => activities.map((a) => [p, a] as const)))(
    '%s while %s: one line naming the folder and what to do',
    (problem, activity) => {
      const text = dataFolderMessage(problem, '/srv/till data', activity);
      expect(text).toContain('/srv/till data');
      expect(text).not.toMatch(/\n/);
      expect(text).toMatch(/: (free|make|give|connect|move) /);
      expect(text).toMatch(/\.$/);
    },
  );

  it('says the disk is full, and after a refused save that nothing new was saved', () => {
    expect(dataFolderMessage('full', '/x/y', 'save')).toBe(
      'The data folder /x/y is full (no space left on the device): free some space on that disk; orders already saved are safe and nothing new was saved.',
    );
    expect(dataFolderMessage('read-only', '/x/y', 'save')).toBe(
      'The data folder /x/y is read-only (its disk or share is mounted read-only): make it writable again, or choose another folder with --data-dir or POS_COMPANION_DATA_DIR; orders already saved are safe and nothing new was saved.',
    );
  });

  it('DataFolderError carries a stable code and the exit code (5 full, 4 the others)', () => {
    const full = new DataFolderError('full', '/x', 'start');
    expect(full).toMatchObject({ code: 'DISK_FULL', folder: '/x', problem: 'full', exitCode: EXIT_DISK_FULL });
    expect(new DataFolderError('read-only', '/x', 'start')).toMatchObject({ code: 'DATA_FOLDER_READ_ONLY', exitCode: EXIT_DATA_FOLDER });
    expect(new DataFolderError('missing', '/x', 'start')).toMatchObject({ code: 'DATA_FOLDER_UNAVAILABLE', exitCode: EXIT_DATA_FOLDER });
    expect(EXIT_DATA_FOLDER).toBe(4);
    expect(EXIT_DISK_FULL).toBe(5);
  });
});

describe('real folders', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'pos-data-folder-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('a missing folder is created (a first start), parents included, and leaves no probe file behind', () => {
    const dir = join(root, 'a', 'b', 'data');
    expect(checkDataFolder(dir)).toBeNull();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a file where the folder should be, or on its path, is "not a folder"', () => {
    writeFileSync(join(root, 'file'), 'x');
    expect(checkDataFolder(join(root, 'file'))).toBe('not-a-folder');
    expect(checkDataFolder(join(root, 'file', 'data'))).toBe('not-a-folder');
  });

  it('a link to a drive that is not there is "missing"', () => {
    symlinkSync(join(root, 'unplugged', 'drive'), join(root, 'data'));
    expect(checkDataFolder(join(root, 'data'))).toBe('missing');
  });

  it('a vague SQLite error on a healthy folder is not blamed on the folder', () => {
    mkdirSync(join(root, 'ok'));
    expect(problemOf(err('SQLITE_IOERR_WRITE'), join(root, 'ok'))).toBeNull();
    expect(asDataFolderError(err('SQLITE_IOERR_WRITE'), join(root, 'ok'), 'sync')).toBeNull();
    expect(asDataFolderError(err('SQLITE_FULL'), join(root, 'ok'), 'sync')).toMatchObject({ code: 'DISK_FULL', folder: join(root, 'ok') });
  });
});
