// Actions the store PIN guards (export, Gameball keys). The screen never decides whether a PIN is
// needed or right: it calls without one, and when main answers that it needs it (or that the one
// given was wrong, or that it is locked for now), it asks the person and calls again with what
// they typed, until the call passes, another answer comes, or they cancel. The PIN lives only in
// this call chain, never in React state.
import { normalizeDigits } from '../../preload/digits.ts';
import { StorePinSchema, type Result } from '../../preload/api.ts';

/** Why the person is asked: main asked for the PIN, the last one was wrong, or it is locked for now. */
export type PinAsk = 'required' | 'wrong' | 'locked';

const ASK_FOR: Partial<Record<string, PinAsk>> = { 'pin-required': 'required', 'pin-wrong': 'wrong', 'pin-locked': 'locked' };

/**
 * Runs `call`, asking for the store PIN as long as main wants one. Resolves with main's last
 * answer, or null when the person cancelled.
 */
export async function withStorePin<T>(
  call: (pin: string | undefined) => Promise<Result<T>>,
  ask: (why: PinAsk) => Promise<string | null>,
): Promise<Result<T> | null> {
  let result = await call(undefined);
  for (;;) {
    if (result.ok) return result;
    const why = ASK_FOR[result.error.code];
    if (why === undefined) return result;
    const pin = await ask(why);
    if (pin === null) return null;
    result = await call(pin);
  }
}

/** What was typed as a PIN (Arabic-Indic digits become ASCII), or null when it cannot be one. */
export function readPin(typed: string): string | null {
  const parsed = StorePinSchema.safeParse(normalizeDigits(typed).trim());
  return parsed.success ? parsed.data : null;
}
