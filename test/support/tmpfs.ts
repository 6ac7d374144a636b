// A small real file system for disk-full and read-only tests: a tmpfs of a few hundred KiB mounted
// on a temp folder, filled to the brim on demand, remounted read-only, and always unmounted.
// Mounting needs root: `whyNoTmpfs()` says why it cannot be done here, so a test skips with that
// reason (and only then).
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tmpfs {
  dir: string;
  /** Writes a filler file until the disk refuses even one more byte. Returns the bytes written. */
  fill(): number;
  /** Removes the filler file: the disk has room again. */
  free(): void;
  remount(mode: 'ro' | 'rw'): void;
  unmount(): void;
}

function mount(dir: string, options: string): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'pipe' });
}

let cachedReason: string | null | undefined;

/** Why a tmpfs cannot be mounted here (null: it can). Checked once, by mounting one. */
export function whyNoTmpfs(): string | null {
  if (cachedReason !== undefined) return cachedReason;
  if (process.platform !== 'linux') return (cachedReason = `mounting a tmpfs needs Linux (this is ${process.platform})`);
  if (process.getuid?.() !== 0) return (cachedReason = 'mounting a tmpfs needs root (run the tests as root, as CI does)');
  const dir = mkdtempSync(join(tmpdir(), 'pos-tmpfs-check-'));
  try {
    mount(dir, 'size=64k');
    execFileSync('umount', [dir], { stdio: 'pipe' });
    cachedReason = null;
  } catch (err) {
    cachedReason = `mount -t tmpfs failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return cachedReason;
}

export function mountTmpfs(opts: { sizeKb: number; readOnly?: boolean }): Tmpfs {
  const dir = mkdtempSync(join(tmpdir(), 'pos-tmpfs-'));
  mount(dir, `size=${opts.sizeKb}k${opts.readOnly ? ',ro' : ''}`);
  const filler = join(dir, 'filler.bin');
  let mounted = true;
  return {
    dir,
    fill() {
      const fd = openSync(filler, 'a');
      let total = 0;
      try {
        // Big chunks first, then ever smaller ones: the last page of the filler is used up too.
        for (const size of [64 * 1024, 4096, 256, 1]) {
          const chunk = Buffer.alloc(size, 0x2e);
          for (;;) {
            try {
              total += writeSync(fd, chunk);
            } catch (err) {
              if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
              break;
            }
          }
        }
      } finally {
        closeSync(fd);
      }
      return total;
    },
    free() {
      rmSync(filler, { force: true });
    },
    remount(mode) {
      execFileSync('mount', ['-o', `remount,${mode}`, dir], { stdio: 'pipe' });
    },
    unmount() {
      if (!mounted) return;
      mounted = false;
      // Lazy: a file still open in a child process that is being killed must not keep it mounted.
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
