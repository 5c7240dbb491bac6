/**
 * The console's texts: locales/<lng>/console.json (bundled; nothing fetched), English, French and
 * Arabic, resolved with i18next. Choosing a language sets <html lang> and, for Arabic, dir="rtl";
 * the choice is remembered in this browser.
 *
 * Every value interpolated into a sentence (a name, a date, a count) is a bidirectional isolate:
 * wrapped in FIRST STRONG ISOLATE (U+2068) and POP DIRECTIONAL ISOLATE (U+2069), Unicode Bidirectional
 * Algorithm (UAX #9) section 2.7, so an English committee name inside an Arabic sentence keeps its
 * own direction and does not pull the sentence's numbers and punctuation with it. Text written by
 * people, shown as a block of its own, takes dir="auto" where it is drawn.
 */
import i18next from 'i18next';
import en from '../locales/en/console.json';
import fr from '../locales/fr/console.json';
import ar from '../locales/ar/console.json';
import { calendarDay } from '../src/flow/shown-values.ts';

export const LANGUAGES = [
  { code: 'en', name: 'English', dir: 'ltr' },
  { code: 'fr', name: 'Français', dir: 'ltr' },
  { code: 'ar', name: 'العربية', dir: 'rtl' },
] as const;
export type Language = (typeof LANGUAGES)[number]['code'];

/** FSI ... PDI around a value (UAX #9, 2.7): its direction is its own, whatever surrounds it. */
export const isolate = (value: string): string => `\u2068${value}\u2069`;

const STORE_KEY = 'console.language';

function initial(): Language {
  const stored = localStorage.getItem(STORE_KEY);
  const wanted = stored ?? navigator.language.slice(0, 2);
  return (LANGUAGES.find((l) => l.code === wanted)?.code ?? 'en') as Language;
}

export function applyLanguage(code: Language): void {
  const language = LANGUAGES.find((l) => l.code === code)!;
  document.documentElement.lang = language.code;
  document.documentElement.dir = language.dir;
}

export async function startI18n(): Promise<void> {
  const lng = initial();
  await i18next.init({ lng, fallbackLng: 'en', resources: { en: { console: en }, fr: { console: fr }, ar: { console: ar } }, defaultNS: 'console', interpolation: { escapeValue: true, escape: isolate } });
  applyLanguage(lng);
}

export async function setLanguage(code: Language): Promise<void> {
  localStorage.setItem(STORE_KEY, code);
  await i18next.changeLanguage(code);
  applyLanguage(code);
}

export const t = (key: string, options?: Record<string, unknown>): string => String(i18next.t(key, options as never));
/** Whether the console has a text for `key` (in its language or English). */
export const exists = (key: string): boolean => i18next.exists(key);
export const language = (): Language => i18next.language as Language;

/** A date and time in the console's language. */
export function when(value: string | Date | null | undefined): string {
  if (!value) return '—';
  return new Intl.DateTimeFormat(language(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(value));
}

/**
 * A calendar day given as YYYY-MM-DD (an incident's `occurredAt`), as the console's language
 * writes it ("Dec 6, 2026", "6 déc. 2026"); a day in words ("yesterday evening", as a
 * reporter answered) as it is.
 */
export function day(value: string | null | undefined): string {
  if (!value) return '—';
  const date = calendarDay(value);
  if (date === null) return value;
  return new Intl.DateTimeFormat(language(), { dateStyle: 'medium', timeZone: 'UTC' }).format(date);
}

/** A time of day (HH:MM, as the console's language writes it). */
export function time(value: string | Date): string {
  return new Intl.DateTimeFormat(language(), { timeStyle: 'short' }).format(new Date(value));
}

export function number(value: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(language(), options).format(value);
}
