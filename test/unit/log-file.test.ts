// The log file destination against a file system that fails the way a till's does: ENOSPC on
// write, EROFS on open, short writes, a write that never returns. It must never throw, never
// grow without bound, resume in order when the disk takes writes again, and close in bounded time.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { LogFile } from '../../main/log-file.ts';
import type { LogFileSystem, LogTrouble } from '../../main/log-file.ts';
import { closeLogger, createLogger, logTrouble } from '../../main/log.ts';

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated`), { code });
}

/**
 * An in-memory file system whose failures a test switches on and off. Callbacks run on the next
 * tick, as node:fs's do. `hang` keeps write callbacks pending (a disk that stopped answering).
 */
function fakeFs() {
  const state = {
    data: '',
    openFails: null as string | null,
    writeFails: null as string | null,
    /** At most this many bytes per write call (short writes). */
    maxPerWrite: Infinity,
    hang: false,
    opens: 0,
    closes: 0,
    writes: 0,
  };
  const fs: LogFileSystem = {
    mkdir: (_p, cb) => setImmediate(() => cb(null)),
    open: (_p, cb) =>
      setImmediate(() => {
        state.opens += 1;
        if (state.openFails) cb(errno(state.openFails), -1);
        else cb(null, 7);
      }),
    write: (_fd, buf, cb) => {
      state.writes += 1;
      if (state.hang) return;
      setImmediate(() => {
        if (state.writeFails) return cb(errno(state.writeFails), 0);
        const n = Math.min(buf.length, state.maxPerWrite);
        state.data += buf.subarray(0, n).toString('utf8');
        cb(null, n);
      });
    },
    close: (_fd, cb) =>
      setImmediate(() => {
        state.closes += 1;
        cb(null);
      }),
    writeSync: (_fd, buf) => {
      if (state.writeFails) throw errno(state.writeFails);
      state.data += buf.toString('utf8');
      return buf.length;
    },
  };
  return { fs, state };
}

const line = (i: number) => `${JSON.stringify({ i, msg: `line ${i}` })}\n`;
const tick = () => new Promise((r) => setImmediate(r));
/** Lets the fake file system's callbacks (one setImmediate each) run their course. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await tick();
}

describe('LogFile', () => {
  it('writes lines in order, whole, through short writes', async () => {
    const { fs, state } = fakeFs();
    state.maxPerWrite = 7;
    const f = new LogFile('/logs/x.log', { fs });
    for (let i = 0; i < 50; i++) f.write(line(i));
    await f.flush();
    expect(state.data).toBe(Array.from({ length: 50 }, (_, i) => line(i)).join(''));
    await f.close();
  });

  it('disk full: never throws, keeps lines up to the bound, drops the rest, and resumes in order with a note', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const { fs, state } = fakeFs();
      const troubles: Array<LogTrouble | null> = [];
      // Room for exactly lines 1..10 while the disk is full.
      const bound = Array.from({ length: 10 }, (_, i) => line(i + 1).length).reduce((a, b) => a + b, 0);
      const f = new LogFile('/logs/x.log', { fs, maxBufferBytes: bound, retryMs: 1_000, onTrouble: (t) => troubles.push(t), name: 'till' });
      f.write(line(0));
      await f.flush();
      expect(state.data).toBe(line(0));

      state.writeFails = 'ENOSPC';
      for (let i = 1; i <= 30; i++) expect(() => f.write(line(i))).not.toThrow();
      await settle();
      // Failing now: told once, with the code; what is kept stays within the bound.
      expect(troubles).toEqual([expect.objectContaining({ code: 'ENOSPC' })]);
      expect(f.trouble()).toMatchObject({ code: 'ENOSPC' });
      expect(f.pendingBytes).toBe(bound);
      // flush does not wait for a disk that is full.
      await f.flush();

      // Retried on the timer while still full: nothing written, nothing thrown.
      await vi.advanceTimersByTimeAsync(3_000);
      expect(state.data).toBe(line(0));

      state.writeFails = null;
      await vi.advanceTimersByTimeAsync(1_000);
      await settle();
      const written = state.data
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      // Lines 1..10 were kept (the bound), 11..30 dropped and counted on one line after them.
      expect(written.slice(0, 11).map((l) => l.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(written[11]).toMatchObject({ level: 40, name: 'till', dropped: 20, reason: 'ENOSPC' });
      expect(String(written[11]?.msg)).toMatch(/20 log line\(s\) were dropped while the log file could not be written \(ENOSPC\)/);
      expect(written).toHaveLength(12);
      expect(troubles.at(-1)).toBeNull();
      expect(f.trouble()).toBeNull();

      f.write(line(99));
      await f.flush();
      expect(state.data.endsWith(line(99))).toBe(true);
      await f.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('a folder that cannot be opened (read-only, permission) is retried, and the lines arrive once it can', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { fs, state } = fakeFs();
      state.openFails = 'EROFS';
      const f = new LogFile('/logs/x.log', { fs, retryMs: 500 });
      f.write(line(1));
      await settle();
      expect(f.trouble()).toMatchObject({ code: 'EROFS' });
      state.openFails = 'EACCES';
      await vi.advanceTimersByTimeAsync(500);
      await settle();
      expect(f.trouble()).toMatchObject({ code: 'EACCES' });
      state.openFails = null;
      await vi.advanceTimersByTimeAsync(500);
      await settle();
      expect(state.data).toBe(line(1));
      expect(state.opens).toBe(3);
      await f.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('close resolves within its bound when the disk stops answering, and drops what is left', async () => {
    const { fs, state } = fakeFs();
    const f = new LogFile('/logs/x.log', { fs });
    f.write(line(1));
    await tick();
    state.hang = true;
    f.write(line(2));
    await tick();
    const started = Date.now();
    await f.close(150);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(f.write(line(3))).toBe(false);
    expect(f.pendingBytes).toBe(0);
  });

  it('close while the disk is full returns at once', async () => {
    const { fs, state } = fakeFs();
    state.writeFails = 'ENOSPC';
    const f = new LogFile('/logs/x.log', { fs, retryMs: 60_000 });
    f.write(line(1));
    await tick();
    await tick();
    const started = Date.now();
    await f.close(5_000);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('the last-chance write at exit writes what waits, in one attempt that never throws', async () => {
    const { fs, state } = fakeFs();
    const f = new LogFile('/logs/x.log', { fs });
    f.write(line(1));
    await f.flush();
    // The process is ending: line 2 is being written asynchronously, line 3 waits behind it.
    f.write(line(2));
    f.write(line(3));
    state.writeFails = 'ENOSPC';
    expect(() => f.lastChanceSync()).not.toThrow();
    state.writeFails = null;
    f.lastChanceSync();
    // Line 2 belongs to the write under way (writing it again could repeat it); line 3 went out now.
    expect(state.data).toBe(line(1) + line(3));
    await f.close(10);
  });
});

describe('LogFile on a real folder', () => {
  it('never creates the data folder above its own: a folder that went away is waited for, not recreated', async () => {
    const root = mkdtempSync(join(tmpdir(), 'pos-log-'));
    try {
      const dataDir = join(root, 'usb-drive', 'POS');
      const f = new LogFile(join(dataDir, 'logs', 'pos-companion.log'), { retryMs: 20 });
      f.write(line(1));
      await new Promise((r) => setTimeout(r, 200));
      expect(existsSync(join(root, 'usb-drive'))).toBe(false);
      expect(f.trouble()).toMatchObject({ code: 'ENOENT' });
      // The drive is back: the log folder is made inside it and the line arrives.
      mkdirSync(dataDir, { recursive: true });
      await new Promise((r) => setTimeout(r, 200));
      expect(readFileSync(join(dataDir, 'logs', 'pos-companion.log'), 'utf8')).toBe(line(1));
      await f.close();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('createLogger with a file that cannot be written', () => {
  it('logs without throwing, reports the trouble, and closeLogger stays bounded', async () => {
    const { fs, state } = fakeFs();
    state.writeFails = 'ENOSPC';
    const logger = createLogger({ file: '/logs/pos-companion.log', fileOptions: { fs, retryMs: 60_000 } });
    expect(() => {
      for (let i = 0; i < 1_000; i++) logger.info({ orderId: `till-1-${i}` }, 'a line the disk cannot take');
    }).not.toThrow();
    await settle();
    expect(logTrouble(logger)).toMatchObject({ code: 'ENOSPC' });
    const started = Date.now();
    await closeLogger(logger, 2_000);
    expect(Date.now() - started).toBeLessThan(500);
    expect(state.data).toBe('');
  });
});
