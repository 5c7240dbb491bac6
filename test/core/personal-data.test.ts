import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPersonalData, parseKey, resolveKey } from '../../src/personal-data.js';

const key = parseKey('0f'.repeat(32));

describe('personal data at rest', () => {
  it('encrypts with a fresh nonce each time and decrypts back', () => {
    const pd = createPersonalData(key);
    const a = pd.encrypt('+254700000001');
    const b = pd.encrypt('+254700000001');
    expect(a).not.toBe(b);
    expect(a).not.toContain('254700000001');
    expect(pd.decrypt(a)).toBe('+254700000001');
    expect(pd.decrypt(pd.encrypt('مرحبا 👋'))).toBe('مرحبا 👋');
  });

  it('refuses a tampered value and a value sealed with another key', () => {
    const pd = createPersonalData(key);
    const sealed = pd.encrypt('secret place');
    const parts = sealed.split(':');
    const body = Buffer.from(parts[3]!, 'base64');
    body[0] = body[0]! ^ 1;
    parts[3] = body.toString('base64');
    expect(() => pd.decrypt(parts.join(':'))).toThrow();
    expect(() => createPersonalData(parseKey('1f'.repeat(32))).decrypt(sealed)).toThrow();
  });

  it('hashes an address the same way each time, per channel, and differently per key', () => {
    const pd = createPersonalData(key);
    expect(pd.hash('sms', '+254700000001')).toBe(pd.hash('sms', '+254700000001'));
    expect(pd.hash('sms', '+254700000001')).not.toBe(pd.hash('telegram', '+254700000001'));
    expect(createPersonalData(parseKey('1f'.repeat(32))).hash('sms', '+254700000001')).not.toBe(pd.hash('sms', '+254700000001'));
  });

  it('accepts hex and base64 keys and rejects a wrong length', () => {
    expect(parseKey(Buffer.alloc(32, 7).toString('base64')).length).toBe(32);
    expect(() => parseKey('abcd')).toThrow(/32 bytes/);
  });

  it('generates a development key once, readable only by its owner', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-key-'));
    const file = join(dir, 'encryption.key');
    const first = resolveKey(undefined, file);
    expect(first.generated).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = resolveKey(undefined, file);
    expect(second.generated).toBe(false);
    expect(second.key.equals(first.key)).toBe(true);
    expect(readFileSync(file, 'utf8')).toMatch(/^[0-9a-f]{64}$/);
  });
});
