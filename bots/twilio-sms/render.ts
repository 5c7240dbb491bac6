/**
 * How a canonical outbound message becomes an SMS text. SMS carries text only, so:
 * - a choice is its question followed by a numbered list ("1. Yes\n2. No"); people answer with
 *   the number (several numbers for a multiple choice; the question text says so);
 * - a location is its text followed by a geo: URI (RFC 5870), which phones open in a map and
 *   people without one can still read as coordinates;
 * - the directional isolates put around values in Arabic texts are left out (feature phones show
 *   them as boxes; see withoutBidiIsolates);
 * - typographic punctuation (curly quotes, « », …, dashes, no-break spaces) takes its GSM-7 form,
 *   so that one quote does not make the whole message UCS-2 (see src/sms-punctuation.ts);
 * - letters outside GSM-7 (û, ê, ç...) in people's words take their base letter when that makes
 *   the whole message GSM-7 (see src/sms-letters.ts);
 * - media is its caption followed by the link. Picture messages only reach numbers in a few
 *   countries and are dropped or refused elsewhere, while a link arrives everywhere.
 */
import { withoutBidiIsolates, type OutboundMessage } from '../../src/messages.js';
import { countSegments, type SmsEncoding } from '../../src/segments.js';
import { gsmLetters } from '../../src/sms-letters.js';
import { gsmPunctuation } from '../../src/sms-punctuation.js';

/** The provider refuses a message body longer than this many characters. */
export const MAX_SMS_CHARACTERS = 1600;

/** An outbound message as the SMS text that is sent, with what it costs. */
export interface RenderedSms {
  text: string;
  encoding: SmsEncoding;
  /** Segments the text is sent (and billed) as. */
  segments: number;
  /** Characters (code points) in the text, compared with MAX_SMS_CHARACTERS. */
  characters: number;
}

/** Renders an outbound message to the SMS text and counts its segments. */
export function renderSms(message: OutboundMessage): RenderedSms {
  const text = gsmLetters(gsmPunctuation(withoutBidiIsolates(smsText(message))));
  const { encoding, segments } = countSegments(text);
  return { text, encoding, segments, characters: Array.from(text).length };
}

function smsText(message: OutboundMessage): string {
  switch (message.type) {
    case 'text':
      return message.text;
    case 'choice':
      return [message.text, ...message.choices.map((choice, index) => `${index + 1}. ${choice.label}`)].join('\n');
    case 'location':
      return joinLines(message.text, `geo:${coordinate(message.latitude)},${coordinate(message.longitude)}`);
    case 'media':
      return joinLines(message.caption, message.url);
  }
}

function joinLines(first: string | undefined, second: string): string {
  return first === undefined || first.trim() === '' ? second : `${first}\n${second}`;
}

/** Six decimals (about 10 cm) is more than any report needs; drop trailing zeros. */
function coordinate(value: number): string {
  return String(Number(value.toFixed(6)));
}
