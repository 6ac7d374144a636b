// What the fleet push is about, without the metrics library: the names the push uses, the health
// it reports and its grouping. The push timer, the CLI and the engine import this at start;
// prom-client (metrics.ts) is loaded only when a push happens.
import type { SyncStatus } from '../orders/schemas.ts';

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
  /** The scanner's state when the caller knows it (the desktop shell); absent otherwise. */
  scanner?: { connected: boolean };
}

export interface Grouping {
  store: string;
  till: string;
}

export function groupingOf(h: Pick<TillHealth, 'storeId' | 'tillId'>): Grouping {
  return { store: h.storeId ?? UNSET_STORE, till: h.tillId };
}
