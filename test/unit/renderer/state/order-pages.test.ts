// Paging the queue: only the pages in view are asked for, and an old answer never overwrites a
// newer one.
import { describe, expect, it } from 'vitest';
import type { OrderListRequest, OrderListResponse, OrderView } from '../../../../preload/api.ts';
import { OrderPages } from '../../../../renderer/state/order-pages.ts';

const row = (i: number): OrderView => ({
  orderId: `o${i}`,
  customerId: 'c',
  mobile: null,
  name: null,
  email: null,
  currency: 'SAR',
  totalPaidMinor: i,
  receiptNo: null,
  referrerCode: null,
  orderDate: '',
  tillId: 't',
  storeId: null,
  branchId: null,
  training: false,
  state: 'pending',
  rewardedPoints: null,
  attentionCode: null,
  attentionMessage: null,
  discardReason: null,
  createdAt: '',
  updatedAt: '',
  syncedAt: null,
});

function fakeList(total: number) {
  const calls: OrderListRequest[] = [];
  const pending: Array<() => void> = [];
  let version = 0;
  const list = (req: OrderListRequest): Promise<OrderListResponse> => {
    calls.push(req);
    const v = version;
    return new Promise((resolve) =>
      pending.push(() => {
        const offset = req.offset ?? 0;
        const end = Math.min(total, offset + (req.limit ?? 100));
        const rows: OrderView[] = [];
        for (let i = offset; i < end; i += 1) rows.push({ ...row(i), totalPaidMinor: i + v * 1_000_000 });
        resolve({ total, rows });
      }),
    );
  };
  return {
    list,
    calls,
    bumpData: () => (version += 1),
    flush: async (order: 'fifo' | 'lifo' = 'fifo') => {
      const batch = pending.splice(0);
      for (const fn of order === 'fifo' ? batch : batch.reverse()) fn();
      await new Promise((r) => setTimeout(r, 0));
    },
  };
}

describe('OrderPages', () => {
  it('asks only for the pages that cover the rows in view, once', async () => {
    const fake = fakeList(100_000);
    const pages = new OrderPages(fake.list, { state: 'all', search: '' }, 100);
    pages.ensure(0, 30);
    pages.ensure(10, 40);
    await fake.flush();
    expect(fake.calls).toEqual([{ state: 'all', offset: 0, limit: 100 }]);
    expect(pages.total).toBe(100_000);
    expect(pages.row(42)?.orderId).toBe('o42');

    pages.ensure(50_030, 50_120);
    await fake.flush();
    expect(fake.calls.slice(1).map((c) => c.offset)).toEqual([50_000, 50_100]);
    expect(pages.row(50_119)?.orderId).toBe('o50119');
    expect(pages.row(70_000)).toBeUndefined();
  });

  it('passes the filter and the trimmed search to the engine', async () => {
    const fake = fakeList(10);
    const pages = new OrderPages(fake.list, { state: 'attention', search: '  0500 ' }, 100);
    pages.ensure(0, 5);
    await fake.flush();
    expect(fake.calls[0]).toEqual({ state: 'attention', search: '0500', offset: 0, limit: 100 });
  });

  it('refresh reloads what is in view, and a stale answer arriving late does not win', async () => {
    const fake = fakeList(1_000);
    const pages = new OrderPages(fake.list, { state: 'all', search: '' }, 100);
    pages.ensure(0, 10);
    await fake.flush();
    expect(pages.row(3)?.totalPaidMinor).toBe(3);

    pages.refresh(0, 10); // generation 1, sees old data
    fake.bumpData();
    pages.refresh(0, 10); // generation 2, sees new data
    await fake.flush('lifo'); // the newer answer lands first, the older one after it
    expect(pages.row(3)?.totalPaidMinor).toBe(1_000_003);
  });

  it('drops pages out of view on refresh so they load fresh later', async () => {
    const fake = fakeList(1_000);
    const pages = new OrderPages(fake.list, { state: 'all', search: '' }, 100);
    pages.ensure(0, 10);
    pages.ensure(500, 510);
    await fake.flush();
    pages.refresh(0, 10);
    await fake.flush();
    expect(pages.row(505)).toBeUndefined();
    pages.ensure(500, 510);
    expect(fake.calls.at(-1)?.offset).toBe(500);
  });
});
