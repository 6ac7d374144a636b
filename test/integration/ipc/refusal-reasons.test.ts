// Refusals from a real engine and database, through the router every screen uses: each arrives
// with its reason from the contract and its envelope code, and the screen's errorText turns it
// into the till's language (Arabic here), never the engine's English message.
import i18next from 'i18next';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, noSync } from '../../../main/engine.ts';
import { createBridge } from '../../../main/ipc/bridge.ts';
import type { CallerInfo } from '../../../main/ipc/handle.ts';
import { silentLogger } from '../../../main/log.ts';
import type { ApiError, OrderCaptureRequest } from '../../../preload/api.ts';
import { ar } from '../../../renderer/i18n/ar.ts';
import { en } from '../../../renderer/i18n/en.ts';
import { isolate } from '../../../renderer/i18n/index.ts';
import { ApiCallError } from '../../../renderer/state/api-context.tsx';
import { errorText, type Translate } from '../../../renderer/state/error-text.ts';
import { steppedClock, tempDir } from '../../support/till-fixture.ts';

const OWN = 'app://pos-companion';
const page: CallerInfo = { url: `${OWN}/index.html`, isMainFrame: true };

let cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

let tAr: Translate;
beforeAll(async () => {
  const i18n = i18next.createInstance();
  await i18n.init({
    resources: { en: { translation: en }, ar: { translation: ar } },
    lng: 'ar',
    interpolation: { escapeValue: true, escape: isolate },
    showSupportNotice: false,
  });
  tAr = (key, options) => i18n.t(key, options ?? {});
});

async function router() {
  const t = tempDir('pos-reasons-');
  cleanups.push(t.cleanup);
  const engine = await createEngine({
    dataDir: t.dir,
    clock: steppedClock(),
    logger: silentLogger(),
    secretCipher: null,
    env: {},
    sync: noSync,
    startSync: false,
  });
  cleanups.push(() => engine.close());
  const bridge = createBridge({
    engine,
    trustedOrigins: [OWN],
    logger: silentLogger(),
    clock: { now: () => Date.now() },
    app: { name: 'POS Companion', version: 't', shell: 'electron', platform: 'linux' },
  });
  cleanups.push(() => bridge.close());
  return {
    async capture(request: Omit<OrderCaptureRequest, 'currency'>): Promise<ApiError | null> {
      const res = await bridge.router.dispatch('orders:capture', [{ currency: 'SAR', ...request }], page);
      return res.ok ? null : res.error;
    },
  };
}

function expectArabic(error: ApiError | null, reason: keyof typeof ar.refusal): void {
  expect(error?.reason).toBe(reason);
  const text = errorText(tAr, new ApiCallError(error as ApiError));
  expect(text).toBe(ar.refusal[reason]);
  expect(text).not.toContain(error?.message ?? '');
}

describe('refusals from the engine reach the screen as reasons', () => {
  it('self-referral (the customer’s own QR as the code), a second referral, and no referral code at all', async () => {
    const till = await router();
    const own = await till.capture({ customer: { mobile: '0501110001' }, totalPaidMinor: 1000, referrerCode: 'mobile_966501110001123456' });
    expect(own).toMatchObject({ code: 'refused', reason: 'SELF_REFERRAL', field: 'referrerCode' });
    expectArabic(own, 'SELF_REFERRAL');

    expect(await till.capture({ customer: { mobile: '0501110003' }, totalPaidMinor: 1000, referrerCode: 'FRIEND42' })).toBeNull();
    const second = await till.capture({ customer: { mobile: '0501110003' }, totalPaidMinor: 1500, referrerCode: 'FRIEND42' });
    expect(second).toMatchObject({ code: 'refused', reason: 'REFERRAL_NOT_FIRST_PURCHASE', field: 'referrerCode' });
    expectArabic(second, 'REFERRAL_NOT_FIRST_PURCHASE');

    const notACode = await till.capture({ customer: { mobile: '0501110006' }, totalPaidMinor: 1000, referrerCode: 'not a code' });
    expect(notACode).toMatchObject({ code: 'refused', reason: 'INVALID_REFERRAL_CODE', field: 'referrerCode' });
    expectArabic(notACode, 'INVALID_REFERRAL_CODE');
  });

  it('an invalid mobile and a receipt saved twice', async () => {
    const till = await router();
    const mobile = await till.capture({ customer: { mobile: '0512' }, totalPaidMinor: 1000 });
    expect(mobile).toMatchObject({ code: 'refused', reason: 'INVALID_MOBILE', field: 'mobile' });
    expectArabic(mobile, 'INVALID_MOBILE');

    expect(await till.capture({ customer: { mobile: '0501110007' }, totalPaidMinor: 1000, receiptNo: 'R-1' })).toBeNull();
    const again = await till.capture({ customer: { mobile: '0501110007' }, totalPaidMinor: 1000, receiptNo: 'R-1' });
    expect(again).toMatchObject({ code: 'refused', reason: 'DUPLICATE_RECEIPT', field: 'receiptNo' });
    expectArabic(again, 'DUPLICATE_RECEIPT');
  });
});
