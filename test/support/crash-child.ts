// The process the crash test kills with SIGKILL: a till that captures orders and syncs them to a
// simulator, like the app does. It prints `ACK <orderId>` only after captureOrder returned (the
// order and its outbox rows are committed), so the parent knows exactly what was promised.
// Usage: crash-child.ts <dataDir> <gameballBaseUrl> <capture|sync> <firstCustomerNumber> [perSecond/per30s]
// The last argument sets the limiter of every rate group but customer reads (default: Gameball's).
import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { SettingsStore } from '../../main/config/settings.ts';
import { openDatabase } from '../../main/db/index.ts';
import { OrderStore } from '../../main/orders/order-store.ts';
import { SyncEngine } from '../../main/sync/sync-engine.ts';
import { simulatorClient } from './simulator-client.ts';

const [dataDir, baseUrl, mode, firstArg, rateArg] = process.argv.slice(2);
const rate = rateArg === undefined ? undefined : /^(\d+)\/(\d+)$/.exec(rateArg);
if (!dataDir || !baseUrl || (mode !== 'capture' && mode !== 'sync') || !firstArg || rate === null) {
  process.stderr.write('usage: crash-child.ts <dataDir> <baseUrl> <capture|sync> <firstCustomerNumber> [perSecond/per30s]\n');
  process.exit(64);
}
const limit = rate ? { perSecond: Number(rate[1]), per30s: Number(rate[2]) } : undefined;

const say = (line: string) => writeSync(1, `${line}\n`);
let last = 0;
const clock = { now: () => (last = Math.max(Date.now(), last + 1)) };
const db = openDatabase(join(dataDir, 'pos-companion.db'), { clock });
const settings = new SettingsStore(db);
const orders = new OrderStore({ db, clock, settings: () => settings.get(), training: () => false });
const client = simulatorClient({ baseUrl, timeoutMs: 1_000 });
const engine = new SyncEngine({
  db,
  client,
  training: false,
  clock,
  concurrency: 4,
  leaseMs: 1_500,
  idlePollMs: 50,
  backoff: { baseMs: 20, capMs: 200, minMs: 5 },
  // With a rate limit (restart-rate-limit.test.ts counts single calls) batches are off; the crash
  // test kills engines that batch too.
  ...(limit ? { rateLimits: { orders: limit, customerWrites: limit, transactions: limit, others: limit }, batch: false as const } : {}),
});
engine.start();
say('READY');

if (mode === 'capture') {
  let n = Number(firstArg);
  const captureOne = () => {
    n += 1;
    const input: Record<string, unknown> = { mobile: `+96650${String(n).padStart(7, '0')}`, totalPaidMinor: ((n % 50) + 1) * 100 + 25 };
    // Some new customers come with a referral code: two calls, registration first.
    if (n % 5 === 0) input.referrerCode = 'CRASHREF1';
    const order = orders.captureOrder(input);
    say(`ACK ${order.orderId}`);
    setTimeout(captureOne, 3);
  };
  captureOne();
}
