// A till put through real store faults, driven as store IT drives it: the real CLI in child
// processes on a data folder whose database file is damaged on disk (a page overwritten, the file
// cut short, the -wal lost), Gameball keys stored encrypted (master key file), and the project's
// Gameball simulator over real HTTP. For each fault: the operator reads a clear sentence on
// stderr with exit code 6 (EXIT_DATABASE_DAMAGED); the till id and keys survive; every captured order is back in the queue
// or named as unreadable; the screen is told; and after sync nothing reached Gameball twice.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { MASTER_KEY_FILE_ENV } from '../../../main/config/node-cipher.ts';
import { createEngine, noSync } from '../../../main/engine.ts';
import { silentLogger } from '../../../main/log.ts';
import { startSimulator } from '../../../main/simulator/index.ts';
import type { RunningSimulator } from '../../../main/simulator/index.ts';
import { cutToPages, overwritePage, pageCount, pagesOf } from '../../support/damage.ts';
import { EXIT_DATABASE_DAMAGED } from '../../../main/cli/db.ts';

const repoRoot = resolve(import.meta.dirname, '../../..');
const bin = join(repoRoot, 'main/bin/pos-companion.mjs');
const API_KEY = 'gb-api-key-7a1e44c0d9';
const SECRET_KEY = 'gb-secret-key-3c9b17f2e5';
const DB = 'pos-companion.db';

let cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'pos-dbcli-'));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

type Cli = (args: string[], input?: string) => Promise<Run>;

interface Till {
  dir: string;
  sim: RunningSimulator;
  env: Record<string, string>;
  cli: Cli;
  /** The same CLI (environment, keys) on another data folder. */
  at(dir: string): Cli;
  /** Captures orders through the engine (the same code `order add` runs), n at a time. */
  capture(n: number, from: number): Promise<string[]>;
  /** Orders posted to Gameball, one by one or as items of a batch (look-ups not counted). */
  posts(): number;
}

async function till(dir = join(tempDir(), 'data')): Promise<Till> {
  const sim = await startSimulator({ apiKey: API_KEY, secretKey: SECRET_KEY, rateLimit: false });
  cleanups.push(() => sim.close());
  const home = tempDir();
  // The master key lives outside the data folder: a copy of the folder alone opens no key.
  const env = { [MASTER_KEY_FILE_ENV]: join(home, 'master.key'), GAMEBALL_BASE_URL: sim.url };
  const at =
    (folder: string): Cli =>
    (args, input = '') =>
      new Promise((done) => {
        const child = spawn(process.execPath, [bin, ...args, '--data-dir', folder], {
          cwd: repoRoot,
          env: { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: home, NODE_ENV: 'test', ...env },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('close', (code) => done({ code, stdout, stderr }));
        child.stdin.end(input);
      });
  const cli = at(dir);
  const t: Till = {
    dir,
    sim,
    env,
    cli,
    at,
    async capture(n, from) {
      const e = await createEngine({ dataDir: dir, env, logger: silentLogger(), startSync: false, sync: noSync });
      try {
        return Array.from(
          { length: n },
          (_, i) =>
            e.captureOrder({
              mobile: `+96650${String(from + i).padStart(7, '0')}`,
              totalPaidMinor: (i + 1) * 100 + 75,
              name: `Customer ${from + i}, a name long enough to fill pages`,
            }).orderId,
        );
      } finally {
        await e.close();
      }
    },
    posts: () => {
      const ledger = sim.control.ledger();
      const batched = ledger.batches.filter((b) => b.kind === 'orders').reduce((n, b) => n + b.totalItems, 0);
      return (ledger.counters.requests['POST /orders'] ?? 0) + batched;
    },
  };
  // Keys stored encrypted, as `config set apiKey -` stores them (same engine call).
  const e = await createEngine({ dataDir: dir, env, logger: silentLogger(), startSync: false, sync: noSync });
  e.setKeys({ apiKey: API_KEY, secretKey: SECRET_KEY });
  await e.close();
  return t;
}

/** The till id and whether each key is set, as `config get` prints them (one run). */
async function identityOf(cli: Cli): Promise<{ tillId: string; apiKey: string; secretKey: string }> {
  const r = await cli(['config', 'get']);
  expect(r.code, r.stderr).toBe(0);
  const value = (name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(r.stdout)?.[1] ?? '';
  return { tillId: value('tillId'), apiKey: value('apiKey'), secretKey: value('secretKey') };
}

const keptBy = (tillId: string) => ({ tillId, apiKey: 'set', secretKey: 'set' });

function ordersIn(dir: string): Map<string, string> {
  const d = new BetterSqlite3(join(dir, DB), { readonly: true });
  try {
    return new Map(
      d
        .prepare<[], { order_id: string; state: string }>('SELECT order_id, state FROM orders')
        .all()
        .map((r) => [r.order_id, r.state]),
    );
  } finally {
    d.close();
  }
}

/** What a screen started now would show (desktop app or browser mode). */
async function screenNotices(dir: string, env: Record<string, string>) {
  const e = await createEngine({ dataDir: dir, env, logger: silentLogger(), sync: noSync });
  try {
    return [...e.notices];
  } finally {
    await e.close();
  }
}

/** A till with history: `synced` reached Gameball; `waiting` were captured after and are owed. */
async function tillWithHistory(): Promise<Till & { synced: string[]; waiting: string[]; id: string }> {
  const t = await till();
  const synced = await t.capture(40, 1000);
  const s = await t.cli(['sync', '--until-empty', '--timeout', '30']);
  expect(s.code, s.stderr).toBe(0);
  expect(s.stdout).toMatch(/^Synced 40 orders/);
  const waiting = await t.capture(40, 2000);
  return { ...t, synced, waiting, id: (await identityOf(t.cli)).tillId };
}

const DAMAGED =
  /^pos-companion: The till's database was damaged \((.+?)\)\. It was moved aside to (\S+pos-companion\.db\.corrupt-[0-9TZ-]+) \(kept, not deleted\) and a new database was started with the same till id \((till-[0-9a-f]{10})\), settings and Gameball keys\. Recovered from the damaged file: (\d+) orders and 0 refunds; (\d+) of them had not been confirmed by Gameball and are back in the queue, where each is checked with Gameball before it is sent, so nothing is sent twice\. (.*) The command was not run: run it again\.\n$/;

describe('a damaged database, as the operator meets it', () => {
  it('an overwritten page: exit 6 and the story on stderr; till id and keys kept; the screen told; nothing posted twice', async () => {
    const t = await tillWithHistory();
    const file = join(t.dir, DB);
    overwritePage(file, pagesOf(file, 'orders')[3]!.pageno, 8, 3000);

    // `status` reads only what it shows (the queue's index, the audit log), not every page: it
    // answers from pages that are whole and moves nothing; the next command that opens the
    // database checks every page.
    const glance = await t.cli(['status']);
    expect(glance.code, glance.stderr).toBe(0);
    expect(glance.stdout).toMatch(/^Orders: {2}40 pending, 0 sending, 0 needs attention, 40 synced, 0 discarded$/m);
    expect(readdirSync(t.dir).filter((f) => f.includes('.corrupt-'))).toEqual([]);

    const first = await t.cli(['config', 'get']);
    expect(first.code).toBe(EXIT_DATABASE_DAMAGED);
    expect(first.stdout).toBe('');
    const m = DAMAGED.exec(first.stderr);
    expect(m, first.stderr).not.toBeNull();
    const [, reason, movedTo, id, recovered, requeued, rest] = m!;
    expect(reason).toMatch(/^some of its pages are damaged/);
    expect(id).toBe(t.id);
    expect(existsSync(movedTo!)).toBe(true);
    expect(rest).toMatch(/^\d+ records? could not be read and may not have reached Gameball: order till-/);
    expect(first.stderr).not.toContain(API_KEY);

    // The next command runs as usual, on the same till.
    expect(await identityOf(t.cli)).toEqual(keptBy(t.id));
    const back = ordersIn(t.dir);
    expect(back.size).toBe(Number(recovered));
    expect([...back.values()].filter((s) => s === 'pending')).toHaveLength(Number(requeued));

    // `recover` names every record it could not read (and adds nothing: it already ran at start).
    const rec = await t.cli(['recover']);
    expect(rec.code).toBe(EXIT_DATABASE_DAMAGED);
    expect(rec.stdout).toMatch(/^Recovered 0 orders and 0 refunds from \S+corrupt-\S+; \d+ were already here and left as they are\. /);
    const unreadable = [...rec.stdout.matchAll(/^Could not read order (\S+) \(customer mobile_\d+, captured [0-9T:.Z-]+\): (.+)\.$/gm)];
    expect(unreadable.length).toBeGreaterThan(0);
    for (const u of unreadable) expect(u[2]).toBe(t.synced.includes(u[1]!) ? 'Gameball has it' : 'not yet sent to Gameball');
    const named = new Set(unreadable.map((u) => u[1]!));
    for (const o of [...t.synced, ...t.waiting]) expect(back.has(o) || named.has(o), o).toBe(true);

    // The screen that starts next shows it once.
    const shown = await screenNotices(t.dir, t.env);
    expect(shown.map((n) => n.code)).toEqual(['DB_DAMAGED_PARTIAL']);
    expect(shown[0]?.message).toContain(`It was moved aside to ${movedTo}`);
    expect(await screenNotices(t.dir, t.env)).toEqual([]);

    // Sync: the waiting orders that came back go once; the synced ones never again.
    const before = t.posts();
    const s = await t.cli(['sync', '--until-empty', '--timeout', '30']);
    expect(s.code, s.stderr).toBe(0);
    const backWaiting = t.waiting.filter((o) => back.has(o));
    expect(t.posts() - before).toBe(backWaiting.length);
    const ledger = t.sim.control.ledger().orders.map((o) => o.orderId);
    expect(new Set(ledger).size).toBe(ledger.length);
    for (const o of backWaiting) expect(ledger).toContain(o);
    expect([...ordersIn(t.dir).values()].every((st) => st === 'synced')).toBe(true);
  }, 120_000);

  it('a file cut short: `order add` exits 6 without capturing, and captures on the next try', async () => {
    const t = await tillWithHistory();
    const file = join(t.dir, DB);
    cutToPages(file, pageCount(file) - 3);

    const add = ['order', 'add', '--mobile', '0500009999', '--total', '12.00'];
    const first = await t.cli(add);
    expect(first.code).toBe(EXIT_DATABASE_DAMAGED);
    expect(first.stdout).toBe(''); // no order id: nothing was captured
    const m = DAMAGED.exec(first.stderr);
    expect(m, first.stderr).not.toBeNull();
    expect(m![1]).toMatch(/^the file is cut short: \d+ of its \d+ pages are there$/);
    expect(m![3]).toBe(t.id);
    const back = ordersIn(t.dir);
    expect([...back.keys()].some((o) => !t.synced.includes(o) && !t.waiting.includes(o))).toBe(false);
    const rec = await t.cli(['recover']);
    const named = new Set([...rec.stdout.matchAll(/^Could not read order (\S+) /gm)].map((x) => x[1]!));
    const silent = [...t.synced, ...t.waiting].filter((o) => !back.has(o) && !named.has(o));
    if (silent.length > 0) expect(rec.stdout).toMatch(/could not be read at all, so some may be gone without a trace/);

    const second = await t.cli(add);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(new RegExp(`^${t.id}-[0-9a-f-]{36}\\n$`));
    expect(await identityOf(t.cli)).toEqual(keptBy(t.id));

    const before = t.posts();
    const s = await t.cli(['sync', '--until-empty', '--timeout', '30']);
    expect(s.code, s.stderr).toBe(0);
    expect(t.posts() - before).toBe(t.waiting.filter((o) => back.has(o)).length + 1);
  }, 120_000);

  it('a copy without its -wal, taken while the till had writes not yet in the main file: said so, looked up, nothing posted twice', async () => {
    const t = await till();
    const ids = await t.capture(5, 3000);
    // Another reader keeps the sync's writes (and one more capture) in the -wal only: no
    // checkpoint can copy past a reader's snapshot, and the writers' close is not the last one.
    const reader = new BetterSqlite3(join(t.dir, DB), { readonly: true });
    cleanups.push(() => void reader.close());
    reader.prepare('BEGIN').run();
    reader.prepare('SELECT COUNT(*) FROM orders').get();
    const s = await t.cli(['sync', '--until-empty', '--timeout', '30']);
    expect(s.code, s.stderr).toBe(0);
    await t.capture(1, 3100);
    expect(t.posts()).toBe(5);
    const id = (await identityOf(t.cli)).tillId;

    // The copy: the main file and till.json, without the -wal.
    const copyDir = join(tempDir(), 'restored');
    mkdirSync(copyDir);
    copyFileSync(join(t.dir, DB), join(copyDir, DB));
    copyFileSync(join(t.dir, 'till.json'), join(copyDir, 'till.json'));
    const restored = { cli: t.at(copyDir) };

    const first = await restored.cli(['status']);
    expect(first.code).toBe(EXIT_DATABASE_DAMAGED);
    expect(first.stderr).toBe(
      `pos-companion: The database ${join(copyDir, DB)} holds less than this till had written to it: the latest orders or the record of what Gameball answered may be missing. ` +
        `If it was restored from a copy, stop POS Companion and restore ${join(copyDir, DB)} together with ${join(copyDir, DB)}-wal from the same copy (never one without the other). ` +
        'Orders waiting to be sent are looked up at Gameball before they are sent again, so nothing is sent twice. The command was not run: run it again.\n',
    );
    expect(await identityOf(restored.cli)).toEqual(keptBy(id));
    expect((await screenNotices(copyDir, t.env)).map((n) => n.code)).toEqual(['DB_BEHIND']);

    // The copy still has the five orders as waiting: they are looked up, not posted again.
    expect([...ordersIn(copyDir).entries()].filter(([o]) => ids.includes(o)).map(([, st]) => st)).toEqual([
      'pending',
      'pending',
      'pending',
      'pending',
      'pending',
    ]);
    const sync = await restored.cli(['sync', '--until-empty', '--timeout', '30']);
    expect(sync.code, sync.stderr).toBe(0);
    expect(t.posts()).toBe(5);
    expect(t.sim.control.ledger().counters.responses['422/9004']).toBeUndefined();
    expect([...ordersIn(copyDir).values()].every((st) => st === 'synced')).toBe(true);
  }, 120_000);

  it('a copy without its -wal of a database never copied into its main file: an empty database, said so, the till id and keys kept', async () => {
    const t = await till();
    await t.capture(3, 4000);
    const id = (await identityOf(t.cli)).tillId;
    const copyDir = join(tempDir(), 'restored');
    mkdirSync(copyDir);
    // What the main file of a database that lived only in its -wal holds: the bare header page.
    const bare = new BetterSqlite3(join(copyDir, DB));
    bare.pragma('journal_mode = WAL');
    bare.close();
    copyFileSync(join(t.dir, 'till.json'), join(copyDir, 'till.json'));
    const cli = t.at(copyDir);

    const first = await cli(['status']);
    expect(first.code).toBe(EXIT_DATABASE_DAMAGED);
    expect(first.stderr).toMatch(
      new RegExp(
        `^pos-companion: The database ${join(copyDir, DB).replace(/[.]/g, '\\.')} is empty, but this till had one with orders \\(created [0-9T:.Z-]+\\)\\. If it was restored from a copy, the copy is missing its -wal file: stop POS Companion and restore .* together with .*-wal from the same copy \\(never one without the other\\)\\. Orders that only the -wal held cannot be recovered without it\\. The till id \\(${id}\\), settings and keys were kept\\. The command was not run: run it again\\.\\n$`,
      ),
    );
    expect(await identityOf(cli)).toEqual(keptBy(id));
    expect(readdirSync(copyDir).some((f) => f.includes('.corrupt-'))).toBe(false);
  }, 120_000);

  it('recover refuses the live database and a missing file (exit 2), and says when there is nothing to recover (exit 1)', async () => {
    const dir = join(tempDir(), 'data');
    const run = (args: string[]) =>
      new Promise<Run>((done) => {
        const child = spawn(process.execPath, [bin, ...args, '--data-dir', dir], {
          cwd: repoRoot,
          env: { PATH: process.env.PATH, HOME: dir, NODE_ENV: 'test' },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('close', (code) => done({ code, stdout, stderr }));
      });
    const none = await run(['recover']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no damaged database file in .* Give one with --from FILE\./);
    const live = await run(['recover', '--from', join(dir, DB)]);
    expect(live.code).toBe(2);
    expect(live.stderr).toMatch(/is this till's live database, not a damaged copy/);
    const missing = await run(['recover', '--from', join(dir, 'nope.db')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/There is no file .*nope\.db/);
    writeFileSync(join(dir, 'other.db'), 'not a database at all');
    const garbage = await run(['recover', '--from', join(dir, 'other.db')]);
    expect(garbage.code).toBe(1);
    expect(garbage.stdout).toMatch(/^Nothing could be read from .*other\.db: it is not a readable database/);
  }, 60_000);
});
