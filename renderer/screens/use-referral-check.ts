// Online advice on a referral code while the cashier fills the form: debounced, latest wins,
// never blocks the capture (the engine answers 'offline' when Gameball cannot be asked).
import { useEffect, useState } from 'react';
import type { ReferralCheck } from '../../preload/api.ts';
import { useApi } from '../state/api-context.tsx';

export type ReferralFeedback =
  | { state: 'idle' }
  | { state: 'checking'; code: string }
  | { state: 'done'; code: string; result: ReferralCheck }
  | { state: 'failed'; code: string };

export function useReferralCheck(customer: { mobile?: string; customerId?: string } | null, code: string, delayMs = 350): ReferralFeedback {
  const api = useApi();
  const [feedback, setFeedback] = useState<ReferralFeedback>({ state: 'idle' });
  const mobile = customer?.mobile;
  const customerId = customer?.customerId;
  const trimmed = code.trim();

  useEffect(() => {
    if (trimmed === '' || (mobile === undefined && customerId === undefined)) {
      setFeedback({ state: 'idle' });
      return;
    }
    let live = true;
    setFeedback({ state: 'checking', code: trimmed });
    const timer = setTimeout(() => {
      const who = customerId !== undefined ? { customerId } : { mobile: mobile as string };
      api.checkReferral({ customer: who, referrerCode: trimmed }).then(
        (r) => {
          if (!live) return;
          setFeedback(r.ok ? { state: 'done', code: trimmed, result: r.value } : { state: 'failed', code: trimmed });
        },
        () => live && setFeedback({ state: 'failed', code: trimmed }),
      );
    }, delayMs);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, mobile, customerId, trimmed, delayMs]);

  return feedback;
}
