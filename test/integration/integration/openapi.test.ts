// docs/local-api.openapi.json says what the local API does: checked here against the real server.
// Every answer the tests provoke (each path, each status) is documented for its path and method
// and fits the documented schema; the sale and refund schemas accept and refuse the same bodies
// as the zod schemas the server parses them with.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, noSync } from '../../../main/engine.ts';
import type { Engine } from '../../../main/engine.ts';
import { apiTokenPath } from '../../../main/integration/api-token.ts';
import { PosRefundSchema } from '../../../main/integration/api-server.ts';
import type { RunningApiServer } from '../../../main/integration/api-server.ts';
import { PosSaleSchema } from '../../../main/integration/sale.ts';
import { startIntegrationApi } from '../../../main/integration/start.ts';
import { createLogger } from '../../../main/log.ts';
import { apiCall } from '../../support/api-client.ts';
import type { ApiAnswer } from '../../support/api-client.ts';
import { testCipher } from '../../support/test-cipher.ts';
import { steppedClock, tempDir } from '../../support/till-fixture.ts';

interface OpenApiDoc {
  paths: Record<string, Record<string, { responses: Record<string, { content?: { 'application/json': { schema: { $ref: string } } } }> }>>;
  components: { schemas: Record<string, unknown> };
}

const doc = JSON.parse(readFileSync(join(import.meta.dirname, '../../../docs/local-api.openapi.json'), 'utf8')) as OpenApiDoc;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(doc, 'local-api');
const validator = (name: string) => {
  const v = ajv.getSchema(`local-api#/components/schemas/${name}`);
  if (!v) throw new Error(`no schema ${name}`);
  return v;
};

const SALE = { posSaleId: 'S-1043', totalPaid: '125.50', currency: 'SAR', receiptNo: 'R-1043', soldAt: '2025-03-01T11:32:00+03:00' };

/** Bodies both sides must agree on (amount rules beyond the decimals' shape are the server's alone). */
const SALE_BODIES: [string, unknown][] = [
  ['minimal', SALE],
  [
    'with a customer and every amount',
    { ...SALE, mobile: '0500000001', referrerCode: 'FRIEND1', totalPrice: '130.00', totalDiscount: '4.50', totalTax: '16.37' },
  ],
  ['nulls and blanks for absent fields', { ...SALE, mobile: null, customerId: '', totalTax: null }],
  ['customerId', { ...SALE, customerId: 'mobile_966500000001' }],
  ['UTC time', { ...SALE, soldAt: '2025-03-01T08:32:00Z' }],
  ['no posSaleId', { ...SALE, posSaleId: undefined }],
  ['a space in posSaleId', { ...SALE, posSaleId: 'S 1043' }],
  ['a numeric total', { ...SALE, totalPaid: 125.5 }],
  ['a negative total', { ...SALE, totalPaid: '-1.00' }],
  ['a comma decimal', { ...SALE, totalPaid: '125,50' }],
  ['lower-case currency', { ...SALE, currency: 'sar' }],
  ['no receipt', { ...SALE, receiptNo: undefined }],
  ['a blank receipt', { ...SALE, receiptNo: '  ' }],
  ['a time without offset', { ...SALE, soldAt: '2025-03-01T11:32:00' }],
  ['not a time', { ...SALE, soldAt: 'yesterday' }],
  ['an unknown field', { ...SALE, colour: 'red' }],
  ['a numeric mobile', { ...SALE, mobile: 500000001 }],
  ['a long receipt', { ...SALE, receiptNo: 'R'.repeat(101) }],
  ['an array', [SALE]],
  ['null', null],
];

const REFUND_BODIES: [string, unknown][] = [
  ['by sale', { posRefundId: 'RF-1', posSaleId: 'S-1043' }],
  ['by order with an amount', { posRefundId: 'RF-1', orderId: 'till-1-x', amount: '10.00' }],
  ['no sale or order', { posRefundId: 'RF-1' }],
  ['no refund id', { posSaleId: 'S-1043' }],
  ['a numeric amount', { posRefundId: 'RF-1', posSaleId: 'S-1043', amount: 10 }],
  ['an unknown field', { posRefundId: 'RF-1', posSaleId: 'S-1043', reason: 'x' }],
];

describe('the OpenAPI document matches the zod schemas', () => {
  it.each(SALE_BODIES)('sale body: %s', (_name, body) => {
    const clean = body !== null && typeof body === 'object' && !Array.isArray(body) ? JSON.parse(JSON.stringify(body)) : body;
    expect(validator('SaleRequest')(clean)).toBe(PosSaleSchema.safeParse(clean).success);
  });
  it.each(REFUND_BODIES)('refund body: %s', (_name, body) => {
    expect(validator('RefundRequest')(body)).toBe(PosRefundSchema.safeParse(body).success);
  });
});

describe('the OpenAPI document matches the server', () => {
  let engine: Engine;
  let api: RunningApiServer;
  let token: string;
  let dir: { dir: string; cleanup(): void };
  const seen: { method: string; path: string; answer: ApiAnswer }[] = [];

  beforeAll(async () => {
    dir = tempDir('pos-openapi-');
    const logger = createLogger({ destination: new Writable({ write: (_c, _e, done) => done() }) });
    engine = await createEngine({ dataDir: dir.dir, clock: steppedClock(), logger, secretCipher: testCipher(), env: {}, sync: noSync });
    const started = await startIntegrationApi({ engine, logger, port: 0 });
    if (!started.api) throw new Error(started.problem ?? 'no API');
    api = started.api;
    token = readFileSync(apiTokenPath(dir.dir), 'utf8').trim();
  });
  afterAll(async () => {
    await api.close();
    await engine.close();
    dir.cleanup();
  });

  /** Calls the API and records the answer under the documented path template. */
  async function call(method: string, template: string, path: string, opts: Parameters<typeof apiCall>[3] = {}) {
    const answer = await apiCall(api.origin, method, path, { token, ...opts });
    seen.push({ method: method.toLowerCase(), path: template, answer });
    return answer;
  }

  it('documents every answer the server gives, with its schema', async () => {
    await call('POST', '/v1/sales', '/v1/sales', { body: SALE }); // 202
    await call('POST', '/v1/sales', '/v1/sales', { body: { ...SALE, mobile: '0500000001' } }); // completes it: 201
    await call('POST', '/v1/sales', '/v1/sales', { body: SALE }); // 200
    await call('POST', '/v1/sales', '/v1/sales', { body: { ...SALE, totalPaid: '1.00' } }); // 409
    await call('POST', '/v1/sales', '/v1/sales', { body: { ...SALE, posSaleId: 'S-2', totalPaid: '1.234' } }); // 422
    await call('POST', '/v1/sales', '/v1/sales', { rawBody: '{' }); // 400
    await call('POST', '/v1/sales', '/v1/sales', { rawBody: 'x', headers: { 'content-type': 'text/plain' } }); // 415
    await call('POST', '/v1/sales', '/v1/sales', { rawBody: JSON.stringify({ ...SALE, receiptNo: 'x'.repeat(20_000) }) }); // 413
    await call('POST', '/v1/sales', '/v1/sales', { token: null, body: SALE }); // 401
    await call('POST', '/v1/sales', '/v1/sales', { headers: { origin: 'https://example.com' }, body: SALE }); // 403
    await call('GET', '/v1/sales/{posSaleId}', '/v1/sales/S-1043'); // 200
    await call('GET', '/v1/sales/{posSaleId}', '/v1/sales/NOPE'); // 404
    await call('POST', '/v1/refunds', '/v1/refunds', { body: { posRefundId: 'RF-1', posSaleId: 'S-1043', amount: '5.00' } }); // 201
    await call('POST', '/v1/refunds', '/v1/refunds', { body: { posRefundId: 'RF-1', posSaleId: 'S-1043', amount: '5.00' } }); // 200
    await call('POST', '/v1/refunds', '/v1/refunds', { body: { posRefundId: 'RF-2', posSaleId: 'S-1043', amount: '500.00' } }); // 422
    await call('POST', '/v1/sales', '/v1/sales', { body: { ...SALE, posSaleId: 'S-3' } });
    await call('POST', '/v1/refunds', '/v1/refunds', { body: { posRefundId: 'RF-3', posSaleId: 'S-3' } }); // 409
    await call('GET', '/v1/status', '/v1/status'); // 200

    const statuses = new Set<string>();
    for (const { method, path, answer } of seen) {
      const operation = doc.paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      const documented = operation?.responses[String(answer.status)];
      expect(documented, `${method} ${path} answered ${answer.status}, which the document does not list`).toBeDefined();
      const ref = documented?.content?.['application/json'].schema.$ref ?? '';
      const validate = ajv.getSchema(`local-api${ref}`);
      expect(validate, ref).toBeDefined();
      const ok = validate?.(answer.body);
      expect(ok, `${method} ${path} ${answer.status}: ${JSON.stringify(validate?.errors)} for ${answer.text}`).toBe(true);
      statuses.add(`${method} ${path} ${answer.status}`);
    }
    // The calls above reached every documented path, and the answers the test meant to provoke.
    for (const path of Object.keys(doc.paths)) expect([...statuses].some((s) => s.includes(` ${path} `))).toBe(true);
    for (const s of ['202', '201', '200', '409', '422', '400', '415', '413', '401', '403', '404'])
      expect(
        [...statuses].some((x) => x.endsWith(` ${s}`)),
        s,
      ).toBe(true);
  });
});
