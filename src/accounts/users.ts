/**
 * Staff accounts: invitation and reset by one-time link, login with a password and (for admin
 * and coordinator, required) a TOTP code, lockout after repeated failures, and sessions. Every
 * login, failure, lockout, invitation and reset goes to the audit trail (AuditEntry, subject
 * type `user`). Errors are HttpError (src/admin/errors.ts); wrong credentials of any kind get
 * one answer, so that it tells nothing about which part was wrong.
 */
import { z } from 'zod';
import { HttpError } from '../admin/errors.js';
import { ROLES, type Principal, type Role } from '../admin/tokens.js';
import type { Db } from '../db/client.js';
import type { PersonalData } from '../personal-data.js';
import { checkPassword, checkTotp, decoyHash, digest, hashPassword, newToken, newTotpSecret, PASSWORD, totpUri } from './secrets.js';
import type { AccountSettings } from './settings.js';
import { auditId } from '../audit-ids.js';

/** Roles that must have a second factor. */
export const TOTP_REQUIRED: readonly Role[] = ['admin', 'coordinator'];

export const inviteInput = z.object({
  username: z.string().trim().toLowerCase().regex(/^[a-z0-9._-]{2,64}$/, '2 to 64 of a-z, 0-9, dot, dash, underscore'),
  role: z.enum(ROLES),
  areaId: z.string().min(1).optional().describe('limit the user to this area and below'),
  responderId: z.string().min(1).optional().describe('the roster responder this user is'),
});

export const acceptInput = z.object({
  token: z.string().min(1).describe('the token of the one-time link'),
  password: z.string().min(PASSWORD.min).max(PASSWORD.max),
  enableTotp: z.boolean().optional().describe('enrol a second factor (always done for admin and coordinator)'),
});

export const loginInput = z.object({
  username: z.string().trim().toLowerCase().min(1).max(64),
  password: z.string().min(1).max(PASSWORD.max),
  code: z.string().max(12).optional().describe('the TOTP code, when the account has a second factor'),
});

export interface AccountsDeps {
  db: Db;
  personalData: Pick<PersonalData, 'encrypt' | 'decrypt'>;
  settings: AccountSettings;
  /** Base URL of the one-time links. */
  publicUrl: string;
  now: () => Date;
}

type UserRow = NonNullable<Awaited<ReturnType<Db['user']['findUnique']>>>;

export function userView(user: UserRow) {
  return {
    id: user.id,
    username: user.username,
    role: user.role,
    areaId: user.areaId,
    responderId: user.responderId,
    totpEnabled: user.totpEnabled,
    active: user.passwordHash !== null && user.disabledAt === null,
    lockedUntil: user.lockedUntil,
    lastLoginAt: user.lastLoginAt,
    createdAt: user.createdAt,
  };
}

export function actorOfUser(user: Pick<UserRow, 'id' | 'responderId'>): string {
  return user.responderId ? `responder:${user.responderId}` : `user:${user.id}`;
}

export function principalOf(user: UserRow): Principal {
  return { via: 'session', tokenId: user.id, name: user.username, role: user.role as Role, areaId: user.areaId, actor: actorOfUser(user), responderId: user.responderId };
}

const WRONG = 'wrong username, password or code';

export class Accounts {
  constructor(private readonly deps: AccountsDeps) {}

  private async audit(actor: string, action: string, subjectId: string, detail: Record<string, unknown> = {}): Promise<void> {
    await this.deps.db.auditEntry.create({ data: { id: auditId(), actor, action, subjectType: 'user', subjectId, detail: JSON.stringify(detail), at: this.deps.now() } });
  }

  private async link(userId: string, purpose: 'invite' | 'reset'): Promise<string> {
    const token = newToken();
    const expiresAt = new Date(this.deps.now().getTime() + this.deps.settings.ACCOUNT_LINK_HOURS * 3_600_000);
    await this.deps.db.userLink.updateMany({ where: { userId, usedAt: null }, data: { usedAt: this.deps.now() } });
    await this.deps.db.userLink.create({ data: { tokenHash: digest(token), userId, purpose, expiresAt } });
    return `${this.deps.publicUrl.replace(/\/$/, '')}/console/link#${token}`;
  }

  /** Creates a user without a password and answers with the one-time link that sets it. */
  async invite(raw: unknown, actor: string): Promise<{ user: ReturnType<typeof userView>; link: string }> {
    const parsed = inviteInput.safeParse(raw);
    if (!parsed.success) throw new HttpError(400, 'invalid request', { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message })) });
    const input = parsed.data;
    const { db } = this.deps;
    if (input.areaId && !(await db.area.findUnique({ where: { id: input.areaId } }))) throw new HttpError(404, `unknown area "${input.areaId}"`);
    if (input.responderId) {
      if (!(await db.responder.findUnique({ where: { id: input.responderId } }))) throw new HttpError(404, `unknown responder "${input.responderId}"`);
      if (await db.user.findUnique({ where: { responderId: input.responderId } })) throw new HttpError(409, `responder "${input.responderId}" already has an account`);
    }
    if (await db.user.findUnique({ where: { username: input.username } })) throw new HttpError(409, `the username "${input.username}" is taken`);
    const user = await db.user.create({ data: { username: input.username, role: input.role, areaId: input.areaId ?? null, responderId: input.responderId ?? null } });
    const link = await this.link(user.id, 'invite');
    await this.audit(actor, 'user.invited', user.id, { role: user.role, areaId: user.areaId, responderId: user.responderId });
    return { user: userView(user), link };
  }

  /** A one-time link that sets a new password (and a new second factor); the old sessions end. */
  async reset(idOrUsername: string, actor: string): Promise<{ link: string }> {
    const { db } = this.deps;
    const user = (await db.user.findUnique({ where: { id: idOrUsername } })) ?? (await db.user.findUnique({ where: { username: idOrUsername.toLowerCase() } }));
    if (!user) throw new HttpError(404, `no user "${idOrUsername}"`);
    await db.userSession.deleteMany({ where: { userId: user.id } });
    const link = await this.link(user.id, 'reset');
    await this.audit(actor, 'user.reset_issued', user.id);
    return { link };
  }

  /** Uses a one-time link: sets the password, enrols TOTP when required or asked. */
  async accept(raw: unknown): Promise<{ username: string; totp: { secret: string; uri: string } | null }> {
    const input = acceptInput.parse(raw);
    const { db, now } = this.deps;
    const row = await db.userLink.findUnique({ where: { tokenHash: digest(input.token) }, include: { user: true } });
    if (!row || row.usedAt || row.expiresAt <= now()) throw new HttpError(404, 'this link is unknown, used or expired; ask an admin for a new one', {}, 'link_invalid');
    const user = row.user;
    const enrol = TOTP_REQUIRED.includes(user.role as Role) || input.enableTotp === true;
    const secret = enrol ? newTotpSecret() : null;
    await db.$transaction([
      db.userLink.update({ where: { id: row.id }, data: { usedAt: now() } }),
      db.user.update({
        where: { id: user.id },
        data: { passwordHash: await hashPassword(input.password), totpSecretEnc: secret ? this.deps.personalData.encrypt(secret) : null, totpEnabled: enrol, failedLogins: 0, lockedUntil: null },
      }),
    ]);
    await this.audit(actorOfUser(user), row.purpose === 'invite' ? 'user.activated' : 'user.password_reset', user.id, { totp: enrol });
    return { username: user.username, totp: secret ? { secret, uri: totpUri(secret, user.username) } : null };
  }

  /**
   * Checks the credentials and opens a session. Wrong credentials: 401 (one message whatever
   * was wrong), counted; at LOGIN_MAX_FAILURES in a row the account is locked for
   * LOGIN_LOCK_MINUTES: 423 until then, even with the right password.
   */
  async login(raw: unknown, client: { ip: string }): Promise<{ sessionToken: string; expiresAt: Date; user: ReturnType<typeof userView>; principal: Principal }> {
    const input = loginInput.parse(raw);
    const { db, settings } = this.deps;
    const now = this.deps.now();
    const user = await db.user.findUnique({ where: { username: input.username } });
    if (!user || !user.passwordHash || user.disabledAt) {
      await checkPassword(await decoyHash(), input.password);
      await this.audit('anonymous', 'auth.login_failed', '-', { reason: 'unknown_user', ip: client.ip });
      throw new HttpError(401, WRONG, {}, 'invalid_credentials');
    }
    const actor = actorOfUser(user);
    if (user.lockedUntil && user.lockedUntil > now) {
      await this.audit(actor, 'auth.login_refused', user.id, { reason: 'locked', ip: client.ip });
      throw new HttpError(423, 'this account is locked after repeated failures; try again later or ask an admin for a reset link', { lockedUntil: user.lockedUntil.toISOString() }, 'locked');
    }
    const passwordOk = await checkPassword(user.passwordHash, input.password);
    const needsCode = user.totpEnabled || TOTP_REQUIRED.includes(user.role as Role);
    const codeOk = !needsCode || (!!user.totpSecretEnc && !!input.code && checkTotp(this.deps.personalData.decrypt(user.totpSecretEnc), input.code, now));
    if (!passwordOk || !codeOk) {
      const failures = user.failedLogins + 1;
      const lock = failures >= settings.LOGIN_MAX_FAILURES;
      const lockedUntil = lock ? new Date(now.getTime() + settings.LOGIN_LOCK_MINUTES * 60_000) : null;
      await db.user.update({ where: { id: user.id }, data: lock ? { failedLogins: 0, lockedUntil } : { failedLogins: failures } });
      await this.audit(actor, 'auth.login_failed', user.id, { reason: passwordOk ? 'code' : 'password', ip: client.ip });
      if (lock) {
        await this.audit(actor, 'auth.locked', user.id, { until: lockedUntil!.toISOString(), failures });
        throw new HttpError(423, 'this account is locked after repeated failures; try again later or ask an admin for a reset link', { lockedUntil: lockedUntil!.toISOString() }, 'locked');
      }
      throw new HttpError(401, WRONG, {}, 'invalid_credentials');
    }
    const sessionToken = newToken();
    const expiresAt = new Date(now.getTime() + settings.SESSION_HOURS * 3_600_000);
    const fresh = await db.user.update({ where: { id: user.id }, data: { failedLogins: 0, lockedUntil: null, lastLoginAt: now } });
    await db.userSession.create({ data: { tokenHash: digest(sessionToken), userId: user.id, expiresAt } });
    await this.audit(actor, 'auth.login', user.id, { ip: client.ip });
    return { sessionToken, expiresAt, user: userView(fresh), principal: principalOf(fresh) };
  }

  /** The user of a live session token, or null. */
  async sessionUser(sessionToken: string): Promise<UserRow | null> {
    const row = await this.deps.db.userSession.findUnique({ where: { tokenHash: digest(sessionToken) }, include: { user: true } });
    if (!row || row.expiresAt <= this.deps.now() || row.user.disabledAt || !row.user.passwordHash) return null;
    return row.user;
  }

  async logout(sessionToken: string, actor: string, userId: string): Promise<void> {
    await this.deps.db.userSession.deleteMany({ where: { tokenHash: digest(sessionToken) } });
    await this.audit(actor, 'auth.logout', userId);
  }

  async list() {
    return (await this.deps.db.user.findMany({ orderBy: { createdAt: 'asc' } })).map(userView);
  }
}
