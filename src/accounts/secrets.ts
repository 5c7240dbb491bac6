/**
 * The secrets of accounts: passwords hashed with argon2id (@node-rs/argon2, the OWASP-recommended
 * parameters m=19 MiB, t=2, p=1), TOTP codes (RFC 6238: SHA-1, 6 digits, 30 s; otpauth), and
 * random tokens of which only a SHA-256 is stored (sessions, one-time links).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { Secret, TOTP } from 'otpauth';

// algorithm 2 is Argon2id (a const enum in the package's types, not importable here).
const ARGON2 = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

export async function checkPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** A hash to verify against when the user does not exist, so both cases take the same time. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  return decoy;
}

/** Passwords: 10 to 200 characters (NIST SP 800-63B: length, no composition rules). */
export const PASSWORD = { min: 10, max: 200 } as const;

/** A new TOTP secret, in base32. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totp(secret: string, label: string): TOTP {
  return new TOTP({ issuer: 'Gateway', label, algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });
}

/** The otpauth:// URI an authenticator app reads (as a QR code or typed). */
export function totpUri(secret: string, label: string): string {
  return totp(secret, label).toString();
}

/** The code for `at` (tests and the enrolment check). */
export function totpCode(secret: string, at: Date): string {
  return totp(secret, 'x').generate({ timestamp: at.getTime() });
}

/** True when `code` is valid at `at`, one period either side allowed for clock drift. */
export function checkTotp(secret: string, code: string, at: Date): boolean {
  return totp(secret, 'x').validate({ token: code.replace(/\s/g, ''), timestamp: at.getTime(), window: 1 }) !== null;
}

/** A random token for a cookie or a link (256 bits, base64url). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * The CSRF token of a session: derived from the session token, which only the browser's
 * httpOnly cookie carries, so a page of another site can neither read nor compute it.
 */
export function csrfTokenOf(sessionToken: string): string {
  return createHash('sha256').update(`csrf:${sessionToken}`).digest('base64url');
}

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
