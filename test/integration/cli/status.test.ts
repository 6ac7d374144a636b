// The quick `status` (main/cli/status.ts): on a till in its usual state, the engine's own figures
// without starting the engine, and nothing written; in every other state, null, so that the engine
// opens the folder, runs its checks and says what it found.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { oneShotStatus, plainStatusFlags, readQuickStatus, statusOutput } from '../../../main/cli/status.ts';
import type { SecretCipher } from '../../../main/config/secrets.ts';
import { defaultSettings } from '../../../main/config/settings.ts';
import { MIGRATIONS } from '../../../main/db/index.ts';
import { NO_KEYS_MESSAGE } from '../../../main/gameball/config.ts';
import { withEngine } from '../../../main/engine.ts';
import type { EngineOptions } from '../../../main/engine.ts';
import { silentLogger } from '../../../main/log.ts';
import { ClockCheckStore } from '../../../main/sync/clock-check-store.ts';
import { gameballSync } from '../../../main/sync/wiring.ts';
import { testCipher } from '../../support/test-cipher.ts';
import { steppedClock, tempDir } from '../../support/till-fixture.ts';
import type { SteppedClock } from '../../support/till-fixture.ts';

const cipher = testCipher();
let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.reverse()) c();
  cleanups = [];
});
function folder(): string {
  const t = tempDir('pos-quick-status-');
  cleanups.push(t.cleanup);
  return t.dir;
}

/** The engine as `status` opens it: one-shot, with the Gameball sync part (this test's clock and cipher). */
function engineOptions(
  dataDir: string,
  clock: SteppedClock,
  env: NodeJS.ProcessEnv = {},
  secretCipher: SecretCipher = cipher,
): EngineOptions {
  return { dataDir, clock, logger: silentLogger(), secretCipher, env, startSync: false, sync: gameballSync() };
}

/** What `status` printed before the quick way: the engine's status. */
function engineView(dataDir: string, clock: SteppedClock, env: NodeJS.ProcessEnv = {}, secretCipher: SecretCipher = cipher) {
  return withEngine(engineOptions(dataDir, clock, env, secretCipher), (e) => ({
    status: oneShotStatus(e.status()),
    tillId: e.getSettings().tillId,
  }));
}

/** A till that has worked a while: orders, a refund, an answer from Gameball in its audit log, a clock check. */
async function workedTill(dataDir: string, clock: SteppedClock, setup?: Parameters<typeof withEngine>[1]): Promise<void> {
  await withEngine(engineOptions(dataDir, clock), async (e) => {
    await setup?.(e);
    const a = e.captureOrder({ mobile: '0500001234', totalPaidMinor: 1000 });
    clock.advance(30_000);
    e.captureOrder({ mobile: '0500001235', totalPaidMinor: 2000 });
    e.captureRefund({ orderId: a.orderId });
  });
  // What a sync writes besides the rows: an answer in the audit log, a measurement of the clock.
  withDb(dataDir, (db) => {
    db.prepare(
      "INSERT INTO sync_log (entity_id, method, path, http_status, gameball_code, message, outcome, at) VALUES ('o-1', 'POST', '/orders', 400, 3016, 'Invalid mobile', 'attention', '2025-03-01T09:00:50.000Z')",
    ).run();
    new ClockCheckStore(db).save(true, 95_000, clock.now());
  });
  clock.advance(60_000);
}

function withDb(dataDir: string, fn: (db: BetterSqlite3.Database) => void): void {
  const db = new BetterSqlite3(join(dataDir, 'pos-companion.db'));
  try {
    fn(db);
  } finally {
    db.close();
  }
}

function editIdentity(dataDir: string, edit: (identity: Record<string, unknown>) => void): void {
  const file = join(dataDir, 'till.json');
  const identity = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(identity);
  writeFileSync(file, JSON.stringify(identity));
}

/** Every file of the folder with its content's digest and mtime. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const path = join(e.parentPath, e.name);
    out[path] = `${createHash('sha256').update(readFileSync(path)).digest('hex')} ${statSync(path).mtimeMs}`;
  }
  return out;
}

describe('readQuickStatus on a till in its usual state', () => {
  it("gives the engine's status and till id, so status prints the same text and JSON", async () => {
    const dir = folder();
    const clock = steppedClock();
    await workedTill(dir, clock);
    const quick = readQuickStatus(dir, { clock, env: {} });
    const engine = await engineView(dir, clock);
    expect(quick).toEqual(engine);
    // The figures are there to compare: counts, the oldest age, the last error, the clock.
    expect(quick?.status).toMatchObject({
      counts: { pending: 2 },
      refundCounts: { pending: 1 },
      oldestPendingAgeMs: 90_000,
      lastError: { code: '3016', message: 'Invalid mobile' },
      online: null,
      training: true,
      clockSkewMs: 95_000,
    });
    for (const json of [false, true])
      expect(statusOutput(quick!.status, quick!.tillId, dir, json)).toBe(statusOutput(engine.status, engine.tillId, dir, json));
    // No trainingMode row: the quick way takes the settings' default, which is auto.
    withDb(dir, (db) => expect(db.prepare("SELECT value FROM settings WHERE key = 'trainingMode'").get()).toBeUndefined());
    expect(defaultSettings('till-1').trainingMode).toBe('auto');
    // After the engine ran (and recorded the identity again), still the same.
    expect(readQuickStatus(dir, { clock, env: {} })).toEqual(engine);
  });

  it('writes nothing: the database, its -wal and -shm, the identity file and the log folder stay as they were', async () => {
    const dir = folder();
    const clock = steppedClock();
    await workedTill(dir, clock);
    const before = snapshot(dir);
    expect(readQuickStatus(dir, { clock, env: {} })).not.toBeNull();
    expect(snapshot(dir)).toEqual(before);
  });

  it('answers in training mode set by hand, keys stored or not, and with one key alone in the environment', async () => {
    const dir = folder();
    const clock = steppedClock();
    await workedTill(dir, clock, (e) => {
      e.setKeys({ apiKey: 'live-api-key-0001', secretKey: 'live-secret-key-0002' });
      e.updateSettings({ trainingMode: 'on' });
    });
    expect(readQuickStatus(dir, { clock, env: {} })).toEqual(await engineView(dir, clock));

    const other = folder();
    await workedTill(other, clock);
    const env = { GAMEBALL_API_KEY: 'env-api-key-0001' };
    const quick = readQuickStatus(other, { clock, env });
    expect(quick?.status.training).toBe(true);
    expect(quick).toEqual(await engineView(other, clock, env));
  });
});

describe('readQuickStatus on a live till', () => {
  const KEYS = { apiKey: 'live-api-key-0001', secretKey: 'live-secret-key-0002' };
  const keysStored: Parameters<typeof workedTill>[2] = (e) => e.setKeys(KEYS);
  // Another scheme (the desktop app's safeStorage, read by the CLI), and the same scheme under
  // another key (a key store that lost its master key).
  const desktopCipher = testCipher('electron-safestorage-v1');
  const lostKeyCipher = testCipher(cipher.id);
  const cases: {
    name: string;
    setup?: Parameters<typeof workedTill>[2];
    env?: NodeJS.ProcessEnv;
    reader?: SecretCipher;
    lastError: RegExp;
  }[] = [
    { name: 'both keys stored, read by the key store', setup: keysStored, lastError: /^Invalid mobile$/ },
    {
      name: 'both keys in the environment',
      env: { GAMEBALL_API_KEY: 'env-api-key-0001', GAMEBALL_SECRET_KEY: 'env-secret-key-0002' },
      lastError: /^Invalid mobile$/,
    },
    {
      name: 'live mode set by hand, without keys',
      setup: (e) => e.updateSettings({ trainingMode: 'off' }),
      lastError: new RegExp(`^${NO_KEYS_MESSAGE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
    },
    {
      name: 'keys stored by the desktop app, which this process cannot read',
      setup: keysStored,
      reader: desktopCipher,
      lastError: /^The Gameball keys are stored on this till but cannot be read here \(stored with test-aes, which is not available here\)/,
    },
    {
      name: 'keys stored with a master key this key store no longer holds',
      setup: keysStored,
      reader: lostKeyCipher,
      lastError: /cannot be read here \(the stored ciphertext could not be decrypted\)/,
    },
    {
      name: 'a key in the environment that an HTTP header cannot carry',
      setup: keysStored,
      env: { GAMEBALL_API_KEY: 'KEYAAAAAAA\nKEYBBBBBBB' },
      lastError: /^The Gameball API key in GAMEBALL_API_KEY cannot be used: it contains a line break/,
    },
    {
      name: 'GAMEBALL_BASE_URL sending the keys in clear over the network',
      setup: keysStored,
      env: { GAMEBALL_BASE_URL: 'http://10.0.0.5:8080' },
      lastError: /^The Gameball base URL "http:\/\/10\.0\.0\.5:8080" must be https:\/\//,
    },
    {
      name: 'GAMEBALL_API_VERSION that is not one',
      setup: keysStored,
      env: { GAMEBALL_API_VERSION: '5' },
      lastError: /^The Gameball API version must be v4.0 or v4.1/,
    },
    {
      name: 'a base URL and API version set in the settings',
      setup: async (e) => {
        await keysStored(e);
        e.updateSettings({ apiBaseUrl: 'https://gameball.example.com/', apiVersion: 'v4.1' });
      },
      lastError: /^Invalid mobile$/,
    },
  ];

  it.each(cases)("$name: the engine's status, live, with its last error", async ({ setup, env = {}, reader = cipher, lastError }) => {
    const dir = folder();
    const clock = steppedClock();
    await workedTill(dir, clock, setup);
    const quick = readQuickStatus(dir, { clock, env, cipher: reader });
    const engine = await engineView(dir, clock, env, reader);
    expect(quick).toEqual(engine);
    expect(quick?.status.training).toBe(false);
    expect(quick?.status.lastError?.message).toMatch(lastError);
    for (const json of [false, true])
      expect(statusOutput(quick!.status, quick!.tillId, dir, json)).toBe(statusOutput(engine.status, engine.tillId, dir, json));
    // The orders are the live ones: those captured once the keys were there.
    const live = setup !== undefined && reader === cipher && !env.GAMEBALL_API_KEY;
    if (live) expect(quick?.status.counts.pending).toBe(2);
  });

  it('writes nothing, and never asks the key store to make a master key', async () => {
    const dir = folder();
    const clock = steppedClock();
    await workedTill(dir, clock, keysStored);
    const before = snapshot(dir);
    const used: string[] = [];
    const watching: SecretCipher = {
      id: cipher.id,
      available: () => (used.push('available'), true),
      encrypt: (p) => (used.push('encrypt'), cipher.encrypt(p)),
      decrypt: (b) => (used.push('decrypt'), cipher.decrypt(b)),
    };
    expect(readQuickStatus(dir, { clock, env: {}, cipher: watching })?.status.training).toBe(false);
    expect(used).toEqual(['decrypt', 'decrypt']);
    expect(snapshot(dir)).toEqual(before);
  });
});

describe('readQuickStatus leaves the engine to decide', () => {
  const cases: [string, (dir: string) => void | Promise<void>][] = [
    ['no identity file', (dir) => rmSync(join(dir, 'till.json'))],
    [
      'an identity file that flags the database damaged',
      (dir) => editIdentity(dir, (i) => (i.damaged = { databaseId: null, at: '2025-03-01T09:00:00.000Z', reason: 'SQLITE_CORRUPT' })),
    ],
    ['an identity file that records another database', (dir) => editIdentity(dir, (i) => ((i.database as { id: string }).id = 'another'))],
    [
      'a database holding less than the identity file recorded (restored without its -wal)',
      (dir) => editIdentity(dir, (i) => ((i.database as { outboxSeq: number }).outboxSeq += 5)),
    ],
    [
      'a file cut short by one page (fewer pages than its header records)',
      (dir) => {
        const file = join(dir, 'pos-companion.db');
        truncateSync(file, statSync(file).size - 4096);
      },
    ],
    [
      'a file that is not a SQLite database',
      (dir) => {
        const file = join(dir, 'pos-companion.db');
        const bytes = readFileSync(file);
        bytes.write('not sqlite at all', 0, 'latin1');
        writeFileSync(file, bytes);
      },
    ],
    ['a database due a migration', (dir) => withDb(dir, (db) => db.pragma(`user_version = ${MIGRATIONS.length - 1}`))],
    ['a database not in WAL mode', (dir) => withDb(dir, (db) => db.pragma('journal_mode = DELETE'))],
    [
      'an invalid till id',
      (dir) => withDb(dir, (db) => db.prepare("UPDATE settings SET value = '\"no spaces allowed\"' WHERE key = 'tillId'").run()),
    ],
    [
      'a training mode that is not one of auto, on, off',
      (dir) =>
        withDb(dir, (db) => db.prepare("INSERT OR REPLACE INTO settings (key, value) VALUES ('trainingMode', '\"sometimes\"')").run()),
    ],
    [
      'a base URL setting the settings would not take (they keep the default, and log why)',
      (dir) =>
        withDb(dir, (db) =>
          db.prepare("INSERT OR REPLACE INTO settings (key, value) VALUES ('apiBaseUrl', '\"http://10.0.0.5:8080\"')").run(),
        ),
    ],
    [
      'an API version setting that is not v4.0 or v4.1',
      (dir) => withDb(dir, (db) => db.prepare("INSERT OR REPLACE INTO settings (key, value) VALUES ('apiVersion', '\"v5\"')").run()),
    ],
  ];

  it.each(cases)('%s', async (_name, change) => {
    const dir = folder();
    const clock = steppedClock();
    await workedTill(dir, clock);
    expect(readQuickStatus(dir, { clock, env: {} })).not.toBeNull();
    await change(dir);
    expect(readQuickStatus(dir, { clock, env: {} })).toBeNull();
  });

  it('a folder with no database yet: null, and no database made', () => {
    const dir = folder();
    expect(readQuickStatus(dir, { clock: steppedClock(), env: {} })).toBeNull();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('plainStatusFlags', () => {
  it.each<[string[], ReturnType<typeof plainStatusFlags>]>([
    [[], {}],
    [['--json'], { json: true }],
    [['--data-dir', '/d'], { dataDir: '/d' }],
    [['--data-dir=/d', '--json'], { dataDir: '/d', json: true }],
    [['--json', '--data-dir', '/d'], { dataDir: '/d', json: true }],
    // Anything else is the whole CLI's to parse and answer (help, errors, repeats).
    [['--help'], null],
    [['-h'], null],
    [['--json', '--json'], null],
    [['--data-dir'], null],
    [['--data-dir', '--json'], null],
    [['--data-dir='], null],
    [['--data-dir', '/a', '--data-dir', '/b'], null],
    [['--verbose'], null],
    [['extra'], null],
  ])('%j', (args, flags) => {
    expect(plainStatusFlags(args)).toEqual(flags);
  });
});
