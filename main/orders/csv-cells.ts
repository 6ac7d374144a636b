// Cells of a CSV export, safe to open in a spreadsheet. Excel, LibreOffice and Google Sheets run
// a cell that begins with `=`, `+`, `-` or `@` (and, once trimmed, a tab or carriage return) as a
// formula: a customer named `=HYPERLINK("http://x","y")` or a receipt `+cmd|' /C calc'!A0` would
// run on the computer of whoever opens the export. Such a cell gets a leading `'` (OWASP's advice
// for CSV injection), which the spreadsheet shows as text and never evaluates.
//
// One exception, for columns this app writes itself from its own formatters: a value that matches
// that column's strict pattern is left as it is, so it stays a number in the sheet. None of those
// patterns can hold anything but digits, one sign and one decimal point, which a spreadsheet reads
// as a number, not a formula. The amounts are never negative (a capture refuses that), but the
// sign is allowed where our own data can carry it (points Gameball took back).

/** A leading character that makes a spreadsheet read the cell as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** Columns whose values the app produces itself, with the exact shape its formatter writes. */
const OWN_NUMBER_COLUMNS: Readonly<Record<string, RegExp>> = {
  // formatMinor: digits, and the currency's decimals after one point.
  totalPaid: /^\d+(?:\.\d+)?$/,
  totalPrice: /^\d+(?:\.\d+)?$/,
  // An integer: the points Gameball answered, rounded here.
  rewardedPoints: /^-?\d+$/,
  // E.164 as the phone-number library writes it: a plus and up to 15 digits.
  mobile: /^\+[1-9]\d{5,14}$/,
};

/**
 * The value to write in `column`: unchanged when a spreadsheet would not run it (or it is one of
 * our own numbers, see above), else the same text behind a `'`. null and undefined stay empty.
 */
export function spreadsheetSafe(column: string, value: string | number | null | undefined): string | number | null | undefined {
  if (value === null || value === undefined) return value;
  const text = String(value);
  if (!FORMULA_START.test(text)) return value;
  if (OWN_NUMBER_COLUMNS[column]?.test(text)) return value;
  return `'${text}`;
}
