// Referral refusals on an Arabic till read in Arabic, whichever part of the till refuses: the
// online advice under the referral field (Gameball, here the simulator, or the till's own rules)
// and the refusal of the save itself (the engine's reason, turned into the sentence by the
// screen). The engine's English message never reaches the cashier.
//   - the customer's own referral code: advice "self", save refused SELF_REFERRAL (the till
//     learnt the code from Gameball during the advice); the customer's own QR: the same, found by
//     the till alone;
//   - a second referral: the customer already bought on this till: advice "not-first-purchase",
//     save refused REFERRAL_NOT_FIRST_PURCHASE; a customer Gameball already has (referred by
//     someone else) and the till has not seen: advice "already-customer", the save goes through
//     (Gameball ignores the code, as it does for anyone it already knows);
//   - an invalid code: one Gameball does not know: advice "invalid", nothing else can know
//     before the order is sent; text that is no referral code at all: advice "invalid", save
//     refused INVALID_REFERRAL_CODE.
import { expect, test } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { NOT_FIRST_PURCHASE_MESSAGE, SELF_REFERRAL_MESSAGE } from '../../main/orders/order-store.ts';
import type { RefusalReason } from '../../preload/api.ts';
import { ar } from '../../renderer/i18n/ar.ts';
import { en } from '../../renderer/i18n/en.ts';
import { openTill, screenshot, seedReferrer, startTill } from './support/till.ts';
import type { Till } from './support/till.ts';

let till: Till;
test.beforeEach(async () => {
  // Keys: a live till against the simulator, so the online advice asks "Gameball".
  till = await startTill({ keys: true });
});
test.afterEach(async () => {
  await till?.close();
});

/** Gameball customer ids of the Saudi mobiles typed below (the till's default country). */
const idOf = (mobile: string) => `mobile_966${mobile.slice(1)}`;

/** A customer Gameball already has, referred by the owner of `referrerCode`. */
async function seedReferredCustomer(t: Till, customerId: string, referrerCode: string): Promise<void> {
  const headers = { 'Content-Type': 'application/json', APIKey: t.apiKey, SecretKey: t.secretKey };
  const res = await fetch(`${t.sim.url}/api/v4.0/integrations/customers`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ customerId, referrerCode, customerAttributes: { displayName: 'Referred before' } }),
  });
  expect(res.ok).toBe(true);
  expect(t.sim.control.ledger().referrals.some((r) => r.referredCustomerId === customerId && r.referrerCode === referrerCode)).toBe(true);
}

async function fillOrder(page: Page, mobile: string, amount: string, referral: string): Promise<void> {
  await page.getByTestId('mobile-input').fill(mobile);
  await page.getByTestId('amount-input').fill(amount);
  await page.getByTestId('referral-input').fill(referral);
}

/** Text written in Arabic: Latin words only where the sentence names a code (QR, Esc). */
async function expectArabicOnly(locator: Locator): Promise<void> {
  const text = (await locator.textContent()) ?? '';
  expect(text).toMatch(/[\u0600-\u06ff]/);
  expect(text.replace(/\b(QR|Esc|Gameball)\b/g, '')).not.toMatch(/[A-Za-z]{3,}/);
}

async function expectAdvice(page: Page, status: keyof typeof ar.referral): Promise<void> {
  const line = page.getByTestId('referral-feedback');
  await expect(line).toHaveAttribute('data-status', status, { timeout: 10_000 });
  await expect(line).toHaveText(ar.referral[status]);
  await expect(line).not.toContainText(en.referral[status]);
  await expectArabicOnly(line);
}

/** Saves and expects the refusal of `reason` in Arabic, and neither the engine's nor the English sentence. */
async function expectRefusedInArabic(page: Page, reason: RefusalReason, engineMessage?: string): Promise<void> {
  await page.getByTestId('submit-order').click();
  const error = page.getByTestId('save-error');
  await expect(error).toHaveText(ar.refusal[reason]);
  await expect(error).not.toContainText(en.refusal[reason]);
  if (engineMessage) await expect(error).not.toContainText(engineMessage);
  await expectArabicOnly(error);
}

async function clearForm(page: Page): Promise<void> {
  await page.getByTestId('amount-input').focus();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('mobile-input')).toHaveValue('');
  await expect(page.getByTestId('save-error')).toHaveCount(0);
}

test('self-referral, a second referral and an invalid referral code read in Arabic, from the advice and from the refused save', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1366, height: 820 });
  await openTill(page, till);
  await page.keyboard.press('F4');
  await page.getByTestId('language-ar').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'ar');
  await page.keyboard.press('F2');
  await expect(page.getByTestId('checkout-form')).toBeVisible();
  const friendCode = await seedReferrer(till);

  // 1. Self-referral: the customer types their own Gameball referral code.
  const self = '0501110001';
  const ownCode = await seedReferrer(till, idOf(self));
  await fillOrder(page, self, '20', ownCode);
  await expectAdvice(page, 'self');
  await expectRefusedInArabic(page, 'SELF_REFERRAL', SELF_REFERRAL_MESSAGE);
  await screenshot(page, 'refusal-self-referral-ar');
  await clearForm(page);
  // ... and the customer's own Gameball QR in the referral field (no Gameball needed to see it).
  await fillOrder(page, '0501110002', '20', `${idOf('0501110002')}123456`);
  await expectAdvice(page, 'self');
  await expectRefusedInArabic(page, 'SELF_REFERRAL');
  await clearForm(page);

  // 2. A second referral. The customer's first purchase on this till, with a friend's code, is saved...
  const returning = '0501110003';
  await fillOrder(page, returning, '30', friendCode);
  await expectAdvice(page, 'ok');
  await page.getByTestId('submit-order').click();
  const saved = page.getByTestId('saved-card');
  await expect(saved).toBeVisible();
  await expect(page.getByTestId('mobile-input')).toHaveValue('');
  const firstPurchase = (await saved.getAttribute('data-order-id')) ?? '';
  expect(firstPurchase).not.toBe('');
  // ... and the next one with a referral code is refused: a referral only counts on a first purchase.
  await fillOrder(page, returning, '35', friendCode);
  await expectAdvice(page, 'not-first-purchase');
  await expectRefusedInArabic(page, 'REFERRAL_NOT_FIRST_PURCHASE', NOT_FIRST_PURCHASE_MESSAGE);
  await expect(saved).toHaveAttribute('data-order-id', firstPurchase);
  await screenshot(page, 'refusal-not-first-purchase-ar');
  await clearForm(page);
  // A customer Gameball already has, with a referrer of their own, new to this till: the advice
  // says the code will not count; the save itself is not refused (only Gameball knows the customer).
  const referredElsewhere = '0501110004';
  await seedReferredCustomer(till, idOf(referredElsewhere), await seedReferrer(till));
  await fillOrder(page, referredElsewhere, '40', friendCode);
  await expectAdvice(page, 'already-customer');
  await page.getByTestId('submit-order').click();
  await expect(saved).not.toHaveAttribute('data-order-id', firstPurchase);
  await expect(page.getByTestId('save-error')).toHaveCount(0);

  // 3. An invalid referral code: one Gameball does not know...
  await fillOrder(page, '0501110005', '50', 'NOSUCH42');
  await expectAdvice(page, 'invalid');
  await clearForm(page);
  // ... and text that is no referral code at all, which the till itself refuses.
  await fillOrder(page, '0501110006', '50', 'not a code');
  await expectAdvice(page, 'invalid');
  await expectRefusedInArabic(page, 'INVALID_REFERRAL_CODE', 'This is not a referral code or referral link.');
  await screenshot(page, 'refusal-invalid-referral-code-ar');
});
