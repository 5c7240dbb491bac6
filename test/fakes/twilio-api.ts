/**
 * A local fake of the SMS provider's REST API, for the real SDK to talk to. Point the client at
 * `url` (TWILIO_API_BASE / the adapter's `apiBase`). It serves
 * `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` like the real API: form-encoded
 * request, JSON answer (201 with an SM... sid), error bodies `{ code, message, more_info, status }`.
 * `GET` on the same path lists the messages it accepted (one page, newest first), filtered by
 * `To` and `DateSent>` / `DateSent>=` / `DateSent<`; an accepted message counts as sent when created.
 *
 * ```ts
 * const api = await startTwilioApi({ accountSid, authToken });
 * api.nextResponse(rateLimited(2));          // the next request gets a 429 with Retry-After: 2
 * api.respondWith(twilioError(500, 20500));  // every request from now on gets a 500
 * api.respondWith(undefined);                // back to accepting messages
 * api.messages();                            // the Messages.json requests received, in order
 * await api.close();                         // further requests fail with ECONNREFUSED
 * ```
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake received. */
export interface RecordedTwilioRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The form body, decoded (`To`, `From`, `MessagingServiceSid`, `Body`, `StatusCallback`...). */
  form: Record<string, string>;
  /** The account SID in the path, if the path is an account resource. */
  accountSid?: string;
  /** When the request arrived (Date.now(), ms); for pacing measurements. */
  receivedAt: number;
  /** The status code the fake answered with (undefined if the connection was cut). */
  answeredStatus?: number;
  /** The sid of the message created, when the fake accepted it. */
  sid?: string;
}

/** An answer to program. A default success answer is used when none is programmed. */
export interface FakeTwilioResponse {
  /** Omitted: the default answer (a valid message is accepted and listed), with this delay or cut. */
  status?: number;
  /** JSON body (serialised), or a string sent as is. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Cut the connection instead of answering (the client sees a reset). */
  destroy?: boolean;
}

/** A programmed answer with its status: what the fake sends. */
type Answer = FakeTwilioResponse & { status: number };

type Responder = FakeTwilioResponse | ((request: RecordedTwilioRequest) => FakeTwilioResponse | undefined);

export interface FakeTwilioApi {
  /** Base URL, e.g. http://127.0.0.1:54321 (no trailing slash). */
  url: string;
  /** Every request received, in arrival order. */
  requests: RecordedTwilioRequest[];
  /** The message-create requests received, in arrival order. */
  messages(): RecordedTwilioRequest[];
  /** The message-list requests received (reconciliation read-backs), in arrival order. */
  lists(): RecordedTwilioRequest[];
  /** Queues one-shot answers, used by the next requests in order before any `respondWith`. */
  nextResponse(...responses: FakeTwilioResponse[]): void;
  /**
   * Answer every following request this way (a fixed answer, or a function returning one, or
   * undefined from the function for the default). `undefined` restores the default.
   */
  respondWith(responder: Responder | undefined): void;
  /** Stops listening and cuts open connections. */
  close(): Promise<void>;
}

export interface FakeTwilioApiOptions {
  /** When set with authToken, requests without the matching Basic credentials get 401 (20003). */
  accountSid?: string;
  authToken?: string;
}

/** A provider error answer: `{ code, message, more_info, status }`. */
export function twilioError(status: number, code: number, message = `Error ${code}`): Answer {
  return {
    status,
    body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
  };
}

/** A 429 answer (error 20429), with Retry-After when `retryAfterSeconds` is given. */
export function rateLimited(retryAfterSeconds?: number): Answer {
  const response = twilioError(429, 20429, 'Too Many Requests');
  if (retryAfterSeconds !== undefined) response.headers = { 'Retry-After': String(retryAfterSeconds) };
  return response;
}

const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;

/** Starts the fake on 127.0.0.1 on a free port. */
export async function startTwilioApi(options: FakeTwilioApiOptions = {}): Promise<FakeTwilioApi> {
  const requests: RecordedTwilioRequest[] = [];
  const queued: FakeTwilioResponse[] = [];
  let responder: Responder | undefined;
  let created = 0;
  /** The message resources accepted, as the list answers them, with their creation time in ms. */
  const accepted: { at: number; resource: Record<string, unknown> }[] = [];

  const server = createServer((req, res) => {
    const receivedAt = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const [path = '/', search = ''] = (req.url ?? '/').split('?');
      const recorded: RecordedTwilioRequest = {
        method: req.method ?? 'GET',
        path,
        headers: req.headers,
        form: Object.fromEntries(new URLSearchParams(req.method === 'GET' ? search : Buffer.concat(chunks).toString('utf8'))),
        accountSid: MESSAGES_PATH.exec(path)?.[1],
        receivedAt,
      };
      requests.push(recorded);
      const programmed = queued.shift() ?? (typeof responder === 'function' ? responder(recorded) : responder);
      const response: Answer =
        programmed?.status === undefined
          ? { ...defaultResponse(recorded), delayMs: programmed?.delayMs, destroy: programmed?.destroy }
          : { ...programmed, status: programmed.status };
      const answer = (): void => {
        if (response.destroy) {
          req.socket.destroy();
          return;
        }
        recorded.answeredStatus = response.status;
        send(res, response);
      };
      if (response.delayMs) setTimeout(answer, response.delayMs);
      else answer();
    });
  });

  function defaultResponse(request: RecordedTwilioRequest): Answer {
    if (options.accountSid !== undefined && options.authToken !== undefined) {
      const expected = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
      if (request.headers.authorization !== expected) return twilioError(401, 20003, 'Authenticate');
    }
    if (request.method === 'GET' && request.accountSid !== undefined) return list(request);
    if (request.method !== 'POST' || request.accountSid === undefined) {
      return twilioError(404, 20404, 'The requested resource was not found');
    }
    const form = request.form;
    if (!form.To) return twilioError(400, 21604, "A 'To' phone number is required.");
    if (!form.From && !form.MessagingServiceSid) {
      return twilioError(400, 21603, "A 'From' phone number or a MessagingServiceSid is required.");
    }
    if (!form.Body && !form.MediaUrl) return twilioError(400, 21602, 'Message body is required.');
    created += 1;
    const sid = `SM${created.toString(16).padStart(32, '0')}`;
    request.sid = sid;
    const at = Date.now();
    const now = new Date(at).toUTCString();
    const resource = {
        sid,
        account_sid: request.accountSid,
        messaging_service_sid: form.MessagingServiceSid ?? null,
        to: form.To,
        from: form.From ?? null,
        body: form.Body ?? '',
        // A Messaging Service accepts first and picks the sender later.
        status: form.From ? 'queued' : 'accepted',
        direction: 'outbound-api',
        num_segments: '1',
        num_media: '0',
        error_code: null,
        error_message: null,
        date_created: now,
        date_updated: now,
        date_sent: null,
        price: null,
        api_version: '2010-04-01',
        uri: `/2010-04-01/Accounts/${request.accountSid}/Messages/${sid}.json`,
    };
    accepted.push({ at, resource: { ...resource, date_sent: now } });
    return { status: 201, body: resource };
  }

  /** The message list (a single page), filtered as the real API filters. */
  function list(request: RecordedTwilioRequest): Answer {
    const query = request.form;
    const bound = (key: string): number | undefined => (query[key] === undefined ? undefined : Date.parse(query[key]!));
    const after = bound('DateSent>') ?? bound('DateSent>=');
    const before = bound('DateSent<');
    const messages = accepted
      .filter((entry) => query.To === undefined || entry.resource.to === query.To)
      .filter((entry) => after === undefined || entry.at >= after)
      .filter((entry) => before === undefined || entry.at < before)
      .map((entry) => entry.resource)
      .reverse();
    const uri = `/2010-04-01/Accounts/${request.accountSid}/Messages.json`;
    return {
      status: 200,
      body: { messages, first_page_uri: uri, next_page_uri: null, previous_page_uri: null, page: 0, page_size: messages.length, uri, start: 0, end: messages.length },
    };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    messages: () => requests.filter((request) => request.method === 'POST' && MESSAGES_PATH.test(request.path)),
    lists: () => requests.filter((request) => request.method === 'GET' && MESSAGES_PATH.test(request.path)),
    nextResponse: (...responses) => void queued.push(...responses),
    respondWith: (next) => {
      responder = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, response: Answer): void {
  const body = response.body === undefined ? '' : typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
  const contentType = typeof response.body === 'string' ? 'text/plain' : 'application/json';
  res.writeHead(response.status, { 'Content-Type': contentType, ...response.headers });
  res.end(body);
}
