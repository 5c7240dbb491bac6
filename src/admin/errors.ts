/**
 * The admin API's one error boundary. Every route and feature throws an `HttpError` (or a class
 * that extends it) or lets a zod error escape; the server's error handler turns both into one
 * body shape:
 *
 *   { "error": "<message for people>", "code": "<stable machine code>", ...details }
 *
 * Validation errors are `400 { error: "invalid request", code: "invalid_request", issues:
 * [{ path, message }] }`. Unexpected errors are `500 { error: "internal error", code: "internal" }`
 * and are logged without the request's body.
 */
import { z } from 'zod';

/** Stable codes of the HTTP statuses the API uses, when a route gives none. */
const CODES: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'too_large',
  422: 'unprocessable',
  429: 'rate_limited',
  503: 'unavailable',
};

export function codeOf(status: number): string {
  return CODES[status] ?? (status >= 500 ? 'internal' : 'error');
}

export class HttpError extends Error {
  /**
   * @param status the HTTP status (4xx for the caller's mistakes)
   * @param message for people; never personal data
   * @param details extra fields of the body (e.g. `problems` of a roster file)
   * @param code a stable machine code (default: from the status, e.g. not_found)
   */
  constructor(
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly code: string = codeOf(status),
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface ValidationIssue {
  /** Dotted path of the field, or "(body)" for the body itself. */
  path: string;
  message: string;
}

export function issuesOf(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.join('.') || '(body)', message: issue.message }));
}

/** The body of an error answer. */
export function errorBody(error: HttpError): Record<string, unknown> {
  return { error: error.message, code: error.code, ...error.details };
}

/** 400 with the one validation shape. */
export function validationError(error: z.ZodError): HttpError {
  return new HttpError(400, 'invalid request', { issues: issuesOf(error) });
}

/** Parses `raw` with `schema`, throwing the one validation error. */
export function parseInput<T extends z.ZodType>(schema: T, raw: unknown): z.output<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}
