// One till of a fleet, as its own process: its own data folder, the real engine with its defaults
// (60 s lease, the shared-budget limiter), the simulator as Gameball. Used by the fleet and takeover
// benchmarks and their integration tests.
// Usage: fleet-till.ts <dataDir> <gameballBaseUrl> <capture N|drain|sync> [firstCustomerNumber] [perSecond/per30s]
//  - capture N: captures N orders offline (customers firstCustomerNumber+1..+N), prints CAPTURED, exits.
//  - drain: prints READY, waits for a line `GO` on stdin, drains until the outbox is empty, prints
//    `DONE <ms>` and exits.
//  - sync: starts the engine at once, prints READY, runs until killed (SIGKILL in the takeover bench)
//    or until the outbox is empty (prints DONE then).
// The last argument sets the engine's limiter for every group but customer reads (the simulator
// must be given the same limits).
import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { SettingsStore } from '../../main/config/settings.ts';
import { openDatabase } from '../../main/db/index.ts';
import { OrderStore } from '../../main/orders/order-store.ts';
import { SyncEngine } from '../../main/sync/sync-engine.ts';
import { simulatorClient } from './simulator-client.ts';

const [dataDir, baseUrl, mode, ...rest] = process.argv.slice(2);
const say = (line: string) => writeSync(1, `${line}\n`);
if (!dataDir || !baseUrl || (mode !== 'capture' && mode !== 'drain' && mode !== 'sync')) {
  process.stderr.write('usage: fleet-till.ts <dataDir> <baseUrl> <capture N|drain|sync> [firstCustomerNumber] [perSecond/per30s]\n');
  process.exit(64);
}
const rateArg = rest.find((a) => a.includes('/'));
const rate = rateArg === undefined ? undefined : /^(\d+)\/(\d+)$/.exec(rateArg);
const limit = rate ? { perSecond: Number(rate[1]), per30s: Number(rate[2]) } : undefined;

let last = 0;
const clock = { now: () => (last = Math.max(Date.now(), last + 1)) };
const db = openDatabase(join(dataDir, 'pos-companion.db'), { clock });

if (mode === 'capture') {
  const n = Number(rest[0]);
  const first = Number(rest[1] ?? 0);
  const settings = new SettingsStore(db);
  const orders = new OrderStore({ db, clock, settings: () => settings.get(), training: () => false });
  for (let i = 1; i <= n; i += 1)
    orders.captureOrder({ mobile: `+96650${String(first + i).padStart(7, '0')}`, totalPaidMinor: ((i % 90) + 10) * 100 });
  db.close();
  say('CAPTURED');
  process.exit(0);
}

const engine = new SyncEngine({
  db,
  client: simulatorClient({ baseUrl, timeoutMs: 10_000 }),
  training: false,
  clock,
  concurrency: 8,
  ...(process.env.FLEET_BATCH === 'off' ? { batch: false as const } : {}),
  ...(limit ? { rateLimits: { orders: limit, customerWrites: limit, transactions: limit, others: limit } } : {}),
});

async function drainAndReport(startedAt: number): Promise<void> {
  const result = await engine.drain({ untilEmpty: true, timeoutMs: 600_000 });
  const elapsed = performance.now() - startedAt;
  await engine.stop();
  db.close();
  say(result.empty ? `DONE ${elapsed.toFixed(0)}` : `LEFT ${result.remaining}`);
  process.exit(result.empty ? 0 : 1);
}

if (mode === 'sync') {
  say('READY');
  void drainAndReport(performance.now());
} else {
  say('READY');
  process.stdin.setEncoding('utf8');
  let buf = '';
  process.stdin.on('data', (chunk: string) => {
    buf += chunk;
    if (buf.includes('GO\n')) {
      process.stdin.pause();
      void drainAndReport(performance.now());
    }
  });
}
