/**
 * Canonical outbound messages mapped down to chat.postMessage arguments: mrkdwn text, and Block
 * Kit blocks where Slack can show more (buttons for a choice, an image for a picture).
 */
import type { types } from '@slack/bolt';
import { choicePayload, type OutboundMessage } from '../../src/messages.js';

/** Prefix of the action_id of every choice button: `choice:<choice id>`; the button's value is the id. */
export const CHOICE_ACTION_PREFIX = 'choice:';

/** Slack's limits on the blocks we build. */
const SECTION_TEXT_MAX = 3000;
const BUTTON_LABEL_MAX = 75;
const ACTIONS_PER_BLOCK = 25;
const IMAGE_URL_MAX = 3000;
const ALT_TEXT_MAX = 2000;

/** What chat.postMessage receives besides channel and thread_ts. */
export interface SlackPost {
  /** mrkdwn text; also the notification text when blocks are present. */
  text: string;
  blocks?: types.KnownBlock[];
}

/**
 * Maps one outbound message:
 * - text: the text, mrkdwn-escaped;
 * - choice: the text in section blocks, then one button per choice (action_id `choice:<id>`,
 *   value = the choice id preceded by the question's tag when there is one (choicePayload), label
 *   cut to 75 characters), 25 buttons per actions block. A choice
 *   that allows several options still shows buttons: each press answers one option;
 * - location: the text followed by `latitude, longitude`;
 * - media: an image block when the URL names a picture (png, jpg, gif, webp), otherwise a link;
 *   the caption is the text.
 */
export function toSlackPost(message: OutboundMessage): SlackPost {
  switch (message.type) {
    case 'text':
      return { text: escapeMrkdwn(message.text) };
    case 'choice': {
      const text = escapeMrkdwn(message.text);
      const buttons: types.Button[] = message.choices.map((choice) => ({
        type: 'button',
        action_id: `${CHOICE_ACTION_PREFIX}${choice.id}`,
        value: choicePayload(choice.id, message.ref),
        text: { type: 'plain_text', text: cut(choice.label, BUTTON_LABEL_MAX), emoji: true },
      }));
      const actions: types.ActionsBlock[] = [];
      for (let i = 0; i < buttons.length; i += ACTIONS_PER_BLOCK) {
        actions.push({ type: 'actions', elements: buttons.slice(i, i + ACTIONS_PER_BLOCK) });
      }
      return { text, blocks: [...sections(text), ...actions] };
    }
    case 'location': {
      const coordinates = `${message.latitude}, ${message.longitude}`;
      return { text: message.text ? `${escapeMrkdwn(message.text)}\n${coordinates}` : coordinates };
    }
    case 'media': {
      const caption = message.caption ? escapeMrkdwn(message.caption) : undefined;
      if (isPicture(message.url) && message.url.length <= IMAGE_URL_MAX) {
        const image: types.ImageBlock = {
          type: 'image',
          image_url: message.url,
          alt_text: cut(message.caption || 'image', ALT_TEXT_MAX),
        };
        return { text: caption ?? link(message.url), blocks: [...(caption ? sections(caption) : []), image] };
      }
      return { text: caption ? `${caption}\n${link(message.url)}` : link(message.url) };
    }
  }
}

/** Escapes the three characters Slack reserves for its markup: &, < and >. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escaped text in section blocks of at most 3000 characters, cut at a line or word break when possible. */
function sections(escaped: string): types.SectionBlock[] {
  const blocks: types.SectionBlock[] = [];
  let rest = escaped;
  while (rest.length > 0) {
    const end = rest.length <= SECTION_TEXT_MAX ? rest.length : breakBefore(rest, SECTION_TEXT_MAX);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: rest.slice(0, end) } });
    rest = rest.slice(end);
  }
  return blocks;
}

function breakBefore(text: string, max: number): number {
  const window = text.slice(0, max);
  const space = Math.max(window.lastIndexOf('\n'), window.lastIndexOf(' '));
  if (space > max - 300) return space + 1;
  let end = max;
  const entity = window.lastIndexOf('&');
  if (entity > max - 5 && !window.slice(entity).includes(';')) end = entity;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return end;
}

function cut(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function isPicture(url: string): boolean {
  try {
    return /\.(png|jpe?g|gif|webp)$/i.test(new URL(url).pathname);
  } catch {
    return false;
  }
}

function link(url: string): string {
  return `<${url.replace(/</g, '%3C').replace(/>/g, '%3E').replace(/\|/g, '%7C')}>`;
}
