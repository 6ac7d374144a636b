// Contract test: what the simulator accepts and what it answers must agree with Gameball's own
// OpenAPI document (read at run time, never copied into the repository). For each endpoint:
// every request body the simulator accepted validates against the spec's request schema, every
// 200 body validates against the spec's response schema, and bodies the spec calls invalid
// (a required field missing, a property of the wrong type, a value outside an enum) are refused.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../../main/simulator/index.ts';
import type { RunningSimulator } from '../../../main/simulator/index.ts';
import { api, order } from './sim-client.ts';
import type { Answer } from './sim-client.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const specFile = process.env.GAMEBALL_OPENAPI ?? resolve(repoRoot, '../shared/gameball/openapi-v4.0.json');
const haveSpec = existsSync(specFile);
if (!haveSpec) {
  console.warn(`Gameball OpenAPI contract test skipped: ${specFile} not found (set GAMEBALL_OPENAPI to its path).`);
}

const PREFIX = '/api/v4.0/integrations';

interface JsonSchema {
  type?: string | string[];
  required?: string[];
  properties?: Record<string, JsonSchema>;
  enum?: unknown[];
  $ref?: string;
}

interface Exchange {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path template as in the spec, after the /api/v4.0/integrations prefix. */
  template: string;
  request?: unknown;
  answer: Answer;
}

describe.skipIf(!haveSpec)('Gameball OpenAPI contract (openapi-v4.0.json)', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the OpenAPI document is untyped JSON
  let spec: any;
  let ajv: Ajv2020;
  let sim: RunningSimulator;
  const exchanges: Exchange[] = [];

  const pointer = (...parts: string[]): string => `openapi.json#/${parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
  const requestValidator = (template: string): ValidateFunction =>
    ajv.compile({ $ref: pointer('paths', PREFIX + template, 'post', 'requestBody', 'content', 'application/json', 'schema') });
  const responseValidator = (method: string, template: string): ValidateFunction =>
    ajv.compile({
      $ref: pointer('paths', PREFIX + template, method.toLowerCase(), 'responses', '200', 'content', 'application/json', 'schema'),
    });

  /** The spec's request schema with $refs into components resolved (one level is enough here). */
  function requestSchema(template: string): JsonSchema {
    let schema: JsonSchema = spec.paths[PREFIX + template].post.requestBody.content['application/json'].schema;
    if (schema.$ref) schema = spec.components.schemas[schema.$ref.split('/').pop() as string];
    return schema;
  }

  async function send(method: 'GET' | 'POST' | 'DELETE', template: string, path: string, body?: unknown): Promise<Answer> {
    const answer = await api(sim, method, path, body);
    exchanges.push({ method, template, ...(body !== undefined ? { request: body } : {}), answer });
    return answer;
  }

  beforeAll(async () => {
    spec = JSON.parse(readFileSync(specFile, 'utf8'));
    ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
    addFormats(ajv);
    ajv.addSchema(spec, 'openapi.json');
    sim = await startSimulator({ seed: 3, rateLimit: false, batchDelayMs: 0 });

    // A realistic session touching every endpoint the simulator serves.
    await send('POST', '/customers', '/customers', {
      customerId: 'ref-owner',
      email: 'owner@example.com',
      mobile: '+966500000001',
      customerAttributes: { displayName: 'Owner', channel: 'pos', custom: { tier: 'gold' } },
    });
    const owner = await send('GET', '/customers/{customerId}', '/customers/ref-owner');
    const code = owner.body.referralCode as string;
    await send('GET', '/referrals/validate', `/referrals/validate?referrerCode=${code}&forCustomerId=mobile_966500001234`);
    await send('POST', '/customers', '/customers', {
      customerId: 'mobile_966500001234',
      mobile: '+966500001234',
      referrerCode: code,
      guest: false,
    });
    const first = order({
      customerId: 'mobile_966500001234',
      totalPaid: 95.5,
      totalPrice: 100,
      totalDiscount: 4.5,
      totalTax: 0,
      totalShipping: 0,
      lineItems: [
        {
          productId: 'P1',
          sku: 'SKU1',
          title: 'Coffee',
          quantity: 2,
          price: 50,
          discount: 4.5,
          category: ['drinks'],
          tags: ['hot'],
          extra: { size: 'L', shots: 2 },
        },
      ],
      merchant: { uniqueId: 'store-1', name: 'Store', branch: { uniqueId: 'b-1', name: 'Main' } },
      extra: { receiptNo: 'R-1', till: 3 },
      referrerCode: code,
    });
    await send('POST', '/orders', '/orders', first);
    await send('POST', '/orders', '/orders', order({ customerId: 'walk-in', totalPaid: 10 }));
    await send('POST', '/transactions/refund', '/transactions/refund', {
      customerId: 'mobile_966500001234',
      refundTransactionId: 'RF-1',
      reverseTransactionId: first.orderId,
      transactionTime: '2026-01-02T00:00:00.000Z',
      refundAmount: 20,
    });
    await send('POST', '/transactions/refund', '/transactions/refund', {
      customerId: 'mobile_966500001234',
      refundTransactionId: 'RF-2',
      reverseTransactionId: first.orderId,
      transactionTime: '2026-01-02T00:00:01.000Z',
    });
    await send('GET', '/orders/{orderId}/transactions', `/orders/${first.orderId as string}/transactions`);
    const batch = await send('POST', '/batch/orders', '/batch/orders', {
      body: [order({ customerId: 'batch-1' }), order({ customerId: 'batch-2' })],
    });
    const lookup = await send('POST', '/batch/orders/transactions', '/batch/orders/transactions', {
      body: [first.orderId, 'unknown-order'],
    });
    // Let both jobs finish (polling, not a fixed sleep) so the status bodies checked against the
    // spec carry results.
    const deadline = Date.now() + 10_000;
    while (sim.control.ledger().batches.some((b) => b.status !== 'completed')) {
      if (Date.now() > deadline) throw new Error('batch jobs did not finish');
      await new Promise((r) => setTimeout(r, 5));
    }
    await send('GET', '/batches/{batchId}/status', `/batches/${batch.body.jobId as number}/status`);
    await send('GET', '/batches/{batchId}/status', `/batches/${lookup.body.jobId as number}/status`);

    // Loyalty at the till: the customer panel's reads, coupons locked, burned by an order and
    // released, and the reward preview.
    const who = 'mobile_966500001234';
    await send('GET', '/customers/{customerId}/balance', `/customers/${who}/balance`);
    await send('GET', '/customers/{customerId}/tier-progress', `/customers/${who}/tier-progress`);
    await send('GET', '/customers/{customerId}/tier-progress', '/customers/ref-owner/tier-progress');
    await send('GET', '/customers/{customerId}/referrals/count', '/customers/ref-owner/referrals/count');
    await send('POST', '/coupons/validate', '/coupons/validate', { customerId: who, coupons: ['WELCOME10'] });
    await send('POST', '/coupons/validate', '/coupons/validate', { customerId: who, coupons: ['NO-SUCH'] });
    const locked = await send('POST', '/coupons/validate', '/coupons/validate', {
      customerId: who,
      coupons: ['WELCOME10'],
      lock: true,
      lockDuration: 10,
      totalPurchaseAmount: 120,
    });
    await send(
      'POST',
      '/orders',
      '/orders',
      order({
        customerId: who,
        totalPaid: 110,
        totalPrice: 120,
        redemption: { couponsLockReference: locked.body.lockReference as string },
      }),
    );
    const second = await send('POST', '/coupons/validate', '/coupons/validate', { customerId: who, coupons: ['SAVE15'], lock: true });
    await send('DELETE', '/coupons/{lockReference}', `/coupons/${second.body.lockReference as string}`);
    await send('POST', '/coupons/burn', '/coupons/burn', { customerId: who, coupons: ['SAVE15'], transactionId: 'BURN-1' });
    await send('POST', '/orders/reward-preview', '/orders/reward-preview', { customerId: who, totalPaid: 90, totalPrice: 100 });
    await send('POST', '/orders/reward-preview', '/orders/reward-preview', { totalPaid: 12.5 });
    // A job that failed midway answers in the spec's shape too.
    sim.control.setFaults({ failBatchAfter: 1 });
    const failing = await send('POST', '/batch/orders', '/batch/orders', {
      body: [order({ customerId: 'batch-3' }), order({ customerId: 'batch-4' })],
    });
    while (sim.control.ledger().batches.some((b) => b.status !== 'completed' && b.status !== 'failed')) {
      if (Date.now() > deadline) throw new Error('batch jobs did not finish');
      await new Promise((r) => setTimeout(r, 5));
    }
    const failed = await send('GET', '/batches/{batchId}/status', `/batches/${failing.body.jobId as number}/status`);
    expect(failed.body).toMatchObject({ status: 'failed', processedItems: 1, totalItems: 2 });
    sim.control.setFaults({ failBatchAfter: 0 });

    // Spending points: a hold by points (with the QR's hash), one by amount, a look-up, a release,
    // and an order that redeems a hold.
    const held = await send('POST', '/transactions/hold', '/transactions/hold', {
      customerId: 'mobile_966500001234',
      transactionTime: '2026-01-02T00:00:02.000Z',
      pointsToHold: 20,
      hash: '123456',
      ignoreOTP: true,
    });
    const byAmount = await send('POST', '/transactions/hold', '/transactions/hold', {
      customerId: 'mobile_966500001234',
      transactionTime: '2026-01-02T00:00:03.000Z',
      amountToHold: 1,
    });
    const ref = held.body.holdReference as string;
    await send('GET', '/transactions/hold/{holdReferenceId}', `/transactions/hold/${ref}`);
    await send('DELETE', '/transactions/hold/{holdReferenceId}', `/transactions/hold/${byAmount.body.holdReference as string}`);
    await send(
      'POST',
      '/orders',
      '/orders',
      order({ customerId: 'mobile_966500001234', totalPaid: 30, totalDiscount: 2, redemption: { pointsHoldReference: ref } }),
    );
  });

  afterAll(async () => {
    await sim?.close();
  });

  const endpoints: Array<['GET' | 'POST' | 'DELETE', string]> = [
    ['POST', '/transactions/hold'],
    ['GET', '/transactions/hold/{holdReferenceId}'],
    ['DELETE', '/transactions/hold/{holdReferenceId}'],
    ['POST', '/customers'],
    ['GET', '/customers/{customerId}'],
    ['GET', '/referrals/validate'],
    ['POST', '/orders'],
    ['GET', '/orders/{orderId}/transactions'],
    ['POST', '/transactions/refund'],
    ['POST', '/batch/orders'],
    ['POST', '/batch/orders/transactions'],
    ['GET', '/batches/{batchId}/status'],
    ['GET', '/customers/{customerId}/balance'],
    ['GET', '/customers/{customerId}/tier-progress'],
    ['GET', '/customers/{customerId}/referrals/count'],
    ['POST', '/coupons/validate'],
    ['POST', '/coupons/burn'],
    ['DELETE', '/coupons/{lockReference}'],
    ['POST', '/orders/reward-preview'],
  ];

  it.each(endpoints)('%s %s: accepted requests and 200 answers match the spec', (method, template) => {
    const seen = exchanges.filter((e) => e.method === method && e.template === template);
    expect(seen.length).toBeGreaterThan(0);
    const validateResponse = responseValidator(method, template);
    for (const e of seen) {
      expect(e.answer.status, JSON.stringify(e.answer.body)).toBe(200);
      if (e.request !== undefined && method === 'POST') {
        const validateRequest = requestValidator(template);
        expect(validateRequest(e.request), ajv.errorsText(validateRequest.errors)).toBe(true);
      }
      expect(validateResponse(e.answer.body), `${ajv.errorsText(validateResponse.errors)} in ${JSON.stringify(e.answer.body)}`).toBe(true);
    }
  });

  const writes: Array<[string, () => Record<string, unknown>]> = [
    [
      '/transactions/hold',
      () => ({ customerId: 'walk-in', transactionTime: '2026-01-02T00:00:04.000Z', pointsToHold: 1, mobile: '+966500000009' }),
    ],
    ['/customers', () => ({ customerId: `c-${Math.random()}`, email: 'x@example.com', mobile: '+966500000009', guest: true })],
    [
      '/orders',
      () =>
        order({
          customerId: `o-${Math.random()}`,
          email: 'x@example.com',
          mobile: '+966500000009',
          channel: 'pos',
          totalPrice: 1,
          guest: false,
        }),
    ],
  ];

  it.each(writes)('POST %s: every field the spec marks required is required (400/3000)', async (template, valid) => {
    const schema = requestSchema(template);
    expect(schema.required?.length).toBeGreaterThan(0);
    for (const field of schema.required ?? []) {
      const body = valid();
      expect(requestValidator(template)(body)).toBe(true);
      delete body[field];
      const answer = await api(sim, 'POST', template, body);
      expect([field, answer.status, answer.body.code]).toEqual([field, 400, 3000]);
    }
  });

  it.each(writes)('POST %s: a wrong type or an unknown enum value for a spec property is refused (422/3003)', async (template, valid) => {
    const schema = requestSchema(template);
    const wrongFor = (s: JsonSchema): unknown =>
      s.enum
        ? 'not-in-enum'
        : s.type === 'string'
          ? 12345
          : s.type === 'number' || s.type === 'integer'
            ? 'twelve'
            : s.type === 'boolean'
              ? 'yes'
              : undefined;
    let checked = 0;
    for (const [name, prop] of Object.entries(schema.properties ?? {})) {
      const wrong = wrongFor(prop);
      if (wrong === undefined) continue;
      const body = { ...valid(), [name]: wrong };
      const validate = requestValidator(template);
      expect(validate(body), `spec should reject ${name}=${JSON.stringify(wrong)}`).toBe(false);
      const answer = await api(sim, 'POST', template, body);
      expect([name, answer.status, answer.body.code]).toEqual([name, 422, 3003]);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(4);
  });

  it('POST /transactions/refund: every field the spec marks required is required (400/3000)', async () => {
    const o = order({ customerId: 'refund-contract' });
    await api(sim, 'POST', '/orders', o);
    const schema = requestSchema('/transactions/refund');
    for (const field of schema.required ?? []) {
      const body: Record<string, unknown> = {
        customerId: 'refund-contract',
        refundTransactionId: `RF-${field}`,
        reverseTransactionId: o.orderId,
        transactionTime: '2026-01-02T00:00:00.000Z',
        refundAmount: 1,
      };
      delete body[field];
      const answer = await api(sim, 'POST', '/transactions/refund', body);
      expect([field, answer.status, answer.body.code]).toEqual([field, 400, 3000]);
    }
  });

  it("error bodies carry the spec's error fields (code integer, type and message strings)", async () => {
    // The spec documents error bodies inline; take every one that has code, type and message.
    const shapes: JsonSchema[] = [];
    for (const item of Object.values(spec.paths) as Array<
      Record<string, { responses?: Record<string, { content?: Record<string, { schema?: JsonSchema }> }> }>
    >) {
      for (const op of Object.values(item)) {
        for (const [status, response] of Object.entries(op.responses ?? {})) {
          const schema = response.content?.['application/json']?.schema;
          if (status !== '200' && schema?.properties?.code && schema.properties.type && schema.properties.message) shapes.push(schema);
        }
      }
    }
    expect(shapes.length).toBeGreaterThan(0);
    const answer = await api(sim, 'POST', '/orders', { ...order(), totalPaid: 'x' });
    expect(answer.status).toBe(422);
    for (const shape of shapes) {
      const validate = ajv.compile(shape);
      expect(validate(answer.body), ajv.errorsText(validate.errors)).toBe(true);
    }
  });
});
