// What each physical key (`KeyboardEvent.code`) types on a US layout, unshifted and shifted.
// A keyboard-mode scanner set to "US keyboard" sends key positions; the till's OS layout
// (AZERTY, QWERTZ, Arabic...) turns them into other characters in `KeyboardEvent.key`. Reading
// the position back through this table recovers what the scanner meant on any layout.

const TABLE: ReadonlyMap<string, readonly [string, string]> = (() => {
  const t = new Map<string, readonly [string, string]>();
  for (let i = 0; i < 26; i += 1) {
    const lower = String.fromCharCode(97 + i);
    t.set(`Key${lower.toUpperCase()}`, [lower, lower.toUpperCase()]);
  }
  const shiftedDigits = ')!@#$%^&*(';
  for (let d = 0; d <= 9; d += 1) {
    t.set(`Digit${d}`, [String(d), shiftedDigits.charAt(d)]);
    t.set(`Numpad${d}`, [String(d), String(d)]);
  }
  const rest: Array<[string, string, string]> = [
    ['Space', ' ', ' '],
    ['Minus', '-', '_'],
    ['Equal', '=', '+'],
    ['BracketLeft', '[', '{'],
    ['BracketRight', ']', '}'],
    ['Backslash', '\\', '|'],
    ['Semicolon', ';', ':'],
    ['Quote', "'", '"'],
    ['Backquote', '`', '~'],
    ['Comma', ',', '<'],
    ['Period', '.', '>'],
    ['Slash', '/', '?'],
    ['NumpadDecimal', '.', '.'],
    ['NumpadAdd', '+', '+'],
    ['NumpadSubtract', '-', '-'],
    ['NumpadMultiply', '*', '*'],
    ['NumpadDivide', '/', '/'],
  ];
  for (const [code, a, b] of rest) t.set(code, [a, b]);
  return t;
})();

/** The US character for a physical key, or undefined when the key types no text. */
export function usCharForCode(code: string, shift: boolean): string | undefined {
  const pair = TABLE.get(code);
  return pair === undefined ? undefined : pair[shift ? 1 : 0];
}

/** Keys that end a scan: Enter (main or keypad) and Tab. */
export function terminatorForCode(code: string): 'Enter' | 'Tab' | undefined {
  if (code === 'Enter' || code === 'NumpadEnter') return 'Enter';
  if (code === 'Tab') return 'Tab';
  return undefined;
}

const MODIFIER_CODES = new Set([
  'ShiftLeft',
  'ShiftRight',
  'ControlLeft',
  'ControlRight',
  'AltLeft',
  'AltRight',
  'MetaLeft',
  'MetaRight',
  'CapsLock',
  'NumLock',
  'OSLeft',
  'OSRight',
  'Fn',
]);

/** Keys pressed on their own before another key (a scanner presses Shift before `A`). */
export function isModifierCode(code: string): boolean {
  return MODIFIER_CODES.has(code);
}
