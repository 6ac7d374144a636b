// The screen's side of the store PIN: it asks only when main says so, calls again with what was
// typed, stops on cancel or on any other answer, and reads Arabic-Indic digits.
import { describe, expect, it } from 'vitest';
import type { Result } from '../../../../preload/api.ts';
import { readPin, withStorePin, type PinAsk } from '../../../../renderer/state/store-pin.ts';

const refused = (code: 'pin-required' | 'pin-wrong' | 'pin-locked' | 'refused'): Result<never> => ({
  ok: false,
  error: { code, message: code },
});

/** A main that answers `answers` in turn and records the PIN of each call. */
function main(answers: Array<Result<string>>) {
  const pins: Array<string | undefined> = [];
  return {
    pins,
    call: async (pin: string | undefined) => {
      pins.push(pin);
      const next = answers.shift();
      if (!next) throw new Error('called too often');
      return next;
    },
  };
}

describe('withStorePin', () => {
  it('without a PIN set, calls once and never asks', async () => {
    const m = main([{ ok: true, value: 'file' }]);
    const asked: PinAsk[] = [];
    expect(await withStorePin(m.call, async (why) => (asked.push(why), '1234'))).toEqual({ ok: true, value: 'file' });
    expect(m.pins).toEqual([undefined]);
    expect(asked).toEqual([]);
  });

  it('asks when main wants the PIN, again when it was wrong, and tells the person it is locked', async () => {
    const m = main([refused('pin-required'), refused('pin-wrong'), refused('pin-locked'), { ok: true, value: 'file' }]);
    const typed = ['1111', '2222', '48260193'];
    const asked: PinAsk[] = [];
    expect(await withStorePin(m.call, async (why) => (asked.push(why), typed.shift() ?? null))).toEqual({ ok: true, value: 'file' });
    expect(asked).toEqual(['required', 'wrong', 'locked']);
    expect(m.pins).toEqual([undefined, '1111', '2222', '48260193']);
  });

  it('stops when the person cancels: nothing more is sent', async () => {
    const m = main([refused('pin-required')]);
    expect(await withStorePin(m.call, async () => null)).toBeNull();
    expect(m.pins).toEqual([undefined]);
  });

  it('any other refusal is the answer, and nobody is asked', async () => {
    const m = main([refused('refused')]);
    let asked = false;
    expect(await withStorePin(m.call, async () => ((asked = true), '1234'))).toMatchObject({ ok: false, error: { code: 'refused' } });
    expect(asked).toBe(false);
  });
});

describe('readPin', () => {
  it.each([
    ['48260193', '48260193'],
    [' 1234 ', '1234'],
    ['٤٨٢٦', '4826'],
    ['۱۲۳۴۵', '12345'],
    ['123', null],
    ['1234567890123', null],
    ['12a4', null],
    ['', null],
  ])('%j -> %j', (typed, expected) => {
    expect(readPin(typed)).toBe(expected);
  });
});
