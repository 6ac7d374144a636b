// A new referred customer's registration (POST /customers, with the referral code), before the
// order that earns the referral. An upsert: sending it twice does no harm, so an unknown outcome
// needs no look-up. Its success leaves the order pending for its own call.
import { buildRegisterCustomerBody } from '../../gameball/mappers.ts';
import type { SyncOrderRow } from '../../gameball/mappers.ts';
import type { Outcome, RowCalls } from './calls.ts';

export async function syncRegistration(calls: RowCalls, order: SyncOrderRow): Promise<Outcome> {
  const body = buildRegisterCustomerBody(order);
  const res = await calls.call((c, s) => c.upsertCustomer(body, s), 'POST', '/customers');
  if (res === 'abandoned') return { abandoned: true, logs: calls.logs };
  return { finish: calls.outcome(res, false), logs: calls.logs };
}
