// How many file descriptors this process holds open on a file (Linux: /proc/self/fd). Tells
// whether a process writes a file through one stream or several. null where /proc is missing.
import { existsSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { join } from 'node:path';

export function openDescriptorsOn(file: string): number | null {
  const fds = '/proc/self/fd';
  if (!existsSync(fds)) return null;
  const target = realpathSync(file);
  let n = 0;
  for (const fd of readdirSync(fds)) {
    try {
      if (readlinkSync(join(fds, fd)) === target) n += 1;
    } catch {
      // Closed since the listing (the listing's own descriptor, among others).
    }
  }
  return n;
}
