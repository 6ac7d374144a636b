// Who holds an outbox lease: `host:pid:random`, one per engine instance. From that id an engine can
// tell when a lease belongs to a process of this machine that no longer runs (it crashed, was
// killed, or stopped while the disk was full and could not record what it did). Such a lease need
// not be waited out: the row is taken over at once, as an unknown outcome, and reconciled with
// Gameball before anything is posted again.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

export function newLeaseOwner(host: string = hostname(), pid: number = process.pid): string {
  return `${host}:${pid}:${randomUUID().slice(0, 8)}`;
}

/**
 * True only when `owner` names a process of this host (not this one) that is certainly gone:
 * signalling it answers "no such process". Any doubt (another host, an id of another shape, a
 * process that exists, a permission error) answers false, and the lease is waited out as before.
 * A wrong "gone" (an id reused across machines of the same name) would still post nothing twice:
 * the row is reconciled first, and Gameball refuses a known order or refund id.
 */
export function isLocalOwnerGone(owner: string, host: string = hostname(), self: number = process.pid): boolean {
  const parts = owner.split(':');
  if (parts.length < 3) return false;
  const pid = Number(parts[parts.length - 2]);
  if (parts.slice(0, -2).join(':') !== host || !Number.isInteger(pid) || pid <= 0 || pid === self) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
