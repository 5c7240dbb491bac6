/**
 * The providerId of a message the gateway posted on Slack is `<channel id>:<ts>`: the channel
 * Slack posted into (a DM channel `D...` when the address was a user id) and the message
 * timestamp. Both are needed to find the message again; `ts` alone names a thread.
 */

/** Channel id and timestamp of a posted message. */
export interface SlackMessageRef {
  channel: string;
  ts: string;
}

/** Builds the providerId stored for a posted message. */
export function formatMessageRef(ref: SlackMessageRef): string {
  return `${ref.channel}:${ref.ts}`;
}

/** Splits a providerId made by formatMessageRef; undefined for anything else. */
export function parseMessageRef(providerId: string): SlackMessageRef | undefined {
  const match = /^([A-Z0-9]+):(\d+\.\d+)$/.exec(providerId);
  return match ? { channel: match[1]!, ts: match[2]! } : undefined;
}

/**
 * The `thread_ts` for a SendContext.threadId, which may be a bare ts (`1712345678.000100`) or the
 * providerId of the thread's first message (`D0123:1712345678.000100`), so the core can pass the
 * stored providerId as is.
 */
export function threadTsOf(threadId: string): string {
  return parseMessageRef(threadId)?.ts ?? threadId;
}
