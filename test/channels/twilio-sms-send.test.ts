import { pino, type Logger } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTwilioSmsAdapter, DEFAULT_MAX_QUEUE_SECONDS, rateFor, type TwilioSmsOptions } from '../../bots/twilio-sms/index.js';
import type { ChannelAdapter, SendContext } from '../../src/channels/adapter.js';
import {
  ProviderNetworkError,
  ProviderRateLimitError,
  ProviderRejectedError,
  ProviderUnavailableError,
  RecipientStoppedError,
} from '../../src/errors.js';
import type { OutboundMessage } from '../../src/messages.js';
import { rateLimited, startTwilioApi, twilioError, type FakeTwilioApi } from '../fakes/twilio-api.js';

const accountSid = 'AC00000000000000000000000000000001';
const authToken = 'test-auth-token';
const sender = '+15005550006';
const recipient = '+254700000001';
const publicUrl = 'https://gateway.example.org';

let api: FakeTwilioApi;
let logLines: string[];
let logger: Logger;

beforeEach(async () => {
  api = await startTwilioApi({ accountSid, authToken });
  logLines = [];
  logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
});

afterEach(async () => {
  await api.close().catch(() => undefined);
});

function adapterWith(options: Partial<TwilioSmsOptions> = {}): ChannelAdapter {
  return createTwilioSmsAdapter({ accountSid, authToken, from: sender, apiBase: api.url, publicUrl, ...options }, logger);
}

function context(ageSeconds = 0): SendContext {
  return { messageId: 'msg-1', queuedAt: new Date(Date.now() - ageSeconds * 1000) };
}

const text: OutboundMessage = { type: 'text', text: 'Road to Kisumu closed, avoid the bridge' };

async function sendFailure(adapter: ChannelAdapter, message: OutboundMessage = text, ctx = context()): Promise<unknown> {
  return adapter.send(recipient, message, ctx).then(
    () => {
      throw new Error('send succeeded');
    },
    (error: unknown) => error,
  );
}

describe('sending an SMS', () => {
  it('posts To, From, Body, StatusCallback and ValidityPeriod to the account messages endpoint', async () => {
    const result = await adapterWith().send(recipient, text, context());
    expect(api.messages()).toHaveLength(1);
    const request = api.messages()[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`/2010-04-01/Accounts/${accountSid}/Messages.json`);
    expect(request.answeredStatus).toBe(201);
    expect(request.form).toEqual({
      To: recipient,
      From: sender,
      Body: 'Road to Kisumu closed, avoid the bridge',
      StatusCallback: 'https://gateway.example.org/webhooks/twilio/status',
      ValidityPeriod: expect.stringMatching(/^\d+$/),
    });
    // The seconds left of the cap: the full cap, less the seconds a slow machine took to send.
    const validity = Number(request.form.ValidityPeriod);
    expect(validity).toBeLessThanOrEqual(DEFAULT_MAX_QUEUE_SECONDS);
    expect(validity).toBeGreaterThan(DEFAULT_MAX_QUEUE_SECONDS - 5);
    expect(result).toEqual({ providerId: request.sid, status: 'queued', encoding: 'GSM-7', segments: 1 });
    expect(result.providerId).toMatch(/^SM[0-9a-f]{32}$/);
  });

  it('sends through a Messaging Service without a From number', async () => {
    const adapter = adapterWith({ from: undefined, messagingServiceSid: 'MG00000000000000000000000000000001' });
    const result = await adapter.send(recipient, text, context());
    const form = api.messages()[0]!.form;
    expect(form.MessagingServiceSid).toBe('MG00000000000000000000000000000001');
    expect(form).not.toHaveProperty('From');
    expect(form.StatusCallback).toBe('https://gateway.example.org/webhooks/twilio/status');
    expect(result.status).toBe('queued'); // the service answered "accepted"
  });

  it('builds the status callback from a public URL with a trailing slash or a path prefix', async () => {
    await adapterWith({ publicUrl: 'https://gateway.example.org/' }).send(recipient, text, context());
    await adapterWith({ publicUrl: 'https://example.org/gateway' }).send(recipient, text, context());
    expect(api.messages().map((request) => request.form.StatusCallback)).toEqual([
      'https://gateway.example.org/webhooks/twilio/status',
      'https://example.org/gateway/webhooks/twilio/status',
    ]);
  });

  it('sends a choice as its question followed by a numbered list', async () => {
    const choice: OutboundMessage = {
      type: 'choice',
      text: 'Did you see it yourself?',
      choices: [
        { id: 'yes', label: 'Yes' },
        { id: 'no', label: 'No' },
      ],
      multiple: false,
    };
    await adapterWith().send(recipient, choice, context());
    expect(api.messages()[0]!.form.Body).toBe('Did you see it yourself?\n1. Yes\n2. No');
  });

  it('sends media as caption and link, not as a picture message', async () => {
    await adapterWith().send(recipient, { type: 'media', url: 'https://files.example.org/map.png', caption: 'Safe routes' }, context());
    const form = api.messages()[0]!.form;
    expect(form.Body).toBe('Safe routes\nhttps://files.example.org/map.png');
    expect(form).not.toHaveProperty('MediaUrl');
  });

  it('passes the rest of the queue allowance as ValidityPeriod', async () => {
    await adapterWith({ maxQueueSeconds: 3600 }).send(recipient, text, context(600));
    const validity = Number(api.messages()[0]!.form.ValidityPeriod);
    expect(validity).toBeGreaterThanOrEqual(2998);
    expect(validity).toBeLessThanOrEqual(3000);
  });

  it('clamps ValidityPeriod to the provider maximum of 36000 seconds', async () => {
    await adapterWith({ maxQueueSeconds: 86_400 }).send(recipient, text, context());
    expect(api.messages()[0]!.form.ValidityPeriod).toBe('36000');
  });

  it('refuses a message queued longer than the cap, without calling the API', async () => {
    const error = await sendFailure(adapterWith({ maxQueueSeconds: 3600 }), text, context(3601));
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect((error as ProviderRejectedError).code).toBe('expired');
    expect((error as ProviderRejectedError).retryable).toBe(false);
    expect(api.requests).toHaveLength(0);
  });

  it('refuses a text over 1600 characters, without calling the API', async () => {
    const error = await sendFailure(adapterWith(), { type: 'text', text: 'a'.repeat(1601) });
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect(api.requests).toHaveLength(0);
  });

  it('sends a text of exactly 1600 characters and reports its segments', async () => {
    const result = await adapterWith().send(recipient, { type: 'text', text: 'a'.repeat(1600) }, context());
    expect(api.messages()[0]!.form.Body).toHaveLength(1600);
    expect(result).toMatchObject({ encoding: 'GSM-7', segments: 11 });
  });

  it('reports UCS-2 and its segments for a text outside GSM-7', async () => {
    const result = await adapterWith().send(recipient, { type: 'text', text: 'تم إغلاق الطريق '.repeat(5) }, context());
    expect(api.messages()[0]!.form.Body).toBe('تم إغلاق الطريق '.repeat(5));
    expect(result).toMatchObject({ encoding: 'UCS-2', segments: 2 });
  });

  it('never writes the phone number or the text to the logs', async () => {
    await adapterWith().send(recipient, text, context());
    api.nextResponse(twilioError(400, 21211, `The 'To' number ${recipient} is not a valid phone number.`));
    await sendFailure(adapterWith());
    const logs = logLines.join('\n');
    expect(logs).toContain('msg-1'); // something was logged
    expect(logs).not.toContain(recipient);
    expect(logs).not.toContain('254700000001');
    expect(logs).not.toContain('Kisumu');
  });
});

describe('send errors', () => {
  it('maps 21610 (recipient unsubscribed) to RecipientStoppedError', async () => {
    api.nextResponse(twilioError(400, 21610, 'Attempt to send to unsubscribed recipient'));
    const error = await sendFailure(adapterWith());
    expect(error).toBeInstanceOf(RecipientStoppedError);
    expect((error as RecipientStoppedError).code).toBe(21610);
  });

  it('maps 21211 (invalid number) to ProviderRejectedError without the number in the message', async () => {
    api.nextResponse(twilioError(400, 21211, `The 'To' number ${recipient} is not a valid phone number.`));
    const error = await sendFailure(adapterWith());
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect(error).not.toBeInstanceOf(RecipientStoppedError);
    expect((error as ProviderRejectedError).code).toBe(21211);
    expect((error as Error).message).not.toContain(recipient);
    expect((error as Error).cause).toBeUndefined();
  });

  it('maps wrong credentials (401) to ProviderRejectedError', async () => {
    const adapter = createTwilioSmsAdapter(
      { accountSid, authToken: 'wrong-token', from: sender, apiBase: api.url, publicUrl },
      logger,
    );
    const error = await sendFailure(adapter);
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect((error as ProviderRejectedError).code).toBe(20003);
  });

  it('maps 500 to ProviderUnavailableError', async () => {
    api.nextResponse(twilioError(500, 20500, 'Internal Server Error'));
    const error = await sendFailure(adapterWith());
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect((error as ProviderUnavailableError).retryable).toBe(true);
  });

  it('maps a 503 with a non-JSON body to ProviderUnavailableError', async () => {
    api.nextResponse({ status: 503, body: 'upstream unavailable' });
    const error = await sendFailure(adapterWith());
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect((error as ProviderUnavailableError).code).toBe(503);
  });

  it('maps 429 to ProviderRateLimitError with Retry-After, and does not retry on its own', async () => {
    api.respondWith(rateLimited(7));
    const error = await sendFailure(adapterWith());
    expect(error).toBeInstanceOf(ProviderRateLimitError);
    expect((error as ProviderRateLimitError).retryAfterMs).toBe(7000);
    expect((error as ProviderRateLimitError).code).toBe(20429);
    expect(api.requests).toHaveLength(1);
  });

  it('waits one second after a 429 without Retry-After', async () => {
    api.nextResponse(rateLimited());
    const error = await sendFailure(adapterWith());
    expect(error).toBeInstanceOf(ProviderRateLimitError);
    expect((error as ProviderRateLimitError).retryAfterMs).toBe(1000);
  });

  it('maps error 20429 on another status to ProviderRateLimitError', async () => {
    api.nextResponse(twilioError(400, 20429, 'Too many concurrent requests'));
    expect(await sendFailure(adapterWith())).toBeInstanceOf(ProviderRateLimitError);
  });

  it('maps a closed API to ProviderNetworkError', async () => {
    const adapter = adapterWith();
    await adapter.send(recipient, text, context()); // a kept-alive connection exists
    await api.close();
    const error = await sendFailure(adapter);
    expect(error).toBeInstanceOf(ProviderNetworkError);
    expect((error as ProviderNetworkError).retryable).toBe(true);
    expect((error as Error).cause).toBeUndefined();
  });

  it('maps a connection cut mid-request to ProviderNetworkError', async () => {
    api.nextResponse({ status: 200, destroy: true });
    const error = await sendFailure(adapterWith());
    expect(error).toBeInstanceOf(ProviderNetworkError);
  });

  it('succeeds again once the API recovers', async () => {
    const adapter = adapterWith();
    api.nextResponse(twilioError(500, 20500));
    await sendFailure(adapter);
    const result = await adapter.send(recipient, text, context());
    expect(result.providerId).toBe(api.messages()[1]!.sid);
  });
});

describe('SMS channel options', () => {
  it('requires a sender number or a Messaging Service', () => {
    expect(() => adapterWith({ from: undefined })).toThrow(/TWILIO_FROM|TWILIO_MESSAGING_SERVICE_SID/);
  });

  it('paces at one message per second by default', () => {
    expect(adapterWith().rate).toEqual({ max: 1, durationMs: 1000 });
    expect(adapterWith({ messagesPerSecond: 3 }).rate).toEqual({ max: 3, durationMs: 1000 });
  });

  it('turns fractional rates into whole messages per window', () => {
    expect(rateFor(0.5)).toEqual({ max: 1, durationMs: 2000 });
    expect(rateFor(2.5)).toEqual({ max: 1, durationMs: 400 });
  });

  it('is the sms channel', () => {
    expect(adapterWith().channel).toBe('sms');
  });
});
