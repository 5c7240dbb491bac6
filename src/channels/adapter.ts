/**
 * The channel adapter contract. An adapter lives in bots/<channel>/ and is the only code that
 * imports its provider's SDK. The core (http routes, queues, workers) talks to providers only
 * through this interface.
 */
import type { InboundMessage, OutboundMessage } from '../messages.js';

/** A message that arrived from a provider, before it is stored. */
export interface InboundEvent {
  /**
   * Id unique per channel for this inbound message (Twilio MessageSid, Telegram update_id,
   * Slack event_id or action trigger id). A repeated delivery carries the same id and is dropped.
   */
  providerId: string;
  /** The person's address on this channel (phone number, chat id, Slack user id). Personal data. */
  address: string;
  message: InboundMessage;
  /** Language hint from the provider (Telegram language_code), if any. */
  languageHint?: string;
  /** When the provider says the message was sent. */
  sentAt?: Date;
  /** The message's id in the person's chat, where the channel can delete it (Telegram message_id). */
  chatMessageId?: string;
}

/** Our delivery states. Providers' statuses are mapped onto these. */
export const deliveryStatuses = ['queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'read'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/** A provider's report on a message we sent (Twilio status callback). */
export interface StatusUpdate {
  providerId: string;
  status: DeliveryStatus;
  errorCode?: string;
  errorMessage?: string;
}

/** The request as the HTTP layer received it. */
export interface WebhookRequest {
  /** Path without the query string, e.g. /webhooks/twilio/sms. */
  path: string;
  /** The full public URL the provider called (PUBLIC_URL + path + query), for signatures. */
  publicUrl: string;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  /** The body exactly as received (signatures are computed over it). */
  rawBody: string;
}

/** What an adapter makes of a webhook request. */
export interface WebhookResult {
  events?: InboundEvent[];
  statuses?: StatusUpdate[];
  /** A body to answer with instead of the default empty 200 (Slack's url_verification challenge, TwiML). */
  reply?: { status?: number; contentType: string; body: string };
}

/** A webhook route an adapter serves. */
export interface WebhookRoute {
  /** e.g. /webhooks/twilio/sms */
  path: string;
  /**
   * Checks the provider's signature over the request. Returns false when forged or missing;
   * the HTTP layer then answers 401 and stores nothing.
   */
  verify(request: WebhookRequest): boolean;
  /**
   * Parses a verified request. Throws MalformedPayloadError for a body it cannot understand
   * (answered 400). Update types the gateway does not handle give an empty result (answered 200).
   */
  parse(request: WebhookRequest): WebhookResult | Promise<WebhookResult>;
}

/** Pace a channel accepts. Used as the outbound queue's limiter. */
export interface ChannelRate {
  /** Messages per `durationMs` across the whole channel (e.g. 30 per 1000 ms on Telegram). */
  max: number;
  durationMs: number;
  /** Minimum gap between two messages to one address, in ms (Telegram ~1/s per chat). */
  perAddressGapMs?: number;
}

/** What a successful send returns. */
export interface SendResult {
  /** The provider's id of the sent message (Twilio SM..., Telegram chat:message id, Slack ts). */
  providerId: string;
  /** Provider status right after the send, if it says (Twilio: queued/accepted). */
  status?: DeliveryStatus;
  /** SMS only: the encoding and segment count of the text as sent (stored with the message). */
  encoding?: 'GSM-7' | 'UCS-2';
  segments?: number;
}

/** Extra facts about a send the adapter may use. */
export interface SendContext {
  /** Our message id; unique, stable across retries. */
  messageId: string;
  /** When the message was queued; an adapter may refuse to send a message too old to be useful. */
  queuedAt: Date;
  /** Thread to post into (Slack incident threads), if the caller has one. */
  threadId?: string;
}

/** What `findSent` is told about the interrupted send. */
export interface FindSentContext {
  /** Our message id. */
  messageId: string;
  /** When the send was claimed (the message marked `sending`): nothing older can be it. */
  since: Date;
  /** Thread the message was posted into, if any (Slack). */
  threadId?: string;
}

/** A plain HTTP route a channel serves besides its webhooks (the console channel's inbox). */
export interface ChannelRoute {
  method: 'GET';
  path: string;
  /**
   * Answers the request. `headers` are lower-cased; `query` holds the query string's values;
   * `signal` aborts when the client goes away before the answer is sent (a long poll given up).
   * Throws MalformedPayloadError for a bad query (answered 400).
   */
  handle(request: { headers: Record<string, string | undefined>; query: Record<string, string | undefined>; signal?: AbortSignal }): Promise<{ status: number; body: unknown }>;
}

/** Handed to adapters that receive without webhooks (Telegram long polling, Slack socket mode). */
export type InboundSink = (events: InboundEvent[]) => Promise<void>;

export interface ChannelAdapter {
  /** The channel's name, as stored on messages and identities: console, telegram, sms, slack. */
  readonly channel: string;
  readonly rate: ChannelRate;
  /** Webhook routes (empty for channels that only poll). */
  readonly webhooks: WebhookRoute[];
  /** Other HTTP routes of the channel, if any. */
  readonly routes?: ChannelRoute[];
  /**
   * Sends one message. Throws a ProviderError subclass (src/errors.ts) on failure so the worker
   * can tell transient from permanent without reading strings.
   */
  send(address: string, message: OutboundMessage, context: SendContext): Promise<SendResult>;
  /**
   * Deletes messages from the person's chat (both sides), where the provider allows it (Telegram:
   * deleteMessages, private chats, messages younger than 48 hours). `ids` are stored provider ids
   * of outbound messages and chat message ids of inbound ones. Throws a ProviderError subclass.
   */
  deleteMessages?(address: string, ids: string[]): Promise<void>;
  /**
   * Reads back what the provider holds that was sent to `address` since `context.since` and
   * matches `message` (the same text as `send` would hand over). Used to settle a send whose
   * result was never recorded (the worker died during the provider call). Returns the matching
   * messages the provider knows, oldest first (empty when it has none: the message was not sent).
   * Throws a ProviderError subclass when the provider cannot answer: the send stays for a person.
   * Channels that cannot read back what they sent (Telegram) leave it out. Any comparison of
   * personal text happens in memory; nothing read back is stored except the provider id.
   */
  findSent?(address: string, message: OutboundMessage, context: FindSentContext): Promise<SendResult[]>;
  /**
   * True where the conversation stays on the person's device and cannot be deleted by us (SMS):
   * the closing text of a report then suggests deleting the thread.
   */
  readonly threadStaysOnDevice?: boolean;
  /**
   * Whether the provider delivers a webhook again after we refuse it (429): Telegram and Slack
   * do, Twilio does not. A sender over its rate limit is refused where the provider retries, and
   * stored with its processing deferred where it does not (src/inbound/sender-limit.ts).
   * Default true.
   */
  readonly retriesRefusedWebhooks?: boolean;
  /** Starts receiving without webhooks (polling, sockets), if configured. */
  start?(sink: InboundSink): Promise<void>;
  /** Stops receiving and releases connections (and wakes anyone waiting on the channel). */
  stop?(): Promise<void>;
}
