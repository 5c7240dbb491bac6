/**
 * Reading back what the bot posted, to settle a send whose answer never came (the worker died
 * during chat.postMessage). Slack keeps every message of a conversation: `conversations.history`
 * lists the top-level messages of a channel since a timestamp, `conversations.replies` those of
 * a thread (REFERENCE.md, "Reconciling a send whose outcome is unknown").
 *
 * Scopes: `im:write` (conversations.open, to find the direct message channel of a user id) and
 * the history scope of the conversation kind (`im:history`, `channels:history`, `groups:history`).
 */
import type { webApi } from '@slack/bolt';
import type { SendResult } from '../../src/channels/adapter.js';
import { formatMessageRef, parseMessageRef, threadTsOf } from './thread.js';

/** Pages of history read at most (200 messages each) before giving up on older ones. */
const MAX_PAGES = 5;
const PAGE_SIZE = 200;

/** What one read-back looks for. */
export interface SlackReadBack {
  /** The address the message was sent to: a user id (`U...`/`W...`, its direct message) or a channel id. */
  address: string;
  /** The exact `text` chat.postMessage was given (mrkdwn-escaped, see outbound.ts). */
  text: string;
  /** Nothing posted before this instant (ms since the epoch) can be the message. */
  sinceMs: number;
  /** The thread it was posted into: a providerId `<channel>:<ts>` or a bare ts. */
  threadId?: string;
}

interface HistoryMessage {
  ts?: string;
  text?: string;
  bot_id?: string;
  user?: string;
  thread_ts?: string;
}

/**
 * Our messages in the conversation of `wanted.address` posted since `wanted.sinceMs` with exactly
 * `wanted.text`, oldest first, as `<channel>:<ts>` providerIds with status `delivered` (a posted
 * Slack message is in the conversation). `bot` is our identity from auth.test. Lets Web API
 * errors through for the caller to class.
 */
export async function findPosted(
  client: webApi.WebClient,
  bot: { botId?: string; userId?: string },
  wanted: SlackReadBack,
): Promise<SendResult[]> {
  const threadRef = wanted.threadId === undefined ? undefined : parseMessageRef(wanted.threadId);
  const channel = threadRef?.channel ?? (await conversationOf(client, wanted.address));
  // One second of slack for clocks; the text and the author decide.
  const oldest = ((wanted.sinceMs - 1000) / 1000).toFixed(6);
  const messages: HistoryMessage[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const answer =
      wanted.threadId === undefined
        ? await client.conversations.history({ channel, oldest, inclusive: true, limit: PAGE_SIZE, cursor })
        : await client.conversations.replies({ channel, ts: threadTsOf(wanted.threadId), oldest, inclusive: true, limit: PAGE_SIZE, cursor });
    messages.push(...((answer.messages ?? []) as HistoryMessage[]));
    cursor = answer.response_metadata?.next_cursor || undefined;
    if (!answer.has_more || !cursor) break;
  }
  return messages
    .filter((message) => message.ts !== undefined && Number(message.ts) >= Number(oldest))
    .filter((message) => (bot.botId !== undefined && message.bot_id === bot.botId) || (bot.userId !== undefined && message.user === bot.userId))
    .filter((message) => message.text === wanted.text)
    .sort((a, b) => Number(a.ts) - Number(b.ts))
    .map((message) => ({ providerId: formatMessageRef({ channel, ts: message.ts! }), status: 'delivered' as const }));
}

/** The conversation a send to `address` lands in: a user's direct message channel, or the channel itself. */
async function conversationOf(client: webApi.WebClient, address: string): Promise<string> {
  if (!/^[UW]/.test(address)) return address;
  const opened = await client.conversations.open({ users: address });
  if (!opened.channel?.id) throw new Error('Slack opened no direct message channel');
  return opened.channel.id;
}
