// From validated input to the values an order row holds: customer identity, minor units,
// the extracted referral code. Pure apart from reading settings passed in; every failure is a
// CaptureRefusedError naming the field.
import type { StoredSettings } from '../config/settings.ts';
import { CustomerIdentityError, normaliseCustomerId, normaliseMobile } from './customer.ts';
import { CaptureRefusedError } from './errors.ts';
import { MAX_MAJOR_UNITS, currencyExponent, isKnownCurrency } from './money.ts';
import { extractReferrer } from './referral-code.ts';
import type { LineItem, ParsedOrderInput } from './schemas.ts';

export interface PreparedOrder {
  customerId: string;
  mobile: string | null;
  name: string | null;
  email: string | null;
  currency: string;
  totalPaidMinor: number;
  totalPriceMinor: number | null;
  totalDiscountMinor: number | null;
  totalTaxMinor: number | null;
  totalShippingMinor: number | null;
  lineItems: LineItem[] | null;
  receiptNo: string | null;
  referrerCode: string | null;
  /** A referrer named by customer id: its code is looked up online (at once, or before registration). */
  referrerCustomerId: string | null;
  /** The coupon locked online for this sale (capture only: an edit never changes it). */
  coupon: { code: string; lockReference: string } | null;
  /** When the sale happened, as given (capture only; checked against the clock in the capture transaction, sale-time.ts). */
  soldAt: string | null;
}

/** An amount in minor units (the schema checked it is a whole number, not negative), up to MAX_MAJOR_UNITS of the currency. */
function amount(minor: number | undefined, currency: string, field: string): number | null {
  if (minor === undefined) return null;
  if (minor > MAX_MAJOR_UNITS * 10 ** currencyExponent(currency))
    throw new CaptureRefusedError('INVALID_AMOUNT', `${field}: The amount is too large.`, field);
  return minor;
}

/** The order's currency: the one given, else the till's; upper case, and one this system knows. */
export function orderCurrency(given: string | undefined, tillCurrency: string): string {
  const currency = (given ?? tillCurrency).toUpperCase();
  if (!isKnownCurrency(currency)) {
    throw new CaptureRefusedError(
      'UNKNOWN_CURRENCY',
      `"${given}" is not a currency code (use ISO codes such as SAR, AED, EGP, KWD, USD).`,
      'currency',
    );
  }
  return currency;
}

export function resolveCustomer(
  input: { mobile?: string | undefined; customerId?: string | undefined },
  country: string,
): { customerId: string; mobile: string | null } {
  try {
    const mobile = input.mobile !== undefined ? normaliseMobile(input.mobile, country) : undefined;
    if (input.customerId !== undefined) return { customerId: normaliseCustomerId(input.customerId), mobile: mobile?.e164 ?? null };
    if (mobile) return { customerId: mobile.customerId, mobile: mobile.e164 };
  } catch (err) {
    if (err instanceof CustomerIdentityError) {
      throw new CaptureRefusedError(err.field === 'mobile' ? 'INVALID_MOBILE' : 'INVALID_CUSTOMER_ID', err.message, err.field);
    }
    throw err;
  }
  throw new CaptureRefusedError('INVALID_INPUT', 'Identify the customer with a mobile number or a customer id.', 'mobile');
}

export function prepareOrder(o: ParsedOrderInput, settings: StoredSettings): PreparedOrder {
  const currency = orderCurrency(o.currency, settings.currency);
  const { customerId, mobile } = resolveCustomer(o, settings.country);
  const totalPaidMinor = amount(o.totalPaidMinor, currency, 'totalPaidMinor');
  if (totalPaidMinor === null)
    throw new CaptureRefusedError('INVALID_INPUT', 'totalPaidMinor: the amount paid is required.', 'totalPaidMinor');
  const lineItems =
    o.lineItems?.map((l, i): LineItem => {
      const at = `lineItems.${i}`;
      const item: LineItem = {
        productId: l.productId,
        quantity: l.quantity,
        priceMinor: amount(l.priceMinor, currency, `${at}.priceMinor`) ?? 0,
      };
      if (l.sku !== undefined) item.sku = l.sku;
      if (l.title !== undefined) item.title = l.title;
      if (l.category !== undefined) item.category = l.category;
      if (l.tags !== undefined) item.tags = l.tags;
      const discount = amount(l.discountMinor, currency, `${at}.discountMinor`);
      if (discount !== null) item.discountMinor = discount;
      const taxes = amount(l.taxesMinor, currency, `${at}.taxesMinor`);
      if (taxes !== null) item.taxesMinor = taxes;
      return item;
    }) ?? null;
  const raw = o.referrerCode ?? null;
  const referrer =
    raw === null
      ? null
      : extractReferrer(
          raw,
          { customerIdPrefixes: settings.customerIdPrefixes, referralParams: settings.referralParams, receiptPattern: null },
          customerId,
        );
  return {
    customerId,
    mobile,
    name: o.name ?? null,
    email: o.email ?? null,
    currency,
    totalPaidMinor,
    totalPriceMinor: amount(o.totalPriceMinor, currency, 'totalPriceMinor'),
    totalDiscountMinor: amount(o.totalDiscountMinor, currency, 'totalDiscountMinor'),
    totalTaxMinor: amount(o.totalTaxMinor, currency, 'totalTaxMinor'),
    totalShippingMinor: amount(o.totalShippingMinor, currency, 'totalShippingMinor'),
    lineItems,
    receiptNo: o.receiptNo ?? null,
    referrerCode: referrer?.code ?? null,
    referrerCustomerId: referrer?.customerId ?? null,
    coupon: o.coupon ?? null,
    soldAt: o.soldAt ?? null,
  };
}

/** The order columns that come from the captured input: the same on capture and on edit-and-resend. */
export function preparedColumns(p: PreparedOrder) {
  return {
    customer_id: p.customerId,
    mobile: p.mobile,
    name: p.name,
    email: p.email,
    currency: p.currency,
    total_paid_minor: p.totalPaidMinor,
    total_price_minor: p.totalPriceMinor,
    total_discount_minor: p.totalDiscountMinor,
    total_tax_minor: p.totalTaxMinor,
    total_shipping_minor: p.totalShippingMinor,
    line_items_json: p.lineItems === null ? null : JSON.stringify(p.lineItems),
    receipt_no: p.receiptNo,
    referrer_code: p.referrerCode,
    referrer_customer_id: p.referrerCustomerId,
  };
}
