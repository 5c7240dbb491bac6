/**
 * How a reporter's answer under a case code is read (src/incidents/relay.ts `codePrefixed`): the
 * code as people type it at the start of a message (any case, punctuation and spaces around it,
 * a separator or none, Arabic-Indic digits, right-to-left marks), and the answer after it in any
 * language; messages that do not begin with a case code are not answers.
 */
import { describe, expect, it } from 'vitest';
import { CASE_CODE_ALPHABET } from '../../src/flow/case-code.js';
import { codePrefixed } from '../../src/incidents/relay.js';

const ARABIC_INDIC = '٠١٢٣٤٥٦٧٨٩';
const toArabicDigits = (text: string) => text.replace(/\d/g, (d) => ARABIC_INDIC[Number(d)]!);

/** Case codes over the whole alphabet, each holding a digit and a letter. */
const CODES = Array.from({ length: 12 }, (_, n) => {
  const chars = Array.from({ length: 6 }, (_, i) => CASE_CODE_ALPHABET[(n * 7 + i * 5) % CASE_CODE_ALPHABET.length]!);
  chars[n % 6] = '2345678923'[n % 10]!;
  chars[(n + 3) % 6] = 'ABCDEFGHJK'[n % 10]!;
  return `R-${chars.join('')}`;
});

/** The ways people write the code before their answer: [how, written code + separator]. */
const WRITTEN: [string, (code: string) => string][] = [
  ['as given, a space', (c) => `${c} `],
  ['a colon', (c) => `${c}: `],
  ['a colon with no space after', (c) => `${c}:`],
  ['lower case', (c) => `${c.toLowerCase()} `],
  ['a French colon', (c) => `${c.toLowerCase()} : `],
  ['a dash', (c) => `${c} - `],
  ['a comma', (c) => `${c}, `],
  ['spaces around', (c) => `   ${c}   `],
  ['a new line', (c) => `${c}\n`],
  ['in brackets', (c) => `(${c}) `],
  ['in quotation marks', (c) => `"${c}" `],
  ['in French quotation marks', (c) => `« ${c} » `],
  ['a hash', (c) => `#${c} `],
  ['a space for the dash', (c) => `${c.replace('-', ' ')} `],
  ['run together', (c) => `${c.replace('-', '')} `],
  ['a dot for the dash', (c) => `${c.replace('-', '.')}. `],
  ['Arabic-Indic digits', (c) => `${toArabicDigits(c)} `],
  ['a right-to-left mark first', (c) => `\u200f${c}: `],
  ['isolated in right-to-left text', (c) => `\u2068${c}\u2069 `],
];

const ANSWERS: [string, string][] = [
  ['en', 'about twenty, two badly hurt'],
  ['fr', 'près du puits, vers 18 h'],
  ['ar', 'عند البئر، حوالي ٢٠ شخصاً'],
];

describe('an answer under the case code', () => {
  for (const [how, write] of WRITTEN) {
    for (const [language, answer] of ANSWERS) {
      it(`is read with the code written with ${how}, answered in ${language}`, () => {
        for (const code of CODES) {
          expect(codePrefixed(`${write(code)}${answer}`)).toEqual({ code, rest: answer });
        }
      });
    }
  }

  it('reads a bare code, however written, as a code with no answer', () => {
    for (const code of CODES) {
      for (const [, write] of WRITTEN) expect(codePrefixed(write(code))).toEqual({ code, rest: '' });
    }
  });

  it('keeps what follows the code as written, line breaks included', () => {
    expect(codePrefixed(`${CODES[0]}: two men\nthree cars`)).toEqual({ code: CODES[0], rest: 'two men\nthree cars' });
  });
});

describe('not an answer under a case code', () => {
  const code = CODES[0]!;
  const cases: [string, string][] = [
    ['a message with no code', 'hi'],
    ['the code later in the message', `about ${code}: twenty`],
    ['a word that looks like a run-together code without a digit', 'Respect them please'],
    ['a run-together word with no digit', 'Rebecca says hello'],
    ['five characters', `${code.slice(0, -1)} answer`],
    ['seven characters', `${code}Z answer`],
    ['a letter outside the alphabet (O)', 'R-7K3O9P answer'],
    ['a digit outside the alphabet (1)', 'R-7K319P answer'],
    ['another prefix', `Q${code.slice(1)} answer`],
    ['an empty message', ''],
  ];
  for (const [what, message] of cases) {
    it(`is ${what}`, () => {
      expect(codePrefixed(message)).toBeNull();
    });
  }
});
