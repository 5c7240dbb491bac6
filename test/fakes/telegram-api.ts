/**
 * A fake of the Telegram Bot API as a local HTTP server, for the real SDK to talk to:
 * `new Bot(token, { client: { apiRoot: fake.url } })` or the adapter option `apiRoot: fake.url`.
 *
 * It answers the methods the gateway uses with plausible results (sendMessage, sendPhoto,
 * sendDocument, sendLocation, answerCallbackQuery, getMe, setWebhook, getWebhookInfo,
 * deleteWebhook, getUpdates with long polling), records every call with a timestamp, and can be
 * programmed to fail: one-shot answers (`next`), standing answers (`respondWith`), latency
 * (`setDelay`), and Telegram's own rate limits (`limits`) for pacing benchmarks.
 *
 * ```ts
 * const fake = await startTelegramApi();
 * fake.next(telegramErrors.tooManyRequests(3), 'sendMessage');
 * // ... exercise the code ...
 * expect(fake.calls('sendMessage')[0]?.payload.chat_id).toBe('42');
 * await fake.close();
 * ```
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One call the fake received. */
export interface TelegramApiRequest {
  /** Bot API method, e.g. sendMessage. */
  method: string;
  /** The token from the path /bot<token>/<method>. */
  token: string;
  /** The JSON body ({} when empty or not JSON). */
  payload: Record<string, unknown>;
  /** Date.now() when the request arrived. */
  at: number;
  /** HTTP status the fake answered with (0 when it dropped the connection). */
  status: number;
}

/** A programmed answer. Without `status` or with 200, `result` is sent as a success. */
export interface TelegramApiResponse {
  /** HTTP status and Telegram error_code. Default 200. */
  status?: number;
  /** Result of a success; default: what the method would return. */
  result?: unknown;
  /** Description of an error. */
  description?: string;
  /** Telegram's ResponseParameters (retry_after in seconds, migrate_to_chat_id). */
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
  /** Wait before answering, in ms. */
  delayMs?: number;
  /** Destroy the connection without answering (the SDK sees a network failure). */
  drop?: boolean;
}

/** Computes an answer from the request; return undefined to fall back to the default. */
export type TelegramApiHandler = (request: TelegramApiRequest) => TelegramApiResponse | undefined;

/** Telegram's pace, enforced on send* methods when given: exceeding it answers 429. */
export interface TelegramApiLimits {
  /** Most send* calls accepted in any 1000 ms window (Telegram: about 30). */
  perSecond?: number;
  /** Least gap between two send* calls to one chat_id, in ms (Telegram: about 1000). */
  perChatGapMs?: number;
  /** retry_after of the 429 answered when a limit is exceeded. Default 1. */
  retryAfterSeconds?: number;
}

export interface StartTelegramApiOptions {
  /** When set, any other token is answered 401 Unauthorized. */
  token?: string;
  limits?: TelegramApiLimits;
}

export interface FakeTelegramApi {
  /** Use as apiRoot (no trailing slash). */
  readonly url: string;
  /** Every call, in arrival order. */
  readonly requests: TelegramApiRequest[];
  /** Calls of one method. */
  calls(method: string): TelegramApiRequest[];
  /** Answers the next call (of `method`, or of any method) once with `response`. Queued in order. */
  next(response: TelegramApiResponse, method?: string): void;
  /** Answers every call of `method` ('*' for all) with a fixed response or a handler, until cleared with undefined. */
  respondWith(method: string, response: TelegramApiResponse | TelegramApiHandler | undefined): void;
  /** Adds latency to every answer, in ms. */
  setDelay(ms: number): void;
  /** Queues an update for getUpdates (and wakes a waiting long poll). */
  pushUpdate(update: { update_id: number } & Record<string, unknown>): void;
  /** Updates still waiting to be confirmed by a getUpdates offset. */
  readonly pendingUpdates: ReadonlyArray<{ update_id: number }>;
  /** The webhook as set by setWebhook (undefined after deleteWebhook or when never set). */
  readonly webhook: { url: string; secret_token?: string; allowed_updates?: string[] } | undefined;
  /** How many send* calls were refused by `limits`. */
  readonly rateLimited: number;
  /** Resolves with the `count`-th call of `method` once it has arrived (rejects after timeoutMs). */
  waitFor(method: string, count?: number, timeoutMs?: number): Promise<TelegramApiRequest>;
  /** Stops the server and cuts open connections (held long polls included). */
  close(): Promise<void>;
}

/** Ready-made Telegram error answers. */
export const telegramErrors = {
  tooManyRequests: (retryAfterSeconds: number): TelegramApiResponse => ({
    status: 429,
    description: `Too Many Requests: retry after ${retryAfterSeconds}`,
    parameters: { retry_after: retryAfterSeconds },
  }),
  blocked: (): TelegramApiResponse => ({ status: 403, description: 'Forbidden: bot was blocked by the user' }),
  deactivated: (): TelegramApiResponse => ({ status: 403, description: 'Forbidden: user is deactivated' }),
  chatNotFound: (): TelegramApiResponse => ({ status: 400, description: 'Bad Request: chat not found' }),
  serverError: (): TelegramApiResponse => ({ status: 500, description: 'Internal Server Error' }),
  badGateway: (): TelegramApiResponse => ({ status: 502, description: 'Bad Gateway' }),
};

const SEND_METHODS = new Set(['sendMessage', 'sendPhoto', 'sendDocument', 'sendLocation']);

export const FAKE_BOT = { id: 7000001, is_bot: true, first_name: 'Gateway', username: 'gateway_test_bot' };

interface Waiter {
  offset: number;
  limit: number;
  respond: (updates: unknown[]) => void;
}

/** Starts the fake on 127.0.0.1 with a free port. */
export async function startTelegramApi(options: StartTelegramApiOptions = {}): Promise<FakeTelegramApi> {
  const requests: TelegramApiRequest[] = [];
  const oneShot: Array<{ method?: string; response: TelegramApiResponse }> = [];
  const standing = new Map<string, TelegramApiResponse | TelegramApiHandler>();
  const updates: Array<{ update_id: number } & Record<string, unknown>> = [];
  const waiters = new Set<Waiter>();
  const recentSends: number[] = [];
  const lastSendByChat = new Map<string, number>();
  let delayMs = 0;
  let messageId = 0;
  let rateLimited = 0;
  let webhook: FakeTelegramApi['webhook'];
  let listeners: Array<() => void> = [];

  function pending(offset: number, limit: number): unknown[] {
    return updates.filter((u) => u.update_id >= offset).slice(0, limit);
  }

  function defaultResult(request: TelegramApiRequest): unknown {
    const p = request.payload;
    const message = () => ({
      message_id: ++messageId,
      date: Math.floor(request.at / 1000),
      chat: { id: Number(p.chat_id), type: 'private' },
      from: FAKE_BOT,
    });
    switch (request.method) {
      case 'getMe':
        return FAKE_BOT;
      case 'sendMessage':
        return { ...message(), text: p.text, reply_markup: p.reply_markup };
      case 'sendPhoto':
        return { ...message(), photo: [{ file_id: 'photo-1', file_unique_id: 'p1', width: 1, height: 1 }], caption: p.caption };
      case 'sendDocument':
        return { ...message(), document: { file_id: 'doc-1', file_unique_id: 'd1' }, caption: p.caption };
      case 'sendLocation':
        return { ...message(), location: { latitude: p.latitude, longitude: p.longitude } };
      case 'setWebhook':
        webhook = {
          url: String(p.url),
          secret_token: p.secret_token as string | undefined,
          allowed_updates: p.allowed_updates as string[] | undefined,
        };
        return true;
      case 'deleteWebhook':
        webhook = undefined;
        return true;
      case 'getWebhookInfo':
        return {
          url: webhook?.url ?? '',
          has_custom_certificate: false,
          pending_update_count: updates.length,
          allowed_updates: webhook?.allowed_updates,
        };
      default:
        return true;
    }
  }

  function programmed(request: TelegramApiRequest): TelegramApiResponse | undefined {
    const index = oneShot.findIndex((entry) => entry.method === undefined || entry.method === request.method);
    if (index >= 0) return oneShot.splice(index, 1)[0]?.response;
    const fixed = standing.get(request.method) ?? standing.get('*');
    if (fixed === undefined) return undefined;
    return typeof fixed === 'function' ? fixed(request) : fixed;
  }

  function overLimit(request: TelegramApiRequest): TelegramApiResponse | undefined {
    const limits = options.limits;
    if (limits === undefined || !SEND_METHODS.has(request.method)) return undefined;
    const refuse = (): TelegramApiResponse => {
      rateLimited += 1;
      return telegramErrors.tooManyRequests(limits.retryAfterSeconds ?? 1);
    };
    while (recentSends.length > 0 && (recentSends[0] as number) <= request.at - 1000) recentSends.shift();
    if (limits.perSecond !== undefined && recentSends.length >= limits.perSecond) return refuse();
    const chat = String(request.payload.chat_id);
    const last = lastSendByChat.get(chat);
    if (limits.perChatGapMs !== undefined && last !== undefined && request.at - last < limits.perChatGapMs) return refuse();
    recentSends.push(request.at);
    lastSendByChat.set(chat, request.at);
    return undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const match = /^\/bot([^/]+)\/(?:test\/)?([A-Za-z]+)$/.exec(new URL(req.url ?? '/', 'http://fake').pathname);
    let payload: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      if (typeof parsed === 'object' && parsed !== null) payload = parsed as Record<string, unknown>;
    } catch {
      // Form uploads are not used by the gateway; record them with an empty payload.
    }
    const request: TelegramApiRequest = { method: match?.[2] ?? '', token: match?.[1] ?? '', payload, at: Date.now(), status: 0 };
    requests.push(request);
    for (const listener of listeners) listener();

    const response: TelegramApiResponse =
      match === null
        ? { status: 404, description: 'Not Found' }
        : options.token !== undefined && request.token !== options.token
          ? { status: 401, description: 'Unauthorized' }
          : (programmed(request) ?? overLimit(request) ?? {});
    const wait = (response.delayMs ?? 0) + delayMs;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (response.drop === true) {
      req.socket.destroy();
      return;
    }
    const status = response.status ?? 200;
    if (status === 200 && response.result === undefined && request.method === 'getUpdates') {
      await answerUpdates(request, res);
      return;
    }
    request.status = status;
    const body =
      status === 200
        ? { ok: true, result: response.result ?? defaultResult(request) }
        : { ok: false, error_code: status, description: response.description ?? 'Error', parameters: response.parameters };
    send(res, status, body);
  }

  async function answerUpdates(request: TelegramApiRequest, res: ServerResponse): Promise<void> {
    const offset = typeof request.payload.offset === 'number' ? request.payload.offset : 0;
    const limit = typeof request.payload.limit === 'number' ? request.payload.limit : 100;
    const timeoutSeconds = typeof request.payload.timeout === 'number' ? request.payload.timeout : 0;
    // An offset confirms every update before it.
    if (offset > 0) {
      for (let i = updates.length - 1; i >= 0; i--) if ((updates[i] as { update_id: number }).update_id < offset) updates.splice(i, 1);
    }
    request.status = 200;
    const ready = pending(offset, limit);
    if (ready.length > 0 || timeoutSeconds === 0) {
      send(res, 200, { ok: true, result: ready });
      return;
    }
    await new Promise<void>((resolve) => {
      const waiter: Waiter = {
        offset,
        limit,
        respond: (result) => {
          waiters.delete(waiter);
          clearTimeout(timer);
          if (!res.writableEnded && !res.destroyed) send(res, 200, { ok: true, result });
          resolve();
        },
      };
      const timer = setTimeout(() => waiter.respond([]), timeoutSeconds * 1000);
      res.on('close', () => waiter.respond([]));
      waiters.add(waiter);
    });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { ok: false, error_code: 500, description: String(error) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    calls: (method) => requests.filter((r) => r.method === method),
    next: (response, method) => {
      oneShot.push({ method, response });
    },
    respondWith: (method, response) => {
      if (response === undefined) standing.delete(method);
      else standing.set(method, response);
    },
    setDelay: (ms) => {
      delayMs = ms;
    },
    pushUpdate: (update) => {
      updates.push(update);
      for (const waiter of [...waiters]) {
        const ready = pending(waiter.offset, waiter.limit);
        if (ready.length > 0) waiter.respond(ready);
      }
    },
    get pendingUpdates() {
      return updates;
    },
    get webhook() {
      return webhook;
    },
    get rateLimited() {
      return rateLimited;
    },
    waitFor: (method, count = 1, timeoutMs = 5000) =>
      new Promise<TelegramApiRequest>((resolve, reject) => {
        const check = (): boolean => {
          const found = requests.filter((r) => r.method === method)[count - 1];
          if (found === undefined) return false;
          listeners = listeners.filter((l) => l !== listener);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const listener = (): void => {
          check();
        };
        const timer = setTimeout(() => {
          listeners = listeners.filter((l) => l !== listener);
          reject(new Error(`fake Telegram API: no call #${count} of ${method} within ${timeoutMs} ms`));
        }, timeoutMs);
        if (!check()) listeners.push(listener);
      }),
    close: async () => {
      for (const waiter of [...waiters]) waiter.respond([]);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

let nextUpdateId = 1000;
const now = (): number => Math.floor(Date.now() / 1000);

/** Updates as Telegram sends them (webhook body or getUpdates element), for tests. */
export const telegramUpdates = {
  text: (chatId: number, text: string, extra: { updateId?: number; languageCode?: string } = {}) => ({
    update_id: extra.updateId ?? nextUpdateId++,
    message: {
      message_id: 1,
      date: now(),
      chat: { id: chatId, type: 'private', first_name: 'Reporter' },
      from: { id: chatId, is_bot: false, first_name: 'Reporter', language_code: extra.languageCode },
      text,
      ...(text.startsWith('/') ? { entities: [{ type: 'bot_command', offset: 0, length: text.split(/\s/)[0]?.length ?? 0 }] } : {}),
    },
  }),
  callback: (
    chatId: number,
    data: string,
    extra: { updateId?: number; languageCode?: string; queryId?: string; buttons?: Array<{ text: string; callback_data: string }> } = {},
  ) => ({
    update_id: extra.updateId ?? nextUpdateId++,
    callback_query: {
      id: extra.queryId ?? `query-${nextUpdateId}`,
      chat_instance: 'instance-1',
      from: { id: chatId, is_bot: false, first_name: 'Reporter', language_code: extra.languageCode },
      data,
      message: {
        message_id: 2,
        date: now(),
        chat: { id: chatId, type: 'private', first_name: 'Reporter' },
        from: FAKE_BOT,
        text: 'Pick one',
        reply_markup: { inline_keyboard: (extra.buttons ?? [{ text: data, callback_data: data }]).map((b) => [b]) },
      },
    },
  }),
  location: (chatId: number, latitude: number, longitude: number, extra: { updateId?: number } = {}) => ({
    update_id: extra.updateId ?? nextUpdateId++,
    message: {
      message_id: 3,
      date: now(),
      chat: { id: chatId, type: 'private', first_name: 'Reporter' },
      from: { id: chatId, is_bot: false, first_name: 'Reporter' },
      location: { latitude, longitude },
    },
  }),
  photo: (chatId: number, caption?: string, extra: { updateId?: number } = {}) => ({
    update_id: extra.updateId ?? nextUpdateId++,
    message: {
      message_id: 4,
      date: now(),
      chat: { id: chatId, type: 'private', first_name: 'Reporter' },
      from: { id: chatId, is_bot: false, first_name: 'Reporter' },
      photo: [
        { file_id: 'small', file_unique_id: 's', width: 90, height: 90 },
        { file_id: 'large', file_unique_id: 'l', width: 800, height: 800 },
      ],
      ...(caption === undefined ? {} : { caption }),
    },
  }),
};
