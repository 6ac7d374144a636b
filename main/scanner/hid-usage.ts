// The US-layout meaning of Keyboard/Keypad page (0x07) usage ids, as a keyboard-mode scanner
// configured for "US keyboard" means them. Key positions, not characters: the table is the
// only place that turns one into the other.

export const USAGE_ENTER = 0x28;
export const USAGE_TAB = 0x2b;
export const USAGE_KEYPAD_ENTER = 0x58;
/** Keyboard ErrorRollOver, POSTFail, ErrorUndefined: a report with one of these says nothing. */
export const USAGE_ERROR_MAX = 0x03;

/** Modifier byte bits of a boot keyboard report. */
export const MOD_LCTRL = 0x01;
export const MOD_LSHIFT = 0x02;
export const MOD_LALT = 0x04;
export const MOD_LGUI = 0x08;
export const MOD_RCTRL = 0x10;
export const MOD_RSHIFT = 0x20;
export const MOD_RALT = 0x40;
export const MOD_RGUI = 0x80;
export const MOD_SHIFT = MOD_LSHIFT | MOD_RSHIFT;
/** Ctrl, Alt and GUI: a key pressed with one of these is a command, not text. */
export const MOD_COMMAND = MOD_LCTRL | MOD_RCTRL | MOD_LALT | MOD_RALT | MOD_LGUI | MOD_RGUI;

/** usage id -> [unshifted, shifted] character on a US layout. Absent: not a text key. */
const US: ReadonlyArray<readonly [string, string] | undefined> = (() => {
  const t: Array<readonly [string, string] | undefined> = new Array(256).fill(undefined);
  for (let i = 0; i < 26; i += 1) t[0x04 + i] = [String.fromCharCode(97 + i), String.fromCharCode(65 + i)];
  const digitsShifted = '!@#$%^&*(';
  for (let i = 0; i < 9; i += 1) t[0x1e + i] = [String(i + 1), digitsShifted.charAt(i)];
  t[0x27] = ['0', ')'];
  t[0x2c] = [' ', ' '];
  const punct: Array<[number, string, string]> = [
    [0x2d, '-', '_'],
    [0x2e, '=', '+'],
    [0x2f, '[', '{'],
    [0x30, ']', '}'],
    [0x31, '\\', '|'],
    [0x33, ';', ':'],
    [0x34, "'", '"'],
    [0x35, '`', '~'],
    [0x36, ',', '<'],
    [0x37, '.', '>'],
    [0x38, '/', '?'],
  ];
  for (const [u, a, b] of punct) t[u] = [a, b];
  // Keypad: scanners send these with Num Lock assumed on; shift does not change them.
  const keypad: Array<[number, string]> = [
    [0x54, '/'],
    [0x55, '*'],
    [0x56, '-'],
    [0x57, '+'],
    [0x62, '0'],
    [0x63, '.'],
  ];
  for (const [u, c] of keypad) t[u] = [c, c];
  for (let i = 0; i < 9; i += 1) t[0x59 + i] = [String(i + 1), String(i + 1)];
  return t;
})();

/** The US character a key position types, or undefined for keys that type no text. */
export function usCharForUsage(usage: number, shift: boolean): string | undefined {
  const pair = US[usage];
  return pair === undefined ? undefined : pair[shift ? 1 : 0];
}

export function isTerminatorUsage(usage: number): boolean {
  return usage === USAGE_ENTER || usage === USAGE_KEYPAD_ENTER || usage === USAGE_TAB;
}
