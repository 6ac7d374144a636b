// The CLI is where an operator's decimal amounts ("125.50") become the minor units the engine
// takes: with the order's currency, else the till's, and refused as the engine used to refuse them.
import { describe, expect, it } from 'vitest';
import { amountToMinor, withMinorUnits } from '../../../main/cli/orders.ts';
import { CaptureRefusedError } from '../../../main/orders/errors.ts';

function refusal(fn: () => unknown): CaptureRefusedError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CaptureRefusedError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('withMinorUnits: the order as the CLI hands it to the engine', () => {
  it('converts each decimal amount with the till currency when the order names none', () => {
    expect(
      withMinorUnits(
        { mobile: '0500001234', totalPaid: '125.50', totalPrice: '150', totalDiscount: '24.5', totalTax: 0, totalShipping: '٣' },
        'SAR',
      ),
    ).toEqual({
      mobile: '0500001234',
      totalPaidMinor: 12550,
      totalPriceMinor: 15000,
      totalDiscountMinor: 2450,
      totalTaxMinor: 0,
      totalShippingMinor: 300,
    });
  });

  it("uses the order's own currency (KWD 3 decimals, JPY none), in any case", () => {
    expect(withMinorUnits({ customerId: 'c', currency: 'KWD', totalPaid: '1.5' }, 'SAR')).toEqual({
      customerId: 'c',
      currency: 'KWD',
      totalPaidMinor: 1500,
    });
    expect(withMinorUnits({ customerId: 'c', currency: ' kwd ', totalPaid: '125.50' }, 'SAR')).toMatchObject({ totalPaidMinor: 125500 });
    expect(withMinorUnits({ customerId: 'c', currency: 'JPY', totalPaid: '1500' }, 'SAR')).toMatchObject({ totalPaidMinor: 1500 });
    expect(withMinorUnits({ customerId: 'c', currency: '', totalPaid: '1.5' }, 'KWD')).toMatchObject({ totalPaidMinor: 1500 });
  });

  it('converts line item amounts and leaves the rest of each item as it was', () => {
    const out = withMinorUnits(
      {
        customerId: 'c',
        currency: 'KWD',
        totalPaid: '10.125',
        lineItems: [{ productId: 'p1', quantity: 2, price: '5.062', sku: 'S1', discount: '0.001', taxes: '0.5' }, 'odd'],
      },
      'SAR',
    );
    expect(out).toEqual({
      customerId: 'c',
      currency: 'KWD',
      totalPaidMinor: 10125,
      lineItems: [{ productId: 'p1', quantity: 2, priceMinor: 5062, sku: 'S1', discountMinor: 1, taxesMinor: 500 }, 'odd'],
    });
  });

  it('passes amounts already in minor units, blanks and anything not an order on to the engine as they are', () => {
    expect(
      withMinorUnits(
        { customerId: 'c', totalPaidMinor: 990, totalPrice: '', lineItems: [{ productId: 'x', priceMinor: 990, discount: ' ' }] },
        'SAR',
      ),
    ).toEqual({
      customerId: 'c',
      totalPaidMinor: 990,
      totalPrice: '',
      lineItems: [{ productId: 'x', priceMinor: 990, discount: ' ' }],
    });
    expect(withMinorUnits(null, 'SAR')).toBeNull();
    expect(withMinorUnits([1], 'SAR')).toEqual([1]);
  });

  it('never changes the object it was given', () => {
    const input = { customerId: 'c', totalPaid: '10', lineItems: [{ productId: 'p', price: '10' }] };
    const before = structuredClone(input);
    withMinorUnits(input, 'SAR');
    expect(input).toEqual(before);
  });

  it.each([
    [{ customerId: 'c', totalPaid: '-5' }, 'INVALID_AMOUNT', 'totalPaid', /cannot be negative/],
    [{ customerId: 'c', totalPaid: '10.001' }, 'INVALID_AMOUNT', 'totalPaid', /^totalPaid: SAR amounts have at most 2 decimals\.$/],
    [{ customerId: 'c', totalPaid: 'abc' }, 'INVALID_AMOUNT', 'totalPaid', /is not an amount/],
    [{ customerId: 'c', totalPaid: '1e9' }, 'INVALID_AMOUNT', 'totalPaid', /is not an amount/],
    [{ customerId: 'c', totalPaid: '1000000001' }, 'INVALID_AMOUNT', 'totalPaid', /too large/],
    [{ customerId: 'c', totalPaid: '10', totalDiscount: '1.005' }, 'INVALID_AMOUNT', 'totalDiscount', /at most 2 decimals/],
    [
      {
        customerId: 'c',
        totalPaid: '10',
        lineItems: [
          { productId: 'p', price: '1' },
          { productId: 'q', price: '1.5', taxes: 'x' },
        ],
      },
      'INVALID_AMOUNT',
      'lineItems.1.taxes',
      /is not an amount/,
    ],
    [{ customerId: 'c', totalPaid: '10', totalPaidMinor: 1000 }, 'INVALID_INPUT', 'totalPaid', /give each amount once/],
    [{ customerId: 'c', totalPaid: '10', currency: 'XXQ' }, 'UNKNOWN_CURRENCY', 'currency', /"XXQ" is not a currency code/],
    [{ customerId: 'c', totalPaid: '10', currency: 3 }, 'INVALID_INPUT', 'currency', /currency/],
    [{ customerId: 'c', totalPaid: '1.5', currency: 'JPY' }, 'INVALID_AMOUNT', 'totalPaid', /JPY amounts have no decimals/],
  ])('refuses %j with %s naming %s', (input, code, field, message) => {
    const err = refusal(() => withMinorUnits(input, 'SAR'));
    expect(err.code).toBe(code);
    expect(err.field).toBe(field);
    expect(err.message).toMatch(message);
  });

  it('amountToMinor refuses a blank refund amount rather than reading it as "everything"', () => {
    expect(amountToMinor('30.5', 'KWD', 'amount')).toBe(30500);
    expect(refusal(() => amountToMinor('', 'SAR', 'amount'))).toMatchObject({ code: 'INVALID_AMOUNT', field: 'amount' });
  });
});
