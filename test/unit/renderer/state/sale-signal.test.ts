import { afterEach, describe, expect, it, vi } from 'vitest';
import { CheckoutFormStore } from '../../../../renderer/state/checkout-form.ts';
import { followSale, saleInProgress } from '../../../../renderer/state/sale-signal.ts';

afterEach(() => vi.useRealTimers());

describe('sale signal', () => {
  it('a sale is in progress as soon as any field is filled', () => {
    const store = new CheckoutFormStore(() => 'ref');
    expect(saleInProgress(store.getSnapshot())).toBe(false);
    for (const patch of [{ mobile: '05' }, { amount: '1' }, { receipt: 'R' }, { referral: 'X' }, { customerId: 'mobile_1' }]) {
      store.reset();
      store.update(patch);
      expect(saleInProgress(store.getSnapshot()), JSON.stringify(patch)).toBe(true);
    }
    store.update({ mobile: '   ', amount: '', receipt: '', referral: '', customerId: null });
    expect(saleInProgress(store.getSnapshot())).toBe(false);
  });

  it('sends on change only (not per keystroke), repeats while the sale lasts, and says when it ends', () => {
    vi.useFakeTimers();
    const store = new CheckoutFormStore(() => 'ref');
    const sent: boolean[] = [];
    const stop = followSale(store, (a) => sent.push(a), 1000);
    store.update({ mobile: '0' });
    store.update({ mobile: '05' });
    store.update({ mobile: '050' });
    expect(sent).toEqual([true]);
    vi.advanceTimersByTime(2500);
    expect(sent).toEqual([true, true, true]);
    store.reset(); // saved or cleared
    expect(sent).toEqual([true, true, true, false]);
    vi.advanceTimersByTime(5000);
    expect(sent).toHaveLength(4);
    stop();
    store.update({ amount: '1' });
    expect(sent).toHaveLength(4);
  });
});
