import { describe, expect, it } from 'vitest';
import { OrderEditPatchSchema, OrderInputSchema } from '../../../main/orders/schemas.ts';

describe('OrderInputSchema: what forms and the screen send', () => {
  it('reads blank text fields as not given, at the top level and in the nested customer', () => {
    const input = {
      customer: { mobile: '0500001234', customerId: '   ', name: '', email: ' ' },
      totalPaidMinor: 1000,
      totalPrice: '',
      totalDiscount: ' ',
      currency: '',
      receiptNo: '',
      referrerCode: '  ',
    };
    const parsed = OrderInputSchema.parse(input);
    expect(parsed.mobile).toBe('0500001234');
    expect(parsed.totalPaidMinor).toBe(1000);
    for (const key of ['customerId', 'name', 'email', 'totalPrice', 'totalDiscount', 'currency', 'receiptNo', 'referrerCode'] as const) {
      expect(parsed[key], key).toBeUndefined();
    }
  });

  it('never changes the object it was given', () => {
    for (const input of [
      { mobile: '0500001234', name: '', totalPaidMinor: 1000 },
      { totalPaidMinor: 1000, customer: { mobile: '0500001234', email: '' } },
    ]) {
      const before = structuredClone(input);
      expect(OrderInputSchema.parse(input).mobile).toBe('0500001234');
      expect(input).toEqual(before);
    }
  });

  it('still refuses a blank where blank is not "not given": a client reference, an amount in minor units', () => {
    expect(OrderInputSchema.safeParse({ mobile: '0500001234', totalPaidMinor: 1000, clientRef: '' }).success).toBe(false);
    expect(OrderInputSchema.safeParse({ mobile: '0500001234', totalPaidMinor: '' }).success).toBe(false);
  });

  it('a blank mobile with no customer id is a missing customer, not an invalid number', () => {
    const r = OrderInputSchema.safeParse({ mobile: ' ', totalPaidMinor: 1000 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ path: ['mobile'], message: 'identify the customer with a mobile number or a customer id' });
  });

  it('refuses fields it does not know, including a customer that is not an object', () => {
    expect(OrderInputSchema.safeParse({ mobile: '0500001234', totalPaidMinor: 1000, points: 5 }).error?.issues[0]).toMatchObject({
      code: 'unrecognized_keys',
      keys: ['points'],
    });
    expect(OrderInputSchema.safeParse({ customer: 'x', mobile: '0500001234', totalPaidMinor: 1000 }).error?.issues[0]).toMatchObject({
      code: 'unrecognized_keys',
      keys: ['customer'],
    });
  });

  it('refuses decimal text for an amount, naming the minor-units field to use; a blank one is not given', () => {
    expect(OrderInputSchema.safeParse({ mobile: '0500001234', totalPaid: '10.00' }).error?.issues[0]).toMatchObject({
      path: ['totalPaid'],
      message: 'amounts are given in minor units: use totalPaidMinor (a whole number, e.g. 1250 for 12.50 SAR)',
    });
    expect(
      OrderInputSchema.safeParse({ mobile: '0500001234', totalPaidMinor: 1000, lineItems: [{ productId: 'p', price: 10 }] }).error
        ?.issues[0],
    ).toMatchObject({
      path: ['lineItems', 0, 'price'],
    });
    expect(OrderInputSchema.safeParse({ mobile: '0500001234', totalPaidMinor: '10.00' }).error?.issues[0]).toMatchObject({
      path: ['totalPaidMinor'],
      message: 'an amount in minor units is a whole number (1250 for 12.50 SAR)',
    });
    expect(OrderInputSchema.parse({ mobile: '0500001234', totalPaidMinor: 1000, totalPaid: ' ' }).totalPaidMinor).toBe(1000);
  });
});

describe('OrderEditPatchSchema', () => {
  it('a blank field changes nothing; null removes it', () => {
    const patch = OrderEditPatchSchema.parse({ name: '', referrerCode: null, receiptNo: 'R-2' });
    expect(patch.name).toBeUndefined();
    expect(patch.referrerCode).toBeNull();
    expect(patch.receiptNo).toBe('R-2');
  });
});
