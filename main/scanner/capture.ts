// Capture files: raw scanner reports recorded for support and replayed in tests.
//
//   # comment lines start with '#'; `# mode: hidpos` and `# layout: honeywell` are directives
//   @0 02 3a 5d 51 31 68 74 74 70 ...      one report per line, hex bytes;
//   @12.5 02:3a:...                         spaces or colons between bytes (or none);
//   00 00 0b 00 00 00 00 00                 `@<milliseconds>` (optional) is when it arrived.
//
// Parsing is total: bad lines are listed in `errors` and skipped, never thrown.
export interface CaptureReport {
  bytes: Uint8Array;
  at?: number;
  line: number;
}

export interface Capture {
  reports: CaptureReport[];
  directives: Record<string, string>;
  errors: Array<{ line: number; message: string }>;
}

/** Longest report accepted from a file (HID full-speed reports are at most 64 bytes). */
const MAX_REPORT_BYTES = 1_024;
const DIRECTIVE = /^#\s*(mode|layout|device)\s*:\s*(\S+)\s*$/i;
const AT_PREFIX = /^@\s*(\d+(?:\.\d+)?)\s*/;

export function parseCapture(text: string): Capture {
  const out: Capture = { reports: [], directives: {}, errors: [] };
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i += 1) {
    const lineNo = i + 1;
    let line = (lines[i] ?? '').trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const d = DIRECTIVE.exec(line);
      if (d) out.directives[d[1]!.toLowerCase()] = d[2]!;
      continue;
    }
    const hash = line.indexOf('#');
    if (hash >= 0) line = line.slice(0, hash).trim();
    let at: number | undefined;
    const m = AT_PREFIX.exec(line);
    if (m) {
      at = Number(m[1]);
      line = line.slice(m[0].length);
    } else if (line.startsWith('@')) {
      out.errors.push({ line: lineNo, message: 'expected @<milliseconds> before the bytes' });
      continue;
    }
    const digits = line.replace(/[\s:,]+/g, '').replace(/0x/gi, '');
    if (digits.length === 0) {
      out.errors.push({ line: lineNo, message: 'no bytes on this line' });
      continue;
    }
    if (!/^[0-9a-f]+$/i.test(digits) || digits.length % 2 !== 0) {
      out.errors.push({ line: lineNo, message: 'not hex bytes (two hex digits per byte, spaces or colons between)' });
      continue;
    }
    if (digits.length / 2 > MAX_REPORT_BYTES) {
      out.errors.push({ line: lineNo, message: `report longer than ${MAX_REPORT_BYTES} bytes` });
      continue;
    }
    const bytes = new Uint8Array(digits.length / 2);
    for (let b = 0; b < bytes.length; b += 1) bytes[b] = parseInt(digits.slice(b * 2, b * 2 + 2), 16);
    out.reports.push(at === undefined ? { bytes, line: lineNo } : { bytes, at, line: lineNo });
  }
  return out;
}

/** Lowercase hex, no separators (the live view and `report` events). */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 1) s += (bytes[i]! < 16 ? '0' : '') + bytes[i]!.toString(16);
  return s;
}

/** One capture line: `@<ms> hex bytes separated by spaces`. */
export function formatCaptureLine(bytes: Uint8Array, at?: number): string {
  const hex = toHex(bytes).replace(/(..)(?!$)/g, '$1 ');
  return at === undefined ? hex : `@${Math.round(at)} ${hex}`;
}
