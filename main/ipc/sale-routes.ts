// The screen's side of sales from the store's POS (main/integration): the pending sale on the
// checkout screen, completed by the cashier's scan or dismissed, and the local API's address and
// token for store IT in Settings (behind the store PIN when one is set). Kept apart from routes.ts.
import type { ApiInfo, CapturedOrder, PendingSale } from '../../preload/api.ts';
import type { Engine } from '../engine.ts';
import { ensureApiToken } from '../integration/api-token.ts';
import { SaleConflictError, SaleNotFoundError } from '../integration/intake.ts';
import type { SaleRecord } from '../integration/intake.ts';
import { runningApiOrigin } from '../integration/start.ts';
import { PosError, type Handlers } from './handle.ts';

export type SaleRouteEngine = Partial<Pick<Engine, 'sales'>> &
  Pick<Engine, 'dataDir'> & { readonly storePin: Pick<Engine['storePin'], 'verify'> };

/** The pending sale as the screen sees it. */
export function pendingSaleView(sale: SaleRecord | null): PendingSale | null {
  if (sale === null || sale.state !== 'pending') return null;
  const { posSaleId, receiptNo, totalPaidMinor, currency, soldAt, receivedAt } = sale;
  return { posSaleId, receiptNo, totalPaidMinor, currency, soldAt, receivedAt };
}

function salesOf(engine: SaleRouteEngine): Engine['sales'] {
  if (!engine.sales) throw new PosError('unavailable', 'Sales from the POS are not available here.');
  return engine.sales;
}

/** The engine's sale refusals in the envelope: gone is not-found, no longer pending is wrong-state. */
function asPosError(err: unknown): unknown {
  if (err instanceof SaleNotFoundError) return new PosError('not-found', err.message, 'posSaleId');
  if (err instanceof SaleConflictError) return new PosError('wrong-state', err.message, 'posSaleId');
  return err;
}

type SaleChannels = 'sales:pending' | 'sales:complete' | 'sales:skip' | 'integration:api-info';

export function createSaleHandlers(engine: SaleRouteEngine): Pick<Handlers, SaleChannels> {
  return {
    'sales:pending': () => (engine.sales ? pendingSaleView(engine.sales.pendingSale()) : null),
    'sales:complete': ({ posSaleId, ...customer }): CapturedOrder => {
      try {
        const result = salesOf(engine).completeSale(posSaleId, customer);
        const order = result.order;
        if (order) return order;
        // Completed before for this customer: the order it made.
        throw new PosError('wrong-state', `Sale ${posSaleId} was already captured (order ${result.sale.orderId ?? ''}).`, 'posSaleId');
      } catch (err) {
        throw asPosError(err);
      }
    },
    'sales:skip': ({ posSaleId }) => {
      try {
        salesOf(engine).skipSale(posSaleId);
      } catch (err) {
        throw asPosError(err);
      }
      return { ok: true as const };
    },
    'integration:api-info': async (req): Promise<ApiInfo> => {
      // The token lets a program post sales as this till: the store PIN first, when one is set.
      await engine.storePin.verify(req?.pin);
      return { url: runningApiOrigin(engine.dataDir), token: ensureApiToken(engine.dataDir) };
    },
  };
}
