// What the simulated account tells a till about one customer, computed from the ledger as it
// stands: `GET /customers/{id}/balance`, `/tier-progress`, `/referrals/count`, and the quote of
// `POST /orders/reward-preview`. Pure reads over SimulatorState: nothing here changes the ledger.
//
// The arithmetic (docs/simulator.md):
//  - totalPointsBalance: every point the customer holds (earned by orders and referrals, less
//    what refunds took back).
//  - pendingPoints: points of orders still inside their return window
//    (`cashbackConfigurations.returnWindow`, days, as the order carried it; none: available at once).
//  - availablePointsBalance = totalPointsBalance - pendingPoints.
//  - values: points x pointValue (money per point), rounded to 2 decimals, in `currency`.
//  - totalEarnedPoints: lifetime points earned (orders and referral rewards; refunds do not
//    lower it); tier progress counts it against the tiers below.
import { CODES, SimError } from './errors.ts';
import type { SimulatorState } from './state.ts';

export interface Tier {
  order: number;
  name: string;
  minProgress: number;
}

/** The simulated account's tiers, by total points earned. */
export const SIM_TIERS: readonly Tier[] = [
  { order: 1, name: 'Bronze', minProgress: 0 },
  { order: 2, name: 'Silver', minProgress: 500 },
  { order: 3, name: 'Gold', minProgress: 2000 },
];

const DAY_MS = 86_400_000;

function money(points: number, pointValue: number): number {
  return Math.round(points * pointValue * 100) / 100;
}

function knownCustomer(state: SimulatorState, customerId: string) {
  const customer = state.getCustomer(customerId);
  if (!customer) throw new SimError(404, CODES.notFound, 'Customer not found.');
  return customer;
}

function earnedPoints(state: SimulatorState, customerId: string): number {
  const { orders, referrals } = state.customerActivity(customerId);
  let earned = orders.reduce((sum, o) => sum + o.rewardedPoints, 0);
  for (const r of referrals) {
    if (r.referrerCustomerId === customerId) earned += r.referrerPoints ?? 0;
    if (r.referredCustomerId === customerId) earned += r.referredPoints ?? 0;
  }
  return earned;
}

export function customerBalance(state: SimulatorState, customerId: string): Record<string, unknown> {
  const customer = knownCustomer(state, customerId);
  const now = state.config.now();
  const { pointValue, currency } = state.loyaltyConfig();
  let pending = 0;
  for (const o of state.customerActivity(customerId).orders) {
    const window = (o.request.cashbackConfigurations as { returnWindow?: number } | undefined)?.returnWindow ?? 0;
    if (window > 0 && o.receivedAt + window * DAY_MS > now) pending += o.rewardedPoints - o.refundedPoints;
  }
  const total = customer.points;
  const available = Math.max(0, total - pending);
  return {
    totalPointsBalance: total,
    totalPointsValue: money(total, pointValue),
    availablePointsBalance: available,
    availablePointsValue: money(available, pointValue),
    pendingPoints: pending,
    pendingPointsValue: money(pending, pointValue),
    currency,
    pointsName: 'Points',
    totalEarnedPoints: earnedPoints(state, customerId),
  };
}

export function customerTierProgress(state: SimulatorState, customerId: string): Record<string, unknown> {
  knownCustomer(state, customerId);
  const progress = earnedPoints(state, customerId);
  let index = 0;
  SIM_TIERS.forEach((tier, i) => {
    if (progress >= tier.minProgress) index = i;
  });
  const current = SIM_TIERS[index] as Tier;
  const next = SIM_TIERS[index + 1];
  return { current: { ...current }, ...(next ? { next: { ...next } } : {}), progress };
}

export function customerReferralsCount(state: SimulatorState, customerId: string): Record<string, number> {
  knownCustomer(state, customerId);
  const made = state.customerActivity(customerId).referrals.filter((r) => r.referrerCustomerId === customerId);
  const active = made.filter((r) => r.rewardedOrderId !== undefined).length;
  return { count: made.length, totalPending: made.length - active, totalActive: active };
}

/** `POST /orders/reward-preview`: the earning rule applied to `totalPaid`; no campaigns run here. */
export function rewardPreview(state: SimulatorState, req: { customerId?: string | undefined; totalPaid: number }): Record<string, unknown> {
  const points = state.earningPoints(req.totalPaid);
  const found = req.customerId !== undefined && state.getCustomer(req.customerId) !== undefined;
  return {
    ...(req.customerId !== undefined ? { customerId: req.customerId } : {}),
    customerFound: found,
    totalPoints: points,
    totalCoupons: 0,
    cashback: { totalPoints: points, totalScore: points, lineItems: [] },
    eventRewards: null,
  };
}
