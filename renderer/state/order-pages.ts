// Rows of the queue fetched page by page from the engine (`orders:list`), so 100,000 orders cost
// what the screen shows, not what the till holds. One instance per query (state + search): a
// new query starts empty. `refresh` reloads the pages in view after the engine reports changes,
// keeping the old rows on screen until the new ones arrive (no flicker while syncing).
import type { OrderListRequest, OrderListResponse, OrderView } from '../../preload/api.ts';

export type ListOrders = (request: OrderListRequest) => Promise<OrderListResponse>;

export class OrderPages {
  private readonly pages = new Map<number, readonly OrderView[]>();
  private readonly inFlight = new Map<number, number>(); // page -> generation requested
  private readonly listeners = new Set<() => void>();
  private generation = 0;
  private version = 0;
  total: number | null = null;
  error: string | null = null;

  constructor(
    private readonly list: ListOrders,
    private readonly query: { state: OrderListRequest['state']; search: string },
    readonly pageSize = 100,
  ) {}

  readonly subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  /** Changes whenever rows or the total change: the useSyncExternalStore snapshot. */
  readonly getVersion = (): number => this.version;

  row(index: number): OrderView | undefined {
    return this.pages.get(Math.floor(index / this.pageSize))?.[index % this.pageSize];
  }

  /** Loads every page touching rows [first, last] that is neither loaded nor loading. */
  ensure(first: number, last: number): void {
    for (const page of this.pagesOf(first, last)) {
      if (!this.pages.has(page) && !this.inFlight.has(page)) this.load(page);
    }
  }

  /** Reloads the pages touching rows [first, last] (and the total) for the current generation. */
  refresh(first: number, last: number): void {
    this.generation += 1;
    const pages = this.pagesOf(first, Math.max(first, last));
    for (const page of pages) this.load(page);
    // Pages out of view are now stale: drop them so scrolling there loads fresh rows.
    for (const page of [...this.pages.keys()]) if (!pages.includes(page)) this.pages.delete(page);
  }

  private pagesOf(first: number, last: number): number[] {
    const from = Math.max(0, Math.floor(first / this.pageSize));
    const to = Math.max(from, Math.floor(Math.max(0, last) / this.pageSize));
    const out: number[] = [];
    for (let p = from; p <= to; p += 1) out.push(p);
    return out;
  }

  private load(page: number): void {
    const generation = this.generation;
    this.inFlight.set(page, generation);
    const request: OrderListRequest = { state: this.query.state, offset: page * this.pageSize, limit: this.pageSize };
    if (this.query.search.trim() !== '') request.search = this.query.search.trim();
    this.list(request).then(
      (res) => {
        // An answer to an older generation must not overwrite a newer one.
        if (this.inFlight.get(page) === generation) this.inFlight.delete(page);
        if (generation < this.generation && this.pages.has(page)) return;
        this.pages.set(page, res.rows);
        this.total = res.total;
        this.error = null;
        this.bump();
      },
      (err: unknown) => {
        if (this.inFlight.get(page) === generation) this.inFlight.delete(page);
        this.error = err instanceof Error ? err.message : String(err);
        this.bump();
      },
    );
  }

  private bump(): void {
    this.version += 1;
    for (const l of this.listeners) l();
  }
}
