import { describe, expect, it } from 'vitest';
import { validate, version } from 'uuid';
import { uuid7Source } from '../../../main/orders/ids.ts';

describe('uuid7Source', () => {
  it('makes valid uuid v7 ids carrying the clock time', () => {
    const id = uuid7Source(() => 0x0123_4567_89ab)();
    expect(validate(id)).toBe(true);
    expect(version(id)).toBe(7);
    expect(id.replace(/-/g, '').slice(0, 12)).toBe('0123456789ab');
  });

  it('keeps ids strictly increasing within one millisecond, across pool refills and when the clock steps back', () => {
    let t = 1_700_000_000_000;
    const next = uuid7Source(() => t);
    const ids: string[] = [];
    for (let i = 0; i < 600; i += 1) {
      if (i === 300) t -= 5;
      ids.push(next());
    }
    for (let i = 1; i < ids.length; i += 1) expect(ids[i]! > ids[i - 1]!).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('starts a fresh random sequence on a new millisecond', () => {
    let t = 1_700_000_000_000;
    const next = uuid7Source(() => t);
    const seqs = new Set<string>();
    for (let i = 0; i < 50; i += 1) {
      t += 1;
      seqs.add(next().slice(15, 23));
    }
    expect(seqs.size).toBeGreaterThan(45);
  });
});
