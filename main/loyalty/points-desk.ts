// Where spending points meets the order queue: a capture that carries a hold (the order and the
// hold's attachment in one transaction), a discard that gives an unsent order's hold back, the
// order detail with the points it spends, and the two choices for an order whose hold expired.
// The engine (main/engine.ts) routes these calls here; holds.ts owns the hold rows.
import type { Clock } from '../clock.ts';
import type { StoredSettings } from '../config/settings.ts';
import type { Database } from '../db/database.ts';
import type { Logger } from '../log.ts';
import { CaptureRefusedError } from '../orders/errors.ts';
import type { OrderStore } from '../orders/order-store.ts';
import type { OrderQueue } from '../orders/queue.ts';
import type { CapturedOrder, OrderDetail, OrderView } from '../orders/schemas.ts';
import type { HoldRequest, HoldView, RedemptionAvailability } from '../../preload/api.ts';
import { HoldService, takeHoldReference } from './holds.ts';
import type { HoldGateway } from './holds.ts';

/** What the screen, the CLI and the web server reach of spending points (Engine.points). */
export interface Points {
  availability(): RedemptionAvailability;
  hold(req: HoldRequest): Promise<HoldView>;
  /** The sale was cancelled: its hold is released (safe to repeat). */
  release(holdReference: string): Promise<HoldView>;
  /** Expired hold, first choice: hold the same points again and queue the order. */
  holdAgain(orderId: string): Promise<OrderView>;
  /** Expired hold, second choice: queue the order without redemption. */
  sendWithoutRedemption(orderId: string): OrderView;
}

export interface PointsDeskDeps {
  db: Database;
  clock: Clock;
  logger?: Logger;
  settings: () => StoredSettings;
  training: () => boolean;
  gateway: () => HoldGateway | null;
  online: () => boolean;
  orders: Pick<OrderStore, 'captureOrder'>;
  queue: Pick<OrderQueue, 'retry' | 'discard' | 'get'>;
  onChange: () => void;
}

export class PointsDesk implements Points {
  readonly holds: HoldService;

  constructor(private readonly deps: PointsDeskDeps) {
    this.holds = new HoldService({
      db: deps.db,
      clock: deps.clock,
      settings: deps.settings,
      training: deps.training,
      gateway: deps.gateway,
      online: deps.online,
      requeue: (orderId) => {
        deps.queue.retry({ orderId });
      },
      ...(deps.logger ? { logger: deps.logger } : {}),
    });
  }

  availability(): RedemptionAvailability {
    return this.holds.availability();
  }

  hold(req: HoldRequest): Promise<HoldView> {
    return this.holds.take(req);
  }

  release(holdReference: string): Promise<HoldView> {
    return this.holds.release(holdReference);
  }

  /**
   * A capture, with its hold when it names one (`pointsHoldReference`): the hold must be held on
   * this till for the same customer and unused; the order, its outbox rows and the attachment
   * commit together or not at all. Without a discount given, the hold's value is the discount.
   */
  captureOrder(input: unknown): CapturedOrder {
    const { holdReference, order } = takeHoldReference(input);
    if (holdReference === null) return this.deps.orders.captureOrder(order);
    return this.deps.db
      .transaction((): CapturedOrder => {
        const withDiscount = this.withHoldDiscount(order, holdReference);
        const captured = this.deps.orders.captureOrder(withDiscount);
        if (captured.replayed) {
          // The same save again: it carries the hold already, or the reference was reused for another sale.
          if (this.holds.redemptionOf(captured.orderId)?.holdReference !== holdReference)
            throw new CaptureRefusedError(
              'CLIENT_REF_REUSED',
              'This save was already stored without this points hold: nothing was saved again.',
              'clientRef',
            );
          return captured;
        }
        this.holds.usableFor(holdReference, captured.customerId);
        this.holds.attach(holdReference, captured.orderId);
        return captured;
      })
      .immediate();
  }

  private withHoldDiscount(order: unknown, holdReference: string): unknown {
    if (order === null || typeof order !== 'object') return order;
    const o = order as Record<string, unknown>;
    if (o.totalDiscountMinor !== undefined) return o;
    const hold = this.holds.peek(holdReference);
    return hold ? { ...o, totalDiscountMinor: hold.amountMinor } : o;
  }

  /** Discards like the queue; an unsent order's hold is then released online (best effort). */
  discard(orderId: string, reason: string): OrderView {
    const view = this.deps.queue.discard(orderId, reason);
    this.holds.releaseOfDiscarded(orderId).catch((err: unknown) => {
      this.deps.logger?.warn({ orderId, err: err instanceof Error ? err.message : String(err) }, 'hold of a discarded order not released');
    });
    return view;
  }

  withRedemption(detail: OrderDetail | undefined): OrderDetail | undefined {
    if (!detail) return detail;
    return { ...detail, redemption: this.holds.redemptionOf(detail.orderId) };
  }

  async holdAgain(orderId: string): Promise<OrderView> {
    await this.holds.holdAgain(orderId);
    return this.view(orderId);
  }

  sendWithoutRedemption(orderId: string): OrderView {
    this.holds.sendWithoutRedemption(orderId);
    return this.view(orderId);
  }

  private view(orderId: string): OrderView {
    const detail = this.deps.queue.get(orderId);
    if (!detail) throw new CaptureRefusedError('ORDER_NOT_FOUND', `There is no order ${orderId} on this till.`, 'orderId');
    return detail;
  }
}
