/**
 * Bearer-token authentication and role checks for the admin API. Every /api/v1 route sees
 * `request.principal`; routes limit themselves to roles with `requireRole`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../db/client.js';
import { errorBody, HttpError } from './errors.js';
import { authenticate, type Principal, type Role } from './tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

export function installAuth(app: FastifyInstance, db: Db): void {
  app.decorateRequest('principal', null as unknown as Principal);
  app.addHook('onRequest', async (request, reply) => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) return reply.code(401).header('www-authenticate', 'Bearer').send(errorBody(new HttpError(401, 'missing bearer token')));
    const principal = await authenticate(db, match[1]!);
    if (!principal) return reply.code(401).header('www-authenticate', 'Bearer').send(errorBody(new HttpError(401, 'unknown or revoked token')));
    request.principal = principal;
  });
}

/** A preHandler that lets through only the given roles (admin always passes). */
export function requireRole(...roles: Role[]) {
  return async (request: FastifyRequest) => {
    const role = request.principal.role;
    if (role !== 'admin' && !roles.includes(role)) throw new HttpError(403, `this needs one of the roles: admin, ${roles.join(', ')}`);
  };
}
