// The till's identity file (till.json): the till id, settings and keys survive the database; the
// file holds only ciphertext, is replaced atomically, private to the user, and the database it
// recorded stays the truth while it is there.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IDENTITY_FILE, readIdentity } from '../../../main/config/identity.ts';
import { openDatabase } from '../../../main/db/database.ts';
import { createEngine, noSync } from '../../../main/engine.ts';
import type { Engine, EngineOptions } from '../../../main/engine.ts';
import { silentLogger } from '../../../main/log.ts';
import { testCipher } from '../../support/test-cipher.ts';

const API = 'gb-api-key-5f3c9a7e21';
const SECRET = 'gb-secret-key-88b1d0c4e7';
const cipher = testCipher();

let cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

function folder(): string {
  const d = mkdtempSync(join(tmpdir(), 'pos-identity-'));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

async function engineAt(dataDir: string, extra: Partial<EngineOptions> = {}): Promise<Engine> {
  const e = await createEngine({ dataDir, logger: silentLogger(), secretCipher: cipher, env: {}, sync: noSync, ...extra });
  cleanups.push(() => e.close());
  return e;
}

const db = (dir: string) => join(dir, 'pos-companion.db');
function removeDatabase(dir: string): void {
  for (const s of ['', '-wal', '-shm']) rmSync(db(dir) + s, { force: true });
}

describe('till.json', () => {
  it('is written with mode 0600, atomically (no temp file left), and holds keys only as stored ciphertext', async () => {
    const dir = folder();
    const e = await engineAt(dir);
    e.setKeys({ apiKey: API, secretKey: SECRET });
    e.updateSettings({ currency: 'EGP', country: 'EG', storeId: 'store-9' });
    const file = join(dir, IDENTITY_FILE);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).filter((f) => f.startsWith(`${IDENTITY_FILE}.tmp`))).toEqual([]);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(API);
    expect(text).not.toContain(SECRET);
    const read = readIdentity(dir);
    expect(read.kind).toBe('ok');
    if (read.kind !== 'ok') return;
    expect(read.identity.tillId).toBe(e.getSettings().tillId);
    expect(read.identity.keys.apiKey?.scheme).toBe(cipher.id);
    expect(cipher.decrypt(Buffer.from(read.identity.keys.apiKey!.ciphertext, 'base64'))).toBe(API);
    expect(JSON.parse(read.identity.settings.currency!)).toBe('EGP');
    expect(read.identity.database?.id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('a new database in a folder whose till.json exists keeps the till id, settings and keys', async () => {
    const dir = folder();
    const first = await engineAt(dir);
    first.setKeys({ apiKey: API, secretKey: SECRET });
    first.updateSettings({ currency: 'EGP', country: 'EG', branchId: 'b-3' });
    const tillId = first.getSettings().tillId;
    first.captureOrder({ mobile: '01000000001', totalPaidMinor: 500 });
    await first.close();
    removeDatabase(dir);

    const second = await engineAt(dir, { training: 'auto' });
    expect(second.getSettings()).toMatchObject({
      tillId,
      currency: 'EGP',
      country: 'EG',
      branchId: 'b-3',
      keys: { apiKeySet: true, secretKeySet: true },
    });
    expect(second.training).toBe(false); // the keys decrypt: live, as before
    expect(second.captureOrder({ mobile: '01000000002', totalPaidMinor: 500 }).orderId.startsWith(`${tillId}-`)).toBe(true);
    // The database is gone with its order: said so, with the till id kept.
    expect(second.notices.map((n) => n.code)).toEqual(['DB_EMPTY']);
    expect(second.notices[0]?.message).toContain(`The till id (${tillId}), settings and keys were kept.`);
  });

  it('follows the database it recorded: a till id changed there and a key removed there stay so', async () => {
    const dir = folder();
    const e = await engineAt(dir);
    e.setKeys({ apiKey: API, secretKey: SECRET });
    e.updateSettings({ tillId: 'till-front-1' });
    e.setKeys({ apiKey: null });
    await e.close();
    const again = await engineAt(dir);
    expect(again.getSettings()).toMatchObject({ tillId: 'till-front-1', keys: { apiKeySet: false, secretKeySet: true } });
    const read = readIdentity(dir);
    expect(read.kind === 'ok' && read.identity.tillId).toBe('till-front-1');
    expect(read.kind === 'ok' && read.identity.keys.apiKey).toBeUndefined();
    expect(again.notices).toEqual([]);
  });

  it('an unreadable till.json is moved aside (kept), said so, and written again from the database', async () => {
    const dir = folder();
    const e = await engineAt(dir);
    const tillId = e.getSettings().tillId;
    await e.close();
    writeFileSync(join(dir, IDENTITY_FILE), '{ "format": 1, "tillId": ');
    const again = await engineAt(dir);
    expect(again.notices.map((n) => n.code)).toEqual(['IDENTITY_UNREADABLE']);
    expect(again.notices[0]?.message).toMatch(
      /till\.json could not be read \(it is not valid JSON\); it was moved aside to .*till\.json\.corrupt-/,
    );
    const kept = readdirSync(dir).filter((f) => f.startsWith(`${IDENTITY_FILE}.corrupt-`));
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(dir, kept[0]!), 'utf8')).toBe('{ "format": 1, "tillId": ');
    const read = readIdentity(dir);
    expect(read.kind === 'ok' && read.identity.tillId).toBe(tillId);
  });

  it('a database flagged damaged while the till ran is set aside at the next start, even when SQLite finds nothing wrong', async () => {
    const dir = folder();
    const e = await engineAt(dir);
    const id = e.captureOrder({ mobile: '0500001234', totalPaidMinor: 700 }).orderId;
    await e.close();
    const read = readIdentity(dir);
    if (read.kind !== 'ok') throw new Error('no identity');
    writeFileSync(
      join(dir, IDENTITY_FILE),
      JSON.stringify({
        ...read.identity,
        damaged: { databaseId: read.identity.database!.id, at: '2025-01-01T00:00:00.000Z', reason: 'reading the queue failed' },
      }),
    );
    const again = await engineAt(dir);
    expect(again.notices.map((n) => n.code)).toEqual(['DB_DAMAGED']);
    expect(again.notices[0]?.message).toMatch(/found damaged while the till ran \(2025-01-01T00:00:00\.000Z: reading the queue failed\)/);
    expect(again.getOrder(id)?.state).toBe('pending');
    expect(readdirSync(dir).some((f) => f.startsWith('pos-companion.db.corrupt-'))).toBe(true);
    const after = readIdentity(dir);
    expect(after.kind === 'ok' && after.identity.damaged).toBeNull();
    // A flag naming another database (this one replaced since) condemns nothing.
    await again.close();
    const r2 = readIdentity(dir);
    if (r2.kind !== 'ok') throw new Error('no identity');
    writeFileSync(
      join(dir, IDENTITY_FILE),
      JSON.stringify({ ...r2.identity, damaged: { databaseId: 'someotherdatabase', at: '2025-01-01T00:00:00.000Z', reason: 'x' } }),
    );
    const third = await engineAt(dir);
    expect(third.notices).toEqual([]);
    expect(existsSync(db(dir))).toBe(true);
  });

  it('records how far the database got; one that holds less later is reported, and its owed calls are looked up first', async () => {
    const dir = folder();
    const e = await engineAt(dir);
    e.captureOrder({ mobile: '0500001234', totalPaidMinor: 700 });
    await e.close();
    const copy = readFileSync(db(dir));
    const e2 = await engineAt(dir);
    e2.captureOrder({ mobile: '0500001235', totalPaidMinor: 800 });
    await e2.close();
    writeFileSync(db(dir), copy); // an older copy of the file put back
    const again = await engineAt(dir);
    expect(again.notices.map((n) => n.code)).toEqual(['DB_BEHIND']);
    expect(again.notices[0]?.message).toContain('holds less than this till had written to it');
    const raw = openDatabase(db(dir));
    cleanups.push(() => void raw.close());
    expect(raw.prepare('SELECT unknown_outcome FROM outbox').all()).toEqual([{ unknown_outcome: 1 }]);
  });
});
