/**
 * The console channel: talk to the running flows from a terminal (`npm run chat`), through the
 * same webhook, queues and flow engine as the real channels. The chat client posts to
 * /webhooks/console with the console token (a secret file in the data folder, readable only by
 * whoever runs the gateway) and fetches replies from /console/inbox.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { ChannelAdapter, WebhookRequest } from '../../src/channels/adapter.js';
import { MalformedPayloadError } from '../../src/errors.js';
import { Mailbox } from './mailbox.js';

export const CONSOLE_TOKEN_HEADER = 'x-console-token';

/** Reads the console token from `file`, creating it (mode 0600) the first time. */
export function consoleToken(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, token, { mode: 0o600 });
  return token;
}

export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

const inboundSchema = z.object({
  /** Client-chosen unique id of the message (a repeated post is dropped). */
  id: z.string().min(1).max(100),
  /** Who is typing: any name without surrounding spaces; each name is a separate contact. */
  address: z.string().min(1).max(100).regex(/^\S(?:.*\S)?$/, 'blank, or begins or ends with a space'),
  text: z.string().max(20_000).optional(),
  choiceId: z.string().max(64).optional(),
  location: z.object({ latitude: z.number(), longitude: z.number() }).optional(),
  language: z.string().max(10).optional(),
});

const inboxQuery = z.object({
  address: z.string().min(1),
  after: z.coerce.number().int().min(-1).default(0),
  wait: z.coerce.number().int().min(0).max(30_000).default(0),
});

/** The console adapter, with the mailbox its replies wait in and the token that guards it. */
export interface ConsoleAdapter extends ChannelAdapter {
  readonly mailbox: Mailbox;
  readonly token: string;
}

export function createConsoleChannel(tokenFile: string): ConsoleAdapter {
  const token = consoleToken(tokenFile);
  const mailbox = new Mailbox();
  return {
    mailbox,
    token,
    channel: 'console',
    rate: { max: 50, durationMs: 1000 },
    webhooks: [
      {
        path: '/webhooks/console',
        verify: (request: WebhookRequest) => tokenMatches(token, request.headers[CONSOLE_TOKEN_HEADER]),
        parse(request) {
          let json: unknown;
          try {
            json = JSON.parse(request.rawBody);
          } catch {
            throw new MalformedPayloadError('body is not JSON');
          }
          const parsed = inboundSchema.safeParse(json);
          if (!parsed.success) throw new MalformedPayloadError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
          const body = parsed.data;
          const message = body.location
            ? ({ type: 'location', ...body.location } as const)
            : body.choiceId
              ? ({ type: 'choice', choiceId: body.choiceId } as const)
              : ({ type: 'text', text: body.text ?? '' } as const);
          return { events: [{ providerId: body.id, address: body.address, message, languageHint: body.language }] };
        },
      },
    ],
    routes: [
      {
        // Replies, long-polled by the chat client (`after`: the last sequence number seen).
        method: 'GET',
        path: '/console/inbox',
        async handle(request) {
          if (!tokenMatches(token, request.headers[CONSOLE_TOKEN_HEADER])) return { status: 401, body: { error: 'invalid console token' } };
          const query = inboxQuery.safeParse(request.query);
          if (!query.success) throw new MalformedPayloadError(query.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
          return { status: 200, body: { messages: await mailbox.take(query.data.address, query.data.after, query.data.wait, request.signal) } };
        },
      },
    ],
    async send(address, message) {
      return { providerId: `console-${mailbox.put(address, message)}`, status: 'delivered' };
    },
    async stop() {
      // Long polls end now, so the HTTP server can close.
      mailbox.wakeAll();
    },
  };
}
