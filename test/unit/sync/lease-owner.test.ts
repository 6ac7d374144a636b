// Telling a lease of a process that is gone from one that may still be working.
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { isLocalOwnerGone, newLeaseOwner } from '../../../main/sync/lease-owner.ts';

/** The pid of a process that has just ended. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('lease owners', () => {
  it('an owner id names this host and process, and differs per engine', () => {
    const a = newLeaseOwner();
    expect(a).toMatch(new RegExp(`^${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${process.pid}:[0-9a-f]{8}$`));
    expect(newLeaseOwner()).not.toBe(a);
  });

  it('gone: a process of this host that has ended', () => {
    expect(isLocalOwnerGone(newLeaseOwner(hostname(), deadPid()))).toBe(true);
  });

  it('not gone (wait the lease out): this process, a live one, another host, a malformed id', () => {
    expect(isLocalOwnerGone(newLeaseOwner())).toBe(false);
    expect(isLocalOwnerGone(newLeaseOwner(hostname(), process.ppid))).toBe(false);
    expect(isLocalOwnerGone(newLeaseOwner('another-till', deadPid()))).toBe(false);
    expect(isLocalOwnerGone('engine-1')).toBe(false);
    expect(isLocalOwnerGone(`${hostname()}:not-a-pid:abcd`)).toBe(false);
    expect(isLocalOwnerGone(`${hostname()}:0:abcd`)).toBe(false);
  });
});
