/**
 * A local fake of Slack's Web API (and of its Socket Mode WebSocket), for the real SDK to talk
 * to: `new WebClient(token, { slackApiUrl: api.url })`, or the Slack adapter's `apiUrl: api.url`.
 *
 * Every call is recorded with its decoded form fields and a timestamp. By default each method
 * answers as Slack does when all is well; answers can be programmed one at a time (`next`) or
 * for good (`respondWith`): a 429 with Retry-After, an `ok: false` error, a 5xx, a delay, a
 * dropped connection.
 *
 * Conversations: every chat.postMessage is kept as a message of its conversation (a user id posts
 * into the direct message channel `D` + the id without its first letter), authored by FAKE_BOT;
 * `conversations.open`, `conversations.history` (top-level messages, newest first, `oldest`,
 * `latest`, `inclusive`, `limit` and a cursor) and `conversations.replies` (a thread, oldest first)
 * read them back. `history()` lists them all.
 *
 * Socket Mode: `apps.connections.open` returns a ws:// URL on this server; `pushEnvelope` sends
 * an envelope to the connected client and resolves with its acknowledgement.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** One recorded Web API call. */
export interface SlackApiCall {
  /** The API method, e.g. `chat.postMessage`. */
  method: string;
  /** Form fields; fields the client JSON-encodes (blocks) are decoded. */
  params: Record<string, unknown>;
  /** The bearer token the call carried. */
  token?: string;
  /** Date.now() when the call arrived. */
  at: number;
}

/** A programmed answer. Every field is optional; what is left out takes the method's usual answer. */
export interface SlackApiReply {
  /** HTTP status. Default 200. */
  status?: number;
  /** Extra response headers, e.g. `{ 'retry-after': '30' }`. */
  headers?: Record<string, string>;
  /** JSON body. Default: the method's successful answer (only when status is 200). */
  body?: unknown;
  /** Wait this long before answering, in ms. */
  delayMs?: number;
  /** Destroy the connection without answering (the client sees a network error). */
  drop?: boolean;
}

/** Decides the answer of a call; undefined means the method's usual answer. */
export type SlackApiHandler = (call: SlackApiCall) => SlackApiReply | undefined;

/** A message the fake holds in a conversation. */
export interface SlackStoredMessage {
  channel: string;
  ts: string;
  text: string;
  thread_ts?: string;
  bot_id: string;
  user: string;
}

/** A Socket Mode envelope as Slack pushes it. */
export interface SlackEnvelope {
  type: 'events_api' | 'interactive' | 'slash_commands';
  payload: unknown;
  /** Default: a fresh id. */
  envelope_id?: string;
  retry_attempt?: number;
  retry_reason?: string;
}

export interface FakeSlackApi {
  /** Base URL to give the client, e.g. `http://127.0.0.1:PORT/api/`. */
  url: string;
  /** Every call, in order of arrival. */
  requests: SlackApiCall[];
  /** The form fields of every chat.postMessage call, in order. */
  posts(): Record<string, unknown>[];
  /** Every message posted so far, as conversations.history would show it, oldest first. */
  history(): SlackStoredMessage[];
  /** Queues answers for the next calls (any method), first in first out. */
  next(...replies: SlackApiReply[]): void;
  /** Answers every call without a queued answer through `handler`; undefined restores the defaults. */
  respondWith(handler: SlackApiHandler | undefined): void;
  /** Shorthand: the next call is answered 429 with Retry-After in seconds. */
  rateLimitNext(retryAfterSeconds: number): void;
  /** Shorthand: the next call is answered `{ ok: false, error }`. */
  failNext(error: string): void;
  /** Whether a Socket Mode client is connected now. */
  socketOpen(): boolean;
  /** The Socket Mode connection is open and Slack's hello was sent. */
  socketConnected(timeoutMs?: number): Promise<void>;
  /** Pushes an envelope over Socket Mode; resolves with the client's acknowledgement. */
  pushEnvelope(envelope: SlackEnvelope, timeoutMs?: number): Promise<{ envelope_id: string; payload?: unknown }>;
  /** Stops the server and drops every connection; later calls are refused. */
  close(): Promise<void>;
}

/** The bot identity auth.test reports. */
export const FAKE_BOT = { userId: 'UBOT0001', botId: 'BBOT0001', teamId: 'T0000001' } as const;

export async function startFakeSlackApi(): Promise<FakeSlackApi> {
  const requests: SlackApiCall[] = [];
  const stored: SlackStoredMessage[] = [];
  const queued: SlackApiReply[] = [];
  let handler: SlackApiHandler | undefined;
  let tsCounter = 0;
  const sockets = new Set<Socket | Duplex>();
  let webSocket: WebSocketPeer | undefined;
  const socketWaiters: (() => void)[] = [];

  function usualAnswer(call: SlackApiCall, baseUrl: string): unknown {
    switch (call.method) {
      case 'chat.postMessage': {
        tsCounter += 1;
        const ts = `${Math.floor(Date.now() / 1000)}.${String(tsCounter).padStart(6, '0')}`;
        const requested = String(call.params.channel ?? '');
        // Posting to a user id lands in the direct message channel with that user.
        const channel = dmChannelOf(requested);
        const message: SlackStoredMessage = { channel, ts, text: String(call.params.text ?? ''), bot_id: FAKE_BOT.botId, user: FAKE_BOT.userId };
        if (typeof call.params.thread_ts === 'string' && call.params.thread_ts !== '') message.thread_ts = call.params.thread_ts;
        stored.push(message);
        return { ok: true, channel, ts, message: { type: 'message', text: call.params.text, ts } };
      }
      case 'conversations.open': {
        const user = String(call.params.users ?? '').split(',')[0] ?? '';
        if (!/^[UW]/.test(user)) return { ok: false, error: 'user_not_found' };
        return { ok: true, channel: { id: dmChannelOf(user) } };
      }
      case 'conversations.history':
        return page(
          stored.filter((m) => m.channel === call.params.channel && (m.thread_ts === undefined || m.thread_ts === m.ts)).reverse(),
          call.params,
        );
      case 'conversations.replies': {
        const thread = String(call.params.ts ?? '');
        return page(
          stored.filter((m) => m.channel === call.params.channel && (m.ts === thread || m.thread_ts === thread)),
          call.params,
        );
      }
      case 'auth.test':
        return { ok: true, url: 'https://fake.slack.test/', team: 'Fake', user: 'gateway', team_id: FAKE_BOT.teamId, user_id: FAKE_BOT.userId, bot_id: FAKE_BOT.botId };
      case 'apps.connections.open':
        return { ok: true, url: `${baseUrl.replace(/^http/, 'ws').replace(/\/api\/$/, '')}/socket-mode` };
      default:
        return { ok: true };
    }
  }

  const server = createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
    const call: SlackApiCall = {
      method,
      params: decodeParams(raw, req.headers['content-type']),
      token: req.headers.authorization?.replace(/^Bearer /, ''),
      at: Date.now(),
    };
    requests.push(call);
    const reply = queued.shift() ?? handler?.(call) ?? {};
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    if (reply.drop) {
      req.socket.destroy();
      return;
    }
    const status = reply.status ?? 200;
    const body = reply.body ?? (status === 200 ? usualAnswer(call, url) : { ok: false, error: 'fake_http_error' });
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
    res.end(JSON.stringify(body));
  }

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const key = req.headers['sec-websocket-key'];
    if (!req.url?.startsWith('/socket-mode') || typeof key !== 'string') {
      socket.destroy();
      return;
    }
    const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    const peer = new WebSocketPeer(socket);
    webSocket = peer;
    socket.on('close', () => {
      if (webSocket === peer) webSocket = undefined;
    });
    webSocket.sendText(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0000001' } }));
    for (const wake of socketWaiters.splice(0)) wake();
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/api/`;
  let envelopeCounter = 0;

  return {
    url,
    requests,
    history: () => [...stored],
    posts: () => requests.filter((call) => call.method === 'chat.postMessage').map((call) => call.params),
    next: (...replies) => {
      queued.push(...replies);
    },
    respondWith: (next) => {
      handler = next;
    },
    rateLimitNext: (retryAfterSeconds) => {
      queued.push({ status: 429, headers: { 'retry-after': String(retryAfterSeconds) }, body: { ok: false, error: 'ratelimited' } });
    },
    failNext: (error) => {
      queued.push({ body: { ok: false, error } });
    },
    socketOpen: () => webSocket !== undefined,
    socketConnected: (timeoutMs = 5000) =>
      webSocket
        ? Promise.resolve()
        : withTimeout(new Promise<void>((resolve) => socketWaiters.push(resolve)), timeoutMs, 'no Socket Mode connection'),
    pushEnvelope: (envelope, timeoutMs = 5000) => {
      const peer = webSocket;
      if (!peer) return Promise.reject(new Error('no Socket Mode connection'));
      envelopeCounter += 1;
      const envelopeId = envelope.envelope_id ?? `envelope-${envelopeCounter}`;
      const acked = peer.waitFor((message) => (message as { envelope_id?: string }).envelope_id === envelopeId);
      peer.sendText(JSON.stringify({ accepts_response_payload: false, ...envelope, envelope_id: envelopeId }));
      return withTimeout(acked as Promise<{ envelope_id: string; payload?: unknown }>, timeoutMs, `no ack for ${envelopeId}`);
    },
    close: async () => {
      webSocket = undefined;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The conversation a post to `address` lands in: a user's direct message channel, or the channel. */
function dmChannelOf(address: string): string {
  return /^[UW]/.test(address) ? `D${address.slice(1)}` : address;
}

/** One page of `messages` (already in answer order) within oldest/latest, `limit` at a time. */
function page(messages: SlackStoredMessage[], params: Record<string, unknown>): unknown {
  const inclusive = params.inclusive === 'true' || params.inclusive === true;
  const oldest = params.oldest === undefined ? -Infinity : Number(params.oldest);
  const latest = params.latest === undefined ? Infinity : Number(params.latest);
  const within = messages.filter((m) => {
    const ts = Number(m.ts);
    return inclusive ? ts >= oldest && ts <= latest : ts > oldest && ts < latest;
  });
  const start = params.cursor === undefined || params.cursor === '' ? 0 : Number(params.cursor);
  const limit = params.limit === undefined ? 100 : Number(params.limit);
  const slice = within.slice(start, start + limit);
  const more = start + limit < within.length;
  return {
    ok: true,
    messages: slice.map(({ channel: _channel, ...message }) => ({ type: 'message', ...message })),
    has_more: more,
    response_metadata: { next_cursor: more ? String(start + limit) : '' },
  };
}

function decodeParams(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.includes('application/json')) {
    try {
      return JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return {};
    }
  }
  const params: Record<string, unknown> = {};
  for (const [name, value] of new URLSearchParams(raw)) {
    params[name] = /^[[{]/.test(value) ? safeJson(value) : value;
  }
  return params;
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The server end of one WebSocket (RFC 6455): text frames, ping/pong, close. No extensions. */
class WebSocketPeer {
  private buffer = Buffer.alloc(0);
  private readonly waiters: { match: (message: unknown) => boolean; resolve: (message: unknown) => void }[] = [];

  constructor(private readonly socket: Duplex) {
    socket.on('data', (data: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, data]);
      this.readFrames();
    });
    socket.on('error', () => {});
  }

  sendText(text: string): void {
    this.sendFrame(0x1, Buffer.from(text, 'utf8'));
  }

  waitFor(match: (message: unknown) => boolean): Promise<unknown> {
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  private sendFrame(opcode: number, payload: Buffer): void {
    if (this.socket.destroyed) return;
    let header: Buffer;
    if (payload.length < 126) {
      header = Buffer.from([0x80 | opcode, payload.length]);
    } else if (payload.length < 65536) {
      header = Buffer.alloc(4);
      header[0] = 0x80 | opcode;
      header[1] = 126;
      header.writeUInt16BE(payload.length, 2);
    } else {
      header = Buffer.alloc(10);
      header[0] = 0x80 | opcode;
      header[1] = 127;
      header.writeBigUInt64BE(BigInt(payload.length), 2);
    }
    this.socket.write(Buffer.concat([header, payload]));
  }

  private readFrames(): void {
    for (;;) {
      if (this.buffer.length < 2) return;
      const opcode = this.buffer[0]! & 0x0f;
      const masked = (this.buffer[1]! & 0x80) !== 0;
      let length = this.buffer[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffer.length < 4) return;
        length = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.buffer.length < 10) return;
        length = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      const maskLength = masked ? 4 : 0;
      if (this.buffer.length < offset + maskLength + length) return;
      const mask = this.buffer.subarray(offset, offset + maskLength);
      const payload = Buffer.from(this.buffer.subarray(offset + maskLength, offset + maskLength + length));
      if (masked) for (let i = 0; i < payload.length; i += 1) payload[i]! ^= mask[i % 4]!;
      this.buffer = this.buffer.subarray(offset + maskLength + length);
      this.onFrame(opcode, payload);
    }
  }

  private onFrame(opcode: number, payload: Buffer): void {
    if (opcode === 0x9) {
      this.sendFrame(0xa, payload);
    } else if (opcode === 0x8) {
      this.sendFrame(0x8, payload.subarray(0, 2));
      this.socket.end();
    } else if (opcode === 0x1) {
      let message: unknown;
      try {
        message = JSON.parse(payload.toString('utf8'));
      } catch {
        return;
      }
      const index = this.waiters.findIndex((waiter) => waiter.match(message));
      if (index >= 0) this.waiters.splice(index, 1)[0]!.resolve(message);
    }
  }
}
