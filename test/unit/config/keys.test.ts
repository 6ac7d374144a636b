// The contract (preload/api.ts) re-declares the engine's rule for a Gameball key, since the
// screen may not import main/: the two must refuse exactly the same keys.
import { describe, expect, it } from 'vitest';
import { SetKeysRequestSchema } from '../../../preload/api.ts';
import { keyProblem } from '../../../main/config/keys.ts';

describe('a Gameball key', () => {
  it('the screen refuses exactly the keys the engine refuses (the pattern is re-declared in the contract), saying why', () => {
    const samples = [
      'gb-api-key-5f3c9a7e21',
      '0123456789abcdef0123456789abcdef',
      'a+b/c=d~e.f_g-h',
      '  padded-key-123  ',
      'KEYAAAAAAA KEYBBBBBBB',
      'KEYAAAAAAA\tKEYB',
      'KEYAAAAAAA\u00e9',
      'KEY"AAAAAAA',
      'short',
      'x'.repeat(257),
    ];
    for (const s of samples)
      expect(SetKeysRequestSchema.safeParse({ apiKey: s }).success, JSON.stringify(s)).toBe(keyProblem(s.trim()) === null);
    const refused = SetKeysRequestSchema.safeParse({ secretKey: 'KEYAAAAAAA KEYBBBBBBB' });
    expect(refused.error?.issues[0]?.message).toMatch(/letters, digits/);
    expect(JSON.stringify(refused.error?.issues)).not.toContain('KEYAAAAAAA');
  });
});
