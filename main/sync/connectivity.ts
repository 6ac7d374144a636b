// Whether Gameball is within reach of this till, and when the sync may send again: a pure state
// machine fed the cause of every answer (as main/gameball/outcome.ts classified it).
//  - An answer that means Gameball is out of reach (meansGameballUnreachable: nothing, or not
//    Gameball, answered: network error, lost answer, timeout, 5xx, a captive portal's page):
//    offline, and the whole sync pauses for a capped exponential backoff with full jitter
//    (backoff.ts); after the pause one request at a time goes out (probing) until one gets through.
//  - Any other answer (Gameball answered, whatever it said about the call): online. The first one
//    after trouble ends the pause and the probing, and every row that waited is brought forward.
//  - 401/403 are about the keys, not the order: the sync pauses for `authPauseMs`.
//  - The idle reachability probe only says online or offline; it never pauses nor resumes.
//  - syncNow ends a pause; a till clock set back keeps what is left of a pause (it is not
//    stretched by the jump).
import { meansGameballUnreachable } from '../gameball/outcome.ts';
import type { GameballCause } from '../gameball/outcome.ts';
import { backoffDelay } from './backoff.ts';
import type { BackoffPolicy } from './backoff.ts';

export interface Connectivity {
  online: boolean;
  /** After trouble: one request at a time until one gets through. */
  probing: boolean;
  /** Unreachable answers in a row: the attempt number of the whole sync's backoff. */
  trouble: number;
  /** Nothing is claimed before this time (0: no pause). */
  pausedUntil: number;
}

/** A new engine: offline until the first answer, free to send. */
export const AT_START: Connectivity = { online: false, probing: false, trouble: 0, pausedUntil: 0 };

export interface ConnectivityPolicy {
  backoff: BackoffPolicy;
  /** [0, 1): the backoff's jitter. */
  random: () => number;
  authPauseMs: number;
}

export type ConnectivityEvent =
  /** An answer to a row's call (at `now`, by the till's clock). */
  | { type: 'answer'; cause: GameballCause; now: number }
  /** An answer to the idle reachability probe. */
  | { type: 'probe'; cause: GameballCause }
  /** A person asked to sync now (or an order was retried). */
  | { type: 'sync-now' }
  /** The till's clock went back by `backMs`. */
  | { type: 'clock-back'; backMs: number };

export interface ConnectivityStep {
  state: Connectivity;
  /** Back in reach after trouble: the rows that waited it out are due now. */
  bringForward: boolean;
}

/** The state after `event`. Pure: the policy's random source is the only input beside the arguments. */
export function nextConnectivity(state: Connectivity, event: ConnectivityEvent, policy: ConnectivityPolicy): ConnectivityStep {
  switch (event.type) {
    case 'answer': {
      let s: Connectivity;
      let bringForward = false;
      if (meansGameballUnreachable(event.cause)) {
        const trouble = state.trouble + 1;
        s = { online: false, probing: true, trouble, pausedUntil: event.now + backoffDelay(trouble, policy.random, policy.backoff) };
      } else if (state.probing || state.trouble > 0) {
        s = { online: true, probing: false, trouble: 0, pausedUntil: 0 };
        bringForward = true;
      } else {
        s = { ...state, online: true };
      }
      if (event.cause === 'auth') s.pausedUntil = event.now + policy.authPauseMs;
      return { state: s, bringForward };
    }
    case 'probe':
      return { state: { ...state, online: !meansGameballUnreachable(event.cause) && event.cause !== 'auth' }, bringForward: false };
    case 'sync-now':
      return { state: { ...state, pausedUntil: 0, trouble: 0 }, bringForward: false };
    case 'clock-back':
      return { state: state.pausedUntil > 0 ? { ...state, pausedUntil: state.pausedUntil - event.backMs } : state, bringForward: false };
  }
}

/**
 * How many rows may be claimed at `now`: none while paused, one while probing and nothing is in
 * flight, else the free slots.
 */
export function claimableSlots(state: Connectivity, now: number, free: number, inFlight: number): number {
  if (state.pausedUntil > now) return 0;
  if (state.probing) return inFlight === 0 ? 1 : 0;
  return free;
}
