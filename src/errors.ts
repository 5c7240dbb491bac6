/**
 * Errors that cross the boundary between a channel adapter and the outbound worker. The worker
 * decides from the class alone whether to retry, wait, or give up; never from a message string.
 */

/** Base class of every error an adapter's send() may throw on purpose. */
export abstract class ProviderError extends Error {
  /** Whether trying the same send again later can succeed. */
  abstract readonly retryable: boolean;
  constructor(
    message: string,
    /** The provider's own error code, if any (Twilio 21610, Telegram 403...). */
    readonly code?: string | number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Network codes meaning the request never left us: the provider cannot have acted on it. */
const NEVER_SENT_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

/** The provider could not be reached (DNS, refused, reset, timeout). Transient. */
export class ProviderNetworkError extends ProviderError {
  readonly retryable = true;
  /**
   * True when the request cannot have reached the provider (refused, no such host: `code` is
   * one of ECONNREFUSED, ENOTFOUND, EAI_AGAIN, ENETUNREACH, EHOSTUNREACH). Otherwise (a reset
   * or a timeout after the request was written, or no code) the provider may have acted on it.
   */
  get neverSent(): boolean {
    return typeof this.code === 'string' && NEVER_SENT_CODES.has(this.code);
  }
}

/** The provider answered 5xx. Transient. */
export class ProviderUnavailableError extends ProviderError {
  readonly retryable = true;
}

/** The provider asked us to slow down (429). Retry after `retryAfterMs`. */
export class ProviderRateLimitError extends ProviderError {
  readonly retryable = true;
  constructor(
    message: string,
    readonly retryAfterMs: number,
    code?: string | number,
    options?: { cause?: unknown },
  ) {
    super(message, code, options);
  }
}

/** The provider refused this message for good (invalid recipient, malformed request). */
export class ProviderRejectedError extends ProviderError {
  readonly retryable = false;
}

/**
 * The recipient opted out or blocked us on this channel (Twilio 21610, Telegram 403 blocked).
 * Permanent; the contact's identity on this channel is marked stopped.
 */
export class RecipientStoppedError extends ProviderError {
  readonly retryable = false;
}

/** A webhook body that cannot be understood. The HTTP layer answers 400. */
export class MalformedPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedPayloadError';
  }
}
