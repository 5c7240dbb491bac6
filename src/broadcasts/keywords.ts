/**
 * Subscription keywords: `JOIN <topic>` and `LEAVE <topic>` (and their French and Arabic forms,
 * from locales/<lng>/broadcasts.json `keywords.join` / `keywords.leave`; topic words from
 * `topics.<topic>.aliases`). Any language's keywords work for anyone. Like the opt-out keywords,
 * they are handled before any flow. `JOIN` or `LEAVE` alone, or with an unknown topic, answers
 * with the list of topics. A subscription remembers the channel it was made on: broadcasts to that
 * topic go there.
 */
import { asciiDigits } from '../flow/normalize.js';
import type { Translator } from '../i18n.js';
import { inboundText } from '../messages.js';
import type { Middleware } from '../inbound/pipeline/context.js';

/** Upper case, no diacritics, ASCII digits (٢ and ۲ are 2), single spaces: how keywords, topic words and feedback answers are compared. */
export function keywordForm(text: string): string {
  return asciiDigits(text).normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC').toLocaleUpperCase().replace(/\s+/g, ' ').trim();
}

function words(translator: Translator, key: string): string[] {
  const out = new Set<string>();
  for (const language of translator.languages) {
    if (!translator.has(language, key)) continue;
    for (const word of translator.t(language, key).split(',')) if (word.trim()) out.add(keywordForm(word));
  }
  return [...out];
}

export interface SubscriptionKeywords {
  join: string[];
  leave: string[];
  /** Topic word -> topic id. */
  topics: Map<string, string>;
}

export function subscriptionKeywords(translator: Translator, topics: string[]): SubscriptionKeywords {
  const topicWords = new Map<string, string>();
  for (const topic of topics) {
    topicWords.set(keywordForm(topic), topic);
    for (const word of words(translator, `broadcasts:topics.${topic}.aliases`)) topicWords.set(word, topic);
  }
  return { join: words(translator, 'broadcasts:keywords.join'), leave: words(translator, 'broadcasts:keywords.leave'), topics: topicWords };
}

/** Reads `JOIN security` as { action: 'join', topic: 'security' }; null when it is no keyword. */
export function parseSubscriptionCommand(keywords: SubscriptionKeywords, text: string): { action: 'join' | 'leave'; topic: string | null } | null {
  const form = keywordForm(text);
  for (const [action, list] of [['join', keywords.join], ['leave', keywords.leave]] as const) {
    for (const word of list) {
      if (form === word) return { action, topic: null };
      if (form.startsWith(`${word} `)) return { action, topic: keywords.topics.get(form.slice(word.length + 1)) ?? null };
    }
  }
  return null;
}

export function topicName(translator: Translator, language: string, topic: string): string {
  const key = `broadcasts:topics.${topic}.name`;
  return translator.has(language, key) || translator.has(translator.defaultLanguage, key) ? translator.t(language, key) : topic;
}

function topicKeyword(translator: Translator, language: string, topic: string): string {
  const key = `broadcasts:topics.${topic}.aliases`;
  if (!translator.has(language, key) && !translator.has(translator.defaultLanguage, key)) return topic.toUpperCase();
  return translator.t(language, key).split(',')[0]!.trim();
}

function firstWord(translator: Translator, language: string, key: string): string {
  return translator.t(language, key).split(',')[0]!.trim();
}

export function subscriptionMiddleware(translator: Translator, topics: string[]): Middleware {
  const keywords = subscriptionKeywords(translator, topics);
  return async (ctx, next) => {
    const command = ctx.input.type === 'text' ? parseSubscriptionCommand(keywords, inboundText(ctx.input)) : null;
    if (!command) return next();
    const lang = ctx.language;
    const say = (key: string, params: Record<string, string>) => ctx.outbox.push({ message: { type: 'text', text: translator.t(lang, key, params) } });
    const join = firstWord(translator, lang, 'broadcasts:keywords.join');
    const leave = firstWord(translator, lang, 'broadcasts:keywords.leave');
    if (!command.topic) {
      const list = topics.map((t) => `${topicKeyword(translator, lang, t)} (${topicName(translator, lang, t)})`).join(', ');
      say('broadcasts:subscribe.which', { join, leave, topics: list });
      return;
    }
    const topic = command.topic;
    if (command.action === 'join') {
      await ctx.tx.subscription.upsert({
        where: { contactId_topic: { contactId: ctx.contactId, topic } },
        create: { contactId: ctx.contactId, topic, channel: ctx.channel },
        update: { channel: ctx.channel },
      });
      say('broadcasts:subscribe.joined', { topic: topicName(translator, lang, topic), stop: `${leave} ${topicKeyword(translator, lang, topic)}` });
    } else {
      await ctx.tx.subscription.deleteMany({ where: { contactId: ctx.contactId, topic } });
      say('broadcasts:subscribe.left', { topic: topicName(translator, lang, topic), again: `${join} ${topicKeyword(translator, lang, topic)}` });
    }
  };
}
