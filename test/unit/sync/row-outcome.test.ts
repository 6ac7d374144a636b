// The next state of a row after each class of answer, as a table.
import { describe, expect, test } from 'vitest';
import type { GameballResult } from '../../../main/gameball/outcome.ts';
import type { Finish } from '../../../main/sync/outbox-store.ts';
import { rowOutcome } from '../../../main/sync/row-outcome.ts';

const NOW = 5_000_000;
const ctx = {
  attempts: 2,
  unknownOutcome: false,
  now: NOW,
  backoff: { baseMs: 1_000, capMs: 60_000, minMs: 100 },
  random: () => 0.5,
  authPauseMs: 300_000,
};
const res = (r: Partial<GameballResult>): GameballResult => ({
  kind: 'retry',
  cause: 'server',
  httpStatus: 500,
  code: null,
  message: 'Server error',
  requestId: null,
  method: 'POST',
  path: '/orders',
  durationMs: 12,
  ...r,
});

describe('rowOutcome', () => {
  test.each<[string, GameballResult, Partial<typeof ctx>, Finish]>([
    ['ok: done', res({ kind: 'ok', cause: 'ok', httpStatus: 200 }), {}, { type: 'done' }],
    [
      '401 without a code: keys pause, attempt not counted',
      res({ kind: 'retry', cause: 'auth', httpStatus: 401, message: 'Unauthorized' }),
      {},
      {
        type: 'retry',
        nextAttemptAt: NOW + 300_000,
        code: '401',
        message: 'Gameball refused the keys: Unauthorized. Check the API key and secret key in the settings.',
        unknownOutcome: false,
        countAttempt: false,
      },
    ],
    [
      '403 with code 1002 on an unknown outcome: keeps it unknown',
      res({ kind: 'retry', cause: 'auth', httpStatus: 403, code: 1002, message: 'Forbidden' }),
      { unknownOutcome: true },
      {
        type: 'retry',
        nextAttemptAt: NOW + 300_000,
        code: '1002',
        message: 'Gameball refused the keys: Forbidden. Check the API key and secret key in the settings.',
        unknownOutcome: true,
        countAttempt: false,
      },
    ],
    [
      '4xx with a code: attention with it',
      res({ kind: 'attention', cause: 'rejected', httpStatus: 400, code: 3016, message: 'Invalid mobile' }),
      {},
      { type: 'attention', code: '3016', message: 'Invalid mobile' },
    ],
    [
      '4xx without a code: attention, HTTP_<status>',
      res({ kind: 'attention', cause: 'rejected', httpStatus: 422, message: 'Unprocessable' }),
      {},
      { type: 'attention', code: 'HTTP_422', message: 'Unprocessable' },
    ],
    [
      '5xx: backoff for the third attempt (jitter 0.5 of 4 s)',
      res({}),
      {},
      { type: 'retry', nextAttemptAt: NOW + 2_000, code: 'HTTP_500', message: 'Server error', unknownOutcome: false, countAttempt: true },
    ],
    [
      '2001 (concurrent): backoff, Gameball code',
      res({ cause: 'concurrent', httpStatus: 400, code: 2001, message: 'Another request is running' }),
      { attempts: 0 },
      {
        type: 'retry',
        nextAttemptAt: NOW + 500,
        code: '2001',
        message: 'Another request is running',
        unknownOutcome: false,
        countAttempt: true,
      },
    ],
    [
      'network error (no answer): the cause as the code',
      res({ cause: 'network', httpStatus: null, message: 'Cannot reach Gameball' }),
      {},
      {
        type: 'retry',
        nextAttemptAt: NOW + 2_000,
        code: 'NETWORK',
        message: 'Cannot reach Gameball',
        unknownOutcome: false,
        countAttempt: true,
      },
    ],
    [
      'answer lost after sending: unknown, looked up next time',
      res({ kind: 'unknown', cause: 'lost', httpStatus: null, message: 'The answer was lost' }),
      { unknownOutcome: true, attempts: 60 },
      {
        type: 'retry',
        nextAttemptAt: NOW + 30_000,
        code: 'LOST',
        message: 'The answer was lost',
        unknownOutcome: true,
        countAttempt: true,
      },
    ],
  ])('%s', (_name, answer, over, expected) => {
    expect(rowOutcome(answer, { ...ctx, ...over })).toEqual(expected);
  });
});
