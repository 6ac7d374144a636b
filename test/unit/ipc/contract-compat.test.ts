// The contract (preload/api.ts) re-declares the engine's wire shapes instead of importing main/.
// These tests keep the two in step: whatever the screen may send, once adapted, the engine's own
// schemas accept; whatever the engine answers, once adapted, the contract accepts. A field added
// or renamed on one side only fails here, not at a till.
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import * as api from '../../../preload/api.ts';
import { classifyScan, ScanClassificationSchema, ScanEventSchema } from '../../../preload/scan-classify.ts';
import * as engine from '../../../main/orders/schemas.ts';
import { keyProblem } from '../../../main/config/keys.ts';
import { defaultSettings, SettingsPatchSchema, SettingsSchema } from '../../../main/config/settings.ts';
import {
  fromEngineCapturedOrder,
  fromEngineOrderDetail,
  fromEngineSettings,
  fromEngineStatus,
  toEngineOrderInput,
  toEngineRefundInput,
  toEngineOrderPatch,
  toEngineSettingsPatch,
} from '../../../main/ipc/wire.ts';

const keysOf = (s: z.ZodObject) => Object.keys(s.shape).sort();

const orderView: engine.OrderView = {
  orderId: 'till-1-000042',
  customerId: 'mobile_966500001234',
  mobile: '+966500001234',
  name: 'Sara',
  email: null,
  currency: 'SAR',
  totalPaid: '125.50',
  totalPaidMinor: 12550,
  totalPrice: null,
  receiptNo: 'R-17',
  referrerCode: 'REF123456',
  orderDate: '2025-01-02T03:04:05.006Z',
  storeId: null,
  branchId: 'b1',
  tillId: 'till-1',
  training: true,
  state: 'attention',
  rewardedPoints: null,
  attentionCode: '7003',
  attentionMessage: 'Referral code not found',
  discardReason: null,
  createdAt: '2025-01-02T03:04:05.006Z',
  updatedAt: '2025-01-02T03:04:06.000Z',
  syncedAt: null,
};

const refundView: engine.RefundView = {
  refundId: 'rf-1',
  orderId: orderView.orderId,
  customerId: orderView.customerId,
  amount: '10.00',
  amountMinor: 1000,
  currency: 'SAR',
  transactionTime: '2025-01-03T00:00:00.000Z',
  training: false,
  state: 'pending',
  attentionCode: null,
  attentionMessage: null,
  discardReason: null,
  createdAt: '2025-01-03T00:00:00.000Z',
  updatedAt: '2025-01-03T00:00:00.000Z',
  syncedAt: null,
};

describe('screen -> engine', () => {
  it.each<[string, api.OrderCaptureRequest, Record<string, unknown>]>([
    ['a mobile-only capture in SAR', { customer: { mobile: '0500001234' }, currency: 'SAR', totalPaidMinor: 12550 }, { mobile: '0500001234', currency: 'SAR', totalPaid: '125.50' }],
    ['KWD has three decimals', { customer: { customerId: 'mobile_96550000000' }, currency: 'KWD', totalPaidMinor: 1500 }, { customerId: 'mobile_96550000000', totalPaid: '1.500' }],
    ['JPY has none', { customer: { mobile: '09012345678' }, currency: 'JPY', totalPaidMinor: 980 }, { totalPaid: '980' }],
    [
      'every optional field',
      {
        customer: { mobile: '+966500001234', customerId: 'mobile_966500001234', name: 'Sara', email: 'sara@example.com' },
        currency: 'SAR',
        totalPaidMinor: 9000,
        totalPriceMinor: 10000,
        totalDiscountMinor: 1000,
        totalTaxMinor: 0,
        totalShippingMinor: 5,
        lineItems: [{ productId: 'p1', title: 'Tea', sku: 'T-1', category: ['drinks'], quantity: 2, priceMinor: 5000 }],
        receiptNo: 'R-9',
        referrerCode: 'REF123456',
        clientRef: '5f0c7f0e-1b7a-4b3e-9a51-3d2f1c0b9e11',
      },
      { totalPrice: '100.00', totalDiscount: '10.00', totalTax: '0.00', totalShipping: '0.05', referrerCode: 'REF123456', clientRef: '5f0c7f0e-1b7a-4b3e-9a51-3d2f1c0b9e11' },
    ],
  ])('capture: %s is accepted by the engine with exact decimal text', (_what, req, expected) => {
    const parsedReq = api.OrderCaptureRequestSchema.parse(req);
    const input = toEngineOrderInput(parsedReq);
    const res = engine.OrderInputSchema.safeParse(input);
    expect(res.success, JSON.stringify(res.error?.issues)).toBe(true);
    expect(input).toMatchObject(expected);
  });

  it('a refund keeps its minor units and its clientRef; a clientRef the engine would refuse is refused at the door', () => {
    const full = toEngineRefundInput(api.RefundCaptureRequestSchema.parse({ orderId: 'till-1-x' }));
    expect(full).toEqual({ orderId: 'till-1-x' });
    const partial = toEngineRefundInput(api.RefundCaptureRequestSchema.parse({ orderId: 'till-1-x', amountMinor: 1250, clientRef: 'refund-ref-0001' }));
    expect(partial).toEqual({ orderId: 'till-1-x', amountMinor: 1250, clientRef: 'refund-ref-0001' });
    for (const input of [full, partial]) expect(engine.RefundInputSchema.safeParse(input).success).toBe(true);
    for (const ref of ['short', 'has space in it', 'x'.repeat(65), 'ref/with/slashes']) {
      expect(api.ClientRefSchema.safeParse(ref).success, ref).toBe(false);
      expect(engine.ClientRefSchema.safeParse(ref).success, ref).toBe(false);
    }
    expect(api.ClientRefSchema.safeParse(crypto.randomUUID()).success).toBe(true);
  });

  it('a replayed capture says so on the wire', () => {
    const captured = engine.CapturedOrderSchema.parse({ ...orderView, calls: ['track_order'], newCustomer: false, replayed: true });
    expect(api.CapturedOrderSchema.parse(fromEngineCapturedOrder(captured)).replayed).toBe(true);
    expect(api.CapturedRefundSchema.parse({ ...refundView, replayed: true }).replayed).toBe(true);
  });

  it('line item prices arrive as the unit price in decimal text', () => {
    const input = toEngineOrderInput(api.OrderCaptureRequestSchema.parse({ customer: { mobile: '0500001234' }, currency: 'SAR', totalPaidMinor: 1, lineItems: [{ productId: 'p', quantity: 3, priceMinor: 199 }] }));
    expect(input.lineItems).toEqual([{ productId: 'p', quantity: 3, price: '1.99' }]);
  });

  it('an edit patch is accepted by the engine', () => {
    const patch = api.OrderPatchSchema.parse({ mobile: '0500001234', name: 'Sara', email: 'a@b.co', totalPaidMinor: 1001, receiptNo: 'R1', referrerCode: null });
    const out = toEngineOrderPatch(patch, 'SAR');
    expect(engine.OrderEditPatchSchema.safeParse(out).success).toBe(true);
    expect(out).toMatchObject({ totalPaid: '10.01', referrerCode: null });
  });

  it('a referral check request is accepted by the engine', () => {
    const req = api.ReferralCheckRequestSchema.parse({ customer: { mobile: '0500001234' }, referrerCode: 'REF123456' });
    expect(engine.ReferralCheckInputSchema.safeParse(req).success).toBe(true);
  });

  it('list and export queries are accepted by the engine', () => {
    expect(engine.OrderListQuerySchema.safeParse(api.OrderListRequestSchema.parse({ state: 'attention', search: 'x' })).success).toBe(true);
    expect(engine.ExportQuerySchema.safeParse(api.ExportRequestSchema.parse({})).success).toBe(true);
  });

  it('every settings patch the contract allows is accepted by the engine, scanner fields flattened', () => {
    const patch = api.SettingsPatchSchema.parse({
      tillId: 'till-7',
      storeId: 's1',
      storeName: 'Olaya',
      branchId: null,
      branchName: null,
      currency: 'KWD',
      country: 'KW',
      apiVersion: 'v4.1',
      language: 'ar',
      referralParams: ['ref'],
      customerIdPrefixes: ['mobile_'],
      receiptPattern: '^R-\\d+$',
      scanner: { mode: 'hidpos', deviceId: '0c2e:0b61' },
      kiosk: true,
      startAtLogin: false,
    });
    const current = defaultSettings('till-1');
    const out = toEngineSettingsPatch(patch, current);
    const res = SettingsPatchSchema.safeParse(out);
    expect(res.success, JSON.stringify(res.error?.issues)).toBe(true);
    expect(out).toMatchObject({ scanner: { mode: 'hidpos', deviceId: '0c2e:0b61' } });
    // Every patchable contract key is an engine setting.
    const engineKeys = new Set(Object.keys(SettingsPatchSchema.shape));
    for (const k of Object.keys(out)) expect(engineKeys.has(k), k).toBe(true);
  });

  it('the screen refuses exactly the keys the engine refuses (the pattern is re-declared in the contract), saying why', () => {
    const samples = [
      'gb-api-key-5f3c9a7e21',
      '0123456789abcdef0123456789abcdef',
      'a+b/c=d~e.f_g-h',
      '  padded-key-123  ',
      'KEYAAAAAAA KEYBBBBBBB',
      'KEYAAAAAAA\tKEYB',
      'KEYAAAAAAA\u00e9',
      'KEY"AAAAAAA',
      'short',
      'x'.repeat(257),
    ];
    for (const s of samples) expect(api.SetKeysRequestSchema.safeParse({ apiKey: s }).success, JSON.stringify(s)).toBe(keyProblem(s.trim()) === null);
    const refused = api.SetKeysRequestSchema.safeParse({ secretKey: 'KEYAAAAAAA KEYBBBBBBB' });
    expect(refused.error?.issues[0]?.message).toMatch(/letters, digits/);
    expect(JSON.stringify(refused.error?.issues)).not.toContain('KEYAAAAAAA');
  });

  it('the screen refuses the receipt patterns the engine refuses', () => {
    for (const p of ['^R-\\d+$', 'POS:\\d{4,8}', '(INV|RC)-\\d+', '(a+)+', '(a|ab)*c', '(\\d+)\\1', '(?=a)a', '\\w+\\w+\\w+\\w+', '[']) {
      expect(api.SettingsPatchSchema.safeParse({ receiptPattern: p }).success, p).toBe(SettingsPatchSchema.safeParse({ receiptPattern: p }).success);
    }
    expect(api.SettingsPatchSchema.safeParse({ receiptPattern: '(a+)+' }).success).toBe(false);
  });

  it('a patch of one scanner field keeps the other from the current settings', () => {
    const current = { ...defaultSettings('till-1'), scanner: { mode: 'hidpos' as const, deviceId: '0c2e:0b61' } };
    expect(toEngineSettingsPatch(api.SettingsPatchSchema.parse({ scanner: { mode: 'keyboard' } }), current)).toEqual({ scanner: { mode: 'keyboard', deviceId: '0c2e:0b61' } });
    expect(toEngineSettingsPatch(api.SettingsPatchSchema.parse({ scanner: { deviceId: null } }), current)).toEqual({ scanner: { mode: 'hidpos', deviceId: null } });
    expect(SettingsPatchSchema.safeParse(toEngineSettingsPatch(api.SettingsPatchSchema.parse({ scanner: { deviceId: null } }), current)).success).toBe(true);
  });
});

describe('engine -> screen', () => {
  it('every order view field the contract names comes from the engine', () => {
    const engineKeys = new Set(keysOf(engine.OrderViewSchema));
    for (const k of keysOf(api.OrderViewSchema)) expect(engineKeys.has(k), k).toBe(true);
    expect(api.OrderViewSchema.safeParse(engine.OrderViewSchema.parse(orderView)).success).toBe(true);
  });

  it('a captured order passes, and says whether it registers a new customer', () => {
    const captured = engine.CapturedOrderSchema.parse({ ...orderView, calls: ['register_customer', 'track_order'], newCustomer: true });
    const wire = api.CapturedOrderSchema.parse(fromEngineCapturedOrder(captured));
    expect(wire.newCustomer).toBe(true);
    expect(api.CapturedOrderSchema.parse(fromEngineCapturedOrder({ ...captured, newCustomer: false, calls: ['track_order'] })).newCustomer).toBe(false);
    // Derived from the queued calls when the engine does not say.
    const { newCustomer: _omit, ...withoutFlag } = captured;
    expect(api.CapturedOrderSchema.parse(fromEngineCapturedOrder(withoutFlag)).newCustomer).toBe(true);
  });

  it('an order detail passes, with its totals in minor units and its refunds and sync log', () => {
    const detail = engine.OrderDetailSchema.parse({
      ...orderView,
      totalPrice: '130.00',
      totalPriceMinor: 13000,
      totalDiscount: '4.50',
      totalDiscountMinor: 450,
      totalTax: null,
      totalTaxMinor: null,
      totalShipping: null,
      totalShippingMinor: null,
      lineItems: [{ productId: 'p1', quantity: 1, priceMinor: 13000 }],
      refunds: [refundView],
      outbox: [],
      syncLog: [{ id: 1, outboxId: 1, entityId: orderView.orderId, method: 'POST', path: '/orders', httpStatus: 422, gameballCode: 7003, message: 'Referral code not found', requestId: 'r1', outcome: 'attention', durationMs: 40, at: orderView.createdAt }],
    });
    const wire = api.OrderDetailSchema.parse(fromEngineOrderDetail(detail));
    expect(wire).toMatchObject({ totalPriceMinor: 13000, totalDiscountMinor: 450, totalTaxMinor: null });
    expect(wire.refunds[0]?.amountMinor).toBe(1000);
    expect(wire.syncLog[0]?.gameballCode).toBe(7003);
    expect(fromEngineOrderDetail(undefined)).toBeNull();
  });

  it('every refund field the contract names comes from the engine', () => {
    const engineKeys = new Set(keysOf(engine.CapturedRefundSchema));
    for (const k of keysOf(api.CapturedRefundSchema)) expect(engineKeys.has(k), k).toBe(true);
    expect(api.CapturedRefundSchema.safeParse(refundView).success).toBe(true);
  });

  it('sync status passes, with Gameball error codes as text', () => {
    const counts = { pending: 2, sending: 1, synced: 7, attention: 1, discarded: 0 };
    const status = engine.SyncStatusSchema.parse({ counts, refundCounts: counts, oldestPendingAgeMs: 1000, lastSuccessAt: null, lastError: { at: 'x', message: 'Server error', code: '5000', entityId: 'o1' }, online: false, training: true });
    const wire = api.SyncStatusSchema.parse(fromEngineStatus(status));
    expect(wire.lastError).toEqual({ at: 'x', message: 'Server error', code: '5000' });
    expect(api.SyncStatusSchema.parse(fromEngineStatus({ ...status, lastError: { at: 'y', message: 'Offline' } })).lastError).toEqual({ at: 'y', message: 'Offline' });
  });

  it('sync status carries the till clock figures, and the contract accepts an engine that reports none', () => {
    const counts = { pending: 0, sending: 0, synced: 1, attention: 0, discarded: 0 };
    const plain = { counts, refundCounts: counts, oldestPendingAgeMs: null, lastSuccessAt: null, lastError: null, online: true, training: false };
    const clock = { clockSkewMs: 172_800_000, clockCheckedAt: '2026-03-03T09:00:00.000Z', clockWentBackMs: 0 };
    const wire = api.SyncStatusSchema.parse(fromEngineStatus(engine.SyncStatusSchema.parse({ ...plain, ...clock })));
    expect(wire).toMatchObject(clock);
    expect(api.SyncStatusSchema.parse(fromEngineStatus(engine.SyncStatusSchema.parse({ ...plain, clockSkewMs: null, clockCheckedAt: null }))).clockSkewMs).toBeNull();
    expect(api.SyncStatusSchema.parse(fromEngineStatus(engine.SyncStatusSchema.parse(plain)))).not.toHaveProperty('clockSkewMs');
    // Every status field the contract names comes from the engine.
    const engineKeys = new Set(keysOf(engine.SyncStatusSchema));
    for (const k of keysOf(api.SyncStatusSchema)) expect(engineKeys.has(k), k).toBe(true);
  });

  it('settings pass (scanner grouped) and never carry key values', () => {
    const settings = SettingsSchema.parse({ ...defaultSettings('till-1'), scanner: { mode: 'keyboard', deviceId: null }, keys: { apiKeySet: true, secretKeySet: false }, storePinSet: true });
    const wire = api.SettingsSchema.parse(fromEngineSettings(settings));
    expect(wire.scanner).toEqual({ mode: 'keyboard', deviceId: null });
    expect(wire.keys).toEqual({ apiKeySet: true, secretKeySet: false });
    expect(wire.storePinSet).toBe(true);
    // Every contract setting is an engine setting.
    const engineKeys = new Set(keysOf(SettingsSchema));
    for (const k of keysOf(api.SettingsSchema)) expect(engineKeys.has(k), k).toBe(true);
  });

  it('referral checks pass', () => {
    for (const status of engine.ReferralCheckStatusSchema.options) {
      expect(api.ReferralCheckSchema.safeParse(engine.ReferralCheckSchema.parse({ status, message: 'm', referrerCode: 'REF1' })).success, status).toBe(true);
    }
  });
});

describe('scans', () => {
  it('the contract names the same scan kinds, sources and fields as the classifier', () => {
    expect(api.ScanKindSchema.options).toEqual(ScanClassificationSchema.shape.kind.options);
    expect(api.ScanSourceSchema.options).toEqual(ScanEventSchema.shape.source.options);
    expect(keysOf(api.ScanEventWireSchema)).toEqual(keysOf(ScanEventSchema));
  });

  it.each(['https://shop.example/r?GBReferral=REF123456', 'mobile_966500001234123456', '6291041500213', 'javascript:alert(1)', '', ']Q1REF777777'])(
    'a classified scan of %j fits the contract and keeps every classifier field',
    (text) => {
      const event = { source: 'keyboard' as const, classification: classifyScan(text), at: 1 };
      const wire = api.ScanEventWireSchema.parse(ScanEventSchema.parse(event));
      expect(wire.classification).toEqual(event.classification);
    },
  );
});
