import { describe, expect, it } from 'vitest';
import { shortId } from '../../../../renderer/lib/short-id.ts';

describe('shortId', () => {
  it('keeps short ids whole', () => {
    expect(shortId('T1-000123')).toBe('T1-000123');
  });
  it('keeps the till prefix and the distinctive end of a uuid id', () => {
    const id = 'T1-0192f7a3-5b1c-7d2e-8f90-a1b2c3d4e5f6';
    const s = shortId(id);
    expect(s).toHaveLength(22);
    expect(s.startsWith('T1-0192f7a3-5b')).toBe(true);
    expect(s.endsWith('…d4e5f6')).toBe(true);
  });
});
