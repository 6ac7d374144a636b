// A till for sync tests: a real SQLite file in a temp folder, the real capture path (OrderStore),
// the project's Gameball simulator over real HTTP on 127.0.0.1, the real client and sync engine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../main/clock.ts';
import { SettingsStore } from '../../main/config/settings.ts';
import type { SettingsPatch } from '../../main/config/settings.ts';
import { openDatabase } from '../../main/db/index.ts';
import type { Database } from '../../main/db/index.ts';
import type { GameballClient } from '../../main/gameball/client.ts';
import type { GameballApiVersion } from '../../main/gameball/config.ts';
import { OrderStore } from '../../main/orders/order-store.ts';
import type { CapturedOrder } from '../../main/orders/schemas.ts';
import { startSimulator } from '../../main/simulator/index.ts';
import type { RunningSimulator, SimulatorOptions } from '../../main/simulator/index.ts';
import { SyncEngine } from '../../main/sync/sync-engine.ts';
import type { SyncEngineOptions } from '../../main/sync/sync-engine.ts';
import { simulatorClient } from './simulator-client.ts';

export interface SyncFixture {
  dir: string;
  file: string;
  db: Database;
  orders: OrderStore;
  settings: SettingsStore;
  sim: RunningSimulator;
  client: GameballClient;
  /** Creates an engine on this till's database (its own connection unless `db` is given). */
  engine(opts?: Partial<SyncEngineOptions> & { separateConnection?: boolean }): SyncEngine;
  capture(input: Record<string, unknown>): CapturedOrder;
  /** Reads one row of a table by key. */
  order(orderId: string): Record<string, unknown> & { state: string; rewarded_points: number | null };
  outbox(entityId: string): Array<Record<string, unknown> & { kind: string; state: string; unknown_outcome: number; attempts: number }>;
  close(): Promise<void>;
}

export interface SyncFixtureOptions {
  sim?: SimulatorOptions;
  training?: boolean;
  clock?: Clock;
  settings?: SettingsPatch;
  apiVersion?: GameballApiVersion;
  timeoutMs?: number;
  /** Point the client somewhere else (e.g. a closed port) instead of the simulator. */
  baseUrl?: string;
  /** Keep the database in this folder (e.g. on a small tmpfs) instead of a new temp folder; not removed on close. */
  dir?: string;
}

let counter = 0;
/** A valid Saudi mobile number, distinct per call within a test file. */
export function mobile(n?: number): string {
  counter += 1;
  return `+96650${String(n ?? counter).padStart(7, '0')}`;
}

export async function createSyncFixture(opts: SyncFixtureOptions = {}): Promise<SyncFixture> {
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'pos-sync-'));
  const file = join(dir, 'pos-companion.db');
  const db = openDatabase(file);
  const settings = new SettingsStore(db);
  settings.update({ storeId: 'store-1', branchId: 'branch-7', ...opts.settings });
  const clock = opts.clock ?? { now: () => Date.now() };
  const training = opts.training ?? false;
  const orders = new OrderStore({ db, clock, settings: () => settings.get(), training: () => training });
  const sim = await startSimulator({ rateLimit: false, seed: 7, ...opts.sim });
  const client = simulatorClient({
    baseUrl: opts.baseUrl ?? sim.url,
    apiVersion: opts.apiVersion ?? 'v4.0',
    apiKey: opts.sim?.apiKey ?? 'sim-api-key',
    secretKey: opts.sim?.secretKey ?? 'sim-secret-key',
    timeoutMs: opts.timeoutMs ?? 5_000,
  });
  const engines: SyncEngine[] = [];
  const extraDbs: Database[] = [];
  return {
    dir,
    file,
    db,
    orders,
    settings,
    sim,
    client,
    engine(o = {}) {
      let engineDb = o.db ?? db;
      if (o.separateConnection) {
        engineDb = openDatabase(file);
        extraDbs.push(engineDb);
      }
      const e = new SyncEngine({
        db: engineDb,
        client,
        training,
        clock,
        idlePollMs: 100,
        backoff: { baseMs: 20, capMs: 200, minMs: 5 },
        ...o,
      });
      engines.push(e);
      return e;
    },
    capture: (input) => orders.captureOrder(input),
    order: (orderId) => db.prepare('SELECT * FROM orders WHERE order_id = ?').get(orderId) as ReturnType<SyncFixture['order']>,
    outbox: (entityId) =>
      db.prepare('SELECT * FROM outbox WHERE entity_id = ? ORDER BY id').all(entityId) as ReturnType<SyncFixture['outbox']>,
    async close() {
      await Promise.all(engines.map((e) => e.stop()));
      await sim.close();
      for (const d of extraDbs) d.close();
      db.close();
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
