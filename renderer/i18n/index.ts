// The screen's two languages. Every visible string comes from en.ts / ar.ts (a unit test keeps
// their keys identical and scans the components for untranslated text). Switching language also
// flips the whole document to right-to-left: the CSS uses logical properties only, so the
// layout mirrors without a second stylesheet.
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { ar } from './ar.ts';
import { en } from './en.ts';
import type { Language } from './format.ts';

export type { Language } from './format.ts';
export const LANGUAGES: readonly Language[] = ['en', 'ar'];

export function directionOf(lang: Language): 'ltr' | 'rtl' {
  return lang === 'ar' ? 'rtl' : 'ltr';
}

/** Sets `lang` and `dir` on <html> so the browser shapes, aligns and mirrors correctly. */
export function applyDocumentLanguage(lang: Language, doc: Document = document): void {
  doc.documentElement.lang = lang;
  doc.documentElement.dir = directionOf(lang);
}

/** Wraps text in Unicode FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE. */
export function isolate(value: unknown): string {
  return `\u2068${String(value)}\u2069`;
}

export async function initI18n(lang: Language): Promise<typeof i18next> {
  await i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, ar: { translation: ar } },
    lng: lang,
    fallbackLng: 'en',
    supportedLngs: ['en', 'ar'],
    // React escapes text itself, so i18next's "escape" is used for something else: every
    // interpolated value (a code, an id, an English message from Gameball) is wrapped in a
    // first-strong isolate (FSI..PDI), so Latin text inside an Arabic sentence, and Arabic inside
    // an English one, keeps its own direction and cannot reorder the sentence around it.
    interpolation: { escapeValue: true, escape: isolate },
    returnNull: false,
  });
  applyDocumentLanguage(lang);
  return i18next;
}

export async function changeLanguage(lang: Language): Promise<void> {
  await i18next.changeLanguage(lang);
  applyDocumentLanguage(lang);
}

/** The language the screen starts in before settings load: the browser's, if Arabic. */
export function initialLanguage(nav: { languages?: readonly string[] } = navigator): Language {
  const first = nav.languages?.[0] ?? 'en';
  return first.toLowerCase().startsWith('ar') ? 'ar' : 'en';
}
