// Which scanner a capture file asks the replayed scanner to be: its `# mode:` / `# layout:` lines,
// else the same guesses as `pos-companion replay`; a capture without reports changes nothing.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCapture } from '../../../main/scanner/capture.ts';
import { DEFAULT_REPLAY_PROFILE, replayProfileOf } from '../../../main/web/replay-transport.ts';

const fixture = (name: string) => parseCapture(readFileSync(join(resolve(import.meta.dirname, '../../fixtures/scanner'), name), 'utf8'));

describe('replayProfileOf', () => {
  it.each([
    ['hidpos-honeywell-referral-link.cap', { mode: 'hidpos', layout: 'honeywell' }],
    ['hidpos-generic-customer-then-product.cap', { mode: 'hidpos', layout: 'generic' }],
    ['hidpos-aim-referral-link.cap', { mode: 'hidpos', layout: 'aim-in-data' }],
    ['keyboard-referral-code.cap', { mode: 'keyboard', layout: 'honeywell' }],
    ['keyboard-rollover-customer.cap', { mode: 'keyboard', layout: 'honeywell' }],
  ])('%s', (name, expected) => {
    expect(replayProfileOf(fixture(name), DEFAULT_REPLAY_PROFILE)).toEqual(expected);
  });

  it('follows the directives over the guess, case-insensitively, and ignores an unknown layout', () => {
    const keyboardReport = '@0 02 00 15 00 00 00 00 00';
    expect(replayProfileOf(parseCapture(`# mode: HIDPOS\n# layout: Generic\n${keyboardReport}`))).toEqual({
      mode: 'hidpos',
      layout: 'generic',
    });
    expect(replayProfileOf(parseCapture(`# layout: no-such-layout\n@0 02 03 41 42 43`))).toEqual({ mode: 'hidpos', layout: 'generic' });
  });

  it('keeps the current scanner for a capture without reports', () => {
    const current = { mode: 'keyboard', layout: 'generic' } as const;
    expect(replayProfileOf(parseCapture('# nothing scanned yet\n'), current)).toBe(current);
    expect(replayProfileOf(parseCapture(''), current)).toBe(current);
  });
});
