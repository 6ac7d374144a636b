// The online/offline/backoff model as a table: each row is a state, an event and what must follow.
import { describe, expect, test } from 'vitest';
import type { GameballCause } from '../../../main/gameball/outcome.ts';
import { AT_START, claimableSlots, nextConnectivity } from '../../../main/sync/connectivity.ts';
import type { Connectivity, ConnectivityEvent, ConnectivityStep } from '../../../main/sync/connectivity.ts';

const policy = { backoff: { baseMs: 1_000, capMs: 60_000, minMs: 100 }, random: () => 0.5, authPauseMs: 300_000 };
const NOW = 1_000_000;
const online: Connectivity = { online: true, probing: false, trouble: 0, pausedUntil: 0 };
const troubled = (trouble: number, pausedUntil = NOW - 1): Connectivity => ({ online: false, probing: true, trouble, pausedUntil });
const answer = (cause: GameballCause): ConnectivityEvent => ({ type: 'answer', cause, now: NOW });

const unreachable: GameballCause[] = ['network', 'lost', 'timeout', 'server', 'bad-answer'];
const answered: GameballCause[] = ['ok', 'rate-limited', 'concurrent', 'duplicate', 'rejected'];

describe('nextConnectivity', () => {
  test.each<[string, Connectivity, ConnectivityEvent, ConnectivityStep]>([
    // Out of reach: offline, probing, the whole sync backs off (jitter 0.5 of 1 s, 2 s, 4 s ...).
    ...unreachable.map((c): [string, Connectivity, ConnectivityEvent, ConnectivityStep] => [
      `${c} while online: offline, first backoff`,
      online,
      answer(c),
      { state: { online: false, probing: true, trouble: 1, pausedUntil: NOW + 500 }, bringForward: false },
    ]),
    [
      'timeout on the third trouble in a row: third backoff step',
      troubled(2),
      answer('timeout'),
      { state: { online: false, probing: true, trouble: 3, pausedUntil: NOW + 2_000 }, bringForward: false },
    ],
    [
      'network error deep in trouble: the backoff is capped',
      troubled(40),
      answer('network'),
      { state: { online: false, probing: true, trouble: 41, pausedUntil: NOW + 30_000 }, bringForward: false },
    ],
    // Gameball answered: online; after trouble the pause ends and waiting rows come forward.
    ...answered.map((c): [string, Connectivity, ConnectivityEvent, ConnectivityStep] => [
      `${c} after trouble: back, rows forward`,
      troubled(3),
      answer(c),
      { state: online, bringForward: true },
    ]),
    ...answered.map((c): [string, Connectivity, ConnectivityEvent, ConnectivityStep] => [
      `${c} while online: nothing else changes`,
      online,
      answer(c),
      { state: online, bringForward: false },
    ]),
    ['ok on a new engine: online', AT_START, answer('ok'), { state: online, bringForward: false }],
    // The keys refused: online (Gameball answered) but paused for the keys.
    ['auth while online: keys pause', online, answer('auth'), { state: { ...online, pausedUntil: NOW + 300_000 }, bringForward: false }],
    [
      'auth after trouble: back, rows forward, keys pause',
      troubled(2),
      answer('auth'),
      { state: { ...online, pausedUntil: NOW + 300_000 }, bringForward: true },
    ],
    // The idle probe only says online or offline.
    [
      'probe ok while offline and paused: online, pause kept',
      troubled(2, NOW + 9_000),
      { type: 'probe', cause: 'ok' },
      { state: { ...troubled(2, NOW + 9_000), online: true }, bringForward: false },
    ],
    [
      'probe 404 (rejected) while offline: online',
      { ...AT_START },
      { type: 'probe', cause: 'rejected' },
      { state: { ...AT_START, online: true }, bringForward: false },
    ],
    [
      'probe timeout while online: offline, no pause',
      online,
      { type: 'probe', cause: 'timeout' },
      { state: { ...online, online: false }, bringForward: false },
    ],
    [
      'probe auth while online: offline',
      online,
      { type: 'probe', cause: 'auth' },
      { state: { ...online, online: false }, bringForward: false },
    ],
    // A person says sync now: the pause and the trouble count end; probing stays until an answer.
    [
      'sync now while paused',
      troubled(4, NOW + 60_000),
      { type: 'sync-now' },
      { state: { online: false, probing: true, trouble: 0, pausedUntil: 0 }, bringForward: false },
    ],
    ['sync now while online', online, { type: 'sync-now' }, { state: online, bringForward: false }],
    // The clock went back: a pause keeps its remaining length.
    [
      'clock back 10 min while paused',
      troubled(1, NOW + 5_000),
      { type: 'clock-back', backMs: 600_000 },
      { state: troubled(1, NOW + 5_000 - 600_000), bringForward: false },
    ],
    ['clock back with no pause', online, { type: 'clock-back', backMs: 600_000 }, { state: online, bringForward: false }],
  ])('%s', (_name, state, event, expected) => {
    const before = structuredClone(state);
    expect(nextConnectivity(state, event, policy)).toEqual(expected);
    // Pure: the given state is never changed.
    expect(state).toEqual(before);
  });
});

describe('claimableSlots', () => {
  test.each<[string, Connectivity, number, number, number]>([
    ['online, 6 free', online, 6, 0, 6],
    ['online, 2 free of 6', online, 2, 4, 2],
    ['paused until later', { ...online, pausedUntil: NOW + 1 }, 6, 0, 0],
    ['pause just over', { ...online, pausedUntil: NOW }, 6, 0, 6],
    ['probing, nothing in flight: one', troubled(1), 6, 0, 1],
    ['probing, one in flight: none', troubled(1), 5, 1, 0],
    ['probing and paused', troubled(1, NOW + 10), 6, 0, 0],
  ])('%s', (_name, state, free, inFlight, slots) => {
    expect(claimableSlots(state, NOW, free, inFlight)).toBe(slots);
  });
});
