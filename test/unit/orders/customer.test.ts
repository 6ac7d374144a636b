import { describe, expect, it } from 'vitest';
import { CustomerIdentityError, normaliseCustomerId, normaliseMobile } from '../../../main/orders/customer.ts';

describe('normaliseMobile', () => {
  it.each([
    ['0500001234', 'SA', '+966500001234'],
    ['050 000 1234', 'SA', '+966500001234'],
    ['+966 50 000 1234', 'SA', '+966500001234'],
    ['00966500001234', 'SA', '+966500001234'],
    ['٠٥٠٠٠٠١٢٣٤', 'SA', '+966500001234'],
    ['01001234567', 'EG', '+201001234567'],
    ['+201001234567', 'SA', '+201001234567'],
    ['050 123 4567', 'AE', '+971501234567'],
    ['9999 1234', 'KW', '+96599991234'],
  ])('%s (%s) -> %s and mobile_<digits>', (raw, country, e164) => {
    const n = normaliseMobile(raw, country);
    expect(n.e164).toBe(e164);
    expect(n.customerId).toBe(`mobile_${e164.slice(1)}`);
  });

  it.each(['12', 'abc', '', '0500001234567890', '+966 12'])('refuses %j', (raw) => {
    expect(() => normaliseMobile(raw, 'SA')).toThrow(CustomerIdentityError);
  });
});

describe('normaliseCustomerId', () => {
  it('keeps the id as typed (Gameball ids are case-sensitive), trimmed', () => {
    expect(normaliseCustomerId('  Cust-42 ')).toBe('Cust-42');
  });
  it.each(['', 'two words', 'x'.repeat(129), 'tab\there'])('refuses %j', (raw) => {
    expect(() => normaliseCustomerId(raw)).toThrow(CustomerIdentityError);
  });
});
