import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
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
  return Buffer.concat(readdirSync(dir).map((f) => readFileSync(join(dir, f))));
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
    expect(till.rows("SELECT name FROM secrets")).toEqual([{ name: 'apiKey' }]);
  });

  it('a key stored by another cipher (another machine, or the desktop app) is reported, not used', () => {
    till = tillFixture();
    new SecretStore(till.db, testCipher('electron-safestorage'), till.clock).set('apiKey', API);
    const unreadable: string[] = [];
    const other = new SecretStore(till.db, testCipher('linux-secret-service'), till.clock, {}, (name, reason) => unreadable.push(`${name}: ${reason}`));
    expect(other.isSet('apiKey')).toBe(false);
    expect(other.isStored('apiKey')).toBe(true);
    expect(unreadable).toEqual(['apiKey: stored with electron-safestorage, which is not available here']);
    const wrongKey = new SecretStore(till.db, testCipher('electron-safestorage'), till.clock, {}, (name, reason) => unreadable.push(`${name}: ${reason}`));
    expect(wrongKey.value('apiKey')).toBeNull();
    expect(unreadable.at(-1)).toBe('apiKey: the stored ciphertext could not be decrypted');
  });
});
