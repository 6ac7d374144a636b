// The optional state file: history survives a restart (training mode), writes are atomic and
// debounced, an unreadable file is moved aside instead of blocking the start.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../../main/simulator/index.ts';
import type { RunningSimulator, SimulatorOptions } from '../../../main/simulator/index.ts';
import { api, order } from './sim-client.ts';

let dir: string;
const running: RunningSimulator[] = [];
async function sim(opts: SimulatorOptions): Promise<RunningSimulator> {
  const s = await startSimulator({ seed: 5, ...opts });
  running.push(s);
  return s;
}
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gb-sim-'));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe('state file', () => {
  it('keeps customers, referrals, orders, refunds and transactions across a restart', async () => {
    const stateFile = join(dir, 'nested', 'sim-state.json');
    const a = await sim({ stateFile });
    await api(a, 'POST', '/customers', { customerId: 'owner' });
    const code = (await api(a, 'GET', '/customers/owner')).body.referralCode as string;
    await api(a, 'POST', '/customers', { customerId: 'friend', referrerCode: code });
    const o = order({ customerId: 'friend', totalPaid: 40 });
    await api(a, 'POST', '/orders', o);
    await api(a, 'POST', '/transactions/refund', {
      customerId: 'friend',
      refundTransactionId: 'RF',
      reverseTransactionId: o.orderId,
      transactionTime: '2026-01-02T00:00:00.000Z',
      refundAmount: 10,
    });
    const before = a.control.ledger();
    await a.close();

    const b = await sim({ stateFile });
    const after = b.control.ledger();
    expect(after.customers).toEqual(before.customers);
    expect(after.referrals).toEqual(before.referrals);
    expect(after.orders).toEqual(before.orders);
    expect(after.refunds).toEqual(before.refunds);
    expect(after.transactions).toEqual(before.transactions);
    expect(after.counters.requests).toEqual({}); // counters belong to one run
    // The rules see the restored history.
    expect((await api(b, 'POST', '/orders', o)).body.code).toBe(9004);
    expect((await api(b, 'GET', '/customers/owner')).body.referralCode).toBe(code);
    await api(b, 'POST', '/customers', { customerId: 'third' });
    expect(b.control.ledger().customers.find((c) => c.customerId === 'third')?.gameballId).toBeGreaterThan(
      Math.max(...before.customers.map((c) => c.gameballId)),
    );
  });

  it('writes within the debounce without a close, atomically (no temp file left behind)', async () => {
    const stateFile = join(dir, 'state.json');
    const s = await sim({ stateFile });
    await api(s, 'POST', '/orders', order({ customerId: 'quick' }));
    const deadline = Date.now() + 10_000;
    while (!existsSync(stateFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const saved = JSON.parse(readFileSync(stateFile, 'utf8'));
    expect(saved.orders.map((o: { customerId: string }) => o.customerId)).toEqual(['quick']);
    expect(readdirSync(dir)).toEqual(['state.json']);
    expect(readFileSync(stateFile, 'utf8')).not.toContain('sim-secret-key');
  });

  it('an unreadable state file is moved aside and the simulator starts empty', async () => {
    const stateFile = join(dir, 'state.json');
    writeFileSync(stateFile, '{"version":1,"customers":[tru');
    const s = await sim({ stateFile, now: () => Date.UTC(2026, 2, 3, 4, 5, 6) });
    expect(s.stateFileMovedAside).toBe(`${stateFile}.corrupt-2026-03-03T04-05-06-000Z`);
    expect(readFileSync(s.stateFileMovedAside as string, 'utf8')).toBe('{"version":1,"customers":[tru');
    expect(s.control.ledger().customers).toEqual([]);
    expect((await api(s, 'POST', '/customers', { customerId: 'fresh' })).status).toBe(200);
  });

  it('a batch accepted before a stop runs after the restart', async () => {
    const stateFile = join(dir, 'state.json');
    const a = await sim({ stateFile, batchDelayMs: 60_000 });
    const accepted = await api(a, 'POST', '/batch/orders', { body: [order({ customerId: 'later' })] });
    await a.close();
    const b = await sim({ stateFile });
    const deadline = Date.now() + 10_000;
    let status = '';
    while (status !== 'completed' && Date.now() < deadline) {
      status = (await api(b, 'GET', `/batches/${accepted.body.jobId as number}/status`)).body.status;
      if (status !== 'completed') await new Promise((r) => setTimeout(r, 10));
    }
    expect(status).toBe('completed');
    expect(b.control.ledger().orders.map((o) => o.customerId)).toEqual(['later']);
  });

  it('reset empties the state file too', async () => {
    const stateFile = join(dir, 'state.json');
    const a = await sim({ stateFile });
    await api(a, 'POST', '/customers', { customerId: 'gone' });
    a.control.reset();
    await a.close();
    const b = await sim({ stateFile });
    expect(b.control.ledger().customers).toEqual([]);
  });
});
