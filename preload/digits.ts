// Digits as people in Egypt and the Gulf type them: Arabic-Indic (٠..٩) and Persian (۰..۹)
// digits and the Arabic decimal and thousands separators, turned into ASCII. One function for
// both sides, so a number the screen accepts is read the same way by the engine and the CLI.
// Imports nothing: both sides load this file.

const NON_ASCII = /[\u0660-\u066c\u06f0-\u06f9]/;

/**
 * Turns Arabic-Indic and Persian digits into ASCII digits and the Arabic decimal and thousands
 * separators into '.' and ','. Everything else is left as it is.
 */
export function normalizeDigits(text: string): string {
  // Most input is ASCII already: one test instead of a pass over every character.
  if (!NON_ASCII.test(text)) return text;
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp >= 0x0660 && cp <= 0x0669) out += String(cp - 0x0660);
    else if (cp >= 0x06f0 && cp <= 0x06f9) out += String(cp - 0x06f0);
    else if (ch === '\u066b')
      out += '.'; // ARABIC DECIMAL SEPARATOR
    else if (ch === '\u066c')
      out += ','; // ARABIC THOUSANDS SEPARATOR
    else out += ch;
  }
  return out;
}
