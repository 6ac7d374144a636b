// The drain benchmarks' backlog: n orders of n customers captured into `db` through the order
// store, as a till that was offline holds them, with the strictly increasing clock the engine
// then uses (the wall clock, +1 ms per reading when read faster than that).
import { SettingsStore } from '../../main/config/settings.ts';
import type { Database } from '../../main/db/index.ts';
import { OrderStore } from '../../main/orders/order-store.ts';

export function captureBacklog(db: Database, n: number): { clock: { now: () => number }; ids: string[] } {
  let last = 0;
  const clock = { now: () => (last = Math.max(Date.now(), last + 1)) };
  const settings = new SettingsStore(db);
  const orders = new OrderStore({ db, clock, settings: () => settings.get(), training: () => false });
  const ids: string[] = [];
  db.transaction(() => {
    for (let i = 0; i < n; i += 1)
      ids.push(orders.captureOrder({ mobile: `+96650${String(i + 1).padStart(7, '0')}`, totalPaidMinor: ((i % 90) + 10) * 100 }).orderId);
  })();
  return { clock, ids };
}
