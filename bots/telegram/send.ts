/**
 * Outbound messages → Bot API calls.
 *
 * - text → sendMessage;
 * - choice → sendMessage with an inline keyboard, one button per row, callback_data = the choice id
 *   preceded by the question's tag when there is one (choicePayload; a payload over 64 bytes is refused with ProviderRejectedError before any call; never truncated,
 *   since a cut id could not be matched when pressed);
 * - location → sendMessage with the text when there is one, then sendLocation;
 * - media → sendPhoto for a URL ending in .jpg/.jpeg/.png/.webp, sendDocument otherwise, caption kept.
 *
 * The providerId returned is the message_id alone (the id of the last message sent). It is unique
 * only within its chat; the chat id is left out because it is personal data.
 */
import type { Api } from 'grammy';
import type { SendResult } from '../../src/channels/adapter.js';
import { ProviderRejectedError } from '../../src/errors.js';
import { choicePayload, type OutboundMessage } from '../../src/messages.js';
import { toProviderError } from './errors.js';

/** Telegram's limit on callback_data, in bytes. */
export const MAX_CALLBACK_DATA_BYTES = 64;

const PHOTO_EXTENSIONS = /\.(jpe?g|png|webp)$/i;

/** Sends one message to a chat. Throws a ProviderError subclass on failure. */
export async function sendToChat(api: Api, chatId: string, message: OutboundMessage): Promise<SendResult> {
  switch (message.type) {
    case 'text': {
      const sent = await call('sendMessage', () => api.sendMessage(chatId, message.text));
      return result(sent);
    }
    case 'choice': {
      const payloads = message.choices.map((choice) => choicePayload(choice.id, message.ref));
      for (const payload of payloads) {
        if (Buffer.byteLength(payload, 'utf8') > MAX_CALLBACK_DATA_BYTES) {
          throw new ProviderRejectedError(
            `Telegram callback_data is limited to ${MAX_CALLBACK_DATA_BYTES} bytes; "${payload}" is longer`,
          );
        }
      }
      const inline_keyboard = message.choices.map((choice, index) => [{ text: choice.label, callback_data: payloads[index] as string }]);
      const sent = await call('sendMessage', () => api.sendMessage(chatId, message.text, { reply_markup: { inline_keyboard } }));
      return result(sent);
    }
    case 'location': {
      if (message.text !== undefined && message.text !== '') {
        await call('sendMessage', () => api.sendMessage(chatId, message.text as string));
      }
      const sent = await call('sendLocation', () => api.sendLocation(chatId, message.latitude, message.longitude));
      return result(sent);
    }
    case 'media': {
      const options = message.caption === undefined ? {} : { caption: message.caption };
      const sent = isPhoto(message.url)
        ? await call('sendPhoto', () => api.sendPhoto(chatId, message.url, options))
        : await call('sendDocument', () => api.sendDocument(chatId, message.url, options));
      return result(sent);
    }
  }
}

function isPhoto(url: string): boolean {
  try {
    return PHOTO_EXTENSIONS.test(new URL(url).pathname);
  } catch {
    return false;
  }
}

async function call<T>(method: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw toProviderError(error, method);
  }
}

function result(sent: { message_id: number }): SendResult {
  return { providerId: String(sent.message_id), status: 'sent' };
}

/** Bot API limit of message ids in one deleteMessages call. */
const DELETE_BATCH = 100;

/**
 * Deletes messages of a private chat, both the person's and the bot's (Bot API deleteMessages;
 * messages older than 48 hours cannot be deleted there and are skipped by Telegram). Ids that
 * are not message ids are ignored.
 */
export async function deleteFromChat(api: Api, chatId: string, ids: string[]): Promise<void> {
  const numbers = [...new Set(ids.map(Number).filter((id) => Number.isInteger(id) && id > 0))].sort((a, b) => a - b);
  for (let i = 0; i < numbers.length; i += DELETE_BATCH) {
    const batch = numbers.slice(i, i + DELETE_BATCH);
    await call('deleteMessages', () => api.deleteMessages(chatId, batch));
  }
}
