import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../main/log.ts';
import { ReferralChecker } from '../../../main/orders/referral.ts';
import type { ReferralAdvisor } from '../../../main/orders/referral.ts';
import { tillFixture } from '../../support/till-fixture.ts';
import type { TillFixture } from '../../support/till-fixture.ts';

let till: TillFixture;
afterEach(() => till?.close());

/** Gameball as the advisor sees it: a customer table and a set of valid codes. Calls are recorded. */
function gameball(customers: Record<string, { referralCode: string }>, validCodes: string[]) {
  const calls: string[] = [];
  const advisor: ReferralAdvisor = {
    async validateReferral(code, forCustomerId) {
      calls.push(`validate ${code} ${forCustomerId}`);
      return { isValid: validCodes.includes(code) && customers[forCustomerId]?.referralCode !== code };
    },
    async getCustomer(id) {
      calls.push(`customer ${id}`);
      return customers[id] ?? null;
    },
  };
  return { advisor, calls };
}

function checker(t: TillFixture, advisor: ReferralAdvisor | null, timeoutMs = 2000) {
  return new ReferralChecker({
    db: t.db,
    clock: t.clock,
    settings: () => t.settings.get(),
    rules: t.orders.rules,
    training: () => false,
    advisor: () => advisor,
    timeoutMs,
  });
}

describe('checkReferral', () => {
  it('ok for a valid code and a customer new to Gameball; the code is taken from a link', async () => {
    till = tillFixture();
    const gb = gameball({}, ['FRIEND1']);
    const r = await checker(till, gb.advisor).check({
      customer: { mobile: '0500001234' },
      referrerCode: 'https://shop.example/?ref=FRIEND1',
    });
    expect(r).toMatchObject({ status: 'ok', referrerCode: 'FRIEND1', customerId: 'mobile_966500001234' });
    expect(gb.calls.sort()).toEqual(['customer mobile_966500001234', 'validate FRIEND1 mobile_966500001234']);
  });

  it('invalid when Gameball does not know the code', async () => {
    till = tillFixture();
    const r = await checker(till, gameball({}, []).advisor).check({ customer: { customerId: 'c1' }, referrerCode: 'NOPE99' });
    expect(r.status).toBe('invalid');
    expect(r.message).toMatch(/does not know this referral code/);
  });

  it('already-customer when Gameball knows the customer; self when the code is their own, remembered for offline captures', async () => {
    till = tillFixture();
    const gb = gameball({ mobile_966500001234: { referralCode: 'MINE42' } }, ['MINE42', 'FRIEND1']);
    const c = checker(till, gb.advisor);
    expect((await c.check({ customer: { mobile: '0500001234' }, referrerCode: 'FRIEND1' })).status).toBe('already-customer');
    expect((await c.check({ customer: { mobile: '0500001234' }, referrerCode: 'MINE42' })).status).toBe('self');
    // Learned: the capture itself now refuses the customer's own code, even with no network.
    expect(() => till.orders.captureOrder({ mobile: '0500001234', totalPaidMinor: 500, referrerCode: 'mine42' })).toThrow(
      /own referral code/,
    );
  });

  it('answers from the till alone, without asking Gameball, for a second purchase or an own id', async () => {
    till = tillFixture();
    till.orders.captureOrder({ mobile: '0500001234', totalPaidMinor: 500 });
    const gb = gameball({}, ['FRIEND1']);
    const c = checker(till, gb.advisor);
    expect((await c.check({ customer: { mobile: '0500001234' }, referrerCode: 'FRIEND1' })).status).toBe('not-first-purchase');
    expect((await c.check({ customer: { customerId: 'Cust9' }, referrerCode: 'CUST9' })).status).toBe('self');
    expect((await c.check({ customer: { customerId: 'x' }, referrerCode: 'https://sh.rt/abc' })).status).toBe('invalid');
    expect(gb.calls).toEqual([]);
  });

  it('offline, never blocking, when Gameball cannot be reached, is slow, or is not configured', async () => {
    till = tillFixture();
    const down: ReferralAdvisor = {
      validateReferral: async () => {
        throw new TypeError('fetch failed');
      },
      getCustomer: async () => {
        throw new TypeError('fetch failed');
      },
    };
    const hanging: ReferralAdvisor = {
      validateReferral: (_c, _id, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
      getCustomer: (_id, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    };
    const input = { customer: { mobile: '0500001234' }, referrerCode: 'FRIEND1' };
    expect((await checker(till, down).check(input)).status).toBe('offline');
    const started = Date.now();
    expect((await checker(till, hanging, 50).check(input)).status).toBe('offline');
    expect(Date.now() - started).toBeLessThan(2000);
    const none = await checker(till, null).check(input);
    expect(none.status).toBe('offline');
    expect(none.message).toMatch(/still save the order/);
  });

  it("logs that Gameball could not be reached with the customer's id masked, never the mobile number", async () => {
    till = tillFixture();
    const lines: string[] = [];
    const logger = createLogger({
      destination: new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(chunk.toString('utf8')), cb()) }),
    });
    const down: ReferralAdvisor = {
      validateReferral: async () => {
        throw new TypeError('fetch failed');
      },
      getCustomer: async (id) => {
        throw new Error(`GET /customers/${id}: connection reset`);
      },
    };
    const c = new ReferralChecker({
      db: till.db,
      clock: till.clock,
      settings: () => till.settings.get(),
      rules: till.orders.rules,
      training: () => false,
      advisor: () => down,
      logger,
    });
    expect((await c.check({ customer: { mobile: '0500001234' }, referrerCode: 'FRIEND1' })).status).toBe('offline');
    const log = lines.join('');
    expect(log).toContain('referral check: Gameball not reachable');
    expect(log).toContain('mobile_9665*****234');
    expect(log).not.toContain('966500001234');
  });

  it('refuses malformed input (no customer) as a capture would', async () => {
    till = tillFixture();
    await expect(checker(till, null).check({ customer: {}, referrerCode: 'X' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(checker(till, null).check({ customer: { mobile: '12' }, referrerCode: 'FRIEND1' })).rejects.toMatchObject({
      code: 'INVALID_MOBILE',
    });
  });
});
