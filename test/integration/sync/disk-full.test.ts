// The sync engine on a till whose disk fills up while requests are in flight: a small tmpfs
// filled to the brim between the claim and the answer, so Gameball (the simulator) records the
// order but the till cannot record that it did. Nothing may be lost or posted twice:
//  - the engine keeps the outcome in memory and writes it once space is back (no re-post, no
//    reconcile needed);
//  - stopped before that, it leaves the row in flight under its lease; the next engine takes the
//    row over as an unknown outcome and confirms it with Gameball instead of posting it again.
// Skipped (with the reason) only where a tmpfs cannot be mounted.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DrainResult, SyncEngine } from '../../../main/sync/sync-engine.ts';
import { createSyncFixture, mobile } from '../../support/sync-fixture.ts';
import type { SyncFixture } from '../../support/sync-fixture.ts';
import { mountTmpfs, whyNoTmpfs } from '../../support/tmpfs.ts';
import type { Tmpfs } from '../../support/tmpfs.ts';

const noTmpfs = whyNoTmpfs();
if (noTmpfs) console.warn(`Sync on a full disk skipped: ${noTmpfs}`);

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.skipIf(noTmpfs !== null)('sync when the disk fills up', () => {
  let disk: Tmpfs | undefined;
  let f: SyncFixture | undefined;
  afterEach(async () => {
    await f?.close();
    f = undefined;
    disk?.unmount();
    disk = undefined;
  });

  /** A till on a fresh tmpfs with `n` orders captured, and a simulator that answers after `latencyMs`. */
  async function till(n: number, latencyMs: number): Promise<{ ids: string[]; dataDir: string }> {
    disk = mountTmpfs({ sizeKb: 1024 });
    const dataDir = join(disk.dir, 'data');
    mkdirSync(dataDir);
    f = await createSyncFixture({ dir: dataDir, sim: { latencyMs } });
    const ids = Array.from({ length: n }, (_, i) => f!.capture({ mobile: mobile(), totalPaidMinor: (i + 10) * 100 }).orderId);
    return { ids, dataDir };
  }

  /**
   * Starts draining; fills the disk while the orders are at Gameball; resolves once the engine has
   * met the full disk, with the drain still under way (wrapped: an async function would adopt it).
   */
  async function fillWhileInFlight(engine: SyncEngine, n: number): Promise<{ drained: Promise<DrainResult> }> {
    const fx = f!;
    const drained = engine.drain({ untilEmpty: true, timeoutMs: 30_000 });
    await until(() => fx.sim.control.inFlight().length === n, 10_000, 'all orders in flight at the simulator');
    disk!.fill();
    await until(() => engine.storageProblem() !== null, 10_000, 'the engine to meet the full disk');
    return { drained };
  }

  const postCount = () => f!.sim.control.ledger().counters.requests['POST /orders'] ?? 0;
  const reconciled = () => (f!.db.prepare("SELECT COUNT(*) AS n FROM sync_log WHERE outcome = 'reconciled'").get() as { n: number }).n;

  it('an outcome the disk cannot take waits in memory and is written once space is back: each order posted once', async () => {
    const { ids, dataDir } = await till(4, 300);
    const engine = f!.engine({ storageRetryMs: 50 });
    const { drained } = await fillWhileInFlight(engine, 4);

    // Gameball has every order; the till could not record it, and says why.
    await until(() => f!.sim.control.ledger().orders.length === 4, 5_000, 'the simulator to commit');
    expect(engine.storageProblem()).toMatchObject({ problem: 'full', code: 'DISK_FULL', folder: dataDir });
    expect(engine.status().lastError).toMatchObject({
      code: 'DISK_FULL',
      message: expect.stringContaining(`The data folder ${dataDir} is full`),
    });
    for (const id of ids) expect(f!.outbox(id)[0]).toMatchObject({ state: 'in_flight', unknown_outcome: 0 });

    disk!.free();
    const result = await drained;
    expect(result).toMatchObject({ empty: true, timedOut: false });
    for (const id of ids) expect(f!.order(id).state).toBe('synced');
    expect(
      f!.sim.control
        .ledger()
        .orders.map((o) => o.orderId)
        .sort(),
    ).toEqual([...ids].sort());
    expect(postCount()).toBe(4);
    expect(reconciled()).toBe(0);
    expect(engine.storageProblem()).toBeNull();
    expect(engine.status().lastError?.code).not.toBe('DISK_FULL');
  }, 60_000);

  it('stopped while the disk is full: promptly, the rows left in flight, then reconciled by the next engine, never posted twice', async () => {
    const { ids } = await till(3, 300);
    const first = f!.engine({ storageRetryMs: 50 });
    const { drained } = await fillWhileInFlight(first, 3);
    await until(() => f!.sim.control.ledger().orders.length === 3, 5_000, 'the simulator to commit');

    const started = Date.now();
    await first.stop();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await drained).toMatchObject({ empty: false });
    // What the outbox holds after such a stop: still in flight, under the stopped engine's lease,
    // not yet marked unknown (the takeover does that).
    for (const id of ids) expect(f!.outbox(id)[0]).toMatchObject({ state: 'in_flight', lease_owner: first.ownerId, unknown_outcome: 0 });

    disk!.free();
    // The next engine (another process, in life) sees the owner is gone and takes over at once.
    const next = f!.engine({ isOwnerGone: (owner) => owner === first.ownerId });
    expect(await next.drain({ untilEmpty: true, timeoutMs: 20_000 })).toMatchObject({ empty: true });
    for (const id of ids) expect(f!.order(id).state).toBe('synced');
    expect(
      f!.sim.control
        .ledger()
        .orders.map((o) => o.orderId)
        .sort(),
    ).toEqual([...ids].sort());
    expect(postCount()).toBe(3);
    expect(reconciled()).toBe(3);
    expect(f!.sim.control.ledger().counters.responses['422/9004']).toBeUndefined();
  }, 60_000);

  it('a lease whose owner may still run is waited out, not taken over', async () => {
    const { ids } = await till(1, 300);
    const first = f!.engine({ storageRetryMs: 50, leaseMs: 60_000 });
    await fillWhileInFlight(first, 1);
    await first.stop();
    disk!.free();
    const next = f!.engine({ isOwnerGone: () => false });
    const r = await next.drain({ untilEmpty: false, timeoutMs: 2_000 });
    expect(r.remaining).toBe(1);
    expect(f!.outbox(ids[0]!)[0]).toMatchObject({ state: 'in_flight', lease_owner: first.ownerId });
    expect(postCount()).toBe(1);
  }, 60_000);

  it('a disk already full: one pass ends at once with the reason, nothing is posted; space back, everything goes', async () => {
    const { ids } = await till(2, 0);
    disk!.fill();
    const engine = f!.engine({ storageRetryMs: 50 });
    const started = Date.now();
    const pass = await engine.drain({ untilEmpty: false, timeoutMs: 20_000 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(pass).toMatchObject({ empty: false, remaining: 2, timedOut: false });
    expect(engine.storageProblem()).toMatchObject({ code: 'DISK_FULL' });
    expect(postCount()).toBe(0);
    disk!.free();
    expect(await engine.drain({ untilEmpty: true, timeoutMs: 20_000 })).toMatchObject({ empty: true });
    for (const id of ids) expect(f!.order(id).state).toBe('synced');
    expect(postCount()).toBe(2);
  }, 60_000);
});
