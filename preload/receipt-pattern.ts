// Which receipt patterns a till accepts. A receipt pattern is a JavaScript regular expression the
// store sets (Settings, `config set receiptPattern`, `scan-parse --receipt-pattern`) and every
// scan is tried against, in the main process and in the screen. JavaScript's engine backtracks,
// so a pattern such as `(a+)+` takes minutes on 30 characters and freezes the till. No
// linear-time engine ships with the app, so patterns are checked before use, conservatively:
//
// - only plain syntax: characters, escapes of punctuation, \d \w \s (and \D \W \S), \b \B,
//   \t \n \r \f \v, \xHH, \uHHHH, character classes, `.`, `^`, `$`, groups `( )`, `(?: )`,
//   `(?<name> )` (names: receiptNo, total), `|` and the quantifiers `* + ? {n} {n,} {n,m}` (lazy or not);
// - refused: backreferences (`\1`, `\k<name>`), lookahead and lookbehind, a repeated group that
//   itself contains a variable quantifier (`(a+)+`, `(a?){9}`) or `|` (`(a|ab)*`), counts above
//   100, and patterns whose matching could try too many ways of splitting a receipt number
//   (the product of the choices each quantifier and `|` leaves, counted on a 100-character
//   text, above MAX_MATCH_WAYS; `\w+-\w+-\w+` is within it, a fourth `\w+` is not).
//
// With those rules the matcher's work is bounded by MAX_MATCH_WAYS times the text's length, and
// the classifier only tries the pattern on texts of at most MAX_RECEIPT_TEXT_LENGTH characters
// (a receipt number longer than that cannot be saved anyway). Pure; no imports: the screen,
// the preload and main all load it.

/** Longest text a receipt pattern is tried on: a receipt number is at most 100 characters. */
export const MAX_RECEIPT_TEXT_LENGTH = 100;
/** Longest pattern accepted. */
export const MAX_RECEIPT_PATTERN_LENGTH = 200;
/** Upper bound on the ways a pattern may split one text (see receiptPatternProblem). */
export const MAX_MATCH_WAYS = 2 ** 20;
/**
 * The named groups the till reads from a match: `receiptNo` (the receipt number; without it the
 * whole text is) and `total` (the amount paid, decimal text such as `125.50`). Other names are
 * allowed and ignored; a near miss of these two (`<receiptno>`, `<Total>`, `<receipt_no>`) is
 * refused when the pattern is set, so the mistake is found then, not at the till.
 */
export const RECEIPT_GROUP_NAMES: readonly string[] = ['receiptNo', 'total'];

function squash(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

type Node =
  | { kind: 'char' }
  | { kind: 'assert' }
  | { kind: 'group'; alternatives: Node[][] }
  | { kind: 'repeat'; min: number; max: number; body: Node };

class Refused extends Error {}

const INFINITE = Number.POSITIVE_INFINITY;
const QUANTIFIER = /^\{(\d+)(?:(,)(\d*))?\}/;

/**
 * Why `pattern` cannot be a receipt pattern, for a person (it names what is not allowed), or
 * null when it can. Total: never throws.
 */
export function receiptPatternProblem(pattern: string): string | null {
  if (typeof pattern !== 'string' || pattern.length === 0) return 'it is empty';
  if (pattern.length > MAX_RECEIPT_PATTERN_LENGTH) return `it is longer than ${MAX_RECEIPT_PATTERN_LENGTH} characters`;
  try {
    new RegExp(pattern);
  } catch {
    return 'it is not a valid regular expression';
  }
  try {
    const parser = new Parser(pattern);
    const tree = parser.parse();
    checkRepeats(tree, false);
    for (const name of parser.names) {
      const meant = RECEIPT_GROUP_NAMES.find((g) => g !== name && squash(g) === squash(name));
      if (meant !== undefined) throw new Refused(`the group <${name}> would be ignored: the till reads <${meant}>, spelled exactly so`);
    }
    if (ways(tree) > MAX_MATCH_WAYS) {
      throw new Refused(
        'it leaves too many ways to match one text (too many *, +, {n,m} or | side by side, e.g. four \\w+ in a row); make the parts more specific, e.g. \\d{6} instead of \\d+',
      );
    }
    return null;
  } catch (err) {
    if (err instanceof Refused) return err.message;
    return 'it could not be checked';
  }
}

/** True when `pattern` may be used (see receiptPatternProblem). */
export function isSafeReceiptPattern(pattern: string): boolean {
  return receiptPatternProblem(pattern) === null;
}

class Parser {
  private i = 0;
  /** The group names met, checked once the whole pattern has parsed (see receiptPatternProblem). */
  readonly names: string[] = [];
  constructor(private readonly p: string) {}

  parse(): Node {
    const n = this.alternation();
    if (this.i < this.p.length) throw new Refused('it has an unmatched )');
    return n;
  }

  private alternation(): Node {
    const alternatives: Node[][] = [this.sequence()];
    while (this.p[this.i] === '|') {
      this.i += 1;
      alternatives.push(this.sequence());
    }
    return { kind: 'group', alternatives };
  }

  private sequence(): Node[] {
    const seq: Node[] = [];
    while (this.i < this.p.length && this.p[this.i] !== '|' && this.p[this.i] !== ')') {
      const atom = this.atom();
      seq.push(this.quantified(atom));
    }
    return seq;
  }

  private quantified(atom: Node): Node {
    const c = this.p[this.i];
    let min: number;
    let max: number;
    if (c === '*' || c === '+' || c === '?') {
      this.i += 1;
      [min, max] = c === '*' ? [0, INFINITE] : c === '+' ? [1, INFINITE] : [0, 1];
    } else if (c === '{' && QUANTIFIER.test(this.p.slice(this.i))) {
      const m = QUANTIFIER.exec(this.p.slice(this.i))!;
      this.i += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? INFINITE : Number(m[3]);
      if (min > MAX_RECEIPT_TEXT_LENGTH || (max !== INFINITE && max > MAX_RECEIPT_TEXT_LENGTH)) {
        throw new Refused(
          `a count above ${MAX_RECEIPT_TEXT_LENGTH} is not allowed (a receipt number is at most ${MAX_RECEIPT_TEXT_LENGTH} characters)`,
        );
      }
    } else {
      return atom;
    }
    if (this.p[this.i] === '?') this.i += 1; // lazy: the same choices, tried in another order
    if (atom.kind === 'assert') throw new Refused('a quantifier on ^, $, \\b or \\B is not allowed');
    return { kind: 'repeat', min, max, body: atom };
  }

  private atom(): Node {
    const c = this.p[this.i];
    if (c === '(') return this.group();
    if (c === '[') return this.charClass();
    if (c === '\\') return this.escape(false);
    this.i += 1;
    if (c === '^' || c === '$') return { kind: 'assert' };
    return { kind: 'char' };
  }

  private group(): Node {
    this.i += 1;
    if (this.p[this.i] === '?') {
      const head = this.p.slice(this.i, this.i + 3);
      if (head.startsWith('?:')) this.i += 2;
      else if (head.startsWith('?=') || head.startsWith('?!')) throw new Refused('lookahead (?= or ?!) is not allowed');
      else if (head === '?<=' || head === '?<!') throw new Refused('lookbehind (?<= or ?<!) is not allowed');
      else if (head.startsWith('?<')) {
        const end = this.p.indexOf('>', this.i);
        if (end < 0) throw new Refused('it has an unfinished group name');
        this.names.push(this.p.slice(this.i + 2, end));
        this.i = end + 1;
      } else throw new Refused('group flags such as (?i) are not allowed');
    }
    const inner = this.alternation();
    if (this.p[this.i] !== ')') throw new Refused('it has an unclosed (');
    this.i += 1;
    return inner;
  }

  private charClass(): Node {
    this.i += 1;
    if (this.p[this.i] === '^') this.i += 1;
    while (this.i < this.p.length && this.p[this.i] !== ']') {
      if (this.p[this.i] === '\\') this.escape(true);
      else this.i += 1;
    }
    if (this.p[this.i] !== ']') throw new Refused('it has an unclosed [');
    this.i += 1;
    return { kind: 'char' };
  }

  /** One escape: a character (or class) atom, or an assertion (\b \B outside a class). */
  private escape(inClass: boolean): Node {
    const c = this.p[this.i + 1] ?? '';
    this.i += 2;
    if (/[1-9]/.test(c) || c === 'k') throw new Refused(`backreferences (\\${c === 'k' ? 'k<name>' : c}) are not allowed`);
    if (!inClass && (c === 'b' || c === 'B')) return { kind: 'assert' };
    if ('dDwWsStnrfv'.includes(c) && c !== '') return { kind: 'char' };
    if (c === 'x' && /^[0-9A-Fa-f]{2}$/.test(this.p.slice(this.i, this.i + 2))) {
      this.i += 2;
      return { kind: 'char' };
    }
    if (c === 'u' && /^[0-9A-Fa-f]{4}$/.test(this.p.slice(this.i, this.i + 4))) {
      this.i += 4;
      return { kind: 'char' };
    }
    if (c !== '' && !/[A-Za-z0-9]/.test(c)) return { kind: 'char' };
    throw new Refused(`the escape \\${c} is not allowed (use \\d, \\w, \\s, \\b, or \\ before punctuation)`);
  }
}

/** Refuses a repeated group that holds a choice of its own: the classic catastrophic shapes. */
function checkRepeats(node: Node, insideRepeat: boolean): void {
  if (node.kind === 'group') {
    const live = node.alternatives.filter((a) => a.length > 0 || node.alternatives.length > 1);
    if (insideRepeat && live.length > 1) throw new Refused('| inside a repeated group, such as (a|ab)*, is not allowed');
    for (const alt of node.alternatives) for (const n of alt) checkRepeats(n, insideRepeat);
    return;
  }
  if (node.kind === 'repeat') {
    const repeats = node.max > 1;
    if (insideRepeat && node.min !== node.max) throw new Refused('nested quantifiers, such as (a+)+ or (a?){5}, are not allowed');
    checkRepeats(node.body, insideRepeat || repeats);
  }
}

/**
 * An upper bound on the ways the pattern can split one text of MAX_RECEIPT_TEXT_LENGTH
 * characters: a sequence multiplies its parts, `|` adds its alternatives, a quantifier
 * contributes how many counts it can take (a repeated group holds no choice of its own, see
 * checkRepeats).
 */
function ways(node: Node): number {
  if (node.kind === 'char' || node.kind === 'assert') return 1;
  if (node.kind === 'group') return node.alternatives.reduce((sum, alt) => sum + alt.reduce((prod, n) => prod * ways(n), 1), 0);
  const inner = ways(node.body);
  if (node.max <= 1) return node.min === 1 ? inner : 1 + inner;
  const top = Math.min(node.max, MAX_RECEIPT_TEXT_LENGTH);
  return Math.max(1, top - Math.min(node.min, top) + 1) * inner;
}
