// What the fleet push is about, without the metrics library: the names the push uses, the health
// it reports and its grouping. The push timer, the CLI and the engine import this at start;
// prom-client (metrics.ts) is loaded only when a push happens.
import type { SyncStatus } from '../orders/schemas.ts';
import type { ScannerMode } from '../../preload/api.ts';
import type { ScannerStateCode } from '../scanner/service.ts';

export const PUSH_JOB = 'pos_companion';
/** The password of the push's basic auth: an environment variable, never a setting or an argument. */
export const PUSH_PASSWORD_ENV = 'POS_COMPANION_PUSH_PASSWORD';
/** The store label of a till whose storeId setting is not set. */
export const UNSET_STORE = 'unset';

export interface TillHealth {
  /** The status; `online` null when unknown (a one-shot command runs no sync): then not sent. */
  status: Omit<SyncStatus, 'online'> & { online: boolean | null };
  storeId: string | null;
  tillId: string;
  version: string;
  /**
   * The scanner: its mode setting, and its state where the process runs the scanner service (the
   * desktop app, browser mode); `unknown` elsewhere (the `metrics push` command). Absent: not sent.
   */
  scanner?: { mode: ScannerMode; state: ScannerStateCode | 'unknown' };
}

export interface Grouping {
  store: string;
  till: string;
}

export function groupingOf(h: Pick<TillHealth, 'storeId' | 'tillId'>): Grouping {
  return { store: h.storeId ?? UNSET_STORE, till: h.tillId };
}

/** A grouping value that can stand in the Pushgateway's URL path as it is. */
const PLAIN_VALUE = /^[A-Za-z0-9_.-]+$/;

/**
 * The grouping as the Pushgateway's URL path carries it: a value with anything but letters,
 * digits, `_`, `.`, `-` (a `/` in a store id would split the path, a space or `%` be decoded) goes
 * as `label@base64` with the value in URL-safe base64, which the gateway decodes back to the value.
 */
export function groupingPathLabels(g: Grouping): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [label, value] of Object.entries(g)) {
    if (PLAIN_VALUE.test(value)) out[label] = value;
    else out[`${label}@base64`] = Buffer.from(value, 'utf8').toString('base64url') || '=';
  }
  return out;
}
