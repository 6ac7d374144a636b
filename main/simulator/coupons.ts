// The simulated account's coupons and their locks: `POST /coupons/validate` (with `lock`),
// `POST /coupons/burn`, `DELETE /coupons/{lockReference}`, and the burn an order carrying
// `redemption.couponsLockReference` causes. Pure rules over plain data with an injected clock;
// every rule either commits fully or throws a SimError and changes nothing.
//
// Where Gameball's documents are silent the simulator picks the safe reading, and docs/simulator.md
// says so: a customer who locks the coupons they already hold in an active lock gets that same
// lock back (so a till that lost the answer to a lock and asks again never holds two locks), and
// releasing a lock already released answers success with nothing released (a lost answer to a
// release is then a plain retry).
import { CODES, SimError } from './errors.ts';

export type CouponType = 'fixed' | 'percentage';

export interface LedgerCoupon {
  /** Upper case; codes match case-insensitively. */
  code: string;
  type: CouponType;
  /** Money off (fixed) or percent off (percentage). */
  value: number;
  /** Only this customer may use it; absent: anyone. */
  customerId?: string;
  usageLimit: number;
  used: number;
  minOrderValue?: number;
  expiryDate?: string;
}

export interface LedgerCouponLock {
  lockReference: string;
  customerId: string;
  codes: string[];
  lockedAt: number;
  expiresAt: number;
  state: 'locked' | 'released' | 'burned';
  /** The order (or burn transactionId) that used the lock. */
  burnedBy?: string;
}

export interface CouponValidateRequest {
  customerId: string;
  coupons: string[];
  lock?: boolean | undefined;
  lockReference?: string | undefined;
  lockDuration?: number | undefined;
  totalPurchaseAmount?: number | undefined;
}

/** The training coupons every fresh simulator knows (docs/simulator.md lists them). */
export const TRAINING_COUPONS: readonly LedgerCoupon[] = [
  { code: 'WELCOME10', type: 'fixed', value: 10, usageLimit: 1_000_000, used: 0 },
  { code: 'SAVE15', type: 'percentage', value: 15, usageLimit: 1_000_000, used: 0, minOrderValue: 50 },
];

const DEFAULT_LOCK_MINUTES = 15;

export class CouponBook {
  private coupons = new Map<string, LedgerCoupon>();
  private locks = new Map<string, LedgerCouponLock>();
  private burnIds = new Set<string>();
  private nextLock = 1;

  constructor(private readonly now: () => number) {
    this.clear();
  }

  /** Adds or replaces a coupon (the control API's `POST /_sim/coupons`). */
  put(coupon: Omit<LedgerCoupon, 'used'> & { used?: number }): LedgerCoupon {
    const stored: LedgerCoupon = { ...coupon, code: coupon.code.trim().toUpperCase(), used: coupon.used ?? 0 };
    this.coupons.set(stored.code, stored);
    return stored;
  }

  /** Why `code` cannot be used by `customerId` now; null when it can. */
  private refusal(code: string, customerId: string, amount: number | undefined, ownLock: string | undefined): string | null {
    const coupon = this.coupons.get(code);
    if (!coupon) return 'unknown';
    if (coupon.customerId !== undefined && coupon.customerId !== customerId) return 'not-yours';
    if (coupon.expiryDate !== undefined && Date.parse(coupon.expiryDate) <= this.now()) return 'expired';
    if (coupon.used >= coupon.usageLimit) return 'used';
    if (coupon.minOrderValue !== undefined && amount !== undefined && amount < coupon.minOrderValue) return 'below-minimum';
    const lockedElsewhere = [...this.locks.values()].some(
      (l) => this.isActive(l) && l.lockReference !== ownLock && l.codes.includes(code) && l.customerId !== customerId,
    );
    if (lockedElsewhere) return 'locked';
    return null;
  }

  private isActive(lock: LedgerCouponLock): boolean {
    return lock.state === 'locked' && lock.expiresAt > this.now();
  }

  private describe(code: string): Record<string, unknown> {
    const c = this.coupons.get(code);
    if (!c) return { code };
    return {
      code: c.code,
      type: c.type,
      value: c.value,
      usageLimit: c.usageLimit,
      ...(c.minOrderValue !== undefined ? { minOrderValue: c.minOrderValue } : {}),
      ...(c.expiryDate !== undefined ? { expiryDate: c.expiryDate } : {}),
    };
  }

  /**
   * `POST /coupons/validate`. `valid` is true only when every coupon can be used; `coupons` lists
   * those that can. With `lock` and all valid, the coupons are locked for `lockDuration` minutes.
   */
  validate(req: CouponValidateRequest): Record<string, unknown> {
    const now = this.now();
    const codes = req.coupons.map((c) => c.trim().toUpperCase());
    const given = req.lockReference !== undefined ? this.locks.get(req.lockReference) : undefined;
    if (req.lockReference !== undefined && (!given || given.customerId !== req.customerId || !this.isActive(given))) {
      throw new SimError(404, CODES.notFound, `Lock ${req.lockReference} was not found or is no longer active.`);
    }
    const usable = codes.filter((code) => this.refusal(code, req.customerId, req.totalPurchaseAmount, given?.lockReference) === null);
    const valid = codes.length > 0 && usable.length === codes.length;
    const answer: Record<string, unknown> = { valid, coupons: usable.map((code) => this.describe(code)) };
    if (!req.lock || !valid) return answer;

    const minutes = req.lockDuration ?? DEFAULT_LOCK_MINUTES;
    const same =
      given ?? [...this.locks.values()].find((l) => this.isActive(l) && l.customerId === req.customerId && sameCodes(l.codes, codes));
    let lock: LedgerCouponLock;
    if (same) {
      lock = same;
      lock.codes = codes;
      lock.expiresAt = now + minutes * 60_000;
    } else {
      lock = {
        lockReference: `LCK-${String(this.nextLock++).padStart(6, '0')}`,
        customerId: req.customerId,
        codes,
        lockedAt: now,
        expiresAt: now + minutes * 60_000,
        state: 'locked',
      };
      this.locks.set(lock.lockReference, lock);
    }
    return { ...answer, lockReference: lock.lockReference, dateToExpire: new Date(lock.expiresAt).toISOString() };
  }

  /**
   * Checks that `lockReference` can be burned by `customerId`'s order and returns the commit, which
   * the caller runs only once the order itself is recorded (so a refused order burns nothing).
   */
  prepareBurn(lockReference: string, customerId: string, usedBy: string): () => void {
    const lock = this.locks.get(lockReference);
    if (!lock || lock.customerId !== customerId) {
      throw new SimError(
        422,
        CODES.invalidValue,
        `redemption.couponsLockReference ${lockReference} is not a coupon lock of this customer.`,
      );
    }
    if (lock.state === 'burned') throw new SimError(422, CODES.invalidValue, `Coupon lock ${lockReference} was already used.`);
    if (!this.isActive(lock)) {
      throw new SimError(422, CODES.invalidValue, `Coupon lock ${lockReference} expired or was released: the coupon is no longer held.`);
    }
    return () => {
      lock.state = 'burned';
      lock.burnedBy = usedBy;
      for (const code of lock.codes) {
        const coupon = this.coupons.get(code);
        if (coupon) coupon.used += 1;
      }
    };
  }

  /** `POST /coupons/burn`: by lock, or by codes (validated first). A known transactionId 422/9004. */
  burn(req: {
    customerId: string;
    transactionId?: string | undefined;
    coupons?: string[] | undefined;
    lockReference?: string | undefined;
  }): {
    success: boolean;
    burnedAt: string;
  } {
    if ((req.coupons === undefined) === (req.lockReference === undefined)) {
      throw new SimError(400, CODES.missingField, 'Give exactly one of coupons or lockReference.');
    }
    if (req.transactionId !== undefined && this.burnIds.has(req.transactionId)) {
      throw new SimError(422, CODES.transactionIdExists, `Transaction id ${req.transactionId} already exists.`);
    }
    const usedBy = req.transactionId ?? `burn-${this.now()}`;
    if (req.lockReference !== undefined) {
      this.prepareBurn(req.lockReference, req.customerId, usedBy)();
    } else {
      const codes = (req.coupons ?? []).map((c) => c.trim().toUpperCase());
      const bad = codes.find((code) => this.refusal(code, req.customerId, undefined, undefined) !== null);
      if (bad !== undefined || codes.length === 0) throw new SimError(422, CODES.invalidValue, `Coupon ${bad ?? ''} cannot be used.`);
      for (const code of codes) (this.coupons.get(code) as LedgerCoupon).used += 1;
    }
    if (req.transactionId !== undefined) this.burnIds.add(req.transactionId);
    return { success: true, burnedAt: new Date(this.now()).toISOString() };
  }

  /** `DELETE /coupons/{lockReference}`. Unknown 404; used 422; already released: success, nothing released. */
  release(lockReference: string): { success: boolean; releasedAt: string; releasedCoupons: string[] } {
    const lock = this.locks.get(lockReference);
    if (!lock) throw new SimError(404, CODES.notFound, `Lock ${lockReference} was not found.`);
    if (lock.state === 'burned') throw new SimError(422, CODES.invalidValue, `Coupon lock ${lockReference} was already used by an order.`);
    const releasedAt = new Date(this.now()).toISOString();
    if (lock.state === 'released') return { success: true, releasedAt, releasedCoupons: [] };
    lock.state = 'released';
    return { success: true, releasedAt, releasedCoupons: [...lock.codes] };
  }

  snapshot(): { coupons: LedgerCoupon[]; couponLocks: LedgerCouponLock[]; couponBurnIds: string[]; nextCouponLock: number } {
    return structuredClone({
      coupons: [...this.coupons.values()],
      couponLocks: [...this.locks.values()],
      couponBurnIds: [...this.burnIds],
      nextCouponLock: this.nextLock,
    });
  }

  restore(s: Partial<ReturnType<CouponBook['snapshot']>>): void {
    this.clear();
    if (s.coupons) {
      this.coupons.clear();
      for (const c of s.coupons) this.coupons.set(c.code, c);
    }
    for (const l of s.couponLocks ?? []) this.locks.set(l.lockReference, l);
    for (const id of s.couponBurnIds ?? []) this.burnIds.add(id);
    this.nextLock = s.nextCouponLock ?? this.locks.size + 1;
  }

  clear(): void {
    this.coupons.clear();
    this.locks.clear();
    this.burnIds.clear();
    this.nextLock = 1;
    for (const c of TRAINING_COUPONS) this.coupons.set(c.code, { ...c });
  }
}

function sameCodes(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
}
