// The fleet view (docs/fleet.md): one till's health as Prometheus metrics, pushed to a
// Pushgateway so the office sees every till of every store on one dashboard. Opt-in: nothing is
// pushed while the `fleet.pushUrl` setting is null.
//
// Each push builds a fresh Registry (never prom-client's global one) from the status the screen
// shows, labels every series with the till's store and till id, and PUTs it under the grouping
// {job="pos_companion", store, till}: the gateway replaces that group whole, so a series the till
// no longer sends (a last success it forgot) does not linger.
import { Gauge, Pushgateway, Registry } from 'prom-client';
import { PUSH_JOB } from './health.ts';
import { groupingOf, groupingPathLabels, type Grouping, type TillHealth } from './health.ts';

export { appVersion } from '../app-version.ts';
export { groupingOf, groupingPathLabels, PUSH_JOB, PUSH_PASSWORD_ENV, UNSET_STORE } from './health.ts';
export type { Grouping, TillHealth } from './health.ts';

const PUSH_TIMEOUT_MS = 10_000;

/** A fresh registry holding the till's metrics, every series labelled {store, till}. */
export function healthRegistry(h: TillHealth): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ ...groupingOf(h) });
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name: `pos_companion_${name}`, help, labelNames, registers: [registry] });
  const { status } = h;

  const orders = gauge('orders', 'Orders kept on this till, by sync state.', ['state']);
  for (const [state, n] of Object.entries(status.counts)) orders.set({ state }, n);
  const refunds = gauge('refunds', 'Refunds kept on this till, by sync state.', ['state']);
  for (const [state, n] of Object.entries(status.refundCounts)) refunds.set({ state }, n);
  gauge('oldest_pending_age_seconds', 'Age of the oldest order or refund not yet synced (0: none waiting).').set(
    (status.oldestPendingAgeMs ?? 0) / 1000,
  );
  gauge('needs_attention', 'Orders and refunds Gameball refused that wait for a person.').set(
    status.counts.attention + status.refundCounts.attention,
  );
  if (status.lastSuccessAt !== null && Number.isFinite(Date.parse(status.lastSuccessAt))) {
    gauge('last_sync_success_timestamp_seconds', 'When a call to Gameball last succeeded (Unix time).').set(
      Date.parse(status.lastSuccessAt) / 1000,
    );
  }
  if (typeof status.clockSkewMs === 'number') {
    gauge('clock_skew_seconds', "The till's clock minus Gameball's (positive: the till is ahead).").set(status.clockSkewMs / 1000);
  }
  if (status.online !== null)
    gauge('online', '1 while the till reaches Gameball (or the simulator in training).').set(status.online ? 1 : 0);
  gauge('training', '1 in training mode (captures go to the built-in simulator, not Gameball).').set(status.training ? 1 : 0);
  gauge('app_info', 'The POS Companion version this till runs (always 1).', ['version']).set({ version: h.version }, 1);
  if (h.scanner) {
    gauge('scanner_info', "The scanner's mode setting and its state (always 1; state unknown where no scanner service runs).", [
      'mode',
      'state',
    ]).set({ mode: h.scanner.mode, state: h.scanner.state }, 1);
    if (h.scanner.state !== 'unknown')
      gauge('scanner_connected', '1 while a HID POS scanner is connected.').set(h.scanner.state === 'connected' ? 1 : 0);
  }
  return registry;
}

export interface PushTarget {
  url: string;
  user: string | null;
  password: string | null;
}

export interface PushResult {
  metricCount: number;
  grouping: Grouping;
}

/** PUTs the till's metrics to the gateway (replacing its group). Rejects on an unreachable gateway or a 4xx/5xx. */
export async function pushHealth(h: TillHealth, target: PushTarget): Promise<PushResult> {
  const registry = healthRegistry(h);
  const grouping = groupingOf(h);
  const auth = target.user !== null ? `${target.user}:${target.password ?? ''}` : undefined;
  const gateway = new Pushgateway(target.url, { timeout: PUSH_TIMEOUT_MS, ...(auth === undefined ? {} : { auth }) }, registry);
  try {
    await gateway.push({ jobName: PUSH_JOB, groupings: groupingPathLabels(grouping) });
  } catch (err) {
    throw new Error(pushFailure(err, target.url));
  }
  return { metricCount: (await registry.getMetricsAsJSON()).length, grouping };
}

/** One line saying why a push failed: the gateway's status, or why it could not be reached. */
function pushFailure(err: unknown, url: string): string {
  const message = err instanceof Error ? err.message : String(err);
  const status = /push failed with status (\d{3})/.exec(message);
  if (status) return `the Pushgateway at ${url} answered HTTP ${status[1]}`;
  const code = (err as { code?: unknown } | null)?.code;
  const why = typeof code === 'string' ? code : message.split('\n')[0];
  return `the Pushgateway at ${url} could not be reached (${why})`;
}
