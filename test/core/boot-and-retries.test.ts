/**
 * Two promises of the README about a running gateway: a flow file that does not validate stops
 * the boot, naming the file, the step and the field; a send that keeps failing is tried
 * JOB_ATTEMPTS times, with a backoff that doubles and is capped, then fails for good.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findOrCreateContact } from '../../src/conversation/contacts.js';
import { backoffDelay, MAX_BACKOFF_MS } from '../../src/jobs/queues.js';
import { enqueueAll, writeOutbox } from '../../src/outbound/outbox.js';
import { startTelegramApi, telegramErrors } from '../fakes/telegram-api.js';
import { eventually, startTestGateway } from '../support/gateway.js';

const FLOWS = join(import.meta.dirname, '..', '..', 'flows');

describe('a broken flow', () => {
  it('stops the boot with a message naming the file, the step and the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'broken-flows-'));
    try {
      cpSync(FLOWS, dir, { recursive: true });
      const welcome = readFileSync(join(dir, 'welcome.yaml'), 'utf8');
      // Every step has a type; one that names no known type does not validate.
      const broken = welcome.replace(/type: \w+/, 'type: teleport');
      expect(broken).not.toBe(welcome);
      writeFileSync(join(dir, 'welcome.yaml'), broken);
      const boot = startTestGateway({ FLOWS_DIR: dir });
      await expect(boot).rejects.toThrow(/welcome\.yaml/);
      await expect(boot).rejects.toThrow(/type/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('retries', () => {
  it('double from JOB_BACKOFF_MS and are capped at 5 minutes (±10% jitter)', () => {
    const around = (value: number, expected: number) => value >= expected * 0.9 - 1 && value <= expected * 1.1 + 1;
    for (const [attempt, expected] of [[1, 2000], [2, 4000], [3, 8000], [8, 256_000]] as const) expect(around(backoffDelay(attempt, 2000), expected)).toBe(true);
    expect(MAX_BACKOFF_MS).toBe(300_000);
    for (const attempt of [9, 12, 30]) expect(around(backoffDelay(attempt, 2000), MAX_BACKOFF_MS)).toBe(true);
  });

  it('stop after JOB_ATTEMPTS tries of a send that keeps failing, and the message fails', async () => {
    const token = '123456:TEST-token';
    const telegram = await startTelegramApi({ token });
    const gateway = await startTestGateway({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_WEBHOOK_SECRET: 's', TELEGRAM_API_ROOT: telegram.url, JOB_ATTEMPTS: '3', JOB_BACKOFF_MS: '50' });
    try {
      telegram.respondWith('sendMessage', telegramErrors.serverError());
      const target = { ...(await findOrCreateContact(gateway.db, gateway.personalData, 'telegram', '7301')), channel: 'telegram' };
      const [row] = await writeOutbox(gateway.db, gateway, target, 'retries:attempts', [{ message: { type: 'text', text: 'flood warning' } }]);
      await enqueueAll(gateway.queues, [row!]);
      const failed = await eventually(async () => {
        const message = await gateway.db.message.findUniqueOrThrow({ where: { id: row!.id } });
        return message.status === 'failed' && message;
      }, 15_000, 'the send to fail for good');
      expect(failed.errorCode).toBeTruthy();
      expect(telegram.calls('sendMessage')).toHaveLength(3);
      const attempts = telegram.calls('sendMessage').map((c) => c.at);
      // 50 ms, then 100 ms (each ±10%), between the tries.
      expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(40);
      expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(85);
    } finally {
      await gateway.close();
      await telegram.close();
    }
  });
});
