import { describe, expect, it } from 'vitest';
import { redactor } from '../../../main/support/redact.ts';

const redact = redactor({
  secrets: ['sk-live-abcdef123', 'a"quoted\\key', 'short'],
  customerIds: ['mobile_966500001234', '+201001234567', 'cust_ab12'],
});

describe('support bundle redaction', () => {
  it.each([
    ['a secret value, raw', 'key sk-live-abcdef123 here', 'key [Redacted] here'],
    ['a secret value, JSON-escaped', JSON.stringify({ m: 'a"quoted\\key' }), '{"m":"[Redacted]"}'],
    ['a value shorter than 6 is left (it would hit words)', 'short story', 'short story'],
    ['a key field by name', '{"apiKey":"whatever-it-was","x":1}', '{"apiKey":"[Redacted]","x":1}'],
    ['an escaped quote inside a key field', '{"secretKey":"ab\\"cd"}', '{"secretKey":"[Redacted]"}'],
    ['a header line', 'Authorization: Basic dXNlcjpwYXNz', 'Authorization: [Redacted]'],
    ['a token in an address', 'http://127.0.0.1:4455/#token=abc123XYZ&x=1', 'http://127.0.0.1:4455/#token=[Redacted]&x=1'],
    ['a +mobile anyone', 'call +447700900123 now', 'call +4477*****123 now'],
    ['a mobile_ id', 'id mobile_201001234567', 'id mobile_2010*****567'],
    ['a known mobile in local form', 'local 0500001234', 'local 050*****34'],
    ['a known mobile without its +', 'intl 966500001234', 'intl 9665*****234'],
    ['a mobile field', '{"mobile":"050 000 1234"}', '{"mobile":"050 *****234"}'],
    ['an unknown bare number stays (an order count, a port)', 'port 445566 and 12345678901', 'port 445566 and 12345678901'],
    ['a +number too short for a mobile stays', 'delta +123456', 'delta +123456'],
  ])('%s', (_why, input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it('masks every known customer in a long log without slowing down with the number of customers', () => {
    const ids = Array.from({ length: 50_000 }, (_, i) => `+9665${String(10_000_000 + i)}`);
    const many = redactor({ secrets: [], customerIds: ids });
    const text = Array.from({ length: 20_000 }, (_, i) => `{"msg":"order for 05${String(10_000_000 + (i % 50_000))}"}`).join('\n');
    const started = Date.now();
    const out = many(text);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(out).not.toMatch(/05\d{8}/);
  });
});
