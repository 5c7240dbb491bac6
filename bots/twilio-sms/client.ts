/**
 * The provider's REST client, built so that failures stay visible: no automatic retries (the
 * outbound worker decides), and an error response keeps its Retry-After header, which the
 * SDK's own exception drops.
 */
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type * as HttpResponse from 'twilio/lib/http/response.js';

type Response<TData> = HttpResponse.default<TData>;

/** The SDK's exception for an error response, plus the Retry-After header if there was one. */
export class TwilioResponseError extends twilio.RestException {
  /** Retry-After in milliseconds, when the response carried a usable one. */
  readonly retryAfterMs?: number;
  constructor(response: Response<unknown>) {
    super(response);
    this.name = 'TwilioResponseError';
    this.retryAfterMs = retryAfterMs(headerValue(response.headers, 'retry-after'));
    // Newer error bodies (RFC 9457) carry detail/title instead of message.
    if (!this.message) this.message = problemText(response.body) ?? `HTTP ${response.statusCode}`;
  }
}

class VisibleFailureClient extends twilio.RequestClient {
  override async request<TData>(options: RequestClient.RequestOptions<TData>): Promise<Response<TData>> {
    const response = await super.request(options);
    if (response.statusCode >= 400) throw new TwilioResponseError(response);
    return response;
  }
}

/** A REST client talking to `apiBase` (the real API or a local fake); calls give up after `timeoutMs` (default 30 s). */
export function createTwilioClient(accountSid: string, authToken: string, apiBase: string, timeoutMs?: number): twilio.Twilio {
  const client = twilio(accountSid, authToken, {
    httpClient: new VisibleFailureClient({ autoRetry: false, ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }) }),
    autoRetry: false,
    // The SDK would print requests to the console at debug level, outside our redacted logs.
    logLevel: 'info',
  });
  client.api.baseUrl = apiBase.replace(/\/+$/, '');
  return client;
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  const record = headers as Record<string, unknown> & { get?: (name: string) => unknown };
  const value = typeof record.get === 'function' ? record.get(name) : record[name];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** Retry-After is either seconds or an HTTP date. */
function retryAfterMs(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function problemText(body: unknown): string | undefined {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const { detail, title } = parsed as { detail?: unknown; title?: unknown };
  return typeof detail === 'string' ? detail : typeof title === 'string' ? title : undefined;
}
