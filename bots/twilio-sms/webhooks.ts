/**
 * The SMS channel's webhook routes: incoming messages and delivery status callbacks. Both are
 * form-encoded POSTs signed with X-Twilio-Signature over the public URL and the form parameters.
 */
import twilio from 'twilio';
import type { DeliveryStatus, InboundEvent, StatusUpdate, WebhookRequest, WebhookRoute } from '../../src/channels/adapter.js';
import { MalformedPayloadError } from '../../src/errors.js';
import { cleanInboundMessage, type InboundMessage } from '../../src/messages.js';

/** Path of the incoming-message webhook (configure it on the number or Messaging Service). */
export const INBOUND_PATH = '/webhooks/twilio/sms';
/** Path of the status callback webhook; send() sets it as StatusCallback on every message. */
export const STATUS_PATH = '/webhooks/twilio/status';

/** An empty TwiML answer: the provider sends nothing on its own; replies go through our queue. */
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

type FormParams = Record<string, string | string[]>;

/** The provider's message statuses mapped onto ours; statuses not listed are ignored. */
const statusMap: Record<string, DeliveryStatus> = {
  accepted: 'queued',
  scheduled: 'queued',
  queued: 'queued',
  sending: 'sending',
  sent: 'sent',
  delivered: 'delivered',
  undelivered: 'undelivered',
  failed: 'failed',
  read: 'read',
  canceled: 'failed',
};

/** Our delivery status for one of the provider's message statuses, if we track it. */
export function deliveryStatus(providerStatus: string | undefined): DeliveryStatus | undefined {
  return providerStatus === undefined ? undefined : statusMap[providerStatus.toLowerCase()];
}

/** The two webhook routes, verifying with the account's auth token. */
export function twilioWebhooks(authToken: string): WebhookRoute[] {
  const verify = (request: WebhookRequest): boolean => verifySignature(authToken, request);
  return [
    { path: INBOUND_PATH, verify, parse: parseInbound },
    { path: STATUS_PATH, verify, parse: parseStatus },
  ];
}

/** Checks X-Twilio-Signature against the public URL and the form parameters. */
export function verifySignature(authToken: string, request: WebhookRequest): boolean {
  const signature = request.headers['x-twilio-signature'];
  if (!signature) return false;
  try {
    return twilio.validateRequest(authToken, signature, request.publicUrl, formParams(request.rawBody));
  } catch {
    return false; // an unparsable public URL
  }
}

/** A phone number as Twilio gives it: `+`, a country code not starting with 0, 7 to 15 digits in all (E.164). */
const E164ISH = /^\+[1-9]\d{6,14}$/;

function parseInbound(request: WebhookRequest): { events: InboundEvent[]; reply: { contentType: string; body: string } } {
  const params = formParams(request.rawBody);
  const providerId = single(params, 'MessageSid') ?? single(params, 'SmsSid');
  const address = single(params, 'From');
  if (!providerId) throw new MalformedPayloadError('incoming SMS without MessageSid');
  if (!address) throw new MalformedPayloadError('incoming SMS without From');
  if (!E164ISH.test(address)) throw new MalformedPayloadError('incoming SMS whose From is not a phone number in E.164 form');
  return {
    events: [{ providerId, address, message: cleanInboundMessage(inboundMessage(params)) }],
    reply: { contentType: 'text/xml', body: EMPTY_TWIML },
  };
}

/** Only the first attachment is kept; the body becomes its caption. */
function inboundMessage(params: FormParams): InboundMessage {
  const body = single(params, 'Body') ?? '';
  const mediaCount = Number(single(params, 'NumMedia') ?? '0');
  if (mediaCount > 0) {
    return {
      type: 'media',
      url: single(params, 'MediaUrl0'),
      mimeType: single(params, 'MediaContentType0'),
      caption: body === '' ? undefined : body,
    };
  }
  return { type: 'text', text: body };
}

function parseStatus(request: WebhookRequest): { statuses: StatusUpdate[] } {
  const params = formParams(request.rawBody);
  const providerId = single(params, 'MessageSid') ?? single(params, 'SmsSid');
  const providerStatus = single(params, 'MessageStatus') ?? single(params, 'SmsStatus');
  if (!providerId) throw new MalformedPayloadError('status callback without MessageSid');
  if (!providerStatus) throw new MalformedPayloadError('status callback without MessageStatus');
  const status = deliveryStatus(providerStatus);
  if (status === undefined) return { statuses: [] }; // receiving/received and statuses we do not track
  const update: StatusUpdate = { providerId, status };
  const errorCode = single(params, 'ErrorCode');
  const errorMessage = single(params, 'ErrorMessage');
  if (errorCode) update.errorCode = errorCode;
  if (errorMessage) update.errorMessage = errorMessage;
  return { statuses: [update] };
}

/** Form parameters as the signature sees them: a repeated name keeps all its values. */
function formParams(rawBody: string): FormParams {
  const params: FormParams = {};
  for (const [name, value] of new URLSearchParams(rawBody)) {
    const existing = params[name];
    if (existing === undefined) params[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else params[name] = [existing, value];
  }
  return params;
}

function single(params: FormParams, name: string): string | undefined {
  const value = params[name];
  return Array.isArray(value) ? value[0] : value;
}
