// The loyalty moment at the checkout, engine side: who the customer is to Gameball (name, points
// and their value, pending points, tier and progress, their own referral code and how many friends
// they referred), coupons locked and released for a sale, and the points a sale would earn.
//
// Online features: nothing here ever blocks a sale, and each answer says why Gameball was not
// asked ('not-connected': no keys or no sync; 'offline': Gameball did not answer in time). The last
// answer per customer is kept (loyalty_cache, one row per mode: training answers come from the
// built-in simulator and never stand in for Gameball's) and shown offline with its age.
import { LoyaltyProfileSchema } from '../../preload/api.ts';
import {
  CouponLockRequestSchema,
  CouponUnlockRequestSchema,
  LoyaltyCustomerRequestSchema,
  LoyaltyPreviewRequestSchema,
} from '../../preload/api.ts';
import type { CouponLock, CouponUnlock, LoyaltyCustomer, LoyaltyOffReason, LoyaltyPreview, LoyaltyProfile } from '../../preload/api.ts';
import type { Clock } from '../clock.ts';
import { isoAt } from '../clock.ts';
import type { StoredSettings } from '../config/settings.ts';
import type { Statement } from 'better-sqlite3';
import type { Database } from '../db/database.ts';
import type { Logger } from '../log.ts';
import { refusalFromZod } from '../orders/errors.ts';
import { maskCustomerId } from '../orders/mask-id.ts';
import { currencyExponent, isKnownCurrency, minorToNumber } from '../orders/money.ts';
import { orderCurrency, resolveCustomer } from '../orders/prepare.ts';
import type { LoyaltyCall, LoyaltyPort } from './port.ts';

export interface LoyaltyServiceDeps {
  db: Database;
  clock: Clock;
  settings: () => StoredSettings;
  training: () => boolean;
  /** null: the till cannot ask Gameball (no keys, or no sync running). */
  port: () => LoyaltyPort | null;
  logger?: Logger;
  /** How long the checkout waits for Gameball (default 5 s). */
  timeoutMs?: number;
}

interface CacheRow {
  answer_json: string | null;
  fetched_at: string;
}

/** Decimal money from Gameball in minor units of `currency`; null when either is unusable. */
function toMinor(value: number | null, currency: string | null): number | null {
  if (value === null || currency === null || !isKnownCurrency(currency)) return null;
  return Math.round(value * 10 ** currencyExponent(currency));
}

export class LoyaltyService {
  private readonly stmt: {
    read: Statement<[string, number], CacheRow>;
    write: Statement<[string, number, string | null, string]>;
  };

  constructor(private readonly deps: LoyaltyServiceDeps) {
    this.stmt = {
      read: deps.db.prepare<[string, number], CacheRow>(
        'SELECT answer_json, fetched_at FROM loyalty_cache WHERE customer_id = ? AND training = ?',
      ),
      write: deps.db.prepare<[string, number, string | null, string]>(
        `INSERT INTO loyalty_cache (customer_id, training, answer_json, fetched_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(customer_id, training) DO UPDATE SET answer_json = excluded.answer_json, fetched_at = excluded.fetched_at`,
      ),
    };
  }

  private signal(): AbortSignal {
    return AbortSignal.timeout(this.deps.timeoutMs ?? 5000);
  }

  private customerIdOf(customer: { mobile?: string | undefined; customerId?: string | undefined }): {
    customerId: string;
    mobile: string | null;
  } {
    return resolveCustomer(customer, this.deps.settings().country);
  }

  /**
   * The customer panel. Asks Gameball for the profile, balance, tier progress and referral count
   * at once; all four answered: 'live' (and cached). Gameball's 404 for the customer: 'new'.
   * Otherwise the cached answer with its age, or 'unavailable' with the reason.
   */
  async customer(input: unknown): Promise<LoyaltyCustomer> {
    const parsed = LoyaltyCustomerRequestSchema.safeParse(input);
    if (!parsed.success) throw refusalFromZod(parsed.error);
    const { customerId } = this.customerIdOf(parsed.data.customer);
    const port = this.deps.port();
    const reason: LoyaltyOffReason = port ? 'offline' : 'not-connected';
    if (port) {
      const signal = this.signal();
      const [customer, balance, tier, referred] = await Promise.all([
        port.customer(customerId, signal),
        port.balance(customerId, signal),
        port.tierProgress(customerId, signal),
        port.referralsCount(customerId, signal),
      ]);
      const now = isoAt(this.deps.clock.now());
      if (!customer.ok && customer.kind === 'not-found') {
        this.remember(customerId, null, now);
        return { status: 'new', customerId, fetchedAt: now };
      }
      if (customer.ok && balance.ok && tier.ok && referred.ok) {
        const currency = balance.value.currency ?? this.deps.settings().currency;
        const profile: LoyaltyProfile = {
          name: customer.value.name,
          availablePoints: balance.value.availablePoints,
          availableValueMinor: toMinor(balance.value.availableValue, currency),
          pendingPoints: balance.value.pendingPoints,
          currency,
          tier: tier.value.current,
          nextTier: tier.value.next,
          tierProgress: tier.value.progress,
          referralCode: customer.value.referralCode,
          referralLink: customer.value.referralLink,
          referredCount: Math.round(referred.value),
        };
        this.remember(customerId, profile, now);
        return { status: 'live', customerId, profile, fetchedAt: now };
      }
      const why = [customer, balance, tier, referred].find((c): c is Extract<LoyaltyCall<unknown>, { ok: false }> => !c.ok);
      this.deps.logger?.warn(
        { customerId: maskCustomerId(customerId), kind: why?.kind, err: why?.message },
        'customer panel: Gameball did not answer; showing what the till kept',
      );
    }
    return this.cached(customerId, reason);
  }

  private remember(customerId: string, profile: LoyaltyProfile | null, at: string): void {
    try {
      this.stmt.write.run(customerId, this.deps.training() ? 1 : 0, profile === null ? null : JSON.stringify(profile), at);
    } catch (err) {
      // A cache that cannot be written costs the offline view only, never the answer.
      this.deps.logger?.warn({ err: err instanceof Error ? err.message : String(err) }, 'customer panel: could not keep the answer');
    }
  }

  private cached(customerId: string, reason: LoyaltyOffReason): LoyaltyCustomer {
    const row = this.stmt.read.get(customerId, this.deps.training() ? 1 : 0);
    if (!row) return { status: 'unavailable', customerId, reason };
    let profile: LoyaltyProfile | null = null;
    if (row.answer_json !== null) {
      let raw: unknown;
      try {
        raw = JSON.parse(row.answer_json);
      } catch {
        raw = undefined;
      }
      const parsed = LoyaltyProfileSchema.safeParse(raw);
      // A kept answer that no longer reads is as good as none.
      if (!parsed.success) return { status: 'unavailable', customerId, reason };
      profile = parsed.data;
    }
    const ageMs = Math.max(0, Math.round(this.deps.clock.now() - Date.parse(row.fetched_at)));
    return { status: 'cached', customerId, profile, fetchedAt: row.fetched_at, ageMs: Number.isFinite(ageMs) ? ageMs : 0, reason };
  }

  /**
   * Validates and locks a coupon for this sale (`POST /coupons/validate` with `lock`). A lost answer
   * is 'unknown' and is never retried here: the cashier asks again, and Gameball hands the same
   * customer the lock it already holds, so a coupon is never locked twice for one sale.
   */
  async lockCoupon(input: unknown): Promise<CouponLock> {
    const parsed = CouponLockRequestSchema.safeParse(input);
    if (!parsed.success) throw refusalFromZod(parsed.error);
    const { customer, currency: given, totalMinor } = parsed.data;
    const code = parsed.data.code.trim().toUpperCase();
    const { customerId, mobile } = this.customerIdOf(customer);
    const currency = orderCurrency(given, this.deps.settings().currency);
    const port = this.deps.port();
    if (!port) return { status: 'unavailable', code, reason: 'not-connected' };
    const r = await port.lockCoupon(
      {
        customerId,
        ...(mobile !== null ? { mobile } : {}),
        code,
        ...(totalMinor !== undefined ? { totalPurchaseAmount: minorToNumber(totalMinor, currency) } : {}),
      },
      this.signal(),
    );
    if (!r.ok) {
      this.deps.logger?.warn({ customerId: maskCustomerId(customerId), kind: r.kind, err: r.message }, 'coupon lock: no lock');
      if (r.kind === 'unknown') return { status: 'unknown', code };
      if (r.kind === 'refused' || r.kind === 'not-found') return { status: 'refused', code, message: r.message };
      return { status: 'unavailable', code, reason: 'offline' };
    }
    if (!r.value.valid || r.value.lockReference === null) return { status: 'invalid', code };
    const type = r.value.coupon?.type ?? null;
    const value = r.value.coupon?.value ?? null;
    const kind = type === 'fixed' ? 'fixed' : type === 'percentage' ? 'percentage' : 'other';
    this.deps.logger?.info({ customerId: maskCustomerId(customerId), lockReference: r.value.lockReference }, 'coupon locked');
    return {
      status: 'locked',
      code: r.value.coupon?.code ?? code,
      lockReference: r.value.lockReference,
      kind,
      valueMinor: kind === 'fixed' ? toMinor(value, currency) : null,
      percent: kind === 'percentage' ? value : null,
      expiresAt: r.value.expiresAt,
    };
  }

  /** Releases a coupon lock of a cancelled sale. Not released now: it lapses at Gameball by itself. */
  async unlockCoupon(input: unknown): Promise<CouponUnlock> {
    const parsed = CouponUnlockRequestSchema.safeParse(input);
    if (!parsed.success) throw refusalFromZod(parsed.error);
    const port = this.deps.port();
    if (!port) return { status: 'unavailable' };
    const r = await port.releaseCoupon(parsed.data.lockReference, this.signal());
    if (r.ok) {
      this.deps.logger?.info({ lockReference: parsed.data.lockReference }, 'coupon lock released');
      return { status: 'released' };
    }
    this.deps.logger?.warn({ lockReference: parsed.data.lockReference, kind: r.kind, err: r.message }, 'coupon lock not released');
    return { status: r.kind === 'offline' ? 'unavailable' : 'failed' };
  }

  /** The points this sale would earn (`POST /orders/reward-preview`, read-only). */
  async preview(input: unknown): Promise<LoyaltyPreview> {
    const parsed = LoyaltyPreviewRequestSchema.safeParse(input);
    if (!parsed.success) throw refusalFromZod(parsed.error);
    const { customerId, mobile } = this.customerIdOf(parsed.data.customer);
    const currency = orderCurrency(parsed.data.currency, this.deps.settings().currency);
    const port = this.deps.port();
    if (!port) return { status: 'unavailable', reason: 'not-connected' };
    const r = await port.rewardPreview(
      {
        customerId,
        ...(mobile !== null ? { mobile } : {}),
        totalPaid: minorToNumber(parsed.data.totalPaidMinor, currency),
        ...(parsed.data.totalPriceMinor !== undefined ? { totalPrice: minorToNumber(parsed.data.totalPriceMinor, currency) } : {}),
      },
      this.signal(),
    );
    if (!r.ok) return { status: 'unavailable', reason: 'offline' };
    return { status: 'ok', points: r.value.points, customerFound: r.value.customerFound };
  }
}
