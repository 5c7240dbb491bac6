/**
 * Telegram updates → inbound events. Pure: no API call here (the adapter answers callback
 * queries with the id this returns). Webhook and long polling both go through parseUpdate.
 *
 * Mappings:
 * - text message → text; `/start <payload>` (a deep link t.me/<bot>?start=<payload>) → text `<payload>`,
 *   so the flow engine's first-word keyword match sees the payload; a bare `/start` stays `/start`;
 * - callback_query (inline keyboard press) → choice with choiceId and ref read from callback_data
 *   (parseChoicePayload) and text = the button's label;
 * - location → location; photo, document, video, audio, voice → media (caption kept, mime type when known;
 *   no url, since a Telegram file URL embeds the bot token);
 * - any other update or message kind (edited_message, channel_post, my_chat_member, stickers...) → no event.
 * A message or callback query whose chat or sender id is missing, not an integer or 0 is malformed
 * (MalformedPayloadError: answered 400, nothing stored); the error names the field, never the value.
 */
import { z } from 'zod';
import type { InboundEvent } from '../../src/channels/adapter.js';
import { MalformedPayloadError } from '../../src/errors.js';
import { cleanInboundMessage, parseChoicePayload, type InboundMessage } from '../../src/messages.js';

/** What one update gives. */
export interface ParsedUpdate {
  events: InboundEvent[];
  /** Set for a callback query: Telegram shows a spinner on the button until it is answered. */
  callbackQueryId?: string;
}

/** A Telegram user or chat id: a non-zero integer that fits in 52 bits (Bot API), never a string or a fraction. */
const telegramId = z.number().int().refine((id) => id !== 0 && Number.isSafeInteger(id));
const user = z.object({ id: telegramId, language_code: z.string().optional() });
const chat = z.object({ id: telegramId });
const file = z.object({ file_id: z.string(), mime_type: z.string().optional() });

const messageSchema = z.object({
  message_id: z.number(),
  date: z.number(),
  chat,
  from: user.optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  location: z
    .object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180) })
    .optional(),
  photo: z.array(z.object({ file_id: z.string() })).optional(),
  document: file.optional(),
  video: file.optional(),
  audio: file.optional(),
  voice: file.optional(),
});

const callbackQuerySchema = z.object({
  id: z.string(),
  from: user,
  data: z.string().optional(),
  message: z
    .object({
      chat,
      reply_markup: z
        .object({
          inline_keyboard: z.array(z.array(z.object({ text: z.string(), callback_data: z.string().optional() }))),
        })
        .optional(),
    })
    .optional(),
});

type TelegramMessage = z.infer<typeof messageSchema>;
type TelegramCallbackQuery = z.infer<typeof callbackQuerySchema>;

/** Parses a webhook body. Not JSON, or not an update → MalformedPayloadError. */
export function parseUpdateBody(rawBody: string): ParsedUpdate {
  let update: unknown;
  try {
    update = JSON.parse(rawBody);
  } catch {
    throw new MalformedPayloadError('Telegram update is not JSON');
  }
  return parseUpdate(update);
}

/** Parses one update object (webhook body or an element of getUpdates). */
export function parseUpdate(update: unknown): ParsedUpdate {
  if (typeof update !== 'object' || update === null || Array.isArray(update)) {
    throw new MalformedPayloadError('Telegram update is not an object');
  }
  const record = update as Record<string, unknown>;
  const updateId = record.update_id;
  if (typeof updateId !== 'number' || !Number.isInteger(updateId)) {
    throw new MalformedPayloadError('Telegram update has no numeric update_id');
  }
  const providerId = String(updateId);
  if (record.message !== undefined) {
    const message = check(messageSchema, record.message, 'message');
    const content = messageContent(message);
    if (content === undefined) return { events: [] };
    return {
      events: [
        {
          providerId,
          address: String(message.chat.id),
          message: cleanInboundMessage(content),
          languageHint: message.from?.language_code,
          sentAt: new Date(message.date * 1000),
          chatMessageId: String(message.message_id),
        },
      ],
    };
  }
  if (record.callback_query !== undefined) {
    const query = check(callbackQuerySchema, record.callback_query, 'callback_query');
    // A game button carries no data: nothing to feed a flow, but the press is still answered.
    if (query.data === undefined) return { events: [], callbackQueryId: query.id };
    return {
      events: [
        {
          providerId,
          address: String(query.message?.chat.id ?? query.from.id),
          message: cleanInboundMessage({ type: 'choice', ...parseChoicePayload(query.data), text: buttonLabel(query, query.data) }),
          languageHint: query.from.language_code,
        },
      ],
      callbackQueryId: query.id,
    };
  }
  return { events: [] };
}

function messageContent(message: TelegramMessage): InboundMessage | undefined {
  if (message.text !== undefined) return { type: 'text', text: withoutStartCommand(message.text) };
  if (message.location !== undefined) {
    return { type: 'location', latitude: message.location.latitude, longitude: message.location.longitude };
  }
  const caption = message.caption;
  if (message.photo !== undefined) return { type: 'media', mimeType: 'image/jpeg', caption };
  const attached = message.document ?? message.video ?? message.audio ?? message.voice;
  if (attached !== undefined) return { type: 'media', mimeType: attached.mime_type, caption };
  return undefined;
}

const START_WITH_PAYLOAD = /^\/start(?:@\w+)?\s+(\S[\s\S]*)$/;

function withoutStartCommand(text: string): string {
  const match = START_WITH_PAYLOAD.exec(text.trim());
  return match?.[1] ?? text;
}

function buttonLabel(query: TelegramCallbackQuery, data: string): string | undefined {
  for (const row of query.message?.reply_markup?.inline_keyboard ?? []) {
    for (const button of row) if (button.callback_data === data) return button.text;
  }
  return undefined;
}

function check<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  // Paths only: the values are personal data.
  const fields = result.error.issues.map((issue) => [what, ...issue.path].join('.'));
  throw new MalformedPayloadError(`Telegram ${what} is malformed at ${[...new Set(fields)].join(', ')}`);
}
