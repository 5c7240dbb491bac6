/**
 * Authentication of the admin API and the one place where access is decided. Every request
 * under /api/v1 is identified (a bearer token, or a console session through the authenticators
 * a capability adds) and then decided against the role table (src/admin/access.ts). Wrong
 * credentials are counted per client address by @fastify/rate-limit; past the limit every
 * request of that address that needs authentication gets 429 until the window ends, so that
 * guessing cannot go on (nor tell a right guess by its answer).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../db/client.js';
import { ACCESS, decide, routeKey } from './access.js';
import { HttpError } from './errors.js';
import { authenticate, type Principal } from './tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

/**
 * Finds the principal of a request from credentials other than a bearer token (e.g. a session
 * cookie). Answers null when the request carries none of its kind; throws an HttpError to
 * refuse (e.g. 403 for a missing CSRF token).
 */
export type Authenticator = (request: FastifyRequest) => Promise<Principal | null>;

export interface AuthOptions {
  db: Db;
  authenticators?: Authenticator[];
  /** Failed authentications allowed per client address and window before 429 (default 20 a minute). */
  failures?: { max: number; windowMs: number };
}

export function installAuth(app: FastifyInstance, options: AuthOptions): void {
  app.decorateRequest('principal', null as unknown as Principal);
  const { max, windowMs } = options.failures ?? { max: 20, windowMs: 60_000 };
  const failures = app.createRateLimit({ max, timeWindow: windowMs, keyGenerator: (request) => `auth-failure:${request.ip}` });

  const identify = async (request: FastifyRequest): Promise<Principal | null> => {
    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      return match ? authenticate(options.db, match[1]!) : null;
    }
    for (const authenticator of options.authenticators ?? []) {
      const principal = await authenticator(request);
      if (principal) return principal;
    }
    return null;
  };

  app.addHook('onRequest', async (request, reply) => {
    const url = request.routeOptions.url;
    const key = routeKey(request.method, url ?? request.url.split('?')[0]!);
    if (url !== undefined && ACCESS[key]?.roles === 'public') return;
    const seen = await failures(request, { increment: false });
    if (!seen.isAllowed && seen.remaining <= 0) {
      reply.header('retry-after', Math.ceil(seen.ttl / 1000));
      throw new HttpError(429, 'too many failed authentications; try again later');
    }
    const principal = await identify(request);
    if (!principal) {
      // Only wrong credentials count (a guess); a request that carries none is not one.
      const guessed = request.headers.authorization !== undefined || request.headers.cookie !== undefined;
      if (guessed) await failures(request);
      reply.header('www-authenticate', 'Bearer');
      throw new HttpError(401, guessed ? 'unknown, revoked or expired credentials' : 'missing credentials (a bearer token or a session)');
    }
    request.principal = principal;
    // An unknown path is answered 404 by the router, once the caller is known.
    if (url === undefined) return;
    const decision = decide(key, principal);
    if (!decision.allowed) throw new HttpError(decision.status, decision.reason);
  });
}
