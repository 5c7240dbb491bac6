/**
 * How an announcement becomes the message a recipient gets: the text in the recipient's language
 * (or the fallback language when the sender allowed it), the link, and the feedback question.
 */
import type { Translator } from '../i18n.js';
import type { OutboundMessage } from '../messages.js';

export const FEEDBACK_MODES = ['none', 'rating', 'free'] as const;
export type FeedbackMode = (typeof FEEDBACK_MODES)[number];

/** Choice ids of the feedback question (Telegram/Slack buttons; "1"/"2" on SMS). */
export const FEEDBACK_YES = 'fb-yes';
export const FEEDBACK_NO = 'fb-no';

export interface Announcement {
  texts: Record<string, string>;
  defaultLanguage: string;
  fallback: boolean;
  link: string | null;
  feedback: FeedbackMode;
}

/** The language whose text a recipient gets, or null when there is none and no fallback. */
export function textLanguage(announcement: Announcement, language: string): string | null {
  if (announcement.texts[language]) return language;
  return announcement.fallback ? announcement.defaultLanguage : null;
}

/** The message in one language (the language must have a text). */
export function announcementMessage(announcement: Announcement, language: string, translator: Translator): OutboundMessage {
  const text = announcement.texts[language];
  if (!text) throw new Error(`no text in "${language}"`);
  const body = announcement.link ? `${text}\n${announcement.link}` : text;
  if (announcement.feedback === 'none') return { type: 'text', text: body };
  const question = translator.t(language, announcement.feedback === 'free' ? 'broadcasts:feedback.question_free' : 'broadcasts:feedback.question');
  return {
    type: 'choice',
    text: `${body}\n\n${question}`,
    multiple: false,
    choices: [
      { id: FEEDBACK_YES, label: translator.t(language, 'broadcasts:feedback.yes') },
      { id: FEEDBACK_NO, label: translator.t(language, 'broadcasts:feedback.no') },
    ],
  };
}
