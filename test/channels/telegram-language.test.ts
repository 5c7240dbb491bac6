/**
 * The language a Telegram update gives (the sender's `language_code`, a BCP 47 tag, so case does
 * not matter) becomes a new contact's language when the gateway speaks it, and is ignored when
 * it does not or when there is none. The same by webhook (stored in batches,
 * src/inbound/ingest-batch.ts) and by long polling (stored one by one, src/inbound/ingest.ts).
 * Seen from outside: "hi" is an English word, so only the language Telegram gives makes the first
 * answer French (the offer to register a home area, made once the language is known); without
 * one the gateway asks for it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramUpdates } from '../fakes/telegram-api.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { startProviders, webhooksTo, type Providers } from '../support/providers.js';

const FRENCH_OFFER = /^Dites-nous où vous habitez/;
const LANGUAGE_QUESTION = /^Welcome! Choose your language/;

/** Each sender's chat, the language_code its update carries, and the first answer expected. */
const senders: { chat: number; code: string | undefined; answer: RegExp; language: string | null }[] = [
  { chat: 7501, code: 'fr-FR', answer: FRENCH_OFFER, language: 'fr' },
  { chat: 7502, code: 'FR', answer: FRENCH_OFFER, language: 'fr' },
  { chat: 7503, code: 'am', answer: LANGUAGE_QUESTION, language: null },
  { chat: 7504, code: undefined, answer: LANGUAGE_QUESTION, language: null },
];

describe.each(['webhook', 'polling'] as const)('the language of a Telegram update (%s)', (mode) => {
  let providers: Providers<'telegram'>;
  let gateway: TestGateway;
  beforeAll(async () => {
    providers = await startProviders(['telegram']);
    gateway = await startTestGateway({ ...providers.env, ...(mode === 'polling' ? { TELEGRAM_MODE: 'polling' } : {}) });
  });
  afterAll(async () => {
    await gateway?.close();
    await providers?.close();
  });

  it('is the new contact\'s when the gateway speaks it, whatever its case, and none otherwise', async () => {
    const updates = senders.map(({ chat, code }, i) => telegramUpdates.text(chat, 'hi', { updateId: 9501 + i, ...(code ? { languageCode: code } : {}) }));
    if (mode === 'webhook') {
      const post = webhooksTo(gateway.url).telegram;
      // Together, as one batch would take them.
      expect((await Promise.all(updates.map(async (update) => (await post(update)).status)))).toEqual(updates.map(() => 200));
    } else {
      for (const update of updates) providers.telegram.pushUpdate(update);
    }
    for (const { chat, code, answer, language } of senders) {
      const first = await eventually(() => providers.telegram.calls('sendMessage').find((c) => String(c.payload.chat_id) === String(chat)), 15_000, `a reply to ${chat}`);
      expect(String(first.payload.text), `the answer to language_code ${code}`).toMatch(answer);
      const identity = await gateway.db.contactIdentity.findUniqueOrThrow({
        where: { channel_addressHash: { channel: 'telegram', addressHash: gateway.personalData.hash('telegram', String(chat)) } },
        include: { contact: true },
      });
      expect(identity.contact.language, `the language kept of language_code ${code}`).toBe(language);
    }
  });
});
