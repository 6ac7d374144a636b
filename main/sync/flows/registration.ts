// A new referred customer's registration (POST /customers, with the referral code), before the
// order that earns the referral. An upsert: sending it twice does no harm, so an unknown outcome
// needs no look-up. Its success leaves the order pending for its own call.
// A referrer named by customer id (captured offline) has its code looked up first with
// `GET /customers/{customerId}` and kept on the order, so the first order carries it too. A
// referrer Gameball does not know (or one without a code) sends the order to needs-attention:
// registering without the referral would lose it for good (Gameball counts it only at registration).
import { buildRegisterCustomerBody } from '../../gameball/mappers.ts';
import type { SyncOrderRow } from '../../gameball/mappers.ts';
import type { Outcome, RowCalls } from './calls.ts';

export async function syncRegistration(calls: RowCalls, order: SyncOrderRow, keepCode: (code: string) => void): Promise<Outcome> {
  let referred = order;
  const referrerId = order.referrer_customer_id;
  if (order.referrer_code === undefined && referrerId !== undefined) {
    const found = await calls.call((c, s) => c.getCustomer(referrerId, s), 'GET', `/customers/${referrerId}`);
    if (found === 'abandoned') return { abandoned: true, logs: calls.logs };
    if (found.kind !== 'ok') {
      if (found.cause === 'rejected' && found.httpStatus === 404) return referrerProblem(calls, `Gameball has no customer ${referrerId}`);
      return { finish: calls.outcome(found, false), logs: calls.logs };
    }
    const code = found.value?.referralCode;
    if (!code) return referrerProblem(calls, `Gameball gave no referral code for customer ${referrerId}`);
    keepCode(code);
    referred = { ...order, referrer_code: code };
  }
  const body = buildRegisterCustomerBody(referred);
  const res = await calls.call((c, s) => c.upsertCustomer(body, s), 'POST', '/customers');
  if (res === 'abandoned') return { abandoned: true, logs: calls.logs };
  return { finish: calls.outcome(res, false), logs: calls.logs };
}

function referrerProblem(calls: RowCalls, what: string): Outcome {
  return {
    finish: {
      type: 'attention',
      code: 'REFERRER_NOT_FOUND',
      message: `${what}, so the referrer named on this order cannot be used and the customer was not registered. Edit the order's referrer (the friend's referral code or customer id) and resend, or remove it.`,
    },
    logs: calls.logs,
  };
}
