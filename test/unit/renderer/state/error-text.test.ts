// What the cashier reads when the engine refuses: the reason's own sentence in the till's language
// for every reason of the contract, never the engine's English message; the generic line only for
// errors that carry no reason.
import i18next from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { REFUSAL_REASONS } from '../../../../preload/api.ts';
import type { ApiError, RefusalReason } from '../../../../preload/api.ts';
import { ar } from '../../../../renderer/i18n/ar.ts';
import { en } from '../../../../renderer/i18n/en.ts';
import { isolate } from '../../../../renderer/i18n/index.ts';
import { ApiCallError } from '../../../../renderer/state/api-context.tsx';
import { errorText, FOLDER_REFUSALS, type Translate } from '../../../../renderer/state/error-text.ts';

const ENGLISH = 'The engine’s own English sentence, for the log.';
const FOLDER = '/srv/pos-companion';
const ORDER = 'till-1-0192f0aa-0000-7000-8000-000000000001';

// The screen's i18next set-up (renderer/i18n/index.ts), without the document.
const tIn: Partial<Record<'en' | 'ar', Translate>> = {};
beforeAll(async () => {
  for (const lng of ['en', 'ar'] as const) {
    const i18n = i18next.createInstance();
    await i18n.init({
      resources: { en: { translation: en }, ar: { translation: ar } },
      lng,
      fallbackLng: 'en',
      interpolation: { escapeValue: true, escape: isolate },
      showSupportNotice: false,
    });
    tIn[lng] = (key, options) => i18n.t(key, options ?? {});
  }
});

const refusal = (reason: RefusalReason, extra: Partial<ApiError> = {}) =>
  new ApiCallError({ code: 'refused', message: ENGLISH, reason, ...extra });
const isFolder = (r: RefusalReason) => (FOLDER_REFUSALS as readonly string[]).includes(r);

describe('errorText', () => {
  it.each(REFUSAL_REASONS)('%s reads as its own sentence in English and in Arabic', (reason) => {
    const err = refusal(reason, isFolder(reason) ? { folder: FOLDER } : reason === 'RECEIPT_ALREADY_CAPTURED' ? { orderId: ORDER } : {});
    const english = errorText(tIn.en!, err);
    const arabic = errorText(tIn.ar!, err);
    expect(english).toBe(en.refusal[reason].replace('{{folder}}', isolate(FOLDER)).replace('{{orderId}}', isolate(ORDER)));
    expect(arabic).toBe(ar.refusal[reason].replace('{{folder}}', isolate(FOLDER)).replace('{{orderId}}', isolate(ORDER)));
    expect(arabic).toMatch(/[\u0600-\u06ff]/);
    for (const text of [english, arabic]) {
      expect(text).not.toContain(ENGLISH);
      expect(text).not.toContain('{{');
    }
  });

  it('a receipt captured already is named by its order; without the order id the engine’s message is shown', () => {
    expect(errorText(tIn.en!, refusal('RECEIPT_ALREADY_CAPTURED', { orderId: ORDER }))).toContain(ORDER);
    expect(errorText(tIn.ar!, refusal('RECEIPT_ALREADY_CAPTURED', { orderId: ORDER }))).toContain(ORDER);
    expect(errorText(tIn.en!, refusal('RECEIPT_ALREADY_CAPTURED'))).toContain(ENGLISH);
  });

  it('the referral refusals a cashier meets most, word for word in Arabic', () => {
    expect(errorText(tIn.ar!, refusal('SELF_REFERRAL'))).toBe(
      'لم يُحفظ: لا يمكن للعميل استخدام رمز الإحالة الخاص به. احذف رمز الإحالة ثم احفظ مرة أخرى.',
    );
    expect(errorText(tIn.ar!, refusal('REFERRAL_NOT_FIRST_PURCHASE'))).toMatch(/^لم يُحفظ: لهذا العميل عملية شراء سابقة/);
    expect(errorText(tIn.ar!, refusal('INVALID_REFERRAL_CODE'))).toMatch(/^لم يُحفظ: هذا ليس رمز إحالة/);
  });

  it('an error without a reason goes through the generic line, with its message', () => {
    const noReason = new ApiCallError({ code: 'internal', message: 'Something failed inside the till. Try again.' });
    expect(errorText(tIn.en!, noReason)).toBe(`Something went wrong: ${isolate('Something failed inside the till. Try again.')}`);
    expect(errorText(tIn.ar!, noReason)).toBe(`حدث خطأ: ${isolate('Something failed inside the till. Try again.')}`);
    expect(errorText(tIn.en!, new Error('socket closed'))).toBe(`Something went wrong: ${isolate('socket closed')}`);
    expect(errorText(tIn.en!, 'plain text')).toBe(`Something went wrong: ${isolate('plain text')}`);
  });

  it('a data-folder refusal that does not name its folder falls back to the engine’s message', () => {
    expect(errorText(tIn.en!, refusal('DISK_FULL'))).toBe(`Something went wrong: ${isolate(ENGLISH)}`);
  });
});
