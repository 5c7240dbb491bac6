/**
 * Slack payloads mapped up to inbound events: Events API callbacks (direct messages to the app,
 * mentions of the app in channels) and block_actions interactions (a choice button pressed).
 * The same functions serve the HTTP routes and socket mode.
 */
import { z } from 'zod';
import type { InboundEvent, WebhookResult } from '../../src/channels/adapter.js';
import { MalformedPayloadError } from '../../src/errors.js';
import { cleanInboundMessage, parseChoicePayload, type InboundMessage } from '../../src/messages.js';
import { CHOICE_ACTION_PREFIX } from './outbound.js';

/**
 * A Slack user or conversation id as Slack issues them (U…, W…, D…, C…, G…): upper-case letters
 * and digits. An empty, blank or otherwise shaped id is refused at parse (400): nothing would
 * ever reach it, and a reply to it would only be retried in vain.
 */
const SLACK_ID = /^[A-Z][A-Z0-9]{1,40}$/;

/** A human press carries one action; a payload carrying more is refused whole (400), nothing stored. */
export const MAX_ACTIONS_PER_INTERACTION = 1;

function checkId(value: string | undefined, what: string): void {
  if (value !== undefined && !SLACK_ID.test(value)) throw new MalformedPayloadError(`Slack ${what} is empty or not a Slack id`);
}

const urlVerificationSchema = z.object({ type: z.literal('url_verification'), challenge: z.string().min(1) });

const slackFileSchema = z.object({
  url_private: z.string().optional(),
  mimetype: z.string().optional(),
});

const messageEventSchema = z.object({
  type: z.string(),
  user: z.string().optional(),
  channel: z.string().optional(),
  text: z.string().optional(),
  ts: z.string().optional(),
  bot_id: z.string().optional(),
  subtype: z.string().optional(),
  channel_type: z.string().optional(),
  files: z.array(slackFileSchema).optional(),
});

const eventCallbackSchema = z.object({
  type: z.literal('event_callback'),
  event_id: z.string().min(1),
  event_time: z.number().optional(),
  event: messageEventSchema,
});

const blockActionsSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string() }),
  trigger_id: z.string().optional(),
  container: z.object({ message_ts: z.string().optional(), channel_id: z.string().optional() }).optional(),
  channel: z.object({ id: z.string() }).optional(),
  actions: z.array(
    z.object({
      action_id: z.string(),
      action_ts: z.string().min(1),
      value: z.string().optional(),
      text: z.object({ text: z.string() }).optional(),
    }),
  ),
});

/**
 * Parses the body of the events route. `url_verification` is answered with its challenge;
 * `event_callback` gives at most one event whose providerId is the callback's `event_id`, so a
 * retry from Slack (same event_id, `X-Slack-Retry-Num` set) is recognised as a duplicate.
 */
export function parseEventsBody(rawBody: string): WebhookResult {
  const body = parseJson(rawBody, 'Slack event body');
  const type = typeOf(body, 'Slack event body');
  if (type === 'url_verification') {
    const parsed = urlVerificationSchema.safeParse(body);
    if (!parsed.success) throw new MalformedPayloadError('Slack url_verification without a challenge');
    return {
      reply: { status: 200, contentType: 'application/json', body: JSON.stringify({ challenge: parsed.data.challenge }) },
    };
  }
  if (type === 'event_callback') return parseEventCallback(body);
  return {};
}

/** Maps an `event_callback` envelope (HTTP body or socket mode payload) to inbound events. */
export function parseEventCallback(body: unknown): WebhookResult {
  const parsed = eventCallbackSchema.safeParse(body);
  if (!parsed.success) throw new MalformedPayloadError('Slack event_callback without event_id or event');
  const { event, event_id: eventId, event_time: eventTime } = parsed.data;
  const address = event.user;
  if (address === undefined || event.bot_id !== undefined) return {};
  checkId(address, 'event user');
  checkId(event.channel, 'event channel');

  let message: InboundMessage | undefined;
  if (event.type === 'message' && event.channel_type === 'im') {
    if (event.subtype === undefined) message = { type: 'text', text: decodeText(event.text ?? '') };
    else if (event.subtype === 'file_share') message = fileMessage(event.files ?? [], event.text);
  } else if (event.type === 'app_mention' && event.subtype === undefined) {
    message = { type: 'text', text: decodeText(stripLeadingMention(event.text ?? '')) };
  }
  if (message === undefined) return {};

  const sentAt = slackTime(event.ts) ?? (eventTime === undefined ? undefined : new Date(eventTime * 1000));
  return { events: [{ providerId: eventId, address, message: cleanInboundMessage(message), sentAt }] };
}

/** Parses the body of the interactions route: a form with one field, `payload`, holding JSON. */
export function parseInteractionsBody(rawBody: string): WebhookResult {
  const payload = new URLSearchParams(rawBody).get('payload');
  if (payload === null) throw new MalformedPayloadError('Slack interaction without a payload field');
  return parseInteractionPayload(parseJson(payload, 'Slack interaction payload'));
}

/**
 * Maps an interaction payload to inbound events. A pressed choice button (`block_actions`,
 * action_id `choice:<id>`) becomes a choice; a payload with more than
 * MAX_ACTIONS_PER_INTERACTION actions, or whose user or channel id is empty or malformed, throws
 * MalformedPayloadError (answered 400, nothing stored). The providerId is
 * `<message_ts or trigger_id>:<action_ts>`, unique per press. Other interactions give nothing.
 */
export function parseInteractionPayload(payload: unknown): WebhookResult {
  if (typeOf(payload, 'Slack interaction payload') !== 'block_actions') return {};
  const parsed = blockActionsSchema.safeParse(payload);
  if (!parsed.success) throw new MalformedPayloadError('Slack block_actions payload without user or actions');
  const { user, trigger_id: triggerId, container, actions } = parsed.data;
  checkId(user.id, 'interaction user');
  checkId(container?.channel_id, 'interaction channel');
  checkId(parsed.data.channel?.id, 'interaction channel');
  if (actions.length > MAX_ACTIONS_PER_INTERACTION) {
    throw new MalformedPayloadError(`Slack block_actions payload carries ${actions.length} actions; a press carries ${MAX_ACTIONS_PER_INTERACTION}`);
  }
  const origin = container?.message_ts ?? triggerId;
  if (origin === undefined) throw new MalformedPayloadError('Slack block_actions payload without message_ts or trigger_id');

  const events: InboundEvent[] = [];
  for (const action of actions) {
    if (!action.action_id.startsWith(CHOICE_ACTION_PREFIX) || action.value === undefined) continue;
    const providerId = `${origin}:${action.action_ts}` + (events.length > 0 ? `:${events.length}` : '');
    const message: InboundMessage = { type: 'choice', ...parseChoicePayload(action.value), text: action.text?.text };
    events.push({ providerId, address: user.id, message: cleanInboundMessage(message), sentAt: slackTime(action.action_ts) });
  }
  return events.length > 0 ? { events } : {};
}

function fileMessage(files: z.infer<typeof slackFileSchema>[], text: string | undefined): InboundMessage {
  const file = files[0];
  const caption = text ? decodeText(text) : undefined;
  return { type: 'media', url: file?.url_private, mimeType: file?.mimetype, caption };
}

/** Slack escapes &, < and > in message text; mentions and links stay as <...> markup. */
function decodeText(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function stripLeadingMention(text: string): string {
  return text.replace(/^\s*<@[A-Z0-9]+(?:\|[^>]*)?>[\s:,]*/, '');
}

function slackTime(ts: string | undefined): Date | undefined {
  if (ts === undefined) return undefined;
  const seconds = Number(ts);
  return Number.isFinite(seconds) && seconds > 0 ? new Date(Math.round(seconds * 1000)) : undefined;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new MalformedPayloadError(`${what} is not JSON`);
  }
}

function typeOf(value: unknown, what: string): string {
  if (typeof value !== 'object' || value === null || typeof (value as { type?: unknown }).type !== 'string') {
    throw new MalformedPayloadError(`${what} has no type`);
  }
  return (value as { type: string }).type;
}
