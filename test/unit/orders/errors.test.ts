// A write the data folder refused, as the refusal people read; anything else is left as it was.
import { describe, expect, it } from 'vitest';
import { CaptureRefusedError, refusalFromStorage } from '../../../main/orders/errors.ts';

const sqliteError = (code: string) => Object.assign(new Error(code), { name: 'SqliteError', code });

describe('refusalFromStorage', () => {
  it.each([
    ['SQLITE_FULL', 'DISK_FULL', /is full \(no space left on the device\)/],
    ['SQLITE_READONLY', 'DATA_FOLDER_READ_ONLY', /is read-only/],
    ['EACCES', 'DATA_FOLDER_UNAVAILABLE', /permission denied/],
  ] as const)('%s -> %s, naming the folder, saying nothing new was saved', (code, refusal, text) => {
    const r = refusalFromStorage(sqliteError(code), '/var/lib/till');
    expect(r).toBeInstanceOf(CaptureRefusedError);
    expect(r).toMatchObject({ code: refusal, folder: '/var/lib/till' });
    expect(r?.message).toMatch(text);
    expect(r?.message).toMatch(/^The data folder \/var\/lib\/till .*nothing new was saved\.$/);
    expect(r?.toJSON()).toEqual({ code: refusal, message: r?.message, folder: '/var/lib/till' });
  });

  it('leaves other errors alone: a constraint, a refusal already made, a plain bug', () => {
    expect(refusalFromStorage(sqliteError('SQLITE_CONSTRAINT_UNIQUE'), '/x')).toBeNull();
    expect(refusalFromStorage(new CaptureRefusedError('DUPLICATE_RECEIPT', 'dup'), '/x')).toBeNull();
    expect(refusalFromStorage(new TypeError('x is undefined'), '/x')).toBeNull();
  });
});
