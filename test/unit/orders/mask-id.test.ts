import { describe, expect, it } from 'vitest';
import { maskCustomerId, maskIdsIn } from '../../../main/orders/mask-id.ts';

describe('maskCustomerId', () => {
  it.each([
    ['+966500001234', '+9665*****234'],
    ['mobile_966500001234', 'mobile_9665*****234'],
    ['mobile_201001234567', 'mobile_2010*****567'],
    ['cust_12345678', 'cust_12****78'],
    ['sara@example.com', 'sara*********com'],
    ['ahmed_ali_123', 'ahme******123'],
    ['Cust9', 'C***9'],
    ['abc', 'a**'],
    ['+1', '+*'],
    ['', ''],
  ])('%s -> %s', (id, masked) => {
    expect(maskCustomerId(id)).toBe(masked);
    expect(maskCustomerId(id)).toHaveLength(id.length);
  });

  it('never keeps more than 7 characters of the id itself', () => {
    for (const id of ['+9665000012341234', 'mobile_9665000012341234', 'x'.repeat(40)]) {
      expect(
        maskCustomerId(id)
          .replace(/^(\+|mobile_)/, '')
          .replace(/\*/g, '').length,
      ).toBeLessThanOrEqual(7);
    }
  });
});

describe('maskIdsIn', () => {
  it('masks an id and the digits of a prefixed id wherever they appear in a text', () => {
    expect(maskIdsIn('GET /customers/mobile_966500001234: reset (966500001234)', ['mobile_966500001234'])).toBe(
      'GET /customers/mobile_9665*****234: reset (9665*****234)',
    );
    expect(maskIdsIn('nothing here', ['mobile_966500001234'])).toBe('nothing here');
  });
});
