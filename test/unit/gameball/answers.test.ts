// The minimal evidence each endpoint's answer must show (answers.ts): Gameball's documented
// answers pass, leniently; objects that only look like an answer do not.
import { describe, expect, test } from 'vitest';
import type { z } from 'zod';
import {
  CustomerAnswerSchema,
  notFoundAsNoTransactions,
  OrderTransactionsSchema,
  RefundAnswerSchema,
  ReferralValidationSchema,
  TrackOrderAnswerSchema,
  UpsertCustomerAnswerSchema,
} from '../../../main/gameball/answers.ts';
import type { OrderTransactions } from '../../../main/gameball/answers.ts';
import type { GameballResult } from '../../../main/gameball/outcome.ts';

const cases: Array<[string, z.ZodType, unknown[], unknown[]]> = [
  [
    'POST /orders',
    TrackOrderAnswerSchema,
    [
      { customerId: 'c-1', rewardedPoints: 12, redeemedPoints: 0, lineItems: [{ productId: 'p', points: 12 }] },
      { rewardedPoints: '12' },
      { customerId: 'c-1', pointsEarned: 4, status: 'done' },
      { redeemedPoints: 0 },
    ],
    [{}, { status: 'ok' }, { customerId: null, rewardedPoints: null }, { rewardedPoints: 'lots' }, { customerId: 7 }],
  ],
  [
    'POST /transactions/refund',
    RefundAnswerSchema,
    [
      { gameballTransactionId: '991', refundTransactionId: 'r-1', refundAmount: 40, refundEquivalentPoints: 40 },
      { gameballTransactionId: 991 },
      { refundTransactionId: 'r-1' },
    ],
    [{}, { ok: true }, { refundAmount: 'some' }],
  ],
  ['POST /customers', UpsertCustomerAnswerSchema, [{ gameballId: 5 }, {}, { gameballId: '5', anything: true }], [{ gameballId: { x: 1 } }]],
  [
    'GET /orders/{id}/transactions',
    OrderTransactionsSchema,
    [
      {
        transactions: [{ transactionId: 'o-1', transactionType: 'PaymentReward', equivalentPoints: 5, gameballTransactionId: 3 }],
        count: 1,
      },
      { transactions: [], count: 0 },
      { count: 0 },
      { transactions: [] },
    ],
    [{}, { transactions: null, count: null }, { transactions: 'none' }, { orders: [] }],
  ],
  [
    'GET /customers/{id}',
    CustomerAnswerSchema,
    [
      {
        gameballId: 1,
        customerId: 'c-1',
        referralCode: 'SIMAB12CD34',
        referralLink: 'https://x',
        isReferred: false,
        customerAttributes: {},
      },
      { customerId: 'c-1' },
      { gameballId: 1 },
    ],
    [{}, { referralCode: 'SIMAB12CD34' }, { customerId: 'c-1', isReferred: 'no' }],
  ],
  [
    'GET /referrals/validate',
    ReferralValidationSchema,
    [{ isValid: true }, { isValid: false, reason: 'x' }],
    [{}, { isValid: 'true' }, { valid: true }],
  ],
];

describe.each(cases)('%s', (_name, schema, accepted, refused) => {
  test.each(accepted.map((a) => [a]))('accepts %j', (answer) => {
    expect(schema.safeParse(answer).success).toBe(true);
  });
  test.each(refused.map((r) => [r]))('refuses %j', (answer) => {
    expect(schema.safeParse(answer).success).toBe(false);
  });
});

test('a transactions answer with only a count reads as an empty list', () => {
  expect(OrderTransactionsSchema.parse({ count: 0 }).transactions).toEqual([]);
});

describe('notFoundAsNoTransactions', () => {
  const result = (over: Partial<GameballResult<OrderTransactions>>): GameballResult<OrderTransactions> => ({
    kind: 'attention',
    cause: 'rejected',
    httpStatus: 404,
    code: 9005,
    message: 'Order not found.',
    requestId: 'rq',
    method: 'GET',
    path: '/orders/o-1/transactions',
    durationMs: 3,
    ...over,
  });

  test("Gameball's own 404/9005 is an answer: nothing recorded", () => {
    expect(notFoundAsNoTransactions(result({}))).toMatchObject({
      kind: 'ok',
      cause: 'ok',
      httpStatus: 404,
      code: 9005,
      value: { transactions: [] },
    });
  });

  test.each([
    ['a proxy 404 page (no code)', { code: null, message: 'Gameball answered HTTP 404 with a body that is not a Gameball error' }],
    ['an unknown path (another code)', { code: 4004 }],
    ['a 422 with 9005', { httpStatus: 422 }],
    ['a timeout', { httpStatus: null, code: null, kind: 'retry' as const, cause: 'timeout' as const }],
  ])('%s stays what it is', (_what, over) => {
    const r = result(over);
    expect(notFoundAsNoTransactions(r)).toBe(r);
  });
});
