/**
 * Case codes: the pseudonymous handle of an incident that reporters and responders use instead of
 * names and numbers. `R-` and six characters from an alphabet without look-alikes (no 0/O, 1/I/L).
 */
import { randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export function mintCaseCode(): string {
  let code = 'R-';
  for (let i = 0; i < 6; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}
