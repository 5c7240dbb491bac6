/**
 * Normalisation of what people type, so that answers match labels, keywords and place names
 * whatever the case, accents, script variants or digits used.
 */

const ARABIC_INDIC_DIGITS = /[\u0660-\u0669]/g;
const PERSIAN_DIGITS = /[\u06f0-\u06f9]/g;

/**
 * Turns Arabic-Indic (U+0660-0669) and Persian (U+06F0-06F9) digits into ASCII digits, and the
 * Arabic decimal separator (U+066B) and thousands separator (U+066C) into "." and ",". Other
 * characters are kept.
 */
export function asciiDigits(text: string): string {
  return text
    .replace(ARABIC_INDIC_DIGITS, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(PERSIAN_DIGITS, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/(\d)\u066b(?=\d)/g, '$1.')
    .replace(/(\d)\u066c(?=\d)/g, '$1,');
}

/**
 * Folds a text for comparison: compatibility decomposition, no diacritics or Arabic short vowels,
 * lower case, Arabic letter variants unified (alef forms, alef maqsura, teh marbuta, tatweel, and
 * the Persian keyboard's yeh U+06CC and keheh U+06A9 read as Arabic yeh U+064A and kaf U+0643),
 * ASCII digits, apostrophes dropped and every other run of punctuation or space made one space.
 * A text made only of punctuation (such as "?") is kept as such.
 */
export function fold(text: string): string {
  const base = asciiDigits(text.normalize('NFKD'))
    .replace(/[\p{M}\p{Cf}\p{Cc}\u0640]/gu, '')
    .toLowerCase()
    .replace(/[\u0649\u06cc\u06d2]/g, '\u064a')
    .replace(/\u06a9/g, '\u0643')
    .replace(/\u0629/g, '\u0647')
    .replace(/['’ʼ`´]/g, '');
  const words = base.replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  if (words.length > 0) return words;
  return base.replace(/\s+/g, ' ').trim();
}

/** The folded words of a text (empty for a text without letters or digits). */
export function foldedWords(text: string): string[] {
  const folded = fold(text);
  return folded.length === 0 ? [] : folded.split(' ');
}

/** Splits a '|'-separated list of words (as written in a locale file) into folded words. */
export function foldWordList(list: string): string[] {
  return list
    .split('|')
    .map((word) => fold(word))
    .filter((word) => word.length > 0);
}

/** A text kept to at most `max` UTF-16 code units, without cutting a character in two. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  return Array.from(text.slice(0, max + 1))
    .slice(0, -1)
    .join('')
    .slice(0, max);
}
