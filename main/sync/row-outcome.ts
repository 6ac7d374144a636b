// The next state of an outbox row after an answer that did not settle it (see the flows in
// flows/): pure, so every class of answer is pinned by a table (test/unit/sync/row-outcome.test.ts).
// The answer's class comes from main/gameball/outcome.ts; this says what the row does with it:
//  - ok: done;
//  - 401/403 (auth): back to pending after the keys pause, with a sentence about the keys; the
//    attempt is not counted (the order is not at fault);
//  - attention (any other 4xx): needs a person, with Gameball's code (or HTTP_<status>) and message;
//  - retry or unknown: back to pending after a capped exponential backoff with full jitter, the
//    attempt counted; `unknownOutcome` says whether the next attempt must look up first.
import type { GameballResult } from '../gameball/outcome.ts';
import { backoffDelay } from './backoff.ts';
import type { BackoffPolicy } from './backoff.ts';
import type { Finish } from './outbox-store.ts';

export interface RowOutcomeContext {
  /** Attempts the row had made before this one. */
  attempts: number;
  /** Whether Gameball may have recorded the call (the next attempt looks up before posting). */
  unknownOutcome: boolean;
  now: number;
  backoff: BackoffPolicy;
  random: () => number;
  authPauseMs: number;
}

export function rowOutcome(res: GameballResult, ctx: RowOutcomeContext): Finish {
  if (res.kind === 'ok') return { type: 'done' };
  if (res.cause === 'auth') {
    return {
      type: 'retry',
      nextAttemptAt: ctx.now + ctx.authPauseMs,
      code: res.code === null ? String(res.httpStatus ?? '') : String(res.code),
      message: `Gameball refused the keys: ${res.message}. Check the API key and secret key in the settings.`,
      unknownOutcome: ctx.unknownOutcome,
      countAttempt: false,
    };
  }
  if (res.kind === 'attention') {
    return { type: 'attention', code: res.code === null ? `HTTP_${res.httpStatus ?? 0}` : String(res.code), message: res.message };
  }
  // retry or unknown: back off. An unknown outcome is retried sooner (one reconcile GET).
  const delay = backoffDelay(ctx.attempts + 1, ctx.random, ctx.backoff);
  return {
    type: 'retry',
    nextAttemptAt: ctx.now + delay,
    code: res.code === null ? (res.httpStatus === null ? res.cause.toUpperCase() : `HTTP_${res.httpStatus}`) : String(res.code),
    message: res.message,
    unknownOutcome: ctx.unknownOutcome,
    countAttempt: true,
  };
}
