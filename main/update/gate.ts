// When may a downloaded update be installed? Installing restarts the app, so it must never cost a
// sale: not while the cashier is entering one, not while a Gameball call is in flight. Orders
// already queued are safe on disk and go out after the restart, so they block an install only
// outside IT's quiet window.
//
// The rules, in order (the first that applies decides):
//  1. a sale is being entered on the checkout screen (signalled within SALE_SIGNAL_STALE_MS) -> wait;
//     a forced update waits for it too (that sale is not on disk yet);
//  2. a Gameball call is in flight (orders or refunds `sending`) -> wait (seconds, not minutes);
//  3. IT forced the update -> install;
//  4. a quiet window is set: inside it -> install (queued orders resume after the restart);
//     outside it -> wait for the window;
//  5. no window: nothing queued (orders and refunds pending) -> install; else wait for the queue.
// Orders that need a person (`attention`) never block: they do not clear by themselves.
// Pure: every input is a value; the caller reads the clock, the engine and the settings.
import type { SyncStatus } from '../../preload/api.ts';
import { inQuietHours, type QuietHours } from './quiet-hours.ts';

/** A "sale in progress" signal older than this is a screen that forgot to clear it (crash, sleep). */
export const SALE_SIGNAL_STALE_MS = 10 * 60_000;

export interface SaleSignal {
  active: boolean;
  /** When the screen last said so (ms since the epoch); null: never. */
  at: number | null;
}

export interface GateInput {
  status: Pick<SyncStatus, 'counts' | 'refundCounts'>;
  sale: SaleSignal;
  /** ms since the epoch, for the sale signal's age. */
  now: number;
  /** Minutes after local midnight, for the quiet window. */
  minuteOfDay: number;
  quietHours: QuietHours | null;
  forced: boolean;
}

export type InstallBecause = 'forced' | 'queue-empty' | 'quiet-hours';
export type WaitReason = 'sale-in-progress' | 'sending' | 'pending' | 'outside-quiet-hours';

export type GateDecision = { install: true; because: InstallBecause } | { install: false; waitFor: WaitReason; pending: number };

export function saleInProgress(sale: SaleSignal, now: number): boolean {
  return sale.active && sale.at !== null && now - sale.at < SALE_SIGNAL_STALE_MS;
}

export function decideInstall(input: GateInput): GateDecision {
  const { counts, refundCounts } = input.status;
  const pending = counts.pending + (refundCounts?.pending ?? 0);
  const sending = counts.sending + (refundCounts?.sending ?? 0);
  if (saleInProgress(input.sale, input.now)) return { install: false, waitFor: 'sale-in-progress', pending };
  if (sending > 0) return { install: false, waitFor: 'sending', pending };
  if (input.forced) return { install: true, because: 'forced' };
  if (input.quietHours !== null) {
    return inQuietHours(input.quietHours, input.minuteOfDay)
      ? { install: true, because: 'quiet-hours' }
      : { install: false, waitFor: 'outside-quiet-hours', pending };
  }
  return pending === 0 ? { install: true, because: 'queue-empty' } : { install: false, waitFor: 'pending', pending };
}
