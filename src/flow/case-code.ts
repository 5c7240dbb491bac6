/**
 * Case codes: the pseudonymous reference a reporter gets back for an incident. `R-` followed by
 * six characters from an alphabet without the look-alikes 0/O and 1/I/L.
 */
import { randomInt } from 'node:crypto';
import { asciiDigits } from './normalize.js';

/** The characters a case code is made of. */
export const CASE_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** A new random case code (the engine is pure: its caller mints codes and passes them in). */
export function mintCaseCode(): string {
  let code = 'R-';
  for (let i = 0; i < 6; i++) code += CASE_CODE_ALPHABET[randomInt(CASE_CODE_ALPHABET.length)];
  return code;
}

/** The canonical form of a case code, e.g. R-7K3M9P. */
export const CASE_CODE_PATTERN = /^R-[A-HJKMNP-Z2-9]{6}$/;

const WITH_SEPARATOR = /^R[\s\-_.]+([A-HJKMNP-Z2-9]{6})$/;
const RUN_TOGETHER = /^R([A-HJKMNP-Z2-9]{6})$/;

/**
 * Reads a case code as people type it: any case, surrounding spaces, "R 7K3M9P", Arabic-Indic
 * digits. Run together ("r7k3m9p") it is accepted when it holds a digit, or always when
 * `expected` says the person was asked for a code: otherwise words such as "request" would pass.
 * Returns the canonical form, or null when the text is not a case code.
 */
export function parseCaseCode(text: string, expected = false): string | null {
  if (text.length > 40) return null;
  const compact = asciiDigits(text)
    .replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .trim()
    .toUpperCase();
  const code = WITH_SEPARATOR.exec(compact)?.[1] ?? RUN_TOGETHER.exec(compact)?.[1];
  if (code === undefined) return null;
  if (!WITH_SEPARATOR.test(compact) && !expected && !/\d/.test(code)) return null;
  return `R-${code}`;
}
