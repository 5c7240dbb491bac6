/**
 * Letters outside the GSM-7 alphabet in their GSM-7 form, for texts sent by SMS. The gateway's own
 * texts avoid such letters (test/core/sms-texts.test.ts), but people's words come back in them:
 * a report's description in the summary and in every responder alert, a name, an announcement.
 * One "û" makes the whole message UCS-2, 70 characters a segment instead of 160 (3GPP TS 23.038,
 * see src/segments.ts), so each echo costs two or three times as much.
 *
 * A letter outside GSM-7 takes the GSM-7 letter it is built on, keeping as many of its marks as
 * GSM-7 has (û → u, Ê → E, ǘ → ü; é, è, à, ù, ü are GSM-7 and stay); œ and Œ become oe and OE.
 * This is done only when it makes the whole text GSM-7: a text that is UCS-2 anyway (Arabic, an
 * emoji) keeps every letter as written.
 */
import { countSegments } from './segments.js';

const LIGATURES: Record<string, string> = { œ: 'oe', Œ: 'OE' };

const isGsm7 = (text: string) => countSegments(text).encoding === 'GSM-7';

/** The GSM-7 form of one character, or the character itself when it has none. */
function gsmLetter(char: string): string {
  if (isGsm7(char)) return char;
  if (LIGATURES[char]) return LIGATURES[char];
  const [base = char, ...marks] = Array.from(char.normalize('NFD'));
  if (marks.length === 0 || !marks.every((mark) => /\p{M}/u.test(mark))) return char;
  for (let kept = marks.length - 1; kept >= 0; kept--) {
    const candidate = (base + marks.slice(0, kept).join('')).normalize('NFC');
    if (Array.from(candidate).length === 1 && isGsm7(candidate)) return candidate;
  }
  return char;
}

/** The text with its letters in GSM-7 form, if that makes it all GSM-7; else the text unchanged. */
export function gsmLetters(text: string): string {
  if (isGsm7(text)) return text;
  const folded = Array.from(text, gsmLetter).join('');
  return isGsm7(folded) ? folded : text;
}
