// Every visible string is translated: English and Arabic have the same keys and the same
// placeholders, Arabic strings are Arabic, and no component renders text that bypasses i18n.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ar } from '../../../renderer/i18n/ar.ts';
import { en } from '../../../renderer/i18n/en.ts';
import { FOLDER_REFUSALS } from '../../../renderer/state/error-text.ts';
import { DATA_FOLDER_CODES } from '../../../main/data-folder.ts';
import { NOTICE_CODES, REFUSAL_REASONS } from '../../../preload/api.ts';

const rendererDir = resolve(import.meta.dirname, '../../../renderer');

function flatten(obj: object, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else if (v && typeof v === 'object') for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
    else throw new Error(`${key} is neither a string nor a section`);
  }
  return out;
}

const placeholders = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

describe('dictionaries', () => {
  const enFlat = flatten(en);
  const arFlat = flatten(ar);

  it('English and Arabic have exactly the same keys', () => {
    expect([...arFlat.keys()].sort()).toEqual([...enFlat.keys()].sort());
    expect(enFlat.size).toBeGreaterThan(100);
  });

  it('every translation keeps the placeholders of the English string', () => {
    for (const [key, text] of enFlat) expect(placeholders(arFlat.get(key) ?? ''), key).toEqual(placeholders(text));
  });

  it('no string is empty', () => {
    for (const [key, text] of [...enFlat, ...arFlat]) expect(text.trim(), key).not.toBe('');
  });

  // Names that stay as they are in Arabic: the product, Gameball, key caps and protocol names.
  const SAME_IN_BOTH = new Set(['app.name', 'settings.deviceKindHidpos', 'scanSource.hidpos', 'languageName.en', 'languageName.ar']);
  it('Arabic strings are written in Arabic (apart from names that stay as they are)', () => {
    for (const [key, text] of arFlat) {
      if (SAME_IN_BOTH.has(key)) continue;
      expect(/[\u0600-\u06ff]/.test(text), `${key}: ${text}`).toBe(true);
    }
  });

  it('keys that name enum values cover the contract (states, scan kinds, sources, amount errors)', () => {
    for (const s of ['pending', 'sending', 'synced', 'attention', 'discarded', 'all']) expect(enFlat.has(`state.${s}`), s).toBe(true);
    for (const k of ['customer', 'referral', 'product', 'receipt', 'unknown', 'rejected'])
      expect(enFlat.has(`scanKind.${k}`), k).toBe(true);
    for (const s of ['hidpos', 'keyboard', 'hid-keyboard', 'manual']) expect(enFlat.has(`scanSource.${s}`), s).toBe(true);
    for (const r of ['ok', 'invalid', 'self', 'already-customer', 'not-first-purchase', 'offline'])
      expect(enFlat.has(`referral.${r}`), r).toBe(true);
    for (const r of ['empty', 'invalid', 'too-many-decimals', 'not-positive', 'too-large'])
      expect(enFlat.has(`amountError.${r}`), r).toBe(true);
  });

  // The contract's lists against both dictionaries: a reason or a notice added to preload/api.ts
  // without its sentences fails here (the screen would otherwise show the engine's English).
  for (const [section, codes] of [
    ['refusal', REFUSAL_REASONS],
    ['notices', NOTICE_CODES],
  ] as const) {
    it(`every ${section === 'refusal' ? 'refusal reason' : 'till notice'} of the contract has an English and an Arabic sentence with the same placeholders`, () => {
      for (const code of codes) {
        const key = `${section}.${code}`;
        const english = enFlat.get(key);
        const arabic = arFlat.get(key);
        expect(english, `${key} in en.ts`).toBeTypeOf('string');
        expect(arabic, `${key} in ar.ts`).toBeTypeOf('string');
        expect(english?.trim(), key).not.toBe('');
        expect(/[\u0600-\u06ff]/.test(arabic ?? ''), `${key} in ar.ts is Arabic`).toBe(true);
        expect(placeholders(arabic ?? ''), key).toEqual(placeholders(english ?? ''));
      }
    });

    it(`the ${section} section has no sentence for a code the contract does not list`, () => {
      const listed = new Set<string>(codes);
      const keys = [...enFlat.keys()].filter((k) => k.startsWith(`${section}.`)).map((k) => k.slice(section.length + 1));
      const extra = keys.filter((k) => !listed.has(k) && !(section === 'notices' && (k === 'label' || k === 'details')));
      expect(extra).toEqual([]);
    });
  }

  it('every refusal about the data folder has its sentence, naming the folder, in both languages', () => {
    expect([...new Set(Object.values(DATA_FOLDER_CODES))].sort()).toEqual([...FOLDER_REFUSALS].sort());
    for (const r of FOLDER_REFUSALS) {
      expect(enFlat.get(`refusal.${r}`), r).toMatch(/\{\{folder\}\}/);
      expect(arFlat.get(`refusal.${r}`), r).toMatch(/\{\{folder\}\}/);
    }
  });
});

function tsxFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsxFiles(path);
    return path.endsWith('.tsx') ? [path] : [];
  });
}

/** Attributes a person reads or hears: they must come from t(), never a literal. */
const TEXT_ATTRIBUTES = new Set(['placeholder', 'title', 'aria-label', 'alt', 'label', 'aria-description', 'aria-placeholder']);
/** Literal text allowed in JSX: punctuation, separators and key caps, never words. */
const ALLOWED_TEXT = /^[\s·×—:+\-()/|.,]*$|^(Enter|Esc|F\d+)$/;

function literalTextIn(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const where = (node: ts.Node) => `${relative(rendererDir, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node)) {
      const text = node.getText().trim();
      if (text !== '' && !ALLOWED_TEXT.test(text)) found.push(`${where(node)} text "${text}"`);
    } else if (ts.isJsxAttribute(node) && node.initializer) {
      const name = node.name.getText();
      const init = node.initializer;
      const literal = ts.isStringLiteral(init)
        ? init.text
        : ts.isJsxExpression(init) &&
            init.expression &&
            (ts.isStringLiteral(init.expression) || ts.isNoSubstitutionTemplateLiteral(init.expression))
          ? init.expression.text
          : null;
      if (TEXT_ATTRIBUTES.has(name) && literal !== null && !ALLOWED_TEXT.test(literal)) found.push(`${where(node)} ${name}="${literal}"`);
    } else if (ts.isJsxExpression(node) && node.expression && ts.isStringLiteral(node.expression) && ts.isJsxElement(node.parent)) {
      const text = node.expression.text.trim();
      if (text !== '' && !ALLOWED_TEXT.test(text)) found.push(`${where(node)} {"${text}"}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('components', () => {
  const files = tsxFiles(rendererDir).filter((f) => !f.includes(`${join('renderer', 'transport')}`));

  it('finds the screens to check', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
  });

  it('render no untranslated text (JSX text or readable attributes)', () => {
    const found = files.flatMap(literalTextIn);
    expect(found).toEqual([]);
  });

  it('the scanner for untranslated text does catch literals', () => {
    // Guard against a checker that silently finds nothing.
    const probe = join(rendererDir, '..', 'test', 'unit', 'renderer', 'fixtures', 'untranslated.tsx');
    expect(literalTextIn(probe)).toHaveLength(3);
  });

  it('every t() key used in the components exists in English', () => {
    const enFlat = flatten(en);
    const sections = new Set(Object.keys(en));
    const missing: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bt\(\s*'([a-zA-Z]+\.[a-zA-Z-]+)'/g)) {
        const key = m[1] ?? '';
        if (!enFlat.has(key)) missing.push(`${relative(rendererDir, file)}: ${key}`);
      }
      // Dynamic keys `section.${x}` must at least name an existing section.
      for (const m of text.matchAll(/\bt\(\s*`([a-zA-Z]+)\./g))
        if (!sections.has(m[1] ?? '')) missing.push(`${relative(rendererDir, file)}: ${m[1]}.*`);
    }
    expect(missing).toEqual([]);
  });
});
