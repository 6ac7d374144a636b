// The simulated Gameball account: customers, referrals, orders, refunds, the transactions each
// order produced, batch jobs, and the counters tests assert on. Pure rules over plain data with
// an injected clock; the HTTP layer decides when a request reaches `commit`, this file decides
// what Gameball would record. Every rule either commits fully or throws a SimError and changes
// nothing.
import { CouponBook } from './coupons.ts';
import type { LedgerCoupon, LedgerCouponLock } from './coupons.ts';
import { CODES, SimError } from './errors.ts';
import type { Random } from './prng.ts';
import type { HoldPointsBody, LineItem, Refund, TrackOrder, UpsertCustomer } from './schemas.ts';

export type ApiVersion = 'v4.0' | 'v4.1';

export interface LedgerCustomer {
  customerId: string;
  gameballId: number;
  email?: string;
  mobile?: string;
  customerAttributes?: Record<string, unknown>;
  guest: boolean;
  referralCode: string;
  /** When Gameball first saw the customer (epoch ms): the referral window starts here. */
  registeredAt: number;
  createdBy: 'customers' | 'order' | 'batch';
  /** customerId of the referrer once a referral is linked. */
  referredBy?: string;
  points: number;
  orderCount: number;
}

export interface LedgerReferral {
  referrerCustomerId: string;
  referredCustomerId: string;
  referrerCode: string;
  linkedAt: number;
  linkedBy: 'customers' | 'order';
  /** The referred customer's first order, which paid both rewards. */
  rewardedOrderId?: string;
  referrerPoints?: number;
  referredPoints?: number;
}

export interface LedgerOrder {
  orderId: string;
  customerId: string;
  orderDate: string;
  totalPaid: number;
  rewardedPoints: number;
  refundedAmount: number;
  refundedPoints: number;
  via: 'orders' | 'batch';
  apiVersion: ApiVersion;
  receivedAt: number;
  /** The accepted request body, as sent. */
  request: Record<string, unknown>;
}

export interface LedgerRefund {
  refundTransactionId: string;
  reverseTransactionId: string;
  customerId: string;
  refundAmount: number;
  refundEquivalentPoints: number;
  full: boolean;
  transactionTime: string;
  gameballTransactionId: number;
  receivedAt: number;
  request: Record<string, unknown>;
}

export type TransactionType = 'PaymentReward' | 'AchievementReward' | 'Refund' | 'PartialRefund' | 'Redemption';

/**
 * A hold on a customer's points (`POST /transactions/hold`). 'active' until it is used by an
 * order (`redemption.pointsHoldReference`), released (`DELETE`), or its time runs out; the
 * expiry is computed from `expiresAt` when read, so no timer is needed.
 */
export interface LedgerHold {
  holdReference: string;
  customerId: string;
  points: number;
  /** The money value of the points held, in the account's currency (Gameball's decimal number). */
  amount: number;
  hash?: string;
  createdAt: number;
  expiresAt: number;
  state: 'active' | 'used' | 'released';
  /** The order that spent it (state 'used'). */
  orderId?: string;
}

export interface LedgerTransaction {
  gameballTransactionId: number;
  transactionType: TransactionType;
  customerId: string;
  /** The order (or, for a refund, the reversed order) this transaction belongs to. */
  transactionId: string;
  amount: number;
  equivalentPoints: number;
  transactionDate: string;
}

export interface BatchItemResult {
  index: number;
  orderId?: string;
  status: 'success' | 'failed';
  /** Order jobs: what `POST /orders` would have answered. */
  rewardedPoints?: number;
  /** Order-transactions jobs: what `GET /orders/{orderId}/transactions` would have listed. */
  transactions?: Array<Omit<LedgerTransaction, 'customerId'>>;
  count?: number;
  code?: number;
  message?: string;
}

export type BatchKind = 'orders' | 'orderTransactions';

export interface LedgerBatch {
  jobId: number;
  kind: BatchKind;
  status: 'pending' | 'processing' | 'completed' | 'failed';
  totalItems: number;
  processedItems: number;
  failedItems: number;
  results: BatchItemResult[];
  createdAt: number;
  apiVersion: ApiVersion;
  /** Items still to process (only while pending or processing). */
  items?: unknown[];
  /** Fault injection: the job fails once this many items are processed (see `failBatchAfter`). */
  failAfter?: number;
}

export interface LedgerCounters {
  /** Arrivals per endpoint (`'POST /orders'`, `'GET /customers/{customerId}'`, ...), every outcome included. */
  requests: Record<string, number>;
  /** Answers by `'<status>'` for successes and `'<status>/<code>'` for errors (`'422/9004'`). */
  responses: Record<string, number>;
  /** 429 answers. */
  rateLimited: number;
  /** Requests committed whose connection was then destroyed without an answer. */
  drops: number;
  /** Connections destroyed before anything was read or committed. */
  resets: number;
  /** Injected 5xx answers (nothing committed). */
  injectedErrors: number;
  /** Requests refused because of an outage. */
  outageRejections: number;
}

export interface SimulatorLedger {
  customers: LedgerCustomer[];
  referrals: LedgerReferral[];
  orders: LedgerOrder[];
  refunds: LedgerRefund[];
  /** Holds of points, every state (expired ones read as 'expired'). */
  holds: Array<Omit<LedgerHold, 'state'> & { state: HoldState | 'released' }>;
  /** Per orderId, what `GET /orders/{orderId}/transactions` lists. */
  transactions: Record<string, LedgerTransaction[]>;
  batches: LedgerBatch[];
  counters: LedgerCounters;
  coupons: LedgerCoupon[];
  couponLocks: LedgerCouponLock[];
}

/** What the state file holds (the counters belong to one run and are not kept). */
export interface StateSnapshot {
  version: 1;
  nextGameballId: number;
  nextTransactionId: number;
  nextJobId: number;
  customers: LedgerCustomer[];
  referrals: LedgerReferral[];
  orders: LedgerOrder[];
  refunds: LedgerRefund[];
  transactions: LedgerTransaction[];
  batches: LedgerBatch[];
  /** Coupons and their locks (absent in files written before coupons existed). */
  coupons?: LedgerCoupon[];
  couponLocks?: LedgerCouponLock[];
  couponBurnIds?: string[];
  nextCouponLock?: number;
  /** Absent in files written before holds existed. */
  holds?: LedgerHold[];
}

export interface StateConfig {
  now: () => number;
  /** Referral codes are drawn from this stream (kept apart from the fault stream). */
  random: Random;
  referralWindowMs: number;
  pointsPerUnit: number;
  referralRewardPoints: { referrer: number; referred: number };
  /** Money per point for balance values (default 0.1) and their currency (default SAR). */
  pointValue?: number;
  currency?: string;
  /** How long a hold of points lasts (Gameball's default: 10 minutes). */
  holdTtlMs?: number;
}

/** What `GET /transactions/hold/{ref}` reports: Gameball's three states. */
export type HoldState = 'active' | 'expired' | 'used';

/** Gameball's default hold time (the OpenAPI: 10 minutes, adjustable from 1 minute to 15 days). */
export const DEFAULT_HOLD_TTL_MS = 10 * 60_000;

export interface TrackOrderResult {
  customerId: string;
  rewardedPoints: number;
  redeemedPoints: number;
  lineItems: Array<{ productId?: string; quantity?: number; decimalPoints: number; points: number; score: number }>;
}

export function emptyCounters(): LedgerCounters {
  return { requests: {}, responses: {}, rateLimited: 0, drops: 0, resets: 0, injectedErrors: 0, outageRejections: 0 };
}

const EPSILON = 1e-9;
const REFERRAL_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export class SimulatorState {
  counters: LedgerCounters = emptyCounters();
  private customers = new Map<string, LedgerCustomer>();
  private customersByCode = new Map<string, LedgerCustomer>();
  private referrals: LedgerReferral[] = [];
  private orders = new Map<string, LedgerOrder>();
  /** customerId -> orderDate epoch ms already used (rule 9003). */
  private orderTimes = new Map<string, Set<number>>();
  private refunds = new Map<string, LedgerRefund>();
  private transactions = new Map<string, LedgerTransaction[]>();
  private batches = new Map<number, LedgerBatch>();
  private holds = new Map<string, LedgerHold>();
  private nextHoldId = 1;
  private nextGameballId = 1_000_001;
  private nextTransactionId = 11_000_001;
  private nextJobId = 501;
  /** Coupons and their locks (coupons.ts). */
  readonly coupons: CouponBook;

  constructor(readonly config: StateConfig) {
    this.coupons = new CouponBook(() => this.config.now());
  }

  // ---- customers and referrals -------------------------------------------------------------

  /** `POST /customers`: creates or updates; a referral links only as the README describes. */
  upsertCustomer(req: UpsertCustomer): { gameballId: number } {
    const now = this.config.now();
    let customer = this.customers.get(req.customerId);
    if (!customer) {
      customer = this.createCustomer(req.customerId, 'customers', now);
    }
    if (req.email !== undefined) customer.email = req.email;
    if (req.mobile !== undefined) customer.mobile = req.mobile;
    if (req.guest !== undefined) customer.guest = req.guest;
    if (req.customerAttributes !== undefined) {
      customer.customerAttributes = { ...customer.customerAttributes, ...req.customerAttributes };
    }
    if (req.referrerCode) this.tryLinkReferral(customer, req.referrerCode, 'customers', now);
    return { gameballId: customer.gameballId };
  }

  getCustomer(customerId: string): LedgerCustomer | undefined {
    return this.customers.get(customerId);
  }

  /** `GET /referrals/validate`: the code exists, is not the asking customer's own, and that customer is not referred yet. */
  validateReferral(referrerCode: string, forCustomerId: string | undefined): boolean {
    const referrer = this.customersByCode.get(referrerCode.toUpperCase());
    if (!referrer) return false;
    if (forCustomerId === undefined) return true;
    if (referrer.customerId === forCustomerId) return false;
    const customer = this.customers.get(forCustomerId);
    return customer?.referredBy === undefined;
  }

  private createCustomer(customerId: string, createdBy: LedgerCustomer['createdBy'], now: number): LedgerCustomer {
    const customer: LedgerCustomer = {
      customerId,
      gameballId: this.nextGameballId++,
      guest: false,
      referralCode: this.newReferralCode(),
      registeredAt: now,
      createdBy,
      points: 0,
      orderCount: 0,
    };
    this.customers.set(customerId, customer);
    this.customersByCode.set(customer.referralCode, customer);
    return customer;
  }

  private newReferralCode(): string {
    for (;;) {
      let code = 'SIM';
      for (let i = 0; i < 8; i += 1) code += REFERRAL_ALPHABET[Math.floor(this.config.random() * REFERRAL_ALPHABET.length)];
      if (!this.customersByCode.has(code)) return code;
    }
  }

  /**
   * Links `customer` to the owner of `code` when Gameball would: the code exists (codes match
   * case-insensitively), is not the customer's own, the customer is not referred yet and has no
   * order, and the code arrives within the referral window from registration. Anything else is
   * ignored silently, as Gameball ignores an unknown code.
   */
  private tryLinkReferral(customer: LedgerCustomer, code: string, linkedBy: LedgerReferral['linkedBy'], now: number): void {
    const referrer = this.customersByCode.get(code.trim().toUpperCase());
    if (!referrer || referrer === customer) return;
    if (customer.referredBy !== undefined || customer.orderCount > 0) return;
    if (now - customer.registeredAt > this.config.referralWindowMs) return;
    customer.referredBy = referrer.customerId;
    this.referrals.push({
      referrerCustomerId: referrer.customerId,
      referredCustomerId: customer.customerId,
      referrerCode: referrer.referralCode,
      linkedAt: now,
      linkedBy,
    });
  }

  // ---- orders ---------------------------------------------------------------------------------

  /**
   * `POST /orders` (and each batch item). Refuses, changing nothing: a known orderId (422/9004),
   * an orderDate in the future (422/9007), the customer's second order with the same orderDate
   * (422/9003). On success the order, its PaymentReward and (first order of a referred
   * customer) both referral rewards are recorded.
   */
  trackOrder(req: TrackOrder, via: LedgerOrder['via'], apiVersion: ApiVersion): TrackOrderResult {
    const now = this.config.now();
    if (this.orders.has(req.orderId)) {
      throw new SimError(422, CODES.transactionIdExists, `Transaction id ${req.orderId} already exists.`);
    }
    const orderTime = Date.parse(req.orderDate);
    if (orderTime > now) {
      throw new SimError(422, CODES.timeNotValid, 'orderDate is in the future: transaction time is not valid.');
    }
    if (this.orderTimes.get(req.customerId)?.has(orderTime)) {
      throw new SimError(422, CODES.transactionTimeExists, 'A transaction with the same time already exists for this customer.');
    }
    const hold = this.usableHold(req.redemption?.pointsHoldReference, req.customerId);

    // A coupon lock the order carries is checked before anything is recorded and burned with it.
    const lockReference = (req.redemption as { couponsLockReference?: string } | undefined)?.couponsLockReference;
    const burnCoupons = lockReference !== undefined ? this.coupons.prepareBurn(lockReference, req.customerId, req.orderId) : undefined;

    let customer = this.customers.get(req.customerId);
    if (!customer) {
      customer = this.createCustomer(req.customerId, via === 'batch' ? 'batch' : 'order', now);
      if (req.email !== undefined) customer.email = req.email;
      if (req.mobile !== undefined) customer.mobile = req.mobile;
      if (req.guest !== undefined) customer.guest = req.guest;
      // A referral on an order counts only for the customer this order creates, and never
      // from a batch item (the batch item schema has no referrerCode).
      if (via === 'orders' && req.referrerCode) this.tryLinkReferral(customer, req.referrerCode, 'order', now);
    }

    const rewardedPoints = this.pointsFor(req.totalPaid);
    const order: LedgerOrder = {
      orderId: req.orderId,
      customerId: req.customerId,
      orderDate: req.orderDate,
      totalPaid: req.totalPaid,
      rewardedPoints,
      refundedAmount: 0,
      refundedPoints: 0,
      via,
      apiVersion,
      receivedAt: now,
      request: req as Record<string, unknown>,
    };
    this.orders.set(order.orderId, order);
    let times = this.orderTimes.get(req.customerId);
    if (!times) {
      times = new Set();
      this.orderTimes.set(req.customerId, times);
    }
    times.add(orderTime);
    burnCoupons?.();
    customer.points += rewardedPoints;
    customer.orderCount += 1;
    this.addTransaction('PaymentReward', customer.customerId, order.orderId, order.totalPaid, rewardedPoints, now);
    const redeemedPoints = hold ? this.spendHold(hold, customer, order.orderId, now) : 0;

    if (customer.orderCount === 1 && customer.referredBy !== undefined) {
      const referral = this.referrals.find((r) => r.referredCustomerId === customer.customerId && r.rewardedOrderId === undefined);
      const referrer = this.customers.get(customer.referredBy);
      if (referral && referrer) {
        const { referrer: referrerPoints, referred: referredPoints } = this.config.referralRewardPoints;
        referral.rewardedOrderId = order.orderId;
        referral.referrerPoints = referrerPoints;
        referral.referredPoints = referredPoints;
        referrer.points += referrerPoints;
        customer.points += referredPoints;
        this.addTransaction('AchievementReward', customer.customerId, order.orderId, 0, referredPoints, now);
        this.addTransaction('AchievementReward', referrer.customerId, order.orderId, 0, referrerPoints, now);
      }
    }

    return {
      customerId: customer.customerId,
      rewardedPoints,
      redeemedPoints,
      lineItems: (req.lineItems ?? []).map((item) => this.lineItemPoints(item)),
    };
  }

  /** `GET /orders/{orderId}/transactions`; undefined when the order is unknown. */
  orderTransactions(orderId: string): LedgerTransaction[] | undefined {
    if (!this.orders.has(orderId)) return undefined;
    return this.transactions.get(orderId) ?? [];
  }

  // ---- loyalty reads (loyalty.ts) -------------------------------------------------------------

  /** The customer's orders and the referrals they are part of (either side). */
  customerActivity(customerId: string): { orders: LedgerOrder[]; referrals: LedgerReferral[] } {
    return {
      orders: [...this.orders.values()].filter((o) => o.customerId === customerId),
      referrals: this.referrals.filter((r) => r.referrerCustomerId === customerId || r.referredCustomerId === customerId),
    };
  }

  /** The points an amount earns (the rule `POST /orders` applies). */
  earningPoints(amount: number): number {
    return this.pointsFor(amount);
  }

  loyaltyConfig(): { pointValue: number; currency: string } {
    return { pointValue: this.config.pointValue ?? 0.1, currency: this.config.currency ?? 'SAR' };
  }

  // ---- refunds --------------------------------------------------------------------------------

  /**
   * `POST /transactions/refund`: reverses `reverseTransactionId` fully (no refundAmount, null,
   * or the whole remaining amount) or partially. Unknown order (or another customer's) 404/9005;
   * a known refundTransactionId 422/9004; more than what remains 422/3003.
   */
  refund(req: Refund): {
    gameballTransactionId: string;
    refundTransactionId: string;
    refundAmount: number;
    refundEquivalentPoints: number;
  } {
    const now = this.config.now();
    const order = this.orders.get(req.reverseTransactionId);
    if (!order || order.customerId !== req.customerId) {
      throw new SimError(404, CODES.orderNotFound, `Order ${req.reverseTransactionId} was not found for this customer.`);
    }
    if (this.refunds.has(req.refundTransactionId)) {
      throw new SimError(422, CODES.transactionIdExists, `Transaction id ${req.refundTransactionId} already exists.`);
    }
    if (Date.parse(req.transactionTime) > now) {
      throw new SimError(422, CODES.timeNotValid, 'transactionTime is in the future: transaction time is not valid.');
    }
    const remaining = round6(order.totalPaid - order.refundedAmount);
    if (remaining <= EPSILON && order.totalPaid > 0) {
      throw new SimError(422, CODES.invalidValue, `Order ${order.orderId} is already fully refunded.`);
    }
    const amount = req.refundAmount ?? remaining;
    if (amount > remaining + EPSILON) {
      throw new SimError(
        422,
        CODES.invalidValue,
        `refundAmount ${amount} is more than the ${remaining} left to refund on order ${order.orderId}.`,
      );
    }
    const full = amount >= remaining - EPSILON;
    const pointsLeft = order.rewardedPoints - order.refundedPoints;
    const points = full ? pointsLeft : Math.min(pointsLeft, this.pointsFor(amount));
    order.refundedAmount = round6(order.refundedAmount + amount);
    order.refundedPoints += points;
    const customer = this.customers.get(order.customerId);
    if (customer) customer.points -= points;
    const tx = this.addTransaction(full ? 'Refund' : 'PartialRefund', order.customerId, order.orderId, amount, points, now);
    this.refunds.set(req.refundTransactionId, {
      refundTransactionId: req.refundTransactionId,
      reverseTransactionId: order.orderId,
      customerId: order.customerId,
      refundAmount: amount,
      refundEquivalentPoints: points,
      full,
      transactionTime: req.transactionTime,
      gameballTransactionId: tx.gameballTransactionId,
      receivedAt: now,
      request: req as Record<string, unknown>,
    });
    return {
      gameballTransactionId: String(tx.gameballTransactionId),
      refundTransactionId: req.refundTransactionId,
      refundAmount: amount,
      refundEquivalentPoints: points,
    };
  }

  // ---- batches --------------------------------------------------------------------------------

  createBatch(kind: BatchKind, items: unknown[], apiVersion: ApiVersion, failAfter?: number): LedgerBatch {
    const batch: LedgerBatch = {
      jobId: this.nextJobId++,
      kind,
      status: 'pending',
      totalItems: items.length,
      processedItems: 0,
      failedItems: 0,
      results: [],
      createdAt: this.config.now(),
      apiVersion,
      items,
      ...(failAfter !== undefined ? { failAfter } : {}),
    };
    this.batches.set(batch.jobId, batch);
    return batch;
  }

  getBatch(jobId: number): LedgerBatch | undefined {
    return this.batches.get(jobId);
  }

  /** Jobs accepted and not finished (pending, or cut off mid-way by a restart). */
  pendingBatches(): LedgerBatch[] {
    return [...this.batches.values()].filter((b) => b.status === 'pending' || b.status === 'processing');
  }

  /**
   * Runs up to `slice` more items of an unfinished job with `processItem` (which applies the same
   * rules as the single-item endpoint and returns the fields to report); one bad item fails alone.
   * The job is `processing` (with the results so far) until its last item, then `completed`; a job
   * created with `failAfter` stops as `failed` once that many items are processed (the rest never
   * run and get no result). Returns true while items remain.
   */
  runBatch(jobId: number, processItem: (batch: LedgerBatch, item: unknown) => Partial<BatchItemResult>, slice = Infinity): boolean {
    const batch = this.batches.get(jobId);
    if (!batch || (batch.status !== 'pending' && batch.status !== 'processing')) return false;
    batch.status = 'processing';
    const items = batch.items ?? [];
    const end = Math.min(items.length, batch.processedItems + slice);
    for (let index = batch.processedItems; index < end; index += 1) {
      if (batch.failAfter !== undefined && index >= batch.failAfter) {
        delete batch.items;
        batch.status = 'failed';
        return false;
      }
      const item = items[index];
      const id = typeof item === 'string' ? item : (item as { orderId?: unknown } | null)?.orderId;
      const orderId = typeof id === 'string' ? id : undefined;
      try {
        const result = processItem(batch, item);
        batch.results.push({ index, ...(orderId !== undefined ? { orderId } : {}), status: 'success', ...result });
      } catch (err) {
        if (!(err instanceof SimError)) throw err;
        batch.failedItems += 1;
        batch.results.push({
          index,
          ...(orderId !== undefined ? { orderId } : {}),
          status: 'failed',
          code: err.code,
          message: err.message,
        });
      }
      batch.processedItems += 1;
    }
    if (batch.processedItems < items.length) return true;
    delete batch.items;
    batch.status = 'completed';
    return false;
  }

  // ---- holds and redemption -------------------------------------------------------------------
  // The arithmetic every balance answer uses: `points` is what the customer owns; points under an
  // active (unexpired) hold are not available; an order carrying the hold spends them once.

  /** The customer's points: owned, held by active holds, and available (owned minus held). */
  pointsOf(customerId: string): { total: number; held: number; available: number } {
    const customer = this.customers.get(customerId);
    const total = customer?.points ?? 0;
    const now = this.config.now();
    let held = 0;
    for (const h of this.holds.values()) {
      if (h.customerId === customerId && h.state === 'active' && this.holdState(h, now) === 'active') held += h.points;
    }
    return { total, held, available: Math.max(0, total - held) };
  }

  /** The money value of `points` when redeemed (rounded to 6 decimals). */
  pointsValue(points: number): number {
    return round6(points * (this.config.pointValue ?? 0.1));
  }

  /**
   * `POST /transactions/hold`: reserves `pointsToHold` points, or the points worth `amountToHold`
   * (rounded up to whole points). Refuses, changing nothing: an unknown customer (404/4004), both
   * or neither of the two (400/3000, `ruleId` is not simulated), a hash that is not 6 digits
   * (422/3003), more points than available (422/6001).
   */
  holdPoints(req: HoldPointsBody): { customerId: string; holdAmount: number; holdEquivalentPoints: number; holdReference: string } {
    const now = this.config.now();
    const customer = this.customers.get(req.customerId);
    if (!customer) throw new SimError(404, CODES.notFound, 'Customer not found.');
    const byPoints = req.pointsToHold !== undefined && req.pointsToHold !== null;
    const byAmount = req.amountToHold !== undefined && req.amountToHold !== null;
    if (byPoints === byAmount || req.ruleId !== undefined) {
      throw new SimError(400, CODES.missingField, 'Give exactly one of pointsToHold or amountToHold.');
    }
    if (req.hash !== undefined && !/^\d{6}$/.test(req.hash)) {
      throw new SimError(422, CODES.invalidValue, "hash: the customer's rotating hash is 6 digits.");
    }
    const value = this.config.pointValue ?? 0.1;
    const points = byPoints ? (req.pointsToHold as number) : Math.ceil((req.amountToHold as number) / value - EPSILON);
    if (!Number.isInteger(points) || points <= 0)
      throw new SimError(422, CODES.invalidValue, 'The points to hold must be a positive whole number.');
    const { available } = this.pointsOf(customer.customerId);
    if (points > available) {
      throw new SimError(422, CODES.insufficientPoints, `Insufficient points: ${points} asked, ${available} available.`);
    }
    const hold: LedgerHold = {
      holdReference: `sim-hold-${String(this.nextHoldId++).padStart(6, '0')}`,
      customerId: customer.customerId,
      points,
      amount: this.pointsValue(points),
      ...(req.hash !== undefined ? { hash: req.hash } : {}),
      createdAt: now,
      expiresAt: now + (this.config.holdTtlMs ?? DEFAULT_HOLD_TTL_MS),
      state: 'active',
    };
    this.holds.set(hold.holdReference, hold);
    return { customerId: hold.customerId, holdAmount: hold.amount, holdEquivalentPoints: hold.points, holdReference: hold.holdReference };
  }

  /** `GET /transactions/hold/{ref}`; undefined when unknown or released (it no longer exists). */
  getHold(
    ref: string,
  ): { customerId: string; holdAmount: number; holdEquivalentPoints: number; state: HoldState; dateToExpire: string } | undefined {
    const hold = this.holds.get(ref);
    if (!hold || hold.state === 'released') return undefined;
    return {
      customerId: hold.customerId,
      holdAmount: hold.amount,
      holdEquivalentPoints: hold.points,
      state: this.holdState(hold, this.config.now()),
      dateToExpire: new Date(hold.expiresAt).toISOString(),
    };
  }

  /**
   * `DELETE /transactions/hold/{ref}`: an active hold is released (its points available again);
   * an expired one is already released (answered the same). Unknown or released 404/4004; used
   * (spent by an order) 422/6004.
   */
  releaseHold(ref: string): { success: boolean; message: string } {
    const hold = this.holds.get(ref);
    if (!hold || hold.state === 'released') throw new SimError(404, CODES.notFound, `Hold ${ref} was not found.`);
    if (hold.state === 'used') throw new SimError(422, CODES.holdUsed, `Hold ${ref} was already redeemed by order ${hold.orderId ?? ''}.`);
    hold.state = 'released';
    return { success: true, message: 'Hold released successfully' };
  }

  /** Makes every active hold expire now (the control API's shortcut for tests and training). */
  expireHolds(): number {
    const now = this.config.now();
    let n = 0;
    for (const h of this.holds.values()) {
      if (h.state !== 'active' || this.holdState(h, now) !== 'active') continue;
      h.expiresAt = now;
      n += 1;
    }
    return n;
  }

  private holdState(hold: LedgerHold, now: number): HoldState {
    if (hold.state === 'used') return 'used';
    return now >= hold.expiresAt ? 'expired' : 'active';
  }

  /**
   * The hold an order names, checked before anything is committed: it must exist (404/6002),
   * belong to the order's customer (422/6002), be neither spent (422/6004) nor expired (422/6003).
   */
  private usableHold(ref: string | undefined, customerId: string): LedgerHold | undefined {
    if (ref === undefined) return undefined;
    const hold = this.holds.get(ref);
    if (!hold || hold.state === 'released') throw new SimError(404, CODES.holdNotFound, `Hold reference ${ref} was not found.`);
    if (hold.customerId !== customerId) throw new SimError(422, CODES.holdNotFound, `Hold reference ${ref} belongs to another customer.`);
    const state = this.holdState(hold, this.config.now());
    if (state === 'used') throw new SimError(422, CODES.holdUsed, `Hold ${ref} was already redeemed by order ${hold.orderId ?? ''}.`);
    if (state === 'expired') throw new SimError(422, CODES.holdExpired, `Hold ${ref} has expired; its points were released.`);
    return hold;
  }

  private spendHold(hold: LedgerHold, customer: LedgerCustomer, orderId: string, now: number): number {
    hold.state = 'used';
    hold.orderId = orderId;
    customer.points -= hold.points;
    this.addTransaction('Redemption', customer.customerId, orderId, hold.amount, hold.points, now);
    return hold.points;
  }

  // ---- ledger, snapshot, reset ----------------------------------------------------------------

  ledger(): SimulatorLedger {
    return structuredClone({
      customers: [...this.customers.values()],
      referrals: this.referrals,
      orders: [...this.orders.values()],
      refunds: [...this.refunds.values()],
      holds: [...this.holds.values()].map((h) => ({
        ...h,
        state: h.state === 'released' ? 'released' : this.holdState(h, this.config.now()),
      })),
      transactions: Object.fromEntries(this.transactions),
      batches: [...this.batches.values()].map(({ items: _items, ...rest }) => rest),
      counters: this.counters,
      coupons: this.coupons.snapshot().coupons,
      couponLocks: this.coupons.snapshot().couponLocks,
    });
  }

  snapshot(): StateSnapshot {
    return structuredClone({
      version: 1 as const,
      nextGameballId: this.nextGameballId,
      nextTransactionId: this.nextTransactionId,
      nextJobId: this.nextJobId,
      customers: [...this.customers.values()],
      referrals: this.referrals,
      orders: [...this.orders.values()],
      refunds: [...this.refunds.values()],
      transactions: [...this.transactions.values()].flat(),
      batches: [...this.batches.values()],
      ...this.coupons.snapshot(),
      holds: [...this.holds.values()],
    });
  }

  restore(snapshot: StateSnapshot): void {
    this.clear();
    this.nextGameballId = snapshot.nextGameballId;
    this.nextTransactionId = snapshot.nextTransactionId;
    this.nextJobId = snapshot.nextJobId;
    for (const c of snapshot.customers) {
      this.customers.set(c.customerId, c);
      this.customersByCode.set(c.referralCode, c);
    }
    this.referrals = snapshot.referrals;
    for (const o of snapshot.orders) {
      this.orders.set(o.orderId, o);
      let times = this.orderTimes.get(o.customerId);
      if (!times) {
        times = new Set();
        this.orderTimes.set(o.customerId, times);
      }
      times.add(Date.parse(o.orderDate));
    }
    for (const r of snapshot.refunds) this.refunds.set(r.refundTransactionId, r);
    for (const t of snapshot.transactions) this.pushTransaction(t);
    for (const b of snapshot.batches) this.batches.set(b.jobId, { ...b, kind: b.kind ?? 'orders' });
    this.coupons.restore(snapshot);
    for (const h of snapshot.holds ?? []) this.holds.set(h.holdReference, h);
    this.nextHoldId = (snapshot.holds?.length ?? 0) + 1;
  }

  clear(): void {
    this.counters = emptyCounters();
    this.customers.clear();
    this.customersByCode.clear();
    this.referrals = [];
    this.orders.clear();
    this.orderTimes.clear();
    this.refunds.clear();
    this.transactions.clear();
    this.batches.clear();
    this.coupons.clear();
    this.holds.clear();
    this.nextHoldId = 1;
    this.nextGameballId = 1_000_001;
    this.nextTransactionId = 11_000_001;
    this.nextJobId = 501;
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** The earning rule: floor(amount * pointsPerUnit), tolerant of binary fractions (0.29 * 100). */
  private pointsFor(amount: number): number {
    return Math.max(0, Math.floor(amount * this.config.pointsPerUnit + EPSILON));
  }

  private lineItemPoints(item: LineItem): TrackOrderResult['lineItems'][number] {
    const subtotal = Math.max(0, (item.price ?? 0) * (item.quantity ?? 1) - (item.discount ?? 0));
    const decimalPoints = Math.round(subtotal * this.config.pointsPerUnit * 100) / 100;
    return {
      ...(item.productId !== undefined ? { productId: item.productId } : {}),
      ...(item.quantity !== undefined ? { quantity: item.quantity } : {}),
      decimalPoints,
      points: Math.floor(decimalPoints + EPSILON),
      score: 0,
    };
  }

  private addTransaction(
    type: TransactionType,
    customerId: string,
    orderId: string,
    amount: number,
    points: number,
    now: number,
  ): LedgerTransaction {
    const tx: LedgerTransaction = {
      gameballTransactionId: this.nextTransactionId++,
      transactionType: type,
      customerId,
      transactionId: orderId,
      amount,
      equivalentPoints: points,
      transactionDate: new Date(now).toISOString(),
    };
    this.pushTransaction(tx);
    return tx;
  }

  private pushTransaction(tx: LedgerTransaction): void {
    let list = this.transactions.get(tx.transactionId);
    if (!list) {
      list = [];
      this.transactions.set(tx.transactionId, list);
    }
    list.push(tx);
  }
}

function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
