import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEnvironment } from '../../src/config.js';
import { loadConfig } from '../../src/gateway.js';
import { configProblems } from '../support/config-problems.js';
import { broadcastsCapability } from '../../src/broadcasts/index.js';
import { parseQuietHours } from '../../src/broadcasts/settings.js';
import { settingsOf } from '../../src/capability.js';

describe('configuration', () => {
  it('boots on embedded defaults with nothing set', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.databaseProvider).toBe('sqlite');
    expect(config.databaseUrl).toMatch(/^file:.*data\/gateway\.db$/);
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.consoleEnabled).toBe(true);
    expect(config.channels).toEqual({ telegram: false, sms: false, slack: false });
    expect(config.HEAP_GROWING_PERCENT).toBe(100);
  });

  it('names the variable and what it accepts for a malformed value', () => {
    expect(configProblems({ PORT: 'eighty' })).toEqual(['PORT: a port number, 1-65535 (0 picks a free port) (got "eighty")']);
    expect(configProblems({ DATABASE_URL: 'mysql://x' })[0]).toMatch(/^DATABASE_URL: file:<path> \(SQLite\) or postgres:/);
    expect(configProblems({ LOG_LEVEL: 'loud' })[0]).toContain('accepted: fatal, error, warn, info, debug, trace, silent');
    expect(configProblems({ PUBLIC_URL: 'gateway.example.org' })[0]).toMatch(/^PUBLIC_URL: an http\(s\) URL/);
    for (const bad of ['-5', '12.5', 'half', '5000']) {
      expect(configProblems({ HEAP_GROWING_PERCENT: bad })).toEqual([`HEAP_GROWING_PERCENT: a whole number of percent from 0 to 1000 (0: V8 chooses) (got "${bad}")`]);
    }
  });

  it('lists every problem at once and never echoes secrets', () => {
    const found = configProblems({ PORT: '70000', DATA_ENCRYPTION_KEY: 'short-secret', REDIS_URL: 'localhost:6379' });
    expect(found).toHaveLength(3);
    expect(found.join('\n')).not.toContain('short-secret');
    expect(found.find((p) => p.startsWith('DATA_ENCRYPTION_KEY'))).toContain('64 hex characters');
  });

  it('requires a channel’s other variables only when the channel is enabled', () => {
    expect(configProblems({ TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}` })).toEqual([
      'TWILIO_AUTH_TOKEN: required when TWILIO_ACCOUNT_SID is set (SMS channel)',
      'TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID: one is required when TWILIO_ACCOUNT_SID is set (SMS channel)',
    ]);
    expect(configProblems({ TELEGRAM_BOT_TOKEN: '123:abc' })).toEqual(['TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_BOT_TOKEN is set (Telegram channel)']);
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: '123:abc', TELEGRAM_MODE: 'polling' }).channels.telegram).toBe(true);
    expect(configProblems({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_MODE: 'socket' })).toEqual(['SLACK_APP_TOKEN: required when SLACK_BOT_TOKEN is set (Slack channel)']);
  });

  it('demands an encryption key and a public URL in production', () => {
    const found = configProblems({ NODE_ENV: 'production', TELEGRAM_BOT_TOKEN: '1:a', TELEGRAM_WEBHOOK_SECRET: 's' });
    expect(found).toContain('DATA_ENCRYPTION_KEY: required in production (openssl rand -hex 32)');
    expect(found).toContain('PUBLIC_URL: required in production when a channel receives webhooks');
    expect(loadConfig({ NODE_ENV: 'production', DATA_ENCRYPTION_KEY: 'b'.repeat(64) }).consoleEnabled).toBe(false);
  });

  it('reads .env under the real environment, which wins', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-env-'));
    writeFileSync(join(dir, '.env'), 'PORT=4100\nLOG_LEVEL=debug\n');
    const config = loadConfig(readEnvironment(dir, { LOG_LEVEL: 'warn' }));
    expect(config.PORT).toBe(4100);
    expect(config.LOG_LEVEL).toBe('warn');
  });

  it('treats an empty value as unset', () => {
    expect(loadConfig({ REDIS_URL: '', PORT: '' }).PORT).toBe(3000);
  });

  it('keeps an empty value where the variable names it as a choice ("empty for none")', () => {
    // BROADCAST_QUIET_HOURS: empty turns quiet hours off; unset keeps the default window.
    const quietHours = (env: Record<string, string>) => parseQuietHours(settingsOf(broadcastsCapability(), loadConfig(env)).BROADCAST_QUIET_HOURS);
    expect(quietHours({ BROADCAST_QUIET_HOURS: '' })).toBeNull();
    expect(quietHours({})).not.toBeNull();
    // Others still read an empty value as unset.
    expect(loadConfig({ LOG_LEVEL: '' }).env.LOG_LEVEL).toBeUndefined();
  });
});
