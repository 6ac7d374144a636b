// What the screen and the update controller share while the app runs: the screen's "a sale is
// being entered" signal (app:sale-activity) and the state of the update (update:get-state and the
// `update` event, shown in the status bar). Created by the shell before the updater is loaded, so a
// sale signal is never lost; browser mode has none (no update there, and no sale signal needed).
import type { UpdateState } from '../../preload/api.ts';
import type { Clock } from '../clock.ts';
import type { SaleSignal } from './gate.ts';

export const NO_UPDATE: UpdateState = { state: 'none', version: null, waitingFor: null, forced: false };

export interface UpdateCenter {
  state(): UpdateState;
  set(next: UpdateState): void;
  onState(listener: (s: UpdateState) => void): () => void;
  /** The screen says a sale is (or is no longer) being entered. */
  saleActivity(active: boolean): void;
  sale(): SaleSignal;
  /** Called when a sale ends, so a waiting update is reconsidered at once. */
  onSaleEnded(listener: () => void): () => void;
}

export function createUpdateCenter(clock: Clock): UpdateCenter {
  let current = NO_UPDATE;
  let sale: SaleSignal = { active: false, at: null };
  const stateListeners = new Set<(s: UpdateState) => void>();
  const saleListeners = new Set<() => void>();
  return {
    state: () => current,
    set(next) {
      if (JSON.stringify(next) === JSON.stringify(current)) return;
      current = next;
      for (const l of [...stateListeners]) l(next);
    },
    onState(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    saleActivity(active) {
      const ended = sale.active && !active;
      sale = { active, at: clock.now() };
      if (ended) for (const l of [...saleListeners]) l();
    },
    sale: () => sale,
    onSaleEnded(listener) {
      saleListeners.add(listener);
      return () => saleListeners.delete(listener);
    },
  };
}
