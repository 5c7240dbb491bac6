/**
 * The accounts' routes under /api/v1 (access from the role table, src/admin/access.ts):
 *   POST /auth/login           { username, password, code? } -> sets the session cookie; { user, csrfToken }
 *   GET  /auth/session         the session's user and CSRF token
 *   POST /auth/logout          ends the session
 *   POST /auth/links/accept    { token, password, enableTotp? } -> { username, totp: { secret, uri } | null }
 *   GET  /users                staff accounts (admin)
 *   POST /users                { username, role, areaId?, responderId? } -> { user, link } (admin)
 *   POST /users/:id/reset      -> { link } (admin)
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HttpError } from '../admin/errors.js';
import { csrfTokenOf } from './secrets.js';
import { clearSessionCookie, setSessionCookie, sessionTokenOf } from './session.js';
import { acceptInput, inviteInput, loginInput, type Accounts } from './users.js';

export function accountRoutes(accounts: Accounts, options: { secureCookies: boolean; loginsPerMinute: number }) {
  return async (app: FastifyInstance): Promise<void> => {
    app.post(
      '/auth/login',
      { config: { openapi: { body: loginInput }, rateLimit: { max: options.loginsPerMinute, timeWindow: 60_000, keyGenerator: (request) => `login:${request.ip}` } } },
      async (request, reply) => {
        const { sessionToken, expiresAt, user } = await accounts.login(request.body, { ip: request.ip });
        setSessionCookie(reply, sessionToken, expiresAt, options.secureCookies);
        return { user, csrfToken: csrfTokenOf(sessionToken), expiresAt };
      },
    );

    app.get('/auth/session', async (request) => {
      const token = sessionTokenOf(request);
      if (request.principal.via !== 'session' || !token) throw new HttpError(400, 'this caller has no session (it used a bearer token)');
      const { tokenId, name, role, areaId, actor, responderId } = request.principal;
      return { user: { id: tokenId, username: name, role, areaId, actor, responderId }, csrfToken: csrfTokenOf(token) };
    });

    app.post('/auth/logout', async (request, reply) => {
      const token = sessionTokenOf(request);
      if (request.principal.via === 'session' && token) await accounts.logout(token, request.principal.actor, request.principal.tokenId);
      clearSessionCookie(reply, options.secureCookies);
      return { loggedOut: true };
    });

    app.post('/auth/links/accept', { config: { openapi: { body: acceptInput } } }, async (request) => accounts.accept(request.body));

    app.get('/users', async () => ({ items: await accounts.list() }));
    app.post('/users', { config: { openapi: { body: inviteInput } } }, async (request, reply) => reply.code(201).send(await accounts.invite(request.body, request.principal.actor)));
    app.post('/users/:id/reset', async (request) => accounts.reset(z.object({ id: z.string().min(1) }).parse(request.params).id, request.principal.actor));
  };
}
