// The quick `status` (main/cli/status.ts): on a till in its usual state, the engine's own figures
// without starting the engine, and nothing written; in every other state, null, so that the engine
// opens the folder, runs its checks and says what it found.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { oneShotStatus, plainStatusFlags, readQuickStatus, statusOutput } from '../../../main/cli/status.ts';
import { defaultSettings } from '../../../main/config/settings.ts';
import { MIGRATIONS } from '../../../main/db/index.ts';
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
function engineOptions(dataDir: string, clock: SteppedClock, env: NodeJS.ProcessEnv = {}): EngineOptions {
  return { dataDir, clock, logger: silentLogger(), secretCipher: cipher, env, startSync: false, sync: gameballSync() };
}

/** What `status` printed before the quick way: the engine's status. */
function engineView(dataDir: string, clock: SteppedClock, env: NodeJS.ProcessEnv = {}) {
  return withEngine(engineOptions(dataDir, clock, env), (e) => ({ status: oneShotStatus(e.status()), tillId: e.getSettings().tillId }));
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

describe('readQuickStatus leaves the engine to decide', () => {
  const cases: [string, (dir: string) => void | Promise<void>, NodeJS.ProcessEnv?][] = [
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
      'live mode set by hand',
      (dir) => withDb(dir, (db) => db.prepare("INSERT OR REPLACE INTO settings (key, value) VALUES ('trainingMode', '\"off\"')").run()),
    ],
    [
      'both keys stored (auto: live, if the key store can read them)',
      (dir) =>
        withEngine(engineOptions(dir, steppedClock()), (e) =>
          e.setKeys({ apiKey: 'live-api-key-0001', secretKey: 'live-secret-key-0002' }),
        ),
    ],
    [
      'both keys in the environment (auto: live)',
      () => {},
      { GAMEBALL_API_KEY: 'env-api-key-0001', GAMEBALL_SECRET_KEY: 'env-secret-key-0002' },
    ],
  ];

  it.each(cases)('%s', async (name, change, env = {}) => {
    const dir = folder();
    const clock = steppedClock();
    await workedTill(dir, clock);
    expect(readQuickStatus(dir, { clock, env: {} })).not.toBeNull();
    await change(dir);
    expect(readQuickStatus(dir, { clock, env })).toBeNull();
    // Where the reason is live mode, the engine is live indeed (its last error would depend on the keys).
    if (/live/.test(name)) expect((await engineView(dir, clock, env)).status.training).toBe(false);
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
