/**
 * The command line as an operator runs it (`npx tsx src/cli.ts ...`, a child process with the
 * gateway's environment) against a running test gateway: tokens list and revoke, the dead-letter
 * list and retry, a flow start at a later time, and the Telegram webhook set and info. Each run
 * starts a process (a few seconds): the commands are run once each.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../src/admin/tokens.js';
import { findOrCreateContact } from '../../src/conversation/contacts.js';
import { enqueueAll, writeOutbox } from '../../src/outbound/outbox.js';
import { startTelegramApi, telegramErrors, type FakeTelegramApi } from '../fakes/telegram-api.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';

const run = promisify(execFile);
const TOKEN = '123456:TEST-token';
const SECRET = 'cli-webhook-secret';
const PUBLIC_URL = 'https://gateway.example.org';

let telegram: FakeTelegramApi;
let gateway: TestGateway;
beforeAll(async () => {
  telegram = await startTelegramApi({ token: TOKEN });
  gateway = await startTestGateway({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: telegram.url, PUBLIC_URL });
});
afterAll(async () => {
  await gateway?.close();
  await telegram?.close();
});

async function cli(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { env: { ...process.env, ...gateway.env.vars } });
  return stdout;
}

describe('tokens', () => {
  it('lists tokens with their role and state, and revokes one so that it no longer opens the API', async () => {
    const created = await createToken(gateway.db, { name: 'night desk', role: 'coordinator', areaId: 'north' });
    const me = () => fetch(`${gateway.url}/api/v1/me`, { headers: { authorization: `Bearer ${created.token}` } }).then((r) => r.status);
    expect(await me()).toBe(200);
    const listed = (await cli('tokens', 'list')).split('\n').find((line) => line.startsWith(created.id));
    expect(listed).toMatch(/coordinator\s+north\s+active\s+night desk$/);
    expect(await cli('tokens', 'revoke', created.id)).toContain(`revoked ${created.id}`);
    expect(await me()).toBe(401);
  }, 120_000);
});

describe('dead-letter', () => {
  it('lists a send the provider refused and retries it, which then goes out once', async () => {
    telegram.next(telegramErrors.chatNotFound(), 'sendMessage');
    const target = { ...(await findOrCreateContact(gateway.db, gateway.personalData, 'telegram', '7101')), channel: 'telegram' };
    const [row] = await writeOutbox(gateway.db, gateway, target, 'cli:dead-letter', [{ message: { type: 'text', text: 'road closed' } }]);
    await enqueueAll(gateway.queues, [row!]);
    await eventually(async () => (await gateway.db.message.findUniqueOrThrow({ where: { id: row!.id } })).status === 'failed', 10_000, 'the refused send');
    const listed = (await cli('dead-letter', 'list')).split('\n').find((line) => line.includes('outbound-telegram'));
    expect(listed).toBeDefined();
    const jobId = listed!.split(/\s+/)[2]!;
    expect(await cli('dead-letter', 'retry', 'outbound-telegram', jobId)).toContain(`retrying outbound-telegram ${jobId}`);
    await eventually(async () => (await gateway.db.message.findUniqueOrThrow({ where: { id: row!.id } })).status === 'sent', 10_000, 'the retried send');
    expect(telegram.calls('sendMessage').filter((c) => String(c.payload.chat_id) === '7101').map((c) => c.status)).toEqual([400, 200]);
  }, 120_000);
});

describe('flows start --at', () => {
  it('schedules the start for the time given, which then starts the flow for the contact', async () => {
    const contact = await findOrCreateContact(gateway.db, gateway.personalData, 'console', 'survey-later', 'en');
    const at = new Date(Date.now() + 3600_000);
    expect(await cli('flows', 'start', 'survey', '--key', 'cli-wave', '--contact', contact.contactId, '--at', at.toISOString())).toContain('scheduled 1 start(s) of survey');
    expect(await gateway.db.session.count({ where: { contactId: contact.contactId } })).toBe(0);
    const timer = (await gateway.queues.timers.getDelayed()).find((job) => job.data.kind === 'flow-start' && job.data.contactId === contact.contactId);
    expect(timer).toBeDefined();
    expect(Math.abs(timer!.timestamp + timer!.delay - at.getTime())).toBeLessThan(30_000);
    // Its time comes.
    await timer!.promote();
    await eventually(() => gateway.db.session.findFirst({ where: { contactId: contact.contactId, flowId: 'survey', status: 'active' } }), 15_000, 'the started survey');
  }, 120_000);
});

describe('telegram webhook', () => {
  it('registers PUBLIC_URL/webhooks/telegram with the secret, and shows it', async () => {
    await cli('telegram', 'webhook', 'set');
    expect(telegram.webhook).toMatchObject({ url: `${PUBLIC_URL}/webhooks/telegram`, secret_token: SECRET });
    const info = JSON.parse(await cli('telegram', 'webhook', 'info')) as Record<string, unknown>;
    expect(JSON.stringify(info)).toContain(`${PUBLIC_URL}/webhooks/telegram`);
  }, 120_000);
});
