/**
 * The canonical message vocabulary. Every channel adapter maps inbound provider payloads up to
 * these shapes and maps outbound ones down to what the provider can show (a choice becomes
 * buttons on Telegram and Slack, a numbered list on SMS).
 */
import { z } from 'zod';

export const channelNames = ['console', 'telegram', 'sms', 'slack'] as const;
/** A channel's name. Adapters register under one of these (see src/channels/registry.ts). */
export type ChannelName = string;

export const choiceSchema = z.object({
  /** Stable id of the option, returned in a choice answer (Telegram callback_data: <= 64 bytes). */
  id: z.string().min(1).max(64),
  /** The label shown to the person, already translated. */
  label: z.string().min(1),
});
export type Choice = z.infer<typeof choiceSchema>;

/** Tag of one sending of a question: up to 12 characters of [0-9a-z] (src/flow/question-tag.ts). */
export const choiceRefSchema = z.string().regex(/^[0-9a-z]{1,12}$/);

/** What the gateway sends. Texts are final (already translated). */
export const outboundMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string().min(1) }),
  z.object({
    type: z.literal('choice'),
    text: z.string().min(1),
    choices: z.array(choiceSchema).min(1),
    /** Several options may be picked (answered as "1 3" on SMS). */
    multiple: z.boolean().default(false),
    /** Tag of the question's sending, carried by each button (see choicePayload). */
    ref: choiceRefSchema.optional(),
  }),
  z.object({
    type: z.literal('location'),
    text: z.string().optional(),
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
  }),
  z.object({
    type: z.literal('media'),
    url: z.string().url(),
    caption: z.string().optional(),
  }),
]);
export type OutboundMessage = z.infer<typeof outboundMessageSchema>;

/** What a person sent, after the adapter parsed it. */
export const inboundMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  /** A button pressed (Telegram callback query, Slack block action). `text` is its label if known. */
  z.object({
    type: z.literal('choice'),
    choiceId: z.string(),
    text: z.string().optional(),
    /** Tag of the question whose button was pressed, when the button carried one. */
    ref: z.string().optional(),
  }),
  z.object({
    type: z.literal('location'),
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
  }),
  z.object({
    type: z.literal('media'),
    url: z.string().optional(),
    mimeType: z.string().optional(),
    caption: z.string().optional(),
  }),
]);
export type InboundMessage = z.infer<typeof inboundMessageSchema>;

/** Longest inbound text we keep; longer texts are cut (never rejected). */
export const MAX_INBOUND_TEXT = 4000;

/** Trims a text to a sane length and removes control characters other than newline and tab. */
export function cleanInboundText(text: string): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim();
  if (cleaned.length <= MAX_INBOUND_TEXT) return cleaned;
  // Do not cut a surrogate pair in half.
  const cut = Array.from(cleaned.slice(0, MAX_INBOUND_TEXT + 1));
  cut.pop();
  return cut.join('').slice(0, MAX_INBOUND_TEXT);
}

/** Applies cleanInboundText to whatever text an inbound message carries. */
export function cleanInboundMessage(message: InboundMessage): InboundMessage {
  switch (message.type) {
    case 'text':
      return { type: 'text', text: cleanInboundText(message.text) };
    case 'choice':
      return { ...message, text: message.text === undefined ? undefined : cleanInboundText(message.text) };
    case 'media':
      return { ...message, caption: message.caption === undefined ? undefined : cleanInboundText(message.caption) };
    default:
      return message;
  }
}

/** Plain text of a message, for keyword matching and for channels that only carry text. */
export function inboundText(message: InboundMessage): string {
  switch (message.type) {
    case 'text':
      return message.text;
    case 'choice':
      return message.text ?? message.choiceId;
    case 'media':
      return message.caption ?? '';
    default:
      return '';
  }
}

const REF_SEPARATOR = '~';

/**
 * What a button carries (Telegram callback_data, Slack action value): the choice id, preceded by
 * the question's tag and "~" when there is one ("k3j9x2~kanzi"). Choice ids never contain "~".
 */
export function choicePayload(id: string, ref: string | undefined): string {
  return ref === undefined ? id : `${ref}${REF_SEPARATOR}${id}`;
}

/** Reads a button payload written by choicePayload. */
export function parseChoicePayload(payload: string): { choiceId: string; ref?: string } {
  const match = /^([0-9a-z]{1,12})~([\s\S]+)$/.exec(payload);
  return match ? { ref: match[1] as string, choiceId: match[2] as string } : { choiceId: payload };
}

/**
 * A text without the Unicode directional isolates (U+2066-U+2069) that the translator puts around
 * values inserted into right-to-left texts. Chat apps honour them; many feature phones and
 * terminals show them as boxes or literal marks, so SMS and the console chat send the text
 * without them (an inserted case code or place name reads correctly in an Arabic sentence).
 */
export function withoutBidiIsolates(text: string): string {
  return text.replace(/[\u2066-\u2069]/g, '');
}
