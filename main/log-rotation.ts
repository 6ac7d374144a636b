// Bounded log files: the LogFile destination (log-file.ts) writes through `rotating-file-stream`,
// which renames the file to `<name>.1` once it reaches `fileBytes` (`.1` to `.2`, and so on) and
// deletes the oldest beyond `files`. So the log folder never holds more than about
// (files + 1) x fileBytes, plus at most one batch (64 KiB) past the size that triggered a rotation.
// The newest lines are always in `<name>`, the next newest in `<name>.1`.
//
// What LogFile promises still holds: the stream is a file system for it (open / write / close);
// a failed write (disk full) destroys that stream and LogFile opens a new one when it retries, so
// nothing here ever emits an unhandled 'error'. rotating-file-stream creates missing folders
// recursively: the open below first checks that the log's own folder exists (LogFile made it, never
// the data folder above it), so a data folder on a drive that went away is not recreated empty.
// rotating-file-stream writes each chunk with one FileHandle.write and ignores a short write (a disk
// that fills up mid-line keeps half a line, and the retry would repeat it): `wholeWrites` makes its
// file handle finish or fail each chunk and count what reached the disk, so LogFile, told the bytes
// written, keeps the rest of the line for when space is back, as it does with a plain file.
import { appendFileSync, stat } from 'node:fs';
import { basename, dirname } from 'node:path';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';
import { nodeLogFileSystem, type LogFileSystem } from './log-file.ts';

export interface LogRotation {
  /** A file is rotated once it reaches this many bytes. */
  fileBytes: number;
  /** Rotated files kept besides the current one (`<name>.1` to `<name>.<files>`). */
  files: number;
}

/** 5 MiB x (1 current + 4 rotated): at most about 25 MiB of log per data folder. */
export const DEFAULT_LOG_ROTATION: LogRotation = { fileBytes: 5 * 1024 * 1024, files: 4 };

/** Settings read from the environment (the log opens before the database and its settings). */
export const LOG_FILE_MB_ENV = 'POS_COMPANION_LOG_FILE_MB';
export const LOG_FILES_ENV = 'POS_COMPANION_LOG_FILES';

const MIN_FILE_BYTES = 64 * 1024;

function positiveInt(raw: string | undefined, max: number): number | null {
  if (raw === undefined || !/^\s*\d+\s*$/.test(raw)) return null;
  const n = Number(raw);
  return n >= 1 && n <= max ? n : null;
}

/**
 * The rotation set by POS_COMPANION_LOG_FILE_MB (1-1024, size of one file) and
 * POS_COMPANION_LOG_FILES (1-100, rotated files kept); a missing or invalid value keeps the default.
 */
export function logRotationFromEnv(env: NodeJS.ProcessEnv = process.env): LogRotation {
  const mb = positiveInt(env[LOG_FILE_MB_ENV], 1024);
  const files = positiveInt(env[LOG_FILES_ENV], 100);
  return {
    fileBytes: mb === null ? DEFAULT_LOG_ROTATION.fileBytes : mb * 1024 * 1024,
    files: files ?? DEFAULT_LOG_ROTATION.files,
  };
}

/** The files a rotated log may consist of, newest first (`<file>`, `<file>.1`, ...). */
export function rotatedLogFiles(file: string, rotation: LogRotation): string[] {
  return [file, ...Array.from({ length: rotation.files }, (_, i) => `${file}.${i + 1}`)];
}

interface OpenStream {
  stream: RotatingFileStream;
  file: string;
  /** Bytes of the current chunk that reached the disk. */
  written: number;
  /** The failure that ended the stream (a later write on it reports this, not "destroyed"). */
  error: NodeJS.ErrnoException | null;
}

interface FileHandleLike {
  write(buf: Buffer, offset: number, length: number, position: null): Promise<{ bytesWritten: number }>;
}

/** See the header: loops a short write to the end, counting into `open.written`. */
function wholeWrites(open: OpenStream): void {
  const handle = (open.stream as unknown as { file?: FileHandleLike }).file;
  if (!handle || typeof handle.write !== 'function') return;
  const write = handle.write.bind(handle);
  (handle as unknown as { write: (chunk: Buffer) => Promise<void> }).write = async (chunk: Buffer) => {
    let offset = 0;
    while (offset < chunk.length) {
      const { bytesWritten } = await write(chunk, offset, chunk.length - offset, null);
      if (bytesWritten <= 0) throw Object.assign(new Error('the log file took no bytes'), { code: 'EIO' });
      offset += bytesWritten;
      open.written += bytesWritten;
    }
  };
}

/**
 * A LogFileSystem whose "descriptors" are rotating streams. Each open makes a new stream (after a
 * failure the old one is destroyed); writes go through it and it rotates by size.
 */
export function rotatingLogFileSystem(rotation: LogRotation = DEFAULT_LOG_ROTATION): LogFileSystem {
  const fileBytes = Math.max(MIN_FILE_BYTES, Math.floor(rotation.fileBytes));
  const files = Math.max(1, Math.floor(rotation.files));
  const streams = new Map<number, OpenStream>();
  let nextHandle = 1;
  return {
    mkdir: nodeLogFileSystem.mkdir,
    open(path, cb) {
      stat(dirname(path), (statErr, st) => {
        if (statErr) return cb(statErr, -1);
        if (!st.isDirectory()) return cb(Object.assign(new Error(`${dirname(path)} is not a folder`), { code: 'ENOTDIR' }), -1);
        let stream: RotatingFileStream;
        try {
          stream = createStream(basename(path), { path: dirname(path), size: `${fileBytes}B`, rotate: files, mode: 0o600 });
        } catch (err) {
          return cb(err as NodeJS.ErrnoException, -1);
        }
        const open: OpenStream = { stream, file: path, written: 0, error: null };
        // Errors reach LogFile through the callbacks; the event itself must never go unhandled.
        stream.on('error', (err: NodeJS.ErrnoException) => {
          open.error ??= err;
        });
        // Emitted at every (re)open of the file, rotations included: each new handle is wrapped.
        stream.on('open', () => wholeWrites(open));
        let settled = false;
        const onOpen = (): void => {
          if (settled) return;
          settled = true;
          stream.off('error', onError);
          const handle = nextHandle++;
          streams.set(handle, open);
          cb(null, handle);
        };
        const onError = (err: NodeJS.ErrnoException): void => {
          if (settled) return;
          settled = true;
          stream.off('open', onOpen);
          cb(err, -1);
        };
        stream.once('open', onOpen);
        stream.once('error', onError);
      });
    },
    write(handle, buf, cb) {
      const open = streams.get(handle);
      if (!open) return cb(Object.assign(new Error('log stream closed'), { code: 'EBADF' }), 0);
      open.written = 0;
      open.stream.write(buf, (err) => {
        if (!err) return cb(null, buf.length);
        open.error ??= err as NodeJS.ErrnoException;
        // What reached the disk counts (a rotation that failed after the write: all of it); the
        // rest goes to the next stream. Nothing written: the failure that ended this stream.
        if (open.written > 0) return cb(null, Math.min(open.written, buf.length));
        cb(open.error, 0);
      });
    },
    close(handle, cb) {
      const open = streams.get(handle);
      streams.delete(handle);
      if (!open || open.stream.destroyed || open.stream.writableEnded) return cb(null);
      open.stream.end(() => cb(null));
    },
    // At process exit only: appended to the current file, past the rotation check (one last batch).
    writeSync(handle, buf) {
      const open = streams.get(handle);
      if (!open) return 0;
      appendFileSync(open.file, buf);
      return buf.length;
    },
  };
}
