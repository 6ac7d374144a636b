// The loyalty port (main/loyalty/port.ts) over the Gameball client: each call made once, its
// result turned into a plain answer or a reason. Thin: no rules, no retries (the screen asks again).
import type { GameballClient } from '../gameball/client.ts';
import type { GameballResult } from '../gameball/outcome.ts';
import type { LoyaltyCall, LoyaltyPort } from '../loyalty/port.ts';

function failed<T>(r: GameballResult<unknown>): LoyaltyCall<T> {
  if (r.httpStatus === 404 && r.code !== null) return { ok: false, kind: 'not-found', message: r.message };
  if (r.kind === 'unknown') return { ok: false, kind: 'unknown', message: r.message };
  if (r.kind === 'attention' || (r.httpStatus !== null && r.httpStatus >= 400 && r.httpStatus < 500 && r.kind !== 'retry'))
    return { ok: false, kind: 'refused', message: r.message };
  return { ok: false, kind: 'offline', message: r.message };
}

async function call<A, T>(run: () => Promise<GameballResult<A>>, map: (a: A) => T): Promise<LoyaltyCall<T>> {
  let r: GameballResult<A>;
  try {
    r = await run();
  } catch (err) {
    return { ok: false, kind: 'offline', message: err instanceof Error ? err.message : String(err) };
  }
  if (r.kind === 'ok' && r.value !== undefined) return { ok: true, value: map(r.value) };
  return failed(r);
}

const num = (v: number | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** `client` resolves the client to use (it may start the training simulator first); it throws when there is none. */
export function loyaltyLink(client: () => Promise<GameballClient>): LoyaltyPort {
  return {
    customer: (id, signal) =>
      call(
        async () => (await client()).getCustomer(id, signal),
        (c) => {
          const a = (c as { customerAttributes?: Record<string, unknown> | null }).customerAttributes ?? {};
          const text = (k: string) => (typeof a[k] === 'string' && (a[k] as string).trim() !== '' ? (a[k] as string).trim() : null);
          const full = [text('firstName'), text('lastName')].filter((x) => x !== null).join(' ');
          return {
            name: text('displayName') ?? (full === '' ? null : full),
            referralCode: c.referralCode ?? null,
            referralLink: c.referralLink ?? null,
          };
        },
      ),
    balance: (id, signal) =>
      call(
        async () => (await client()).customerBalance(id, signal),
        (b) => ({
          availablePoints: num(b.availablePointsBalance) ?? num(b.totalPointsBalance) ?? 0,
          availableValue: num(b.availablePointsValue),
          pendingPoints: num(b.pendingPoints) ?? 0,
          currency: b.currency ?? null,
        }),
      ),
    tierProgress: (id, signal) =>
      call(
        async () => (await client()).tierProgress(id, signal),
        (t) => {
          const tier = (x: typeof t.current) =>
            x && typeof x.name === 'string' ? { name: x.name, order: num(x.order), minProgress: num(x.minProgress) } : null;
          return { current: tier(t.current), next: tier(t.next), progress: num(t.progress) };
        },
      ),
    referralsCount: (id, signal) =>
      call(
        async () => (await client()).referralsCount(id, signal),
        (r) => num(r.count) ?? 0,
      ),
    lockCoupon: (req, signal) =>
      call(
        async () =>
          (await client()).validateCoupons(
            {
              customerId: req.customerId,
              ...(req.mobile !== undefined ? { mobile: req.mobile } : {}),
              coupons: [req.code],
              lock: true,
              ...(req.totalPurchaseAmount !== undefined ? { totalPurchaseAmount: req.totalPurchaseAmount } : {}),
            },
            signal,
          ),
        (v) => {
          const c = v.coupons?.[0];
          return {
            valid: v.valid,
            lockReference: v.lockReference ?? null,
            expiresAt: v.dateToExpire ?? null,
            coupon: c ? { code: c.code ?? req.code, type: c.type ?? null, value: num(c.value) } : null,
          };
        },
      ),
    releaseCoupon: (ref, signal) =>
      call(
        async () => (await client()).releaseCoupons(ref, signal),
        () => true as const,
      ),
    rewardPreview: (req, signal) =>
      call(
        async () =>
          (await client()).rewardPreview(
            {
              customerId: req.customerId,
              ...(req.mobile !== undefined ? { mobile: req.mobile } : {}),
              totalPaid: req.totalPaid,
              ...(req.totalPrice !== undefined ? { totalPrice: req.totalPrice } : {}),
              channel: 'pos',
            },
            signal,
          ),
        (p) => ({ points: num(p.totalPoints) ?? num(p.cashback?.totalPoints) ?? 0, customerFound: p.customerFound ?? null }),
      ),
  };
}
