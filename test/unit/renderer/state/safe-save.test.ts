// A save is repeated only when the answer was 'unavailable' (never sent, or sent and the answer
// lost), only once the connection is back, and with the same request each time.
import { describe, expect, it } from 'vitest';
import type { Result } from '../../../../preload/api.ts';
import { CheckoutFormStore } from '../../../../renderer/state/checkout-form.ts';
import { newClientRef, saveSafely } from '../../../../renderer/state/safe-save.ts';
import { ClientRefSchema } from '../../../../preload/api.ts';

const lost: Result<never> = { ok: false, error: { code: 'unavailable', message: 'The connection to the till app was lost.' } };

function script(answers: Array<Result<string>>) {
  const calls: number[] = [];
  const events: string[] = [];
  const call = async () => {
    calls.push(calls.length + 1);
    events.push('call');
    const next = answers.shift();
    if (!next) throw new Error('called once too often');
    return next;
  };
  const deps = {
    whenConnected: async () => void events.push('connected?'),
    sleep: async (ms: number) => void events.push(`sleep ${ms}`),
    onRetry: (n: number) => void events.push(`retry ${n}`),
  };
  return { call, calls, events, deps };
}

describe('saveSafely', () => {
  it('answers at once when the first call is answered', async () => {
    const s = script([{ ok: true, value: 'order-1' }]);
    expect(await saveSafely(s.call, s.deps)).toEqual({ ok: true, value: 'order-1' });
    expect(s.events).toEqual(['call']);
  });

  it('repeats after a lost answer, only once connected again, with growing pauses', async () => {
    const s = script([lost, lost, lost, { ok: true, value: 'order-1' }]);
    expect(await saveSafely(s.call, { ...s.deps, baseDelayMs: 100, maxDelayMs: 300 })).toEqual({ ok: true, value: 'order-1' });
    expect(s.events).toEqual([
      'call',
      'retry 1',
      'connected?',
      'sleep 100',
      'call',
      'retry 2',
      'connected?',
      'sleep 200',
      'call',
      'retry 3',
      'connected?',
      'sleep 300',
      'call',
    ]);
  });

  it('never repeats a refusal or an invalid request: those are for people', async () => {
    for (const code of ['refused', 'invalid-request', 'internal', 'forbidden'] as const) {
      const s = script([{ ok: false, error: { code, message: 'no' } }]);
      expect(await saveSafely(s.call, s.deps)).toMatchObject({ ok: false, error: { code } });
      expect(s.calls).toHaveLength(1);
    }
  });
});

describe('the checkout form reference', () => {
  it('is a valid clientRef, kept until the form is reset, then new', () => {
    const store = new CheckoutFormStore();
    const first = store.getClientRef();
    expect(ClientRefSchema.safeParse(first).success).toBe(true);
    store.update({ amount: '12' });
    expect(store.getClientRef()).toBe(first);
    store.reset();
    expect(store.getClientRef()).not.toBe(first);
    expect(ClientRefSchema.safeParse(newClientRef()).success).toBe(true);
  });
});
