/**
 * Reading answers as people type them: numbers, dates, yes/no, options by number, id or word.
 * Pure functions over already-built vocabularies (see catalog.ts).
 */
import { asciiDigits, fold, foldedWords } from './normalize.js';

/** The engine's own words in one language, folded (from locales/<lng>/flow.json `words`). */
export interface Vocabulary {
  yes: string[];
  no: string[];
  skip: string[];
  today: string[];
  yesterday: string[];
}

/** Words accepted for the options of one question: folded word -> option id (null when two options share it). */
export interface OptionWords {
  byLanguage: ReadonlyMap<string, ReadonlyMap<string, string | null>>;
  anyLanguage: ReadonlyMap<string, string | null>;
}

/** Whether a folded answer is the phrase or starts with it as whole words. */
function startsWithPhrase(folded: string, phrase: string): boolean {
  return folded === phrase || folded.startsWith(`${phrase} `);
}

/** Whether an answer says one of the phrases ("yes", "yes please"). */
export function saysOneOf(text: string, phrases: readonly string[]): boolean {
  const folded = fold(text);
  return folded.length > 0 && phrases.some((phrase) => startsWithPhrase(folded, phrase));
}

/**
 * The one number in an answer ("12", "about 1,200 people", "٣٠"), or null when there is none or
 * more than one. Thousands separators are understood; a decimal comma or point is kept.
 */
export function parseNumber(text: string, integer: boolean): number | null {
  if (text.length > 200) return null;
  const plain = asciiDigits(text).replace(/(\d)[,.\u00a0\u202f ](?=\d{3}(?:\D|$))/g, '$1');
  const numbers = plain.match(/-?\d+(?:[.,]\d+)?/g);
  if (!numbers || numbers.length !== 1) return null;
  const value = Number((numbers[0] as string).replace(',', '.'));
  if (!Number.isFinite(value)) return null;
  if (integer && !Number.isInteger(value)) return null;
  return value;
}

function isoDate(year: number, month: number, day: number): string | null {
  if (month < 1 || month > 12 || day < 1 || day > 31 || year < 1900 || year > 2999) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1) return null;
  return date.toISOString().slice(0, 10);
}

/**
 * A date answer as YYYY-MM-DD: ISO (2025-05-12), day first (12/05/2025, 12.05.25, 12-05, the
 * year defaulting to the current one), or a word for today / yesterday in any of the given
 * vocabularies. Dates are UTC days. Null when the answer is not a date.
 */
export function parseDate(text: string, now: Date, vocabularies: readonly Vocabulary[]): string | null {
  if (text.length > 200) return null;
  const plain = asciiDigits(text).trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(plain);
  if (iso) return isoDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const dayFirst = /^(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{4}|\d{2}))?$/.exec(plain);
  if (dayFirst) {
    const yearText = dayFirst[3];
    const year = yearText === undefined ? now.getUTCFullYear() : yearText.length === 2 ? 2000 + Number(yearText) : Number(yearText);
    return isoDate(year, Number(dayFirst[2]), Number(dayFirst[1]));
  }
  const day = (offset: number) => new Date(now.getTime() - offset * 86_400_000).toISOString().slice(0, 10);
  if (vocabularies.some((v) => saysOneOf(text, v.yesterday))) return day(1);
  if (vocabularies.some((v) => saysOneOf(text, v.today))) return day(0);
  return null;
}

/** yes, no, or null when the answer is neither (or both). */
export function parseYesNo(text: string, vocabularies: readonly Vocabulary[]): 'yes' | 'no' | null {
  const yes = vocabularies.some((v) => saysOneOf(text, v.yes));
  const no = vocabularies.some((v) => saysOneOf(text, v.no));
  if (yes === no) return null;
  return yes ? 'yes' : 'no';
}

function lookup(words: ReadonlyMap<string, string | null> | undefined, folded: string): string | null | undefined {
  if (!words) return undefined;
  if (words.has(folded)) return words.get(folded);
  const first = folded.split(' ')[0] ?? '';
  return first !== folded ? words.get(first) : undefined;
}

/** The option an answer names by word (contact's language first, then any language). */
export function optionByWord(text: string, words: OptionWords, language: string): string | null {
  const folded = fold(text);
  if (folded.length === 0) return null;
  const own = lookup(words.byLanguage.get(language), folded);
  if (own !== undefined) return own;
  return lookup(words.anyLanguage, folded) ?? null;
}

/** The option an answer names by its number as listed (1-based), or null. */
export function optionByNumber(text: string, count: number): number | null {
  const folded = fold(text);
  if (!/^\d{1,3}$/.test(folded)) return null;
  const index = Number(folded) - 1;
  return index >= 0 && index < count ? index : null;
}

/**
 * The options of a multiple-choice answer: numbers as listed ("1 3", "1,3", "13" when there are
 * fewer than ten options) or words separated by commas. Null when any part is not understood.
 */
export function optionsByNumbersOrWords(text: string, ids: readonly string[], words: OptionWords, language: string): string[] | null {
  if (text.length > 2000) return null;
  const tokens = foldedWords(text);
  if (tokens.length === 0) return null;
  const picked = new Set<string>();
  if (tokens.every((token) => /^\d+$/.test(token))) {
    for (const token of tokens) {
      const digits = token.length > 1 && ids.length < 10 ? token.split('') : [token];
      for (const digit of digits) {
        const index = Number(digit) - 1;
        const id = ids[index];
        if (id === undefined) return null;
        picked.add(id);
      }
    }
  } else {
    const pieces = text.split(/[,،;\n+&/]+/).filter((piece) => fold(piece).length > 0);
    for (const piece of pieces) {
      const id = optionByWord(piece, words, language);
      if (id === null) return pieces.length === 1 ? null : optionsAsOne(text, words, language);
      picked.add(id);
    }
  }
  if (picked.size === 0) return null;
  return ids.filter((id) => picked.has(id));
}

function optionsAsOne(text: string, words: OptionWords, language: string): string[] | null {
  const id = optionByWord(text, words, language);
  return id === null ? null : [id];
}
