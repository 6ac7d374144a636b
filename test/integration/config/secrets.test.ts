import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MASTER_KEY_FILE_ENV } from '../../../main/config/node-cipher.ts';
import { createEngine, noSync } from '../../../main/engine.ts';
import { SecretStore, SecretsUnavailableError } from '../../../main/config/secrets.ts';
import { testCipher, unavailableCipher } from '../../support/test-cipher.ts';
import { tillFixture } from '../../support/till-fixture.ts';
import type { TillFixture } from '../../support/till-fixture.ts';

let till: TillFixture;
afterEach(() => till?.close());

const API = 'gb-api-key-5f3c9a7e21';
const SECRET = 'gb-secret-key-88b1d0c4e7';

/** Every byte the till has on disk (database, WAL, anything else in the folder). */
function allBytesOnDisk(dir: string): Buffer {
  return Buffer.concat(
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .map((f) => join(dir, f))
      .filter((f) => statSync(f).isFile())
      .map((f) => readFileSync(f)),
  );
}

describe('SecretStore', () => {
  it('stores only ciphertext: the key is nowhere in the data folder, yet reads back', () => {
    till = tillFixture();
    const cipher = testCipher();
    const store = new SecretStore(till.db, cipher, till.clock);
    store.set('apiKey', API);
    store.set('secretKey', SECRET);
    const disk = allBytesOnDisk(till.dir);
    expect(disk.includes(Buffer.from(API))).toBe(false);
    expect(disk.includes(Buffer.from(SECRET))).toBe(false);
    expect(till.rows('SELECT name, scheme FROM secrets ORDER BY name')).toEqual([
      { name: 'apiKey', scheme: 'test-aes' },
      { name: 'secretKey', scheme: 'test-aes' },
    ]);
    const reopened = till.reopen();
    till = reopened;
    const again = new SecretStore(till.db, cipher, till.clock);
    expect(again.value('apiKey')).toBe(API);
    expect(again.value('secretKey')).toBe(SECRET);
  });

  it('refuses to store without a working cipher, pointing to the environment variables, and writes nothing', () => {
    till = tillFixture();
    for (const cipher of [null, unavailableCipher]) {
      const store = new SecretStore(till.db, cipher, till.clock);
      let err: unknown;
      try {
        store.set('apiKey', API);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SecretsUnavailableError);
      expect((err as Error).message).toMatch(/GAMEBALL_API_KEY and GAMEBALL_SECRET_KEY/);
      expect((err as Error).message).not.toContain(API);
    }
    expect(till.rows('SELECT * FROM secrets')).toEqual([]);
  });

  it('the environment wins over stored keys; null removes a stored key', () => {
    till = tillFixture();
    const store = new SecretStore(till.db, testCipher(), till.clock, { GAMEBALL_API_KEY: 'env-api-key-123', GAMEBALL_SECRET_KEY: '  ' });
    store.set('apiKey', API);
    store.set('secretKey', SECRET);
    expect(store.value('apiKey')).toBe('env-api-key-123');
    expect(store.value('secretKey')).toBe(SECRET);
    store.set('secretKey', null);
    expect(store.isSet('secretKey')).toBe(false);
    expect(till.rows('SELECT name FROM secrets')).toEqual([{ name: 'apiKey' }]);
  });

  it('a key stored by another cipher (another machine, or the desktop app) is reported, not used', () => {
    till = tillFixture();
    new SecretStore(till.db, testCipher('electron-safestorage'), till.clock).set('apiKey', API);
    const unreadable: string[] = [];
    const other = new SecretStore(till.db, testCipher('linux-secret-service'), till.clock, {}, (name, reason) =>
      unreadable.push(`${name}: ${reason}`),
    );
    expect(other.isSet('apiKey')).toBe(false);
    expect(other.isStored('apiKey')).toBe(true);
    expect(unreadable).toEqual(['apiKey: stored with electron-safestorage, which is not available here']);
    const wrongKey = new SecretStore(till.db, testCipher('electron-safestorage'), till.clock, {}, (name, reason) =>
      unreadable.push(`${name}: ${reason}`),
    );
    expect(wrongKey.value('apiKey')).toBeNull();
    expect(unreadable.at(-1)).toBe('apiKey: the stored ciphertext could not be decrypted');
    // Present all the same (the till is live in auto mode), and the reason is there to show.
    expect(other.isPresent('apiKey')).toBe(true);
    expect(other.unreadable('apiKey')).toBe('stored with electron-safestorage, which is not available here');
    expect(wrongKey.unreadable('apiKey')).toBe('the stored ciphertext could not be decrypted');
    expect(other.isPresent('secretKey')).toBe(false);
    expect(other.unreadable('secretKey')).toBeNull();
    // A key in the environment is used instead: nothing unreadable to report.
    const withEnv = new SecretStore(till.db, testCipher('linux-secret-service'), till.clock, { GAMEBALL_API_KEY: 'env-api-key-0001' });
    expect(withEnv.unreadable('apiKey')).toBeNull();
    expect(withEnv.isPresent('secretKey')).toBe(false);
  });

  it('reading a stored key only decrypts: it never asks the cipher to make a key (a write to the OS key store)', () => {
    till = tillFixture();
    const real = testCipher();
    new SecretStore(till.db, real, till.clock).set('apiKey', API);
    const calls: string[] = [];
    const watching = {
      id: real.id,
      available: () => (calls.push('available'), true),
      encrypt: (p: string) => (calls.push('encrypt'), real.encrypt(p)),
      decrypt: (b: Buffer) => (calls.push('decrypt'), real.decrypt(b)),
    };
    const store = new SecretStore(till.db, watching, till.clock);
    expect(store.value('apiKey')).toBe(API);
    expect(store.value('apiKey')).toBe(API);
    expect(calls).toEqual(['decrypt']);
  });
});

describe('keys with a master key file (POS_COMPANION_MASTER_KEY_FILE)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const root = () => {
    const d = mkdtempSync(join(tmpdir(), 'pos-keyfile-engine-'));
    dirs.push(d);
    return d;
  };

  it('an engine stores the keys encrypted with the file key; a new engine reads them; the data folder alone never holds them', async () => {
    const r = root();
    const dataDir = join(r, 'data');
    const keyFile = join(r, 'master.key');
    const env = { [MASTER_KEY_FILE_ENV]: keyFile };
    const first = await createEngine({ dataDir, env, startSync: false, sync: noSync });
    first.setKeys({ apiKey: API, secretKey: SECRET });
    expect(first.getSettings().keys).toEqual({ apiKeySet: true, secretKeySet: true });
    await first.close();
    if (process.platform !== 'win32') expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const disk = allBytesOnDisk(dataDir);
    expect(disk.includes(Buffer.from(API))).toBe(false);
    expect(disk.includes(Buffer.from(SECRET))).toBe(false);
    expect(disk.includes(Buffer.from(readFileSync(keyFile, 'utf8').trim()))).toBe(false);

    const second = await createEngine({ dataDir, env, startSync: false, sync: noSync });
    expect(second.training).toBe(false);
    expect(second.getSettings().keys).toEqual({ apiKeySet: true, secretKeySet: true });
    await second.close();

    // Without the file, the database alone does not open the keys.
    const withoutKey = await createEngine({ dataDir, env: {}, secretCipher: null, startSync: false, sync: noSync });
    expect(withoutKey.getSettings().keys).toEqual({
      apiKeySet: false,
      secretKeySet: false,
      apiKeyUnreadable: true,
      secretKeyUnreadable: true,
    });
    await withoutKey.close();
  });

  it('a key file inside the data folder is refused with a notice, and setting keys says why', async () => {
    const dataDir = join(root(), 'data');
    const engine = await createEngine({
      dataDir,
      env: { [MASTER_KEY_FILE_ENV]: join(dataDir, 'master.key') },
      startSync: false,
      sync: noSync,
    });
    try {
      expect(engine.notices.map((n) => n.message).join('\n')).toMatch(/inside the data folder/);
      expect(() => engine.setKeys({ apiKey: API })).toThrow(SecretsUnavailableError);
      expect(() => engine.setKeys({ apiKey: API })).toThrow(/inside the data folder/);
      expect(engine.getSettings().keys.apiKeySet).toBe(false);
    } finally {
      await engine.close();
    }
    expect(readdirSync(dataDir)).not.toContain('master.key');
  });
});
