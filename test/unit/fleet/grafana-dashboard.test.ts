// The fleet dashboard (assets/grafana/pos-companion-fleet.json) is valid JSON, takes its Prometheus
// data source from a variable, and asks only for series the till really pushes.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { healthRegistry } from '../../../main/fleet/metrics.ts';

const file = join(resolve(import.meta.dirname, '../../..'), 'assets/grafana/pos-companion-fleet.json');

interface Panel {
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: { expr: string; datasource?: { uid: string } }[];
  repeat?: string;
}
interface Dashboard {
  uid: string;
  templating: { list: { name: string; type: string; query: unknown }[] };
  panels: Panel[];
}

it('is valid JSON with a Prometheus data-source variable used by every query', () => {
  const d = JSON.parse(readFileSync(file, 'utf8')) as Dashboard;
  expect(d.uid).toBe('pos-companion-fleet');
  expect(d.templating.list.find((v) => v.name === 'datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
  const queried = d.panels.filter((p) => p.targets);
  expect(queried.length).toBeGreaterThan(0);
  for (const p of queried) {
    expect(p.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
    for (const t of p.targets!) expect(t.datasource?.uid ?? '${datasource}').toBe('${datasource}');
  }
});

it('has a table of tills per store with pending, needs attention, oldest pending age, last success and clock skew', async () => {
  const d = JSON.parse(readFileSync(file, 'utf8')) as Dashboard;
  expect(d.panels.some((p) => p.type === 'row' && p.repeat === 'store')).toBe(true);
  const table = d.panels.find((p) => p.type === 'table');
  const exprs = table!.targets!.map((t) => t.expr).join('\n');
  for (const name of [
    'pos_companion_orders',
    'pos_companion_needs_attention',
    'pos_companion_oldest_pending_age_seconds',
    'pos_companion_last_sync_success_timestamp_seconds',
    'pos_companion_clock_skew_seconds',
    'pos_companion_scanner_info',
  ])
    expect(exprs).toContain(`${name}{`);
  // The scanner's state is a column of its own (the series' `state` label), its value hidden.
  const organize = (
    table as unknown as { transformations: { id: string; options: Record<string, Record<string, unknown>> }[] }
  ).transformations.find((t) => t.id === 'organize');
  expect(organize?.options.renameByName?.state).toBe('Scanner');
  expect(organize?.options.excludeByName?.['Value #H']).toBe(true);
  expect(table!.targets!.find((t) => t.expr.includes('pos_companion_scanner_info'))?.expr).toMatch(/by \(store, till, state\)/);
  // And the fleet's count of HID POS scanners that are not connected, at the top.
  const stat = d.panels.find((p) => p.type === 'stat' && p.targets?.some((t) => t.expr.includes('pos_companion_scanner_connected')));
  expect(stat?.targets?.[0]?.expr).toMatch(/pos_companion_scanner_connected\{[^}]*\} == 0/);
  // Every pos_companion_ series it asks for is one a till pushes.
  const zero = { pending: 0, sending: 0, synced: 0, attention: 0, discarded: 0 };
  const pushed = await healthRegistry({
    status: {
      counts: zero,
      refundCounts: zero,
      oldestPendingAgeMs: 0,
      lastSuccessAt: '2025-01-01T00:00:00Z',
      lastError: null,
      online: true,
      training: false,
      clockSkewMs: 0,
    },
    storeId: 's',
    tillId: 't',
    version: '1',
    scanner: { mode: 'hidpos', state: 'connected' },
  }).getMetricsAsJSON();
  const names = new Set(pushed.map((m) => m.name));
  const asked = d.panels.flatMap((p) => (p.targets ?? []).flatMap((t) => [...t.expr.matchAll(/pos_companion_[a-z_]+/g)].map((m) => m[0])));
  expect(asked.length).toBeGreaterThan(5);
  for (const n of asked) expect(names, n).toContain(n);
});
