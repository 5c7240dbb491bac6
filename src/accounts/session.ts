/**
 * The console's session cookie and its CSRF check. The cookie is httpOnly, SameSite=Strict,
 * path /, and Secure in production. A request that changes something (any method but GET and
 * HEAD) must also carry the session's CSRF token in the `x-csrf-token` header: the token is
 * answered by login and by GET /api/v1/auth/session, and is derived from the session token.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticator } from '../admin/auth.js';
import { HttpError } from '../admin/errors.js';
import { csrfTokenOf, sameSecret } from './secrets.js';
import { principalOf, type Accounts } from './users.js';

export const SESSION_COOKIE = 'gw_session';
export const CSRF_HEADER = 'x-csrf-token';

export function setSessionCookie(reply: FastifyReply, token: string, expiresAt: Date, secure: boolean): void {
  reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure, path: '/', expires: expiresAt });
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure, path: '/' });
}

export function sessionTokenOf(request: FastifyRequest): string | undefined {
  return request.cookies?.[SESSION_COOKIE] || undefined;
}

/** The authenticator of session cookies (handed to the one access path, src/admin/auth.ts). */
export function sessionAuthenticator(accounts: Accounts): Authenticator {
  return async (request) => {
    const token = sessionTokenOf(request);
    if (!token) return null;
    const user = await accounts.sessionUser(token);
    if (!user) return null;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !sameSecret(sent, csrfTokenOf(token))) throw new HttpError(403, `missing or wrong ${CSRF_HEADER} header`, {}, 'csrf');
    }
    return principalOf(user);
  };
}
