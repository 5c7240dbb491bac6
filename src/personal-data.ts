/**
 * Personal data at rest: AES-256-GCM encryption of addresses and message bodies, and a keyed
 * hash (HMAC-SHA256) to look an address up without decrypting anything. Both keys are derived
 * (HKDF) from the one DATA_ENCRYPTION_KEY, so rotating it means re-encrypting (not provided yet).
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const VERSION = 'v1';

export interface PersonalData {
  /** Encrypts a UTF-8 string; every call gives a different ciphertext. */
  encrypt(plain: string): string;
  /** Decrypts what encrypt() produced; throws if it was tampered with or another key was used. */
  decrypt(sealed: string): string;
  /** Keyed hash of an address, stable for a key: the lookup column of an identity. */
  hash(channel: string, address: string): string;
}

/** Parses a 32-byte key written as 64 hex characters or 44 base64 characters. */
export function parseKey(text: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error('DATA_ENCRYPTION_KEY must be 32 bytes (64 hex characters)');
  return key;
}

/**
 * The key of a development install: DATA_ENCRYPTION_KEY when set, else a key generated once into
 * `keyFile` (mode 0600). Production requires DATA_ENCRYPTION_KEY (checked by the config).
 */
export function resolveKey(configured: string | undefined, keyFile: string): { key: Buffer; generated: boolean } {
  if (configured) return { key: parseKey(configured), generated: false };
  if (existsSync(keyFile)) return { key: parseKey(readFileSync(keyFile, 'utf8').trim()), generated: false };
  mkdirSync(dirname(keyFile), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(keyFile, key.toString('hex'), { mode: 0o600 });
  return { key, generated: true };
}

export function createPersonalData(masterKey: Buffer): PersonalData {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), info, 32));
  const encryptionKey = derive('gateway personal data encryption');
  const hashKey = derive('gateway personal data lookup hash');
  return {
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', encryptionKey, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
    },
    decrypt(sealed) {
      const [version, iv, tag, body] = sealed.split(':');
      if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('not an encrypted value of this gateway');
      const decipher = createDecipheriv('aes-256-gcm', encryptionKey, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
    },
    hash(channel, address) {
      return createHmac('sha256', hashKey).update(`${channel}\u0000${address}`).digest('base64url');
    },
  };
}
