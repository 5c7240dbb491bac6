import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { createTwilioSmsAdapter, EMPTY_TWIML, INBOUND_PATH, STATUS_PATH } from '../../bots/twilio-sms/index.js';
import { deliveryStatus } from '../../bots/twilio-sms/webhooks.js';
import type { WebhookRoute } from '../../src/channels/adapter.js';
import { MalformedPayloadError } from '../../src/errors.js';
import { PUBLIC_URL, signedWebhook, TWILIO_SID, TWILIO_TOKEN } from '../support/providers.js';

const adapter = createTwilioSmsAdapter(
  { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, from: '+15005550006', publicUrl: PUBLIC_URL },
  pino({ level: 'silent' }),
);

function route(path: string): WebhookRoute {
  const found = adapter.webhooks.find((candidate) => candidate.path === path);
  if (!found) throw new Error(`no route ${path}`);
  return found;
}

/** A request as the provider would send it, signed with the SDK's own helper. */
const signedRequest = signedWebhook.twilio;

const inboundText = {
  ToCountry: 'KE',
  SmsMessageSid: 'SM11111111111111111111111111111111',
  NumMedia: '0',
  SmsSid: 'SM11111111111111111111111111111111',
  SmsStatus: 'received',
  Body: 'Shots heard near the market & road',
  To: '+15005550006',
  NumSegments: '1',
  MessageSid: 'SM11111111111111111111111111111111',
  AccountSid: TWILIO_SID,
  From: '+254700000001',
  ApiVersion: '2010-04-01',
};

const deliveredStatus = {
  MessageSid: 'SM22222222222222222222222222222222',
  SmsSid: 'SM22222222222222222222222222222222',
  MessageStatus: 'delivered',
  SmsStatus: 'delivered',
  AccountSid: TWILIO_SID,
  To: '+254700000001',
  From: '+15005550006',
  ApiVersion: '2010-04-01',
};

describe('SMS webhook routes', () => {
  it('serves the incoming-message and the status-callback paths', () => {
    expect(adapter.webhooks.map((webhook) => webhook.path).sort()).toEqual([INBOUND_PATH, STATUS_PATH].sort());
    expect(INBOUND_PATH).toBe('/webhooks/twilio/sms');
    expect(STATUS_PATH).toBe('/webhooks/twilio/status');
  });

  for (const [path, params] of [
    [INBOUND_PATH, inboundText],
    [STATUS_PATH, deliveredStatus],
  ] as const) {
    describe(`signature on ${path}`, () => {
      it('accepts the signature computed with our auth token over the public URL', () => {
        expect(route(path).verify(signedRequest(path, params))).toBe(true);
      });

      it('rejects a request without a signature', () => {
        expect(route(path).verify(signedRequest(path, params, { signature: null }))).toBe(false);
      });

      it('rejects a forged signature', () => {
        expect(route(path).verify(signedRequest(path, params, { signature: 'bm90IGEgcmVhbCBzaWduYXR1cmU=' }))).toBe(false);
      });

      it('rejects a signature made with another auth token', () => {
        expect(route(path).verify(signedRequest(path, params, { authToken: 'someone-else' }))).toBe(false);
      });

      it('rejects a signature computed for another URL', () => {
        const elsewhere = `https://attacker.example.net${path}`;
        expect(route(path).verify(signedRequest(path, params, { signedUrl: elsewhere }))).toBe(false);
      });

      it('rejects a correctly signed request whose parameters were changed afterwards', () => {
        const request = signedRequest(path, params);
        request.rawBody = request.rawBody.replace('AccountSid=AC', 'AccountSid=XX');
        expect(route(path).verify(request)).toBe(false);
      });
    });
  }

  it('signs every value of a repeated parameter: accepted as signed, refused when one value changed', () => {
    const params = { ...inboundText, NumMedia: '3', MediaUrl: ['https://media.example/a', 'https://media.example/b', 'https://media.example/c'] };
    const url = PUBLIC_URL + INBOUND_PATH;
    const signature = twilio.getExpectedTwilioSignature(TWILIO_TOKEN, url, params);
    const body = (values: string[]) => {
      const form = new URLSearchParams({ ...inboundText, NumMedia: '3' });
      for (const value of values) form.append('MediaUrl', value);
      return form.toString();
    };
    const headers = { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature };
    const inbound = route(INBOUND_PATH);
    expect(inbound.verify({ path: INBOUND_PATH, publicUrl: url, headers, rawBody: body(['https://media.example/a', 'https://media.example/b', 'https://media.example/c']) })).toBe(true);
    expect(inbound.verify({ path: INBOUND_PATH, publicUrl: url, headers, rawBody: body(['https://media.example/a', 'https://media.example/b', 'https://media.example/evil']) })).toBe(false);
    expect(inbound.verify({ path: INBOUND_PATH, publicUrl: url, headers, rawBody: body(['https://media.example/b']) })).toBe(false);
  });

  it('rejects rather than throws when the public URL cannot be parsed', () => {
    const request = signedRequest(INBOUND_PATH, inboundText);
    expect(() => route(INBOUND_PATH).verify({ ...request, publicUrl: 'not a url' })).not.toThrow();
    expect(route(INBOUND_PATH).verify({ ...request, publicUrl: 'not a url' })).toBe(false);
  });

  it('includes the query string of the public URL in the signature', () => {
    const request = signedRequest(INBOUND_PATH, inboundText, { publicUrl: `${PUBLIC_URL}${INBOUND_PATH}?source=field` });
    expect(route(INBOUND_PATH).verify(request)).toBe(true);
    expect(route(INBOUND_PATH).verify({ ...request, publicUrl: PUBLIC_URL + INBOUND_PATH })).toBe(false);
  });
});

describe('incoming SMS', () => {
  const inbound = route(INBOUND_PATH);

  it('becomes a text event keyed by MessageSid, from the sender number, answered with empty TwiML', async () => {
    const result = await inbound.parse(signedRequest(INBOUND_PATH, inboundText));
    expect(result.events).toEqual([
      {
        providerId: 'SM11111111111111111111111111111111',
        address: '+254700000001',
        message: { type: 'text', text: 'Shots heard near the market & road' },
      },
    ]);
    expect(result.statuses ?? []).toEqual([]);
    expect(result.reply).toEqual({ contentType: 'text/xml', body: EMPTY_TWIML });
    expect(EMPTY_TWIML).toBe('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
  });

  it('keeps non-Latin text intact', async () => {
    const result = await inbound.parse(signedRequest(INBOUND_PATH, { ...inboundText, Body: 'هل هذا صحيح؟ 🙏' }));
    expect(result.events?.[0]?.message).toEqual({ type: 'text', text: 'هل هذا صحيح؟ 🙏' });
  });

  it('falls back to SmsSid when MessageSid is absent', async () => {
    const { MessageSid: _dropped, ...params } = inboundText;
    const result = await inbound.parse(signedRequest(INBOUND_PATH, { ...params, SmsSid: 'SM33333333333333333333333333333333' }));
    expect(result.events?.[0]?.providerId).toBe('SM33333333333333333333333333333333');
  });

  it('becomes a media event with the first attachment and the body as caption', async () => {
    const result = await inbound.parse(
      signedRequest(INBOUND_PATH, {
        ...inboundText,
        Body: 'Burnt car on the bridge',
        NumMedia: '2',
        MediaUrl0: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1',
        MediaContentType0: 'image/jpeg',
        MediaUrl1: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME2',
        MediaContentType1: 'image/png',
      }),
    );
    expect(result.events?.[0]?.message).toEqual({
      type: 'media',
      url: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1',
      mimeType: 'image/jpeg',
      caption: 'Burnt car on the bridge',
    });
  });

  it('gives a media event without caption when the body is empty', async () => {
    const result = await inbound.parse(
      signedRequest(INBOUND_PATH, { ...inboundText, Body: '', NumMedia: '1', MediaUrl0: 'https://media.example/1', MediaContentType0: 'video/mp4' }),
    );
    expect(result.events?.[0]?.message).toEqual({ type: 'media', url: 'https://media.example/1', mimeType: 'video/mp4' });
  });

  it('keys by MessageSid when SmsSid is absent', async () => {
    const { SmsSid: _a, SmsMessageSid: _b, ...params } = inboundText;
    const result = await inbound.parse(signedRequest(INBOUND_PATH, params));
    expect(result.events?.[0]?.providerId).toBe('SM11111111111111111111111111111111');
  });

  it('gives a media event without caption when there is no Body at all', async () => {
    const { Body: _dropped, ...params } = inboundText;
    const result = await inbound.parse(signedRequest(INBOUND_PATH, { ...params, NumMedia: '1', MediaUrl0: 'https://media.example/2', MediaContentType0: 'image/jpeg' }));
    expect(result.events?.[0]?.message).toEqual({ type: 'media', url: 'https://media.example/2', mimeType: 'image/jpeg' });
  });

  it('refuses a message without From, naming what is missing', () => {
    const { From: _dropped, ...params } = inboundText;
    expect(() => inbound.parse(signedRequest(INBOUND_PATH, params))).toThrow(new MalformedPayloadError('incoming SMS without From'));
  });

  it('refuses a message without MessageSid or SmsSid', () => {
    const { MessageSid: _a, SmsSid: _b, SmsMessageSid: _c, ...params } = inboundText;
    expect(() => inbound.parse(signedRequest(INBOUND_PATH, params))).toThrow(new MalformedPayloadError('incoming SMS without MessageSid'));
  });
});

describe('status callbacks', () => {
  const status = route(STATUS_PATH);

  async function statusFor(providerStatus: string, extra: Record<string, string> = {}) {
    const result = await status.parse(
      signedRequest(STATUS_PATH, { ...deliveredStatus, MessageStatus: providerStatus, SmsStatus: providerStatus, ...extra }),
    );
    expect(result.events ?? []).toEqual([]);
    return result.statuses ?? [];
  }

  it.each([
    ['accepted', 'queued'],
    ['scheduled', 'queued'],
    ['queued', 'queued'],
    ['sending', 'sending'],
    ['sent', 'sent'],
    ['delivered', 'delivered'],
    ['undelivered', 'undelivered'],
    ['failed', 'failed'],
    ['read', 'read'],
    ['canceled', 'failed'],
  ])('maps %s to %s', async (providerStatus, ours) => {
    // Strict: no error fields at all when the callback carries none.
    expect(await statusFor(providerStatus)).toStrictEqual([{ providerId: 'SM22222222222222222222222222222222', status: ours }]);
  });

  it.each(['receiving', 'received', 'some-future-status'])('ignores %s', async (providerStatus) => {
    expect(await statusFor(providerStatus)).toEqual([]);
  });

  it('carries the error code and message of an undelivered message', async () => {
    expect(await statusFor('undelivered', { ErrorCode: '30003', ErrorMessage: 'Unreachable destination handset' })).toEqual([
      {
        providerId: 'SM22222222222222222222222222222222',
        status: 'undelivered',
        errorCode: '30003',
        errorMessage: 'Unreachable destination handset',
      },
    ]);
  });

  it('answers with the default empty 200 (no TwiML needed)', async () => {
    const result = await status.parse(signedRequest(STATUS_PATH, deliveredStatus));
    expect(result.reply).toBeUndefined();
  });

  it('refuses a callback without MessageStatus', () => {
    const { MessageStatus: _a, SmsStatus: _b, ...params } = deliveredStatus;
    expect(() => status.parse(signedRequest(STATUS_PATH, params))).toThrow(new MalformedPayloadError('status callback without MessageStatus'));
  });

  it('refuses a callback without MessageSid', () => {
    const { MessageSid: _a, SmsSid: _b, ...params } = deliveredStatus;
    expect(() => status.parse(signedRequest(STATUS_PATH, params))).toThrow(new MalformedPayloadError('status callback without MessageSid'));
  });

  it('reads MessageSid and MessageStatus alone, and the older SmsSid and SmsStatus alone', async () => {
    const { SmsSid: _a, SmsStatus: _b, ...current } = deliveredStatus;
    expect((await status.parse(signedRequest(STATUS_PATH, current))).statuses).toEqual([{ providerId: 'SM22222222222222222222222222222222', status: 'delivered' }]);
    const { MessageSid: _c, MessageStatus: _d, ...older } = { ...deliveredStatus, SmsSid: 'SM44444444444444444444444444444444', SmsStatus: 'sent' };
    expect((await status.parse(signedRequest(STATUS_PATH, older))).statuses).toEqual([{ providerId: 'SM44444444444444444444444444444444', status: 'sent' }]);
  });

  it('has no delivery status for a missing provider status', () => {
    expect(deliveryStatus(undefined)).toBeUndefined();
    expect(deliveryStatus('DELIVERED')).toBe('delivered');
  });
});
