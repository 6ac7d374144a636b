// Switching a till to per-machine: the per-user queue (database, till id, keys) moves once, into
// the machine folder, and the per-user copy is set aside so there are never two queues. Real
// SQLite files in temp folders, opened by the real engine before and after.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, noSync } from '../../main/engine.ts';
import type { Engine } from '../../main/engine.ts';
import { silentLogger } from '../../main/log.ts';
import { adoptUserFolder, chooseDataFolder, MOVED_NOTE } from '../../main/machine-folder.ts';
import { testCipher } from '../support/test-cipher.ts';
import { steppedClock, tempDir } from '../support/till-fixture.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
function dir(): string {
  const t = tempDir('pos-machine-');
  cleanups.push(t.cleanup);
  return t.dir;
}
const cipher = testCipher();
const open = (dataDir: string): Promise<Engine> =>
  createEngine({ dataDir, clock: steppedClock(), logger: silentLogger(), secretCipher: cipher, env: {}, sync: noSync, startSync: false });

async function userQueue(userDir: string): Promise<{ tillId: string; orderId: string }> {
  const e = await open(userDir);
  const order = e.captureOrder({ mobile: '0500001234', totalPaidMinor: 1000 });
  e.setKeys({ apiKey: 'api-key-0123456789', secretKey: 'secret-key-0123456789' });
  const tillId = e.getSettings().tillId;
  await e.close();
  return { tillId, orderId: order.orderId };
}

describe('moving a per-user queue into the machine folder', () => {
  it('moves the database, till id and keys once; the per-user copy is set aside with a note', async () => {
    const root = dir();
    const userDir = join(root, 'user');
    const machineDir = join(root, 'ProgramData', 'POS Companion');
    const before = await userQueue(userDir);

    const choice = chooseDataFolder({ mode: 'per-machine', userDir, machineDir });
    expect(choice.dir).toBe(machineDir);
    expect(choice.adopt).toEqual({ kind: 'moved', from: userDir, files: ['pos-companion.db', 'till.json'] });

    const e = await open(machineDir);
    try {
      expect(e.getSettings().tillId).toBe(before.tillId);
      expect(e.getOrder(before.orderId)?.state).toBe('pending');
      expect(e.getSettings().keys).toEqual({ apiKeySet: true, secretKeySet: true });
    } finally {
      await e.close();
    }
    // Never two queues: the per-user database is renamed aside, nothing under its old name.
    expect(existsSync(join(userDir, 'pos-companion.db'))).toBe(false);
    expect(existsSync(join(userDir, 'pos-companion.db.moved-to-machine-folder'))).toBe(true);
    expect(JSON.parse(readFileSync(join(userDir, MOVED_NOTE), 'utf8'))).toMatchObject({ movedTo: machineDir });
    // A second start moves nothing; and a per-user start (the marker gone) follows the note.
    expect(chooseDataFolder({ mode: 'per-machine', userDir, machineDir }).adopt).toEqual({ kind: 'nothing' });
    expect(chooseDataFolder({ mode: 'per-user', userDir, machineDir }).dir).toBe(machineDir);
  });

  it('a second account with its own queue: nothing is copied over the machine queue; its file is reported as leftover', async () => {
    const root = dir();
    const machineDir = join(root, 'machine');
    await userQueue(join(root, 'first'));
    expect(adoptUserFolder(join(root, 'first'), machineDir).kind).toBe('moved');
    const second = join(root, 'second');
    await userQueue(second);
    const choice = chooseDataFolder({ mode: 'per-machine', userDir: second, machineDir });
    expect(choice).toMatchObject({ dir: machineDir, adopt: { kind: 'leftover', file: join(second, 'pos-companion.db') } });
    expect(existsSync(join(second, 'pos-companion.db'))).toBe(true);
  });

  it('a move that fails leaves the per-user queue in use and untouched (never an empty queue beside it)', async () => {
    if (process.getuid?.() === 0) return; // root writes anywhere
    const root = dir();
    const userDir = join(root, 'user');
    const before = await userQueue(userDir);
    const locked = join(root, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    cleanups.push(() => chmodSync(locked, 0o700));
    const choice = chooseDataFolder({ mode: 'per-machine', userDir, machineDir: join(locked, 'POS Companion') });
    expect(choice.dir).toBe(userDir);
    expect(choice.adopt).toMatchObject({ kind: 'failed', reason: expect.stringMatching(/EACCES|permission/i) });
    expect(readdirSync(userDir)).toContain('pos-companion.db');
    expect(existsSync(join(userDir, MOVED_NOTE))).toBe(false);
    const e = await open(userDir);
    try {
      expect(e.getOrder(before.orderId)?.state).toBe('pending');
    } finally {
      await e.close();
    }
  });

  it('a per-user folder without a database has nothing to move', () => {
    const root = dir();
    writeFileSync(join(root, 'unrelated.txt'), 'x');
    expect(adoptUserFolder(root, join(root, 'machine'))).toEqual({ kind: 'nothing' });
  });
});
