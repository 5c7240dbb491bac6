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
  /** Words that turn a yes into something else ("not", "pas"); optional. */
  negation?: string[];
  /** Words that, as the whole message, leave the conversation at any question ("menu"); optional. */
  leave?: string[];
}

/** Words accepted for the options of one question: folded word -> option id (null when two options share it). */
export interface OptionWords {
  byLanguage: ReadonlyMap<string, ReadonlyMap<string, string | null>>;
  anyLanguage: ReadonlyMap<string, string | null>;
  /**
   * Per language, then '*' for all: each label and word of each option as a phrase of
   * inflection-folded words (see inflectionFold), for answers that inflect or hold one.
   */
  phrases?: ReadonlyMap<string, readonly OptionPhrase[]>;
}

/** One label or word of an option, as inflection-folded words. */
export interface OptionPhrase {
  words: readonly string[];
  id: string;
}

/** Words of an answer beyond the phrase it holds, past which it is not read as that option. */
const MAX_WORDS_AROUND_PHRASE = 3;

/**
 * A folded word without the endings French adjectives and nouns take for gender and number
 * (e, es, s, x): "élevé", "élevée" and "élevées" all read "elev"; "armés" and "armé" read "arm".
 * Words shorter than four letters are kept, and at least three letters remain.
 */
export function inflectionFold(word: string): string {
  if (word.length < 4) return word;
  const stem = word.replace(/(?:es|s|x)$/u, '').replace(/e+$/u, '');
  return stem.length >= 3 ? stem : word;
}

/**
 * The option an answer names by a phrase it holds, inflection aside ("des hommes armés" holds
 * "hommes armés"): the longest phrase found wins; null when none is found, when the longest ones
 * name different options, when the answer has a negation ("pas élevée") or too many other words.
 */
function optionByPhrase(folded: string, phrases: readonly OptionPhrase[] | undefined, negations: readonly string[]): string | null {
  if (phrases === undefined) return null;
  const tokens = folded.split(' ');
  if (tokens.some((token) => negations.includes(token))) return null;
  const stems = tokens.map(inflectionFold);
  let best = 0;
  let ids = new Set<string>();
  for (const phrase of phrases) {
    const size = phrase.words.length;
    if (size === 0 || size < best || tokens.length - size > MAX_WORDS_AROUND_PHRASE) continue;
    const found = stems.some((_, start) => phrase.words.every((word, offset) => stems[start + offset] === word));
    if (!found) continue;
    if (size > best) {
      best = size;
      ids = new Set();
    }
    ids.add(phrase.id);
  }
  return ids.size === 1 ? ([...ids][0] as string) : null;
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
 * The one number in an answer ("12", "about 1,200 people", "٣٠", "١٬٢٠٠", ".5"), or null when
 * there is none or more than one. Thousands separators (comma, point, spaces, Arabic U+066C) are
 * understood; a decimal comma or point is kept, also without a leading zero.
 */
export function parseNumber(text: string, integer: boolean): number | null {
  if (text.length > 200) return null;
  const plain = asciiDigits(text).replace(/(\d)[,.\u00a0\u202f ](?=\d{3}(?:\D|$))/g, '$1');
  const numbers = plain.match(/-?(?:\d+(?:[.,]\d+)?|(?<!\d)[.,]\d+)/g);
  if (!numbers || numbers.length !== 1) return null;
  const value = Number((numbers[0] as string).replace(',', '.'));
  if (!Number.isFinite(value)) return null;
  if (integer && !Number.isInteger(value)) return null;
  return value;
}

/** A day of the calendar as YYYY-MM-DD, or null when it does not exist (31/02). */
function isoDate(year: number, month: number, day: number): string | null {
  if (month < 1 || month > 12 || day < 1 || day > 31 || year < 1900 || year > 2999) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1) return null;
  return date.toISOString().slice(0, 10);
}

/** How far back a date without a year is looked for (a 29 February needs up to 8 years). */
const MAX_YEARS_BACK = 8;

/**
 * The year of a day written without one, or with two digits: the most recent such day that is
 * not after today (a date answer says when something happened). Null when no such day exists.
 */
function pastDay(yearText: string | undefined, month: number, day: number, today: string): string | null {
  const thisYear = Number(today.slice(0, 4));
  if (yearText !== undefined && yearText.length === 4) return isoDate(Number(yearText), month, day);
  const candidates =
    yearText === undefined
      ? Array.from({ length: MAX_YEARS_BACK + 1 }, (_, back) => thisYear - back)
      : [2000 + Number(yearText), 1900 + Number(yearText)];
  let fallback: string | null = null;
  for (const year of candidates) {
    const date = isoDate(year, month, day);
    if (date === null) continue;
    if (date <= today) return date;
    fallback ??= date;
  }
  return yearText === undefined ? null : fallback;
}

/** What a date answer says: a day, a day that does not exist ("31/02"), or no date at all. */
export type DateReading = { date: string } | 'impossible' | null;

const ISO_DATE = /(?<![\d/.-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d/-])/g;
const DAY_FIRST = /(?<![\d/.:-])(\d{1,2})\s?([/.-])\s?(\d{1,2})(?:\s?\2\s?(\d{4}|\d{2}))?(?![\d/:-]|[.,]\d)/g;

/**
 * Reads a date answer: ISO (2025-05-12), day first (12/05/2025, 12.05.25, 12-05), alone or inside
 * a sentence or followed by a time ("on 12/04 at 10:30"), or a word for today / yesterday in any
 * of the given vocabularies. A date without a year, or with a two-digit year, is the most recent
 * such day not after today. Dates are UTC days. When the text holds several dates that differ,
 * it is no date; when every date it holds does not exist, it is 'impossible'.
 */
export function readDate(text: string, now: Date, vocabularies: readonly Vocabulary[]): DateReading {
  if (text.length > 200) return null;
  const plain = asciiDigits(text);
  const today = now.toISOString().slice(0, 10);
  const found = new Set<string>();
  let impossible = false;
  const consider = (date: string | null) => (date === null ? (impossible = true) : found.add(date));
  for (const match of plain.matchAll(ISO_DATE)) consider(isoDate(Number(match[1]), Number(match[2]), Number(match[3])));
  const withoutIso = plain.replace(ISO_DATE, ' ');
  for (const match of withoutIso.matchAll(DAY_FIRST)) consider(pastDay(match[4], Number(match[3]), Number(match[1]), today));
  if (found.size === 1) return { date: [...found][0] as string };
  if (found.size > 1) return null;
  if (impossible) return 'impossible';
  const day = (offset: number) => new Date(now.getTime() - offset * 86_400_000).toISOString().slice(0, 10);
  if (vocabularies.some((v) => saysOneOf(text, v.yesterday))) return { date: day(1) };
  if (vocabularies.some((v) => saysOneOf(text, v.today))) return { date: day(0) };
  return null;
}

/** A date answer as YYYY-MM-DD (see readDate), or null when it is no date or a day that does not exist. */
export function parseDate(text: string, now: Date, vocabularies: readonly Vocabulary[]): string | null {
  const reading = readDate(text, now, vocabularies);
  return reading === null || reading === 'impossible' ? null : reading.date;
}

type Meaning = 'yes' | 'no' | 'unsure' | 'negation';

/** Words of an answer that are neither yes nor no, beyond which a yes/no answer is not read ("yes please send it"). */
const MAX_OTHER_WORDS = 3;

/**
 * yes, no, or null when the answer does not say one of them plainly. The answer is read as
 * phrases, the longest first ("no problem" is a yes, "of course not" a no, "no idea" is unsure):
 * it is yes (or no) when it holds yes phrases (or no phrases) only, no "unsure" phrase, no
 * negation outside a phrase ("not yes"), and at most a few other words ("I say yes").
 * Anything else, both included, is null: the question is asked again, never guessed.
 */
export function parseYesNo(text: string, vocabularies: readonly Vocabulary[]): 'yes' | 'no' | null {
  const tokens = foldedWords(text);
  if (tokens.length === 0) return null;
  const phrases: { words: string[]; meaning: Meaning }[] = [];
  for (const v of vocabularies) {
    const add = (list: readonly string[], meaning: Meaning) => {
      for (const phrase of list) if (phrase.length > 0) phrases.push({ words: phrase.split(' '), meaning });
    };
    add(v.yes, 'yes');
    add(v.no, 'no');
    add(v.skip, 'unsure');
    add(v.negation ?? [], 'negation');
  }
  phrases.sort((a, b) => b.words.length - a.words.length);
  const meanings = new Set<Meaning>();
  let others = 0;
  for (let index = 0; index < tokens.length; ) {
    const phrase = phrases.find((p) => p.words.every((word, offset) => tokens[index + offset] === word));
    if (phrase === undefined) {
      others += 1;
      index += 1;
      continue;
    }
    meanings.add(phrase.meaning);
    index += phrase.words.length;
  }
  if (others > MAX_OTHER_WORDS || meanings.has('unsure') || meanings.has('negation')) return null;
  const yes = meanings.has('yes');
  const no = meanings.has('no');
  if (yes === no) return null;
  return yes ? 'yes' : 'no';
}

function lookup(words: ReadonlyMap<string, string | null> | undefined, folded: string): string | null | undefined {
  if (!words) return undefined;
  if (words.has(folded)) return words.get(folded);
  const first = folded.split(' ')[0] ?? '';
  return first !== folded ? words.get(first) : undefined;
}

/**
 * The option an answer names by word (contact's language first, then any language): a label or
 * word of an option, or its first word; else a label or word the answer holds, inflection aside
 * (see optionByPhrase; `negations` are folded words that stop this reading).
 */
export function optionByWord(text: string, words: OptionWords, language: string, negations: readonly string[] = []): string | null {
  const folded = fold(text);
  if (folded.length === 0) return null;
  const own = lookup(words.byLanguage.get(language), folded);
  if (own !== undefined && own !== null) return own;
  const any = own === undefined ? lookup(words.anyLanguage, folded) : undefined;
  if (any !== undefined && any !== null) return any;
  return optionByPhrase(folded, words.phrases?.get(language), negations) ?? optionByPhrase(folded, words.phrases?.get('*'), negations);
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
