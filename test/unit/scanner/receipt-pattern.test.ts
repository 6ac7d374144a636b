// The receipt-pattern check: what a store writes is accepted, what backtracks catastrophically is
// refused with a message naming what is not allowed, and the worst accepted pattern stays fast
// on any text the classifier hands it.
import { describe, expect, it } from 'vitest';
import { classifyScan, DEFAULT_CLASSIFY_OPTIONS } from '../../../preload/scan-classify.ts';
import { MAX_RECEIPT_TEXT_LENGTH, receiptPatternProblem } from '../../../preload/receipt-pattern.ts';

describe('receiptPatternProblem', () => {
  it.each([
    'R-\\d{6}',
    '^R\\d+$',
    'POS:\\d{4,8}',
    '(INV|RC|POS)-?\\d{6,10}',
    '[A-Z]{2,4}-\\d+',
    '\\w+-\\w+-\\w+',
    '(?:\\d{3}-)+\\d{4}',
    '(?<branch>[A-Z]{3})/\\d+',
    'R\\.\\d+\\b',
    '\\x41\\u0042\\d*',
    '[\\]\\-\\/]\\d+?',
    '.*',
    'a{2}b{1,3}c{0,}',
  ])('accepts %s', (p) => {
    expect(receiptPatternProblem(p)).toBeNull();
  });

  it.each([
    ['(a+)+', /nested quantifiers/],
    ['(a*)*b', /nested quantifiers/],
    ['(\\d+\\s?)+$', /nested quantifiers/],
    ['(a?){25}a{25}', /nested quantifiers/],
    ['(a|aa)*b', /\| inside a repeated group/],
    ['(?:x|y)+', /\| inside a repeated group/],
    ['(\\w+)\\1', /backreferences \(\\1\)/],
    ['(?<n>a)\\k<n>', /backreferences \(\\k<name>\)/],
    ['(?=R)R\\d+', /lookahead/],
    ['(?!X)\\w+', /lookahead/],
    ['(?<=R)\\d+', /lookbehind/],
    ['(?<!X)\\d+', /lookbehind/],
    ['\\d*\\d*\\d*\\d*', /too many ways/],
    ['\\s*\\w*\\s*\\w*', /too many ways/],
    ['a?'.repeat(21), /too many ways/],
    ['\\d{1,500}', /count above 100/],
    ['\\p{L}+', /escape \\p is not allowed/],
    ['\\cJ', /escape \\c is not allowed/],
    ['\\0', /escape \\0 is not allowed/],
    ['([', /not a valid regular expression/],
    ['', /empty/],
    ['a'.repeat(201), /longer than 200/],
  ])('refuses %s, saying why', (p, message) => {
    expect(receiptPatternProblem(p)).toMatch(message);
  });

  it('never throws, whatever it is given', () => {
    for (const p of [')', '(', '\\', '[^]', '(?', '(?<', 'a{', '{1}', '\u0000', 42 as unknown as string])
      expect(() => receiptPatternProblem(p)).not.toThrow();
  });
});

describe('the worst patterns it accepts stay fast', () => {
  // Adversarial for a backtracking engine, yet within the check's bound. Each runs on texts
  // built to fail at the last character, as long as the classifier ever lets them be.
  const accepted = [
    '\\d*\\d*\\d*',
    '\\w+\\w?-\\w+',
    'a?'.repeat(20) + 'b',
    '[ab]?'.repeat(20),
    '(?:a|a)'.repeat(20),
    '\\d{0,100}\\d{0,100}\\d{0,100}',
    '.*a.*a.*a',
  ];
  const hostile = [
    '1'.repeat(MAX_RECEIPT_TEXT_LENGTH - 1) + '!',
    'a'.repeat(MAX_RECEIPT_TEXT_LENGTH - 1) + '!',
    'ab'.repeat(MAX_RECEIPT_TEXT_LENGTH / 2),
    'a'.repeat(20) + '!',
  ];
  it.each(accepted)('%s', (p) => {
    expect(receiptPatternProblem(p)).toBeNull();
    const started = performance.now();
    for (const text of hostile) classifyScan(text, { ...DEFAULT_CLASSIFY_OPTIONS, receiptPattern: p });
    // Measured at 70 ms for the slowest of these on a 2-core VM; (a+)+ alone took over a minute.
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
