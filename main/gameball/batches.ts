// Gameball's batch endpoints, as the sync engine uses them (the OpenAPI v4.0 `Batches` tag):
//  - `POST /batch/orders`: 1 to 1,000 orders in one call, each item an order body; answered at once
//    with `{ jobId }` while the job runs asynchronously. Its item schema has no `referrerCode`.
//  - `GET /batches/{batchId}/status`: `pending`, `processing`, `completed` or `failed`, with
//    per-item `results` (`index`, `orderId`, `status` success|failed, Gameball's `code` and
//    `message` for a failed item, `rewardedPoints` for an accepted one).
//  - `POST /batch/orders/transactions` is a look-up (the transactions of up to 1,000 order ids),
//    not a write: the contract has no batch refund, so refunds always go one by one. The engine
//    uses it to confirm many orders of unknown outcome at once: its job's items are the ids, each
//    result lists the order's transactions (as `GET /orders/{orderId}/transactions` would) or
//    fails with 9005 when Gameball has no such order.
// Thin like client.ts: the answer shapes (with the minimal evidence that an answer is Gameball's)
// and the requests; every answer becomes a GameballResult through the same classification.
import { z } from 'zod';
import type { GameballClient } from './client.ts';
import type { GameballResult } from './outcome.ts';

/** Gameball's documented maximum of items in one batch call. */
export const MAX_BATCH_ITEMS = 1_000;

const JobId = z.union([z.number(), z.string().regex(/^\d+$/)]).transform(String);

/** `{ jobId }`: without a job id the answer is not Gameball's (a write: unknown outcome). */
export const BatchJobAnswerSchema = z.object({ jobId: JobId }).loose();
export type BatchJobAnswer = z.infer<typeof BatchJobAnswerSchema>;

export const BatchItemResultSchema = z
  .object({
    index: z.number().int().nullish(),
    orderId: z.string().nullish(),
    status: z.string(),
    code: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).nullish(),
    message: z.string().nullish(),
    rewardedPoints: z.number().nullish(),
  })
  .loose();
export type BatchItemResult = z.infer<typeof BatchItemResultSchema>;

/** A job's status: `status` is the evidence; results that do not parse are dropped (their rows are then confirmed). */
export const BatchStatusAnswerSchema = z
  .object({
    batchId: z.union([z.string(), z.number()]).nullish(),
    status: z.enum(['pending', 'processing', 'completed', 'failed']),
    progress: z.number().nullish(),
    totalItems: z.number().nullish(),
    processedItems: z.number().nullish(),
    failedItems: z.number().nullish(),
    results: z
      .array(z.unknown())
      .nullish()
      .transform((list) =>
        (list ?? []).flatMap((r) => {
          const parsed = BatchItemResultSchema.safeParse(r);
          return parsed.success ? [parsed.data] : [];
        }),
      ),
  })
  .loose();
export type BatchStatusAnswer = z.infer<typeof BatchStatusAnswerSchema>;

/** `POST /batch/orders` with `{ body: items }` (the spec's wrapping). Not idempotent: a lost answer is an unknown outcome. */
export function postBatchOrders(
  client: GameballClient,
  items: readonly object[],
  signal?: AbortSignal,
): Promise<GameballResult<BatchJobAnswer>> {
  return client.request({
    method: 'POST',
    path: '/batch/orders',
    body: { body: items },
    schema: BatchJobAnswerSchema,
    idempotent: false,
    signal,
  });
}

/** `GET /batches/{batchId}/status` (a read: safe to repeat). */
export function batchStatus(client: GameballClient, jobId: string, signal?: AbortSignal): Promise<GameballResult<BatchStatusAnswer>> {
  return client.request({
    method: 'GET',
    path: `/batches/${encodeURIComponent(jobId)}/status`,
    schema: BatchStatusAnswerSchema,
    idempotent: true,
    signal,
  });
}

/** Gameball's "order not found" (9005): an item of a look-up job whose order Gameball does not have. */
export const ORDER_NOT_FOUND = 9005;

/**
 * `POST /batch/orders/transactions` with `{ body: orderIds }`: starts a job that looks the orders
 * up (answered at once with `{ jobId }`; the results come with the job's status). A read: a lost
 * answer at worst leaves a job nobody follows, so it is safe to repeat.
 */
export function postBatchOrderTransactions(
  client: GameballClient,
  orderIds: readonly string[],
  signal?: AbortSignal,
): Promise<GameballResult<BatchJobAnswer>> {
  return client.request({
    method: 'POST',
    path: '/batch/orders/transactions',
    body: { body: orderIds },
    schema: BatchJobAnswerSchema,
    idempotent: true,
    signal,
  });
}
