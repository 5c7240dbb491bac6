/**
 * API tokens of the admin API. A token is shown once at creation; only its SHA-256 is stored.
 * Each has a role and, optionally, an area it is limited to (that area and everything below it).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/client.js';

export const ROLES = ['admin', 'coordinator', 'responder', 'broadcaster', 'approver', 'analyst'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Who is calling, however they proved it (bearer token or console session). Every access
 * decision (src/admin/access.ts) and every audit entry starts from this.
 */
export interface Principal {
  /** How the caller authenticated. */
  via: 'token' | 'session';
  /** The id of the token or of the user: stable per person, used e.g. for "nobody approves their own". */
  tokenId: string;
  name: string;
  role: Role;
  /** The area the caller is limited to (that area and below), or null for everywhere. */
  areaId: string | null;
  /**
   * The audit actor: `token:<id>`, `user:<id>`, or `responder:<id>` for a user linked to a
   * roster responder, so that the person is one actor in every timeline.
   */
  actor: string;
  /** The roster responder this user is, if any. */
  responderId: string | null;
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export async function createToken(db: Db, input: { name: string; role: string; areaId?: string | null }): Promise<{ id: string; token: string }> {
  if (!isRole(input.role)) throw new Error(`unknown role "${input.role}"; accepted: ${ROLES.join(', ')}`);
  if (input.name.trim().length === 0) throw new Error('a token needs a name (who or what uses it)');
  if (input.areaId) {
    const area = await db.area.findUnique({ where: { id: input.areaId } });
    if (!area) throw new Error(`unknown area "${input.areaId}"`);
  }
  const token = `gw_${randomBytes(32).toString('base64url')}`;
  const row = await db.apiToken.create({
    data: { name: input.name.trim(), role: input.role, areaId: input.areaId ?? null, tokenHash: digest(token) },
  });
  return { id: row.id, token };
}

/** Revokes a token by id. Returns false when there is no such active token. */
export async function revokeToken(db: Db, id: string): Promise<boolean> {
  const result = await db.apiToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
  return result.count > 0;
}

export async function listTokens(db: Db) {
  return db.apiToken.findMany({
    select: { id: true, name: true, role: true, areaId: true, createdAt: true, lastUsedAt: true, revokedAt: true },
    orderBy: { createdAt: 'asc' },
  });
}

/** The principal behind a bearer token, or null when unknown or revoked. */
export async function authenticate(db: Db, token: string): Promise<Principal | null> {
  const row = await db.apiToken.findUnique({ where: { tokenHash: digest(token) } });
  if (!row || row.revokedAt || !isRole(row.role)) return null;
  // Recording use is best effort: it never fails a request.
  await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } }).catch(() => undefined);
  return { via: 'token', tokenId: row.id, name: row.name, role: row.role, areaId: row.areaId, actor: `token:${row.id}`, responderId: null };
}
