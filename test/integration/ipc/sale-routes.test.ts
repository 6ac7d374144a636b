// The screen's side of sales from the POS through the real bridge and engine: the pending sale
// pushed and completed under its posSaleId, dismissed, and the local API's token behind the store PIN.
import { afterEach, describe, expect, it } from 'vitest';
import { ensureApiToken } from '../../../main/integration/api-token.ts';
import { routedTill } from '../../support/routed-till.ts';
import type { RoutedTill } from '../../support/routed-till.ts';

const SALE = { posSaleId: 'S-1043', totalPaid: '125.50', currency: 'SAR', receiptNo: 'R-1043', soldAt: '2025-03-01T11:32:00+03:00' };

let till: RoutedTill | undefined;
afterEach(async () => {
  await till?.cleanup();
});

describe('sales channels', () => {
  it('shows the pending sale and completes it with the scanned customer, once', async () => {
    till = await routedTill('pos-sale-routes-');
    expect(await till.call('sales:pending')).toEqual({ ok: true, value: null });
    till.engine.sales.intakeSale(SALE);
    expect(await till.call('sales:pending')).toMatchObject({
      ok: true,
      value: { posSaleId: 'S-1043', receiptNo: 'R-1043', totalPaidMinor: 12550, currency: 'SAR' },
    });
    const done = await till.call('sales:complete', { posSaleId: 'S-1043', customerId: 'mobile_966500001043' });
    expect(done).toMatchObject({ ok: true, value: { totalPaidMinor: 12550, receiptNo: 'R-1043', customerId: 'mobile_966500001043' } });
    expect(till.engine.sales.getSale('S-1043')?.state).toBe('captured');
    expect(await till.call('sales:pending')).toEqual({ ok: true, value: null });
    const again = await till.call('sales:complete', { posSaleId: 'S-1043', customerId: 'mobile_966500009999' });
    expect(again).toMatchObject({ ok: false, error: { code: 'wrong-state' } });
    expect(till.engine.listOrders({ state: 'all' }).total).toBe(1);
    expect(await till.call('sales:complete', { posSaleId: 'S-9', mobile: '0500000001' })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
  });

  it('dismisses a pending sale', async () => {
    till = await routedTill('pos-sale-routes-');
    till.engine.sales.intakeSale(SALE);
    expect(await till.call('sales:skip', { posSaleId: 'S-1043' })).toEqual({ ok: true, value: { ok: true } });
    expect(till.engine.sales.getSale('S-1043')?.state).toBe('skipped');
    expect(till.engine.listOrders({ state: 'all' }).total).toBe(0);
  });

  it('gives the API token only with the store PIN when one is set', async () => {
    till = await routedTill('pos-sale-routes-');
    const token = ensureApiToken(till.dir);
    expect(await till.call('integration:api-info')).toEqual({ ok: true, value: { url: null, token } });
    expect(await till.call('settings:set-store-pin', { pin: '4321' })).toMatchObject({ ok: true });
    expect(await till.call('integration:api-info')).toMatchObject({ ok: false, error: { code: 'pin-required' } });
    expect(await till.call('integration:api-info', { pin: '1111' })).toMatchObject({ ok: false, error: { code: 'pin-wrong' } });
    expect(await till.call('integration:api-info', { pin: '4321' })).toEqual({ ok: true, value: { url: null, token } });
    expect(till.log()).not.toContain(token);
  });
});
