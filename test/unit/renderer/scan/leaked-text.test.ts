import { describe, expect, it } from 'vitest';
import { insertText, removeLeakedText } from '../../../../renderer/scan/leaked-text.ts';

describe('removeLeakedText', () => {
  it('removes what the first keys of a scan typed at the caret', () => {
    expect(removeLeakedText('12.5R', 5, 'R')).toEqual({ value: '12.5', caret: 4 });
    expect(removeLeakedText('05RE00', 4, 'RE')).toEqual({ value: '0500', caret: 2 });
  });

  it('leaves the field alone when the characters are not where they were typed', () => {
    expect(removeLeakedText('12.5', 4, 'R')).toBeNull();
    expect(removeLeakedText('R12', 3, 'R')).toBeNull();
    expect(removeLeakedText('', 0, 'R')).toBeNull();
  });

  it('does nothing when nothing leaked', () => {
    expect(removeLeakedText('abc', 3, '')).toBeNull();
  });
});

describe('insertText', () => {
  it('inserts released keys at the caret, replacing a selection', () => {
    expect(insertText('ac', 1, 1, 'b')).toEqual({ value: 'abc', caret: 2 });
    expect(insertText('aXXd', 1, 3, 'bc')).toEqual({ value: 'abcd', caret: 3 });
    expect(insertText('', 0, 0, 'hi')).toEqual({ value: 'hi', caret: 2 });
    expect(insertText('ab', 9, 9, 'c')).toEqual({ value: 'abc', caret: 3 });
  });
});
