// Spending points at the till: the one owner of `point_holds` and of an order's
// `points_hold_reference`. A hold is online only (Gameball reserves the points for minutes): it is
// taken while the customer is at the till, attached to the sale when it is saved, released when
// the sale is cancelled, and spent by the order's `redemption.pointsHoldReference` when it syncs.
// Promises:
//  - take: on success the hold is recorded here before it is returned. A lost answer to the hold
//    is never retried blindly: the cashier is told nothing was spent (an unused hold is released
//    by Gameball when it expires) and may hold again. Nothing spends a hold the till never learnt.
//  - attach: in the capture's transaction, or not at all; a hold is attached to one order only.
//  - the expired-hold choices (hold again, send without redemption) act only on an order stopped
//    with HOLD_EXPIRED, and queue it again in the same transaction that changes its hold.
// The network calls go through a HoldGateway given by the sync part (null: Gameball cannot be
// asked), so this file runs in plain Node tests.
import type { Clock } from '../clock.ts';
import { isoAt } from '../clock.ts';
import type { StoredSettings } from '../config/settings.ts';
import type { Database } from '../db/database.ts';
import type { GameballResult } from '../gameball/outcome.ts';
import type { HoldAnswer, HoldDetails, HoldReleaseAnswer } from '../gameball/answers.ts';
import type { Logger } from '../log.ts';
import { CaptureRefusedError, refusalFromZod } from '../orders/errors.ts';
import { currencyExponent } from '../orders/money.ts';
import { resolveCustomer } from '../orders/prepare.ts';
import type { HoldRequest, HoldView, RedemptionAvailability, RedemptionView } from '../../preload/api.ts';
import { HoldRequestSchema } from '../../preload/api.ts';

/** The attention code of an order whose hold could not be spent (preload/api.ts REFUSAL_REASONS). */
export const HOLD_EXPIRED = 'HOLD_EXPIRED';

/** What the till asks Gameball about holds (the sync part builds it over the Gameball client). */
export interface HoldGateway {
  hold(body: object, signal: AbortSignal): Promise<GameballResult<HoldAnswer>>;
  get(holdReference: string, signal: AbortSignal): Promise<GameballResult<HoldDetails>>;
  release(holdReference: string, signal: AbortSignal): Promise<GameballResult<HoldReleaseAnswer>>;
}

export interface HoldServiceDeps {
  db: Database;
  clock: Clock;
  settings: () => StoredSettings;
  training: () => boolean;
  /** null: Gameball cannot be asked (no keys, or no sync in this process). */
  gateway: () => HoldGateway | null;
  /** false: the sync says Gameball is out of reach right now. */
  online: () => boolean;
  /** Puts an order in attention back in the queue (OrderQueue.retry), inside the caller's transaction. */
  requeue: (orderId: string) => void;
  logger?: Logger;
  /** How long to wait for Gameball (default 8 s). */
  timeoutMs?: number;
}

interface HoldRow {
  hold_reference: string;
  customer_id: string;
  points: number;
  amount_minor: number;
  currency: string;
  training: number;
  state: 'held' | 'attached' | 'released' | 'expired' | 'dropped';
  order_id: string | null;
  expires_at: string | null;
  created_at: string;
  updated_at: string;
}

export const OFFLINE_REASON =
  'Points cannot be spent right now: Gameball cannot be reached from this till (holding points needs a live connection). Save the sale without redemption.';
export const NOT_CONFIGURED_REASON =
  'Points cannot be spent: this till is not connected to Gameball (no keys). Save the sale without redemption.';

/** The order's hold fields as the screen and CLI send them, taken out before the order is validated. */
export function takeHoldReference(input: unknown): { holdReference: string | null; order: unknown } {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return { holdReference: null, order: input };
  const { pointsHoldReference, ...order } = input as Record<string, unknown>;
  if (pointsHoldReference === undefined || pointsHoldReference === null || pointsHoldReference === '')
    return { holdReference: null, order };
  if (typeof pointsHoldReference !== 'string')
    throw new CaptureRefusedError('INVALID_INPUT', 'pointsHoldReference: the reference of a points hold is text.', 'pointsHoldReference');
  return { holdReference: pointsHoldReference, order };
}

export class HoldService {
  private readonly s;

  constructor(private readonly deps: HoldServiceDeps) {
    const db = deps.db;
    this.s = {
      insert: db.prepare(
        `INSERT INTO point_holds (hold_reference, customer_id, points, amount_minor, currency, training, state, order_id, expires_at, created_at, updated_at)
         VALUES (@hold_reference, @customer_id, @points, @amount_minor, @currency, @training, @state, @order_id, @expires_at, @created_at, @updated_at)`,
      ),
      byRef: db.prepare<[string], HoldRow>('SELECT * FROM point_holds WHERE hold_reference = ?'),
      ofOrder: db.prepare<[string], HoldRow>("SELECT * FROM point_holds WHERE order_id = ? AND state = 'attached'"),
      setState: db.prepare<[string, string, string]>('UPDATE point_holds SET state = ?, updated_at = ? WHERE hold_reference = ?'),
      attach: db.prepare<[string, string, string]>(
        "UPDATE point_holds SET state = 'attached', order_id = ?, updated_at = ? WHERE hold_reference = ? AND state = 'held'",
      ),
      order: db.prepare<
        [string],
        {
          order_id: string;
          customer_id: string;
          state: string;
          attention_code: string | null;
          points_hold_reference: string | null;
          training: number;
        }
      >('SELECT order_id, customer_id, state, attention_code, points_hold_reference, training FROM orders WHERE order_id = ?'),
      setOrderHold: db.prepare<[string | null, string, string]>(
        'UPDATE orders SET points_hold_reference = ?, updated_at = ? WHERE order_id = ?',
      ),
    };
  }

  /** Whether Redeem can work now, and if not the reason the screen shows. */
  availability(): RedemptionAvailability {
    if (!this.deps.gateway()) return { available: false, reason: 'not-configured', message: NOT_CONFIGURED_REASON };
    if (!this.deps.online()) return { available: false, reason: 'offline', message: OFFLINE_REASON };
    return { available: true, reason: null, message: null };
  }

  /**
   * Holds `points` of the customer's points online. Refusals: REDEEM_OFFLINE (no connection),
   * REDEEM_REFUSED (Gameball said no: not enough points, unknown customer), REDEEM_UNCONFIRMED
   * (the answer was lost: nothing is spent, hold again).
   */
  async take(input: HoldRequest): Promise<HoldView> {
    const parsed = HoldRequestSchema.safeParse(input);
    if (!parsed.success) throw refusalFromZod(parsed.error);
    const { points, hash } = parsed.data;
    const settings = this.deps.settings();
    const { customerId, mobile } = resolveCustomer(parsed.data.customer, settings.country);
    return this.holdFor(customerId, mobile, points, hash, settings.currency);
  }

  private async holdFor(
    customerId: string,
    mobile: string | null,
    points: number,
    hash: string | undefined,
    currency: string,
  ): Promise<HoldView> {
    const gateway = this.deps.gateway();
    if (!gateway) throw new CaptureRefusedError('REDEEM_OFFLINE', NOT_CONFIGURED_REASON);
    const now = this.deps.clock.now();
    const body = {
      customerId,
      ...(mobile ? { mobile } : {}),
      transactionTime: isoAt(now),
      pointsToHold: points,
      ...(hash ? { hash } : {}),
    };
    const res = await gateway.hold(body, AbortSignal.timeout(this.deps.timeoutMs ?? 8_000));
    if (res.kind === 'ok' && res.value) {
      const held = Math.round(Number(res.value.holdEquivalentPoints ?? points));
      const amount = Number(res.value.holdAmount ?? 0);
      const row: HoldRow = {
        hold_reference: res.value.holdReference,
        customer_id: customerId,
        points: held,
        amount_minor: Math.round(amount * 10 ** currencyExponent(currency)),
        currency,
        training: this.deps.training() ? 1 : 0,
        state: 'held',
        order_id: null,
        expires_at: null,
        created_at: isoAt(now),
        updated_at: isoAt(now),
      };
      this.s.insert.run(row);
      this.deps.logger?.info({ holdReference: row.hold_reference, points: held }, 'points held');
      return holdView(row);
    }
    this.deps.logger?.warn({ kind: res.kind, cause: res.cause, code: res.code, status: res.httpStatus }, 'points hold failed');
    if (res.kind === 'unknown')
      throw new CaptureRefusedError(
        'REDEEM_UNCONFIRMED',
        `Gameball's answer to the hold of ${points} points was lost, so nothing was spent. An unused hold is released by Gameball by itself within minutes. Press Redeem again, or save the sale without redemption.`,
      );
    if (res.kind === 'attention' && res.httpStatus !== null && res.httpStatus < 500 && res.cause !== 'auth')
      throw new CaptureRefusedError('REDEEM_REFUSED', `Gameball did not hold the points: ${res.message}`, 'points');
    throw new CaptureRefusedError('REDEEM_OFFLINE', `${OFFLINE_REASON} (${res.message})`);
  }

  /** Releases a hold the sale no longer uses (the sale was cancelled). Safe to repeat. */
  async release(holdReference: string): Promise<HoldView> {
    const row = this.s.byRef.get(holdReference);
    if (!row) throw new CaptureRefusedError('HOLD_NOT_USABLE', `There is no hold ${holdReference} on this till.`, 'holdReference');
    if (row.state === 'attached')
      throw new CaptureRefusedError(
        'HOLD_NOT_USABLE',
        `Hold ${holdReference} belongs to order ${row.order_id ?? ''}: discard that order instead.`,
        'holdReference',
      );
    if (row.state !== 'held') return holdView(row);
    await this.releaseOnline(row);
    const updated = this.s.byRef.get(holdReference) ?? row;
    return holdView(updated);
  }

  /** Releases online, best effort: a hold that cannot be released now expires by itself at Gameball. */
  private async releaseOnline(row: HoldRow): Promise<void> {
    const now = isoAt(this.deps.clock.now());
    const gateway = this.deps.gateway();
    if (gateway) {
      const res = await gateway.release(row.hold_reference, AbortSignal.timeout(this.deps.timeoutMs ?? 8_000));
      if (res.kind !== 'ok' && res.httpStatus !== 404)
        this.deps.logger?.warn(
          { holdReference: row.hold_reference, code: res.code, cause: res.cause },
          'hold release not confirmed: it expires by itself',
        );
    }
    this.s.setState.run('released', now, row.hold_reference);
  }

  /**
   * Checks a capture's hold before the order is written: held on this till, for the same customer,
   * not attached yet. Returns the hold (its amount becomes the order's discount when none is given).
   */
  usableFor(holdReference: string, customerId: string): HoldView {
    const row = this.s.byRef.get(holdReference);
    if (!row || row.state !== 'held' || row.training !== (this.deps.training() ? 1 : 0))
      throw new CaptureRefusedError(
        'HOLD_NOT_USABLE',
        `The points hold ${holdReference} cannot be used: it was released, already used by another sale, or not taken on this till. Redeem again, or save the sale without redemption.`,
        'pointsHoldReference',
      );
    if (row.customer_id !== customerId)
      throw new CaptureRefusedError(
        'HOLD_NOT_USABLE',
        'The points hold belongs to another customer: redeem again for this customer.',
        'pointsHoldReference',
      );
    return holdView(row);
  }

  /** A hold recorded on this till, whatever its state (undefined: unknown here). */
  peek(holdReference: string): HoldView | undefined {
    const row = this.s.byRef.get(holdReference);
    return row ? holdView(row) : undefined;
  }

  /** Attaches a hold to the order just captured (call inside the capture's transaction). */
  attach(holdReference: string, orderId: string): void {
    const at = isoAt(this.deps.clock.now());
    if (this.s.attach.run(orderId, at, holdReference).changes !== 1)
      throw new CaptureRefusedError(
        'HOLD_NOT_USABLE',
        `The points hold ${holdReference} is already used by another sale.`,
        'pointsHoldReference',
      );
    this.s.setOrderHold.run(holdReference, at, orderId);
  }

  /** The redemption an order carries (null: none). */
  redemptionOf(orderId: string): RedemptionView | null {
    const row = this.s.ofOrder.get(orderId);
    if (!row) return null;
    return { holdReference: row.hold_reference, points: row.points, amountMinor: row.amount_minor, currency: row.currency };
  }

  /** A discarded order gives its hold back (best effort, online). */
  async releaseOfDiscarded(orderId: string): Promise<void> {
    const row = this.s.ofOrder.get(orderId);
    if (!row) return;
    const order = this.s.order.get(orderId);
    if (order?.state !== 'discarded') return;
    await this.releaseOnline(row);
  }

  /**
   * The first choice for an order stopped with HOLD_EXPIRED: hold the same points again (online)
   * and queue the order with the new hold. The old hold is marked expired.
   */
  async holdAgain(orderId: string): Promise<void> {
    const { order, hold } = this.expiredOrder(orderId);
    const fresh = await this.holdFor(order.customer_id, null, hold.points, undefined, hold.currency);
    const at = isoAt(this.deps.clock.now());
    try {
      this.deps.db
        .transaction(() => {
          const again = this.expiredOrder(orderId);
          this.s.setState.run('expired', at, again.hold.hold_reference);
          this.attach(fresh.holdReference, orderId);
          this.deps.requeue(orderId);
        })
        .immediate();
    } catch (err) {
      // The order changed meanwhile (another till window chose first): give the new hold back.
      const row = this.s.byRef.get(fresh.holdReference);
      if (row?.state === 'held') await this.releaseOnline(row);
      throw err;
    }
    this.deps.logger?.info({ orderId, holdReference: fresh.holdReference }, 'expired hold: points held again, order queued');
  }

  /** The second choice: the order is sent without redemption (the points stay the customer's). */
  sendWithoutRedemption(orderId: string): void {
    const at = isoAt(this.deps.clock.now());
    this.deps.db
      .transaction(() => {
        const { hold } = this.expiredOrder(orderId);
        this.s.setState.run('dropped', at, hold.hold_reference);
        this.s.setOrderHold.run(null, at, orderId);
        this.deps.requeue(orderId);
      })
      .immediate();
    this.deps.logger?.info({ orderId }, 'expired hold: order queued without redemption');
  }

  private expiredOrder(orderId: string): { order: { customer_id: string }; hold: HoldRow } {
    const order = this.s.order.get(orderId);
    if (!order) throw new CaptureRefusedError('ORDER_NOT_FOUND', `There is no order ${orderId} on this till.`, 'orderId');
    const hold = order.points_hold_reference ? this.s.byRef.get(order.points_hold_reference) : undefined;
    if (order.state !== 'attention' || order.attention_code !== HOLD_EXPIRED || !hold)
      throw new CaptureRefusedError(
        'NOT_IN_ATTENTION',
        `Order ${orderId} is not waiting for a decision about an expired points hold.`,
        'orderId',
      );
    return { order, hold };
  }
}

function holdView(r: HoldRow): HoldView {
  return {
    holdReference: r.hold_reference,
    customerId: r.customer_id,
    points: r.points,
    amountMinor: r.amount_minor,
    currency: r.currency,
    state: r.state,
    orderId: r.order_id,
  };
}
