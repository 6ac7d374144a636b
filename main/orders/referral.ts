// Online advice on a referral before capture: is the code real, is it the customer's own, is the
// customer already known to Gameball (a referral then no longer counts)? Advice only: it never
// blocks a capture, and offline (or slow) it answers 'offline' ("capture now; checked at sync").
import type { StoredSettings } from '../config/settings.ts';
import type { Database } from '../db/database.ts';
import type { Clock } from '../clock.ts';
import { isoAt } from '../clock.ts';
import type { Logger } from '../log.ts';
import { CaptureRefusedError, refusalFromZod } from './errors.ts';
import { maskCustomerId, maskIdsIn } from './mask-id.ts';
import { NOT_FIRST_PURCHASE_MESSAGE, SELF_REFERRAL_MESSAGE } from './order-store.ts';
import type { ReferralRules } from './order-store.ts';
import { resolveCustomer } from './prepare.ts';
import { extractReferrer } from './referral-code.ts';
import type { Referrer } from './referral-code.ts';
import { ReferralCheckInputSchema } from './schemas.ts';
import type { ReferralCheck } from './schemas.ts';

/**
 * What the till asks Gameball (implemented by the Gameball client):
 * `GET /referrals/validate?referrerCode=&forCustomerId=` and `GET /customers/{id}`.
 * Both throw when Gameball cannot be reached or answers with an error.
 */
export interface ReferralAdvisor {
  validateReferral(referrerCode: string, forCustomerId: string, signal: AbortSignal): Promise<{ isValid: boolean }>;
  /** null: Gameball does not know this customer (404). */
  getCustomer(customerId: string, signal: AbortSignal): Promise<{ referralCode?: string | null } | null>;
}

export interface ReferralCheckerDeps {
  db: Database;
  clock: Clock;
  settings: () => StoredSettings;
  rules: ReferralRules;
  training: () => boolean;
  /** null: not connected to Gameball (no keys, or sync not running). */
  advisor: () => ReferralAdvisor | null;
  logger?: Logger;
  /** How long to wait for Gameball before answering 'offline' (default 4 s). */
  timeoutMs?: number;
}

export const OFFLINE_MESSAGE =
  "Couldn't check the code with Gameball right now. You can still save the order: the code is sent with it when the till is back online.";

export const OFFLINE_BY_ID_MESSAGE =
  "Couldn't look up the referrer with Gameball right now. You can still save the order: the referrer's code is looked up when the till is back online, before the customer is registered.";

export class ReferralChecker {
  private readonly cache;

  constructor(private readonly deps: ReferralCheckerDeps) {
    this.cache = deps.db.prepare(
      `INSERT INTO customer_cache (customer_id, referral_code, exists_in_gameball, fetched_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(customer_id) DO UPDATE SET referral_code = excluded.referral_code, exists_in_gameball = excluded.exists_in_gameball, fetched_at = excluded.fetched_at`,
    );
  }

  /** Throws CaptureRefusedError only for malformed input (no customer, invalid mobile). */
  async check(input: unknown): Promise<ReferralCheck> {
    const parsed = ReferralCheckInputSchema.safeParse(input);
    if (!parsed.success) throw refusalFromZod(parsed.error);
    const settings = this.deps.settings();
    const { customerId } = resolveCustomer(parsed.data.customer, settings.country);
    let referrer: Referrer;
    try {
      referrer = extractReferrer(
        parsed.data.referrerCode,
        { customerIdPrefixes: settings.customerIdPrefixes, referralParams: settings.referralParams, receiptPattern: null },
        customerId,
      );
    } catch (err) {
      if (err instanceof CaptureRefusedError)
        return { status: err.code === 'SELF_REFERRAL' ? 'self' : 'invalid', message: err.message, customerId };
      throw err;
    }
    if (referrer.customerId !== undefined) return this.checkByCustomerId(customerId, referrer.customerId);
    return this.checkCode(customerId, referrer.code);
  }

  /**
   * A referrer named by customer id: its referral code is looked up at once (`GET /customers/{id}`)
   * and checked like a typed code. Live lookups are cached, so the capture that follows stores the
   * code (order-store.ts); offline, the id is captured and the code looked up at sync.
   */
  private async checkByCustomerId(customerId: string, referrerId: string): Promise<ReferralCheck> {
    if (this.deps.rules.isKnownCustomer(customerId, this.deps.training()))
      return { status: 'not-first-purchase', message: NOT_FIRST_PURCHASE_MESSAGE, customerId };
    const advisor = this.deps.advisor();
    if (!advisor) return { status: 'offline', message: OFFLINE_BY_ID_MESSAGE, customerId };
    let referrer: { referralCode?: string | null } | null;
    try {
      referrer = await advisor.getCustomer(referrerId, AbortSignal.timeout(this.deps.timeoutMs ?? 4000));
    } catch (err) {
      const reason = maskIdsIn(err instanceof Error ? err.message : String(err), [customerId, referrerId]);
      this.deps.logger?.warn({ customerId: maskCustomerId(customerId), err: reason }, 'referral check: Gameball not reachable');
      return { status: 'offline', message: OFFLINE_BY_ID_MESSAGE, customerId };
    }
    const code = referrer?.referralCode;
    if (!code) {
      return {
        status: 'invalid',
        message: `Gameball has no customer ${referrerId} with a referral code. Check the referrer's id, type their referral code instead, or remove it.`,
        customerId,
      };
    }
    if (!this.deps.training()) this.cache.run(referrerId, code, 1, isoAt(this.deps.clock.now()));
    return this.checkCode(customerId, code);
  }

  private async checkCode(customerId: string, code: string): Promise<ReferralCheck> {
    const base = { referrerCode: code, customerId };
    if (this.deps.rules.isOwnCode(customerId, code)) return { status: 'self', message: SELF_REFERRAL_MESSAGE, ...base };
    if (this.deps.rules.isKnownCustomer(customerId, this.deps.training()))
      return { status: 'not-first-purchase', message: NOT_FIRST_PURCHASE_MESSAGE, ...base };

    const advisor = this.deps.advisor();
    if (!advisor) return { status: 'offline', message: OFFLINE_MESSAGE, ...base };
    const signal = AbortSignal.timeout(this.deps.timeoutMs ?? 4000);
    try {
      const [customer, validity] = await Promise.all([
        advisor.getCustomer(customerId, signal),
        advisor.validateReferral(code, customerId, signal),
      ]);
      this.cache.run(customerId, customer?.referralCode ?? null, customer ? 1 : 0, isoAt(this.deps.clock.now()));
      if (customer?.referralCode && customer.referralCode.toLowerCase() === code.toLowerCase()) {
        return { status: 'self', message: SELF_REFERRAL_MESSAGE, ...base };
      }
      if (customer) {
        return {
          status: 'already-customer',
          message:
            'This customer is already registered with Gameball, so the referral will not count for them. Remove the referral code, or save the order as it is.',
          ...base,
        };
      }
      if (!validity.isValid) {
        return {
          status: 'invalid',
          message: 'Gameball does not know this referral code. Check it with the customer, or remove it and save the order.',
          ...base,
        };
      }
      return { status: 'ok', message: 'The referral code is valid and the customer is new to Gameball.', ...base };
    } catch (err) {
      // The customer's id is a mobile number: masked in the log, in the error text too.
      const reason = maskIdsIn(err instanceof Error ? err.message : String(err), [customerId]);
      this.deps.logger?.warn({ customerId: maskCustomerId(customerId), err: reason }, 'referral check: Gameball not reachable');
      return { status: 'offline', message: OFFLINE_MESSAGE, ...base };
    }
  }
}
