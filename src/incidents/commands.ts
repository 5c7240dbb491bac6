/**
 * Responder commands as people send them: `ACK <code>`, `RESOLVED <code> <note>`,
 * `NOTE <code> <text>`, `ASK <code> <question>`, `VERIFY <code> true|false|unverified <note>`,
 * `REASSIGN <code> <committee id>`, `LINK <code> <other code>`, in English, French or Arabic
 * command words, the buttons of a notification (choice ids `ack:<code>`, `resolve:<code>`), and
 * `LIST` (LISTE, الحوادث) for the open incidents of the responder's committees.
 */
import { inboundText, type InboundMessage } from '../messages.js';
import { asciiDigits } from '../flow/normalize.js';

export type CommandName = 'ack' | 'resolve' | 'note' | 'ask' | 'verify' | 'reassign' | 'link';

export interface Command {
  name: CommandName;
  /** The code as typed (checked later), or '' when none was given. */
  code: string;
  /** What follows the code (note, question, verification and note, committee, other code). */
  rest: string;
  /** Came from a button. */
  button: boolean;
}

/** Command words, any case. Strong words are commands whatever follows; weak ones need a code. */
const WORDS: Record<CommandName, { strong: string[]; weak: string[] }> = {
  ack: { strong: ['ACK', 'ACKNOWLEDGE', 'RECU', 'REÇU', 'استلام'], weak: [] },
  resolve: { strong: ['RESOLVED', 'RESOLVE', 'RESOLU', 'RÉSOLU', 'محلول'], weak: [] },
  note: { strong: [], weak: ['NOTE', 'ملاحظة'] },
  ask: { strong: [], weak: ['ASK', 'QUESTION', 'سؤال'] },
  verify: { strong: ['VERIFY', 'VERIFIER', 'VÉRIFIER', 'تحقق'], weak: [] },
  reassign: { strong: ['REASSIGN', 'TRANSFER', 'TRANSFERER', 'TRANSFÉRER', 'تحويل'], weak: [] },
  link: { strong: ['LINK', 'LIER', 'ربط'], weak: [] },
};

const CODE_AT_START = /^(R[\s\-_.]*[A-Za-z0-9]{6})(?=\s|$)/i;

function wordOf(token: string): { name: CommandName; strong: boolean } | null {
  const upper = token.normalize('NFC').toLocaleUpperCase();
  for (const [name, words] of Object.entries(WORDS) as [CommandName, { strong: string[]; weak: string[] }][]) {
    if (words.strong.includes(upper)) return { name, strong: true };
    if (words.weak.includes(upper)) return { name, strong: false };
  }
  return null;
}

/**
 * Reads a responder command from a message, or null when the message is not one (it then goes
 * on to the flows). A strong command word with a bad code still counts (the reply says why).
 */
export function parseCommand(input: InboundMessage): Command | null {
  if (input.type === 'choice') {
    const match = /^(ack|resolve):(.+)$/.exec(input.choiceId);
    return match ? { name: match[1] as CommandName, code: match[2]!, rest: '', button: true } : null;
  }
  if (input.type !== 'text') return null;
  const message = asciiDigits(inboundText(input)).trim();
  const split = /^(\S+)(?:\s+([\s\S]*))?$/.exec(message);
  if (!split) return null;
  const word = wordOf(split[1]!);
  if (!word) return null;
  const after = (split[2] ?? '').trim();
  const code = CODE_AT_START.exec(after);
  if (code) return { name: word.name, code: code[1]!, rest: after.slice(code[0].length).trim(), button: false };
  if (!word.strong) return null;
  const first = /^(\S+)\s*([\s\S]*)$/.exec(after);
  return { name: word.name, code: first?.[1] ?? '', rest: first?.[2]?.trim() ?? '', button: false };
}

/** The words of LIST. Not قائمة: that word is the Arabic MENU keyword of the flows. */
const LIST_WORDS = ['LIST', 'LISTE', 'الحوادث'];

/** Whitespace, punctuation and symbols around a command word (and Arabic tatweel). */
const AROUND = /^[\s\p{P}\p{S}\u0640]+|[\s\p{P}\p{S}\u0640]+$/gu;

/** Whether a message is the LIST command: one of its words alone, any case, punctuation around it. */
export function isListCommand(input: InboundMessage): boolean {
  if (input.type !== 'text') return false;
  const word = inboundText(input).normalize('NFC').replace(AROUND, '').toLocaleUpperCase();
  return LIST_WORDS.includes(word);
}

/** A bare number answering the numbered buttons of the last notification (SMS). */
export function numberedChoice(input: InboundMessage): number | null {
  if (input.type !== 'text') return null;
  const match = /^\s*([1-9])\s*\.?\s*$/.exec(asciiDigits(input.text));
  return match ? Number(match[1]) : null;
}
