/**
 * Typographic punctuation in its GSM-7 form, for texts sent by SMS. One character outside the
 * GSM-7 alphabet (3GPP TS 23.038; see src/segments.ts) makes a whole SMS UCS-2, 70 characters a
 * segment instead of 160: a curly quote can double or triple what a message costs. The texts
 * keep their typography (French « », English “ ”, as locales/glossary.json asks) on channels that
 * show it; SMS gets the plain forms:
 * - quotation marks “ ” „ « » ‹ › become ", and the spaces inside French guillemets go;
 * - apostrophes and single quotes ‘ ’ ‚ ʼ become ';
 * - the ellipsis … becomes three full stops;
 * - en and em dashes and the minus sign become -;
 * - no-break, narrow no-break and thin spaces become spaces.
 * Letters are not changed here: in the gateway's own texts a letter outside GSM-7 (û, ê, â...) is
 * a wording choice, checked in the locale files by test/core/sms-texts.test.ts; people's words
 * echoed back are handled by src/sms-letters.ts.
 */

const REPLACEMENTS: [RegExp, string][] = [
  [/«[\u0020\u00a0\u202f\u2009]*/gu, '"'],
  [/[\u0020\u00a0\u202f\u2009]*»/gu, '"'],
  [/‹[\u0020\u00a0\u202f\u2009]*/gu, '"'],
  [/[\u0020\u00a0\u202f\u2009]*›/gu, '"'],
  [/[“”„‟]/gu, '"'],
  [/[‘’‚‛ʼ]/gu, "'"],
  [/…/gu, '...'],
  [/[\u2013\u2014\u2212]/gu, '-'],
  [/[\u00a0\u202f\u2009]/gu, ' '],
];

/** The text with its typographic punctuation in GSM-7 form (see the module comment). */
export function gsmPunctuation(text: string): string {
  let plain = text;
  for (const [pattern, replacement] of REPLACEMENTS) plain = plain.replace(pattern, replacement);
  return plain;
}
