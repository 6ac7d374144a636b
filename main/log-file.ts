// The log file as pino's destination. The log is for diagnosis; the orders are in SQLite. So the
// log may lose lines, but it may never take the till down or hold it up:
//  - `write` never throws and never blocks: lines are appended asynchronously, in order.
//  - When the file cannot be written (disk full, read-only, no permission, folder gone), lines
//    wait in memory up to `maxBufferBytes`; beyond that new lines are dropped and counted. The
//    file is opened again and the write retried every `retryMs`; once it succeeds, the waiting
//    lines go out, followed by one line saying how many were dropped and why.
//  - It never emits 'error' (pino's own file stream re-emits write errors, which crashed the
//    process on ENOSPC, and flushed synchronously at exit in a loop that never ended while the
//    disk stayed full).
//  - `close(timeoutMs)` resolves within that time whatever the disk does: lines that could not
//    be written by then are dropped.
//  - At process exit, whatever is still waiting gets one synchronous attempt; a failure is ignored.
import { close as fsClose, mkdir as fsMkdir, open as fsOpen, write as fsWrite, writeSync as fsWriteSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

/** The few file operations the destination uses (tests pass ones that fail). Callback style, like node:fs. */
export interface LogFileSystem {
  /** Creates the folder itself (not its parents); one that exists is fine. */
  mkdir(path: string, cb: (err: NodeJS.ErrnoException | null) => void): void;
  /** Opens for appending. */
  open(path: string, cb: (err: NodeJS.ErrnoException | null, fd: number) => void): void;
  write(fd: number, buf: Buffer, cb: (err: NodeJS.ErrnoException | null, written: number) => void): void;
  close(fd: number, cb: (err: NodeJS.ErrnoException | null) => void): void;
  writeSync(fd: number, buf: Buffer): number;
}

export const nodeLogFileSystem: LogFileSystem = {
  // Not recursive: the log's own folder is made, never the data folder above it. A data folder on
  // a drive that went away must not be recreated, empty, on the disk under its mount point.
  mkdir: (path, cb) => fsMkdir(path, (err) => cb(err?.code === 'EEXIST' ? null : err)),
  open: (path, cb) => fsOpen(path, 'a', cb),
  write: (fd, buf, cb) => fsWrite(fd, buf, 0, buf.length, null, cb),
  close: (fd, cb) => fsClose(fd, cb),
  writeSync: (fd, buf) => fsWriteSync(fd, buf),
};

/** Why the file cannot be written right now. */
export interface LogTrouble {
  /** The file system's code: ENOSPC, EROFS, EACCES, ENOENT, ... */
  code: string;
  since: number;
  /** Lines dropped so far because the buffer was full. */
  dropped: number;
}

export interface LogFileOptions {
  /** Lines kept in memory while the file cannot be written (default 1 MiB). */
  maxBufferBytes?: number;
  /** How often to try again while the file cannot be written (default 2 s). */
  retryMs?: number;
  /** Told when writing starts failing (with why) and when it works again (null). Must not throw. */
  onTrouble?: (trouble: LogTrouble | null) => void;
  /** Name on the line that reports dropped lines (pino's `name`). */
  name?: string;
  fs?: LogFileSystem;
  now?: () => number;
}

const MAX_BATCH_BYTES = 64 * 1024;
export const DEFAULT_LOG_BUFFER_BYTES = 1024 * 1024;
export const DEFAULT_LOG_RETRY_MS = 2_000;
export const DEFAULT_CLOSE_TIMEOUT_MS = 2_000;

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'EIO';
}

/** Open destinations, for the one synchronous attempt at process exit. */
const open = new Set<LogFile>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const f of open) f.lastChanceSync();
  });
}

export class LogFile {
  private readonly fs: LogFileSystem;
  private readonly maxBytes: number;
  private readonly retryMs: number;
  private readonly now: () => number;
  private readonly queue: Buffer[] = [];
  /** Bytes waiting: the queue and the rest of the batch being written. */
  private queued = 0;
  /** The batch being written, or what is left of it after a short write. */
  private current: Buffer | null = null;
  private fd: number | null = null;
  /** An open or a write is under way. */
  private busy = false;
  private problem: { code: string; since: number } | null = null;
  private dropped = 0;
  private droppedSince: number | null = null;
  /** The last failure while lines were being dropped (why the buffer filled up), if any. */
  private droppedReason: string | null = null;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly file: string,
    private readonly opts: LogFileOptions = {},
  ) {
    this.fs = opts.fs ?? nodeLogFileSystem;
    this.maxBytes = opts.maxBufferBytes ?? DEFAULT_LOG_BUFFER_BYTES;
    this.retryMs = opts.retryMs ?? DEFAULT_LOG_RETRY_MS;
    this.now = opts.now ?? Date.now;
    open.add(this);
    installExitHook();
    this.pump();
  }

  /** Queues one line (pino passes whole lines). Never throws. */
  write(line: string): boolean {
    if (this.closed) return false;
    const buf = Buffer.from(line, 'utf8');
    if (this.queued + buf.length > this.maxBytes) {
      this.dropped += 1;
      this.droppedSince ??= this.now();
      if (this.problem) this.droppedReason = this.problem.code;
      return false;
    }
    this.queue.push(buf);
    this.queued += buf.length;
    this.pump();
    return true;
  }

  /** Why lines cannot be written now; null when they can. */
  trouble(): LogTrouble | null {
    return this.problem ? { ...this.problem, dropped: this.dropped } : null;
  }

  /** Bytes waiting in memory. */
  get pendingBytes(): number {
    return this.queued;
  }

  /**
   * Resolves when everything queued so far is written, or at once when the file cannot be
   * written now (the lines stay queued for the next retry). Never rejects. pino calls it with a
   * callback.
   */
  flush(cb?: (err?: Error) => void): Promise<void> {
    const done = new Promise<void>((resolve) => {
      if (this.isSettled()) return resolve();
      this.waiters.add(resolve);
    });
    if (cb) void done.then(() => cb());
    return done;
  }

  /** Writes what it can within `timeoutMs`, then closes the file. Always resolves within the bound. */
  close(timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      let finished = false;
      const finish = (): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        this.shutDown();
        resolve();
      };
      const timer = setTimeout(finish, Math.max(0, timeoutMs));
      void this.flush().then(finish);
    });
    return this.closing;
  }

  /** One synchronous attempt at process exit; a failure is ignored (the process is ending). */
  lastChanceSync(): void {
    if (this.fd === null || this.closed) return;
    // A write still under way owns `current`; writing it again here could repeat it.
    const parts = this.busy || !this.current ? this.queue : [this.current, ...this.queue];
    if (parts.length === 0) return;
    try {
      this.fs.writeSync(this.fd, Buffer.concat(parts));
    } catch {
      // the disk is still full or gone: these lines are lost, the orders are not
    }
  }

  private isSettled(): boolean {
    return this.closed || this.problem !== null || (this.queued === 0 && !this.busy);
  }

  private settle(): void {
    if (!this.isSettled()) return;
    for (const w of this.waiters) w();
    this.waiters.clear();
  }

  private pump(): void {
    if (this.busy || this.retryTimer || this.closed) return;
    if (this.fd === null) {
      // Opened on the first line, and again after a failure.
      if (this.queued === 0) return this.settle();
      return this.openFile();
    }
    if (!this.current) {
      // Everything kept is out: now the line that says what was dropped (after the lines it follows).
      if (this.queue.length === 0 && this.dropped > 0) this.queueDropNote();
      if (this.queue.length === 0) return this.settle();
      this.current = this.takeBatch();
    }
    const fd = this.fd;
    const buf = this.current;
    this.busy = true;
    this.fs.write(fd, buf, (err, written) => {
      this.busy = false;
      if (err) return this.fail(err);
      this.queued -= written;
      this.current = written >= buf.length ? null : buf.subarray(written);
      this.succeeded();
      if (this.closed) return this.releaseFd();
      this.pump();
    });
  }

  private takeBatch(): Buffer {
    const parts: Buffer[] = [];
    let size = 0;
    while (this.queue.length > 0 && (parts.length === 0 || size + (this.queue[0]?.length ?? 0) <= MAX_BATCH_BYTES)) {
      const next = this.queue.shift() as Buffer;
      parts.push(next);
      size += next.length;
    }
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, size);
  }

  private openFile(): void {
    this.busy = true;
    // A mkdir that fails is reported by the open that follows (same cause, one code).
    this.fs.mkdir(dirname(this.file), () => {
      this.fs.open(this.file, (err, fd) => {
        this.busy = false;
        if (err) return this.fail(err);
        this.fd = fd;
        if (this.closed) return this.releaseFd();
        this.pump();
      });
    });
  }

  /** A write or open failed: keep the lines, try again later, tell once. */
  private fail(err: NodeJS.ErrnoException): void {
    const code = codeOf(err);
    if (this.dropped > 0) this.droppedReason = code;
    const first = this.problem === null;
    this.problem = { code, since: first ? this.now() : (this.problem?.since ?? this.now()) };
    // The file may be gone or its mount changed: the next attempt opens it again.
    this.releaseFd();
    if (first) this.opts.onTrouble?.(this.trouble());
    this.settle();
    if (this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.pump();
    }, this.retryMs);
    this.retryTimer.unref();
  }

  /** A write went through: the trouble (if any) is over. */
  private succeeded(): void {
    const problem = this.problem;
    this.problem = null;
    if (problem) this.opts.onTrouble?.(null);
  }

  /** One line, in pino's shape, saying how many lines were dropped, since when and why. */
  private queueDropNote(): void {
    const reason = this.droppedReason;
    const note = `${JSON.stringify({
      level: 40,
      time: new Date(this.now()).toISOString(),
      pid: process.pid,
      hostname: hostname(),
      ...(this.opts.name ? { name: this.opts.name } : {}),
      dropped: this.dropped,
      ...(reason ? { reason } : {}),
      droppedSince: new Date(this.droppedSince ?? this.now()).toISOString(),
      msg: `${this.dropped} log line(s) were dropped while the log file could not be written${reason ? ` (${reason})` : ''}`,
    })}\n`;
    this.dropped = 0;
    this.droppedSince = null;
    this.droppedReason = null;
    const buf = Buffer.from(note, 'utf8');
    this.queue.push(buf);
    this.queued += buf.length;
  }

  private releaseFd(): void {
    if (this.fd === null || this.busy) return;
    const fd = this.fd;
    this.fd = null;
    this.fs.close(fd, () => {});
  }

  private shutDown(): void {
    this.closed = true;
    open.delete(this);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.releaseFd();
    this.queue.length = 0;
    this.current = null;
    this.queued = 0;
    for (const w of this.waiters) w();
    this.waiters.clear();
  }
}

/** stderr as a destination that never throws: a line that cannot be written is dropped. */
export function stderrDestination(fs: Pick<LogFileSystem, 'writeSync'> = nodeLogFileSystem): { write(line: string): boolean } {
  return {
    write(line: string) {
      try {
        fs.writeSync(2, Buffer.from(line, 'utf8'));
        return true;
      } catch {
        return false;
      }
    },
  };
}
