// Gameball simulator overhead: the sync benchmark drives thousands of requests through it, so
// its per-request cost must stay close to a bare node:http server doing the minimum (read the
// body, parse JSON, answer). Same client, same concurrency, same run; ratios are what count.
import { createServer, request, Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSimulator } from '../../main/simulator/index.ts';

const REQUESTS = 3000;
const CONCURRENCY = 8;
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function post(url: string, path: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, url),
      { method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function drive(label: string, send: (i: number) => Promise<number>): Promise<{ p50: number; p99: number; perSecond: number }> {
  const times: number[] = [];
  let next = 0;
  let bad = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        const i = next++;
        const s = performance.now();
        if ((await send(i)) !== 200) bad += 1;
        times.push(performance.now() - s);
      }
    }),
  );
  const total = performance.now() - t0;
  if (bad > 0) throw new Error(`${label}: ${bad} requests did not answer 200`);
  times.sort((a, b) => a - b);
  return {
    p50: times[Math.floor(times.length / 2)] ?? 0,
    p99: times[Math.floor(times.length * 0.99)] ?? 0,
    perSecond: (REQUESTS / total) * 1000,
  };
}

function orderBody(i: number, run: string): string {
  return JSON.stringify({
    customerId: `mobile_9665000${String(i % 500).padStart(5, '0')}`,
    orderId: `${run}-${i}`,
    orderDate: new Date(Date.UTC(2026, 0, 1) + i).toISOString(),
    totalPaid: 123.45,
    totalPrice: 130,
    channel: 'pos',
    lineItems: [{ productId: 'P1', quantity: 1, price: 130, discount: 6.55 }],
    merchant: { uniqueId: 'store-1', branch: { uniqueId: 'b-1' } },
  });
}

let failed = false;
function report(line: string, pass: boolean): void {
  failed ||= !pass;
  process.stdout.write(`${line} ${pass ? 'PASS' : 'FAIL'}\n`);
}

// Baseline: the least an HTTP JSON endpoint can do.
const bare = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { customerId: string };
    const text = JSON.stringify({ customerId: body.customerId, rewardedPoints: 123, redeemedPoints: 0 });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
});
await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;

// Start time (in-process, as training mode starts it).
const starts: number[] = [];
for (let i = 0; i < 20; i += 1) {
  const t = performance.now();
  const s = await startSimulator({ seed: i });
  starts.push(performance.now() - t);
  await s.close();
}
starts.sort((a, b) => a - b);

const sim = await startSimulator({ seed: 1, rateLimit: false });
const keys = { APIKey: 'sim-api-key', SecretKey: 'sim-secret-key' };
// Warm both paths (JIT) before measuring.
await drive('warm-up bare', (i) => post(bareUrl, '/orders', orderBody(i, 'warm'), {}));
await drive('warm-up simulator', (i) => post(sim.url, '/api/v4.0/integrations/orders', orderBody(i, 'warm'), keys));
sim.control.reset();
sim.control.setFaults({ rateLimit: false });

const base = await drive('bare', (i) => post(bareUrl, '/orders', orderBody(i, 'bare'), {}));
const simulated = await drive('simulator', (i) => post(sim.url, '/api/v4.0/integrations/orders', orderBody(i, 'run'), keys));
const ledger = sim.control.ledger();

const ratio = simulated.p50 / base.p50;
const throughputRatio = base.perSecond / simulated.perSecond;
report(`simulator start p50 ${(starts[10] ?? 0).toFixed(2)} ms (target < 50 ms)`, (starts[10] ?? Infinity) < 50);
report(
  `POST /orders p50 ${simulated.p50.toFixed(3)} ms vs bare http ${base.p50.toFixed(3)} ms: ${ratio.toFixed(2)}x (target <= 2x)`,
  ratio <= 2,
);
report(
  `throughput ${simulated.perSecond.toFixed(0)}/s vs bare ${base.perSecond.toFixed(0)}/s: ${throughputRatio.toFixed(2)}x slower (target <= 2x); p99 ${simulated.p99.toFixed(2)} ms vs ${base.p99.toFixed(2)} ms`,
  throughputRatio <= 2,
);
report(`ledger holds exactly ${REQUESTS} orders after ${REQUESTS} requests: ${ledger.orders.length}`, ledger.orders.length === REQUESTS);

await sim.close();
agent.destroy();
await new Promise<void>((r) => bare.close(() => r()));
process.exitCode = failed ? 1 : 0;
