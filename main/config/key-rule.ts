// The rule for what a Gameball key may look like (see ./keys.ts for why), with no dependency: the
// quick `status` (main/cli/status.ts) judges the keys with it without loading zod.

export const GAMEBALL_KEY_PATTERN = /^[A-Za-z0-9._~+/=-]{8,256}$/;

export const KEY_RULE = 'a Gameball key is 8 to 256 letters, digits or - _ . ~ + / =';

/** Why `value` cannot be a Gameball key, for a person ("it contains a line break"); null when it can. */
export function keyProblem(value: string): string | null {
  if (GAMEBALL_KEY_PATTERN.test(value)) return null;
  if (/[\r\n]/.test(value)) return 'it contains a line break (was more than one line pasted?)';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'it contains a control character';
  if (/\s/.test(value)) return 'it contains a space';
  if (/[^\u0020-\u007e]/.test(value)) return 'it contains a character outside plain ASCII';
  if (value.length < 8) return 'it is shorter than 8 characters';
  if (value.length > 256) return 'it is longer than 256 characters';
  return `it contains a character a key does not have (${KEY_RULE})`;
}
