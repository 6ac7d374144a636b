// Provisioning a till from a file or the environment: valid (applied, keys stored encrypted and
// gone from the file), invalid (every problem by field, nothing applied), and the app's pick-up
// at start (once). A real engine on a real SQLite file, keys under a real AES cipher.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, noSync } from '../../../main/engine.ts';
import type { Engine } from '../../../main/engine.ts';
import { silentLogger } from '../../../main/log.ts';
import { applyProvisioningFile, applyProvisioningFromEnv, ProvisionError } from '../../../main/provision/apply.ts';
import { provisionAtStart } from '../../../main/provision/at-start.ts';
import { testCipher, unavailableCipher } from '../../support/test-cipher.ts';
import { steppedClock, tempDir } from '../../support/till-fixture.ts';

const API_KEY = 'prov-api-key-1234567890';
const SECRET_KEY = 'prov-secret-key-0987654321';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
function dir(): string {
  const t = tempDir('pos-provision-');
  cleanups.push(t.cleanup);
  return t.dir;
}
async function till(dataDir: string, cipher = testCipher()): Promise<Engine> {
  const e = await createEngine({
    dataDir,
    clock: steppedClock(),
    logger: silentLogger(),
    secretCipher: cipher,
    env: {},
    sync: noSync,
    startSync: false,
  });
  cleanups.push(() => e.close());
  return e;
}

const valid = {
  version: 1,
  store: { id: 'store-7', name: 'Olaya' },
  branch: { id: 'riyadh-3', name: 'Riyadh Park' },
  currency: 'kwd',
  country: 'KW',
  scanner: { mode: 'hidpos' },
  language: 'ar',
  update: { channel: 'beta', url: 'https://updates.example.com/pos', quietHours: '02:00-05:00' },
  gameball: { apiKey: API_KEY, secretKey: SECRET_KEY },
};

function secretsRows(dataDir: string): Array<{ name: string; ciphertext: Buffer }> {
  const db = new BetterSqlite3(join(dataDir, 'pos-companion.db'), { readonly: true });
  try {
    return db.prepare('SELECT name, ciphertext FROM secrets ORDER BY name').all() as Array<{ name: string; ciphertext: Buffer }>;
  } finally {
    db.close();
  }
}

describe('provisioning file', () => {
  it('valid: applies every field, stores the keys encrypted and removes them from the file', async () => {
    const root = dir();
    const data = join(root, 'data');
    const file = join(root, 'provision.json');
    writeFileSync(file, JSON.stringify(valid));
    const e = await till(data);
    const report = applyProvisioningFile(file, e);

    expect(report.keys).toEqual(['apiKey', 'secretKey']);
    expect(report.settings).toEqual(
      expect.arrayContaining(['storeId', 'storeName', 'branchId', 'currency', 'country', 'language', 'scanner.mode', 'update.channel']),
    );
    expect(e.getSettings()).toMatchObject({
      storeId: 'store-7',
      storeName: 'Olaya',
      branchId: 'riyadh-3',
      branchName: 'Riyadh Park',
      currency: 'KWD',
      country: 'KW',
      language: 'ar',
      scanner: { mode: 'hidpos', deviceId: null },
      update: { enabled: true, channel: 'beta', url: 'https://updates.example.com/pos', quietHours: '02:00-05:00', force: false },
      keys: { apiKeySet: true, secretKeySet: true },
    });
    // Gone from the file; everything else in it kept.
    const left = readFileSync(file, 'utf8');
    expect(left).not.toContain(API_KEY);
    expect(left).not.toContain(SECRET_KEY);
    const { gameball: _keys, ...rest } = valid;
    expect(JSON.parse(left)).toEqual(rest);
    expect(readdirSync(root).sort()).toEqual(['data', 'provision.json']); // no temporary file left
    // Present encrypted: two ciphertexts, neither holding the key in the clear.
    const rows = secretsRows(data);
    expect(rows.map((r) => r.name)).toEqual(['apiKey', 'secretKey']);
    for (const r of rows) {
      expect(r.ciphertext.includes(API_KEY)).toBe(false);
      expect(r.ciphertext.includes(SECRET_KEY)).toBe(false);
    }
  });

  it('invalid: every problem by field, no value quoted, and nothing applied (settings, keys, file)', async () => {
    const root = dir();
    const file = join(root, 'provision.json');
    const bad = {
      ...valid,
      currency: 'XXQ',
      scanner: { mode: 'laser' },
      update: { quietHours: '2am' },
      color: 'red',
      gameball: { apiKey: 'has space in it' },
    };
    writeFileSync(file, JSON.stringify(bad));
    const e = await till(join(root, 'data'));
    const before = e.getSettings();
    let error: unknown;
    try {
      applyProvisioningFile(file, e);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ProvisionError);
    const problems = (error as ProvisionError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^currency: not an ISO 4217/),
        expect.stringMatching(/^scanner\.mode: /),
        expect.stringMatching(/^update\.quietHours: .*HH:MM-HH:MM/),
        '(the file): unknown field color',
        expect.stringMatching(/^gameball\.apiKey: The API key cannot be used: it contains a space/),
      ]),
    );
    expect((error as Error).message).not.toContain('has space in it');
    expect(e.getSettings()).toEqual(before);
    expect(secretsRows(join(root, 'data'))).toEqual([]);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(bad);
  });

  it('not JSON: refused without repeating the text (it may hold a key)', async () => {
    const root = dir();
    const file = join(root, 'provision.json');
    writeFileSync(file, `{"gameball": {"apiKey": "${API_KEY}"`);
    const e = await till(join(root, 'data'));
    expect(() => applyProvisioningFile(file, e)).toThrow(/is not valid JSON\. Nothing was applied\.$/);
    try {
      applyProvisioningFile(file, e);
    } catch (err) {
      expect((err as Error).message).not.toContain(API_KEY);
    }
  });

  it('keys in a file that cannot be rewritten: refused before anything is applied', async () => {
    if (process.getuid?.() === 0) return; // root writes anywhere
    const root = dir();
    const ro = join(root, 'ro');
    mkdirSync(ro);
    const file = join(ro, 'provision.json');
    writeFileSync(file, JSON.stringify(valid));
    chmodSync(ro, 0o500);
    cleanups.push(() => chmodSync(ro, 0o700));
    const e = await till(join(root, 'data'));
    expect(() => applyProvisioningFile(file, e)).toThrow(/cannot be rewritten without them.*Nothing was applied/);
    expect(e.getSettings().storeId).toBeNull();
    expect(secretsRows(join(root, 'data'))).toEqual([]);
  });

  it('keys this computer cannot store: refused, nothing applied, the keys stay in the file', async () => {
    const root = dir();
    const file = join(root, 'provision.json');
    writeFileSync(file, JSON.stringify(valid));
    const e = await till(join(root, 'data'), unavailableCipher);
    expect(() => applyProvisioningFile(file, e)).toThrow(/Keys cannot be stored on this computer/);
    expect(e.getSettings().storeId).toBeNull();
    expect(readFileSync(file, 'utf8')).toContain(API_KEY);
  });
});

describe('provisioning from the environment (MDM)', () => {
  it('applies the POS_COMPANION_* variables; a bad one names its variable and applies nothing', async () => {
    const e = await till(join(dir(), 'data'));
    expect(applyProvisioningFromEnv({}, e)).toBeNull();
    expect(() => applyProvisioningFromEnv({ POS_COMPANION_STORE_ID: 's1', POS_COMPANION_UPDATE_QUIET_HOURS: 'night' }, e)).toThrow(
      /POS_COMPANION_UPDATE_QUIET_HOURS: a window "HH:MM-HH:MM"/,
    );
    expect(e.getSettings().storeId).toBeNull();
    const r = applyProvisioningFromEnv(
      {
        POS_COMPANION_STORE_ID: 's1',
        POS_COMPANION_BRANCH_ID: 'b2',
        POS_COMPANION_SCANNER_MODE: 'keyboard',
        POS_COMPANION_UPDATE_CHANNEL: 'beta',
      },
      e,
    );
    expect(r?.settings).toEqual(expect.arrayContaining(['storeId', 'branchId', 'scanner.mode', 'update.channel']));
    expect(e.getSettings()).toMatchObject({ storeId: 's1', branchId: 'b2', scanner: { mode: 'keyboard' }, update: { channel: 'beta' } });
  });
});

describe('provisioning the app picks up at start', () => {
  it('applies <data folder>/provision.json once: keys out of it, then renamed so it is never applied again', async () => {
    const data = join(dir(), 'data');
    const e = await till(data);
    writeFileSync(join(data, 'provision.json'), JSON.stringify(valid));
    const now = () => Date.parse('2026-12-03T11:00:00Z');
    const r = provisionAtStart({ dataDir: data, env: {}, till: e, now });
    expect(r).toMatchObject({ kind: 'applied', source: join(data, 'provision.json'), keys: ['apiKey', 'secretKey'] });
    expect(existsSync(join(data, 'provision.json'))).toBe(false);
    const applied = join(data, 'provision.json.applied-2026-12-03T11-00-00-000Z');
    expect(readFileSync(applied, 'utf8')).not.toContain(API_KEY);
    expect(JSON.parse(readFileSync(join(data, 'provisioned.json'), 'utf8'))).toMatchObject({ source: join(data, 'provision.json') });
    // Later starts: the environment's provisioning is for the first start only.
    e.updateSettings({ storeId: 'changed-on-the-till' });
    expect(provisionAtStart({ dataDir: data, env: { POS_COMPANION_STORE_ID: 'from-mdm' }, till: e, now })).toEqual({ kind: 'none' });
    expect(e.getSettings().storeId).toBe('changed-on-the-till');
  });

  it('a refused file at start: reported, nothing applied, the app goes on', async () => {
    const data = join(dir(), 'data');
    const e = await till(data);
    writeFileSync(join(data, 'provision.json'), JSON.stringify({ currency: 'nope' }));
    const r = provisionAtStart({ dataDir: data, env: {}, till: e, now: Date.now });
    expect(r).toMatchObject({ kind: 'refused', message: expect.stringMatching(/currency: not an ISO 4217/) });
    expect(e.getSettings().currency).toBe('SAR');
    expect(existsSync(join(data, 'provision.json'))).toBe(true);
  });

  it('the environment at the first start only', async () => {
    const data = join(dir(), 'data');
    const e = await till(data);
    expect(provisionAtStart({ dataDir: data, env: { POS_COMPANION_LANGUAGE: 'ar' }, till: e, now: Date.now })).toMatchObject({
      kind: 'applied',
      source: 'environment',
      settings: ['language'],
    });
    expect(e.getSettings().language).toBe('ar');
  });
});
