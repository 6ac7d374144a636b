// Playwright key names that make a US-layout keyboard (and so a keyboard-mode scanner) type each
// printable ASCII character: the physical key plus Shift, as the scanner's HID reports would.
const UNSHIFTED: Record<string, string> = {
  '-': 'Minus',
  '=': 'Equal',
  '[': 'BracketLeft',
  ']': 'BracketRight',
  '\\': 'Backslash',
  ';': 'Semicolon',
  "'": 'Quote',
  '`': 'Backquote',
  ',': 'Comma',
  '.': 'Period',
  '/': 'Slash',
  ' ': 'Space',
};
const SHIFTED: Record<string, string> = {
  '!': 'Digit1',
  '@': 'Digit2',
  '#': 'Digit3',
  $: 'Digit4',
  '%': 'Digit5',
  '^': 'Digit6',
  '&': 'Digit7',
  '*': 'Digit8',
  '(': 'Digit9',
  ')': 'Digit0',
  _: 'Minus',
  '+': 'Equal',
  '{': 'BracketLeft',
  '}': 'BracketRight',
  '|': 'Backslash',
  ':': 'Semicolon',
  '"': 'Quote',
  '~': 'Backquote',
  '<': 'Comma',
  '>': 'Period',
  '?': 'Slash',
};

export function usKeyFor(ch: string): string {
  if (ch === '\n') return 'Enter';
  if (/^[a-z]$/.test(ch)) return `Key${ch.toUpperCase()}`;
  if (/^[A-Z]$/.test(ch)) return `Shift+Key${ch}`;
  if (/^[0-9]$/.test(ch)) return `Digit${ch}`;
  const plain = UNSHIFTED[ch];
  if (plain) return plain;
  const shifted = SHIFTED[ch];
  if (shifted) return `Shift+${shifted}`;
  throw new Error(`No US key for ${JSON.stringify(ch)}`);
}

/** Windows virtual-key codes Chromium expects with each physical key (keyCode on the event). */
const VK: Record<string, number> = {
  Minus: 189,
  Equal: 187,
  BracketLeft: 219,
  BracketRight: 221,
  Backslash: 220,
  Semicolon: 186,
  Quote: 222,
  Backquote: 192,
  Comma: 188,
  Period: 190,
  Slash: 191,
  Space: 32,
  Enter: 13,
  Tab: 9,
};

export interface CdpKeyEvent {
  type: 'keyDown' | 'keyUp' | 'rawKeyDown';
  key: string;
  code: string;
  windowsVirtualKeyCode: number;
  modifiers: number;
  text?: string;
  unmodifiedText?: string;
}

/**
 * The DevTools-protocol key events a US-layout keyboard (a scanner in keyboard mode) produces for
 * one character: Shift down when needed, the key down with its text, the key up, Shift up.
 */
export function cdpKeyEventsFor(ch: string): CdpKeyEvent[] {
  const name = ch === '\n' ? 'Enter' : usKeyFor(ch);
  const shifted = name.startsWith('Shift+');
  const code = shifted ? name.slice('Shift+'.length) : name;
  const vk = VK[code] ?? (code.startsWith('Key') || code.startsWith('Digit') ? code.charCodeAt(code.length - 1) : 0);
  const modifiers = shifted ? 8 : 0;
  const text = ch === '\n' ? '\r' : ch;
  const events: CdpKeyEvent[] = [];
  if (shifted) events.push({ type: 'rawKeyDown', key: 'Shift', code: 'ShiftLeft', windowsVirtualKeyCode: 16, modifiers: 8 });
  events.push({ type: 'keyDown', key: ch === '\n' ? 'Enter' : ch, code, windowsVirtualKeyCode: vk, modifiers, text, unmodifiedText: text });
  events.push({ type: 'keyUp', key: ch === '\n' ? 'Enter' : ch, code, windowsVirtualKeyCode: vk, modifiers });
  if (shifted) events.push({ type: 'keyUp', key: 'Shift', code: 'ShiftLeft', windowsVirtualKeyCode: 16, modifiers: 0 });
  return events;
}
