/**
 * A worker killed in the middle of a job: the job is retried by another process and the reply
 * reaches the person exactly once, counted at the provider's (fake) API.
 */
import Database from 'better-sqlite3';
import { Queue } from 'bullmq';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/gateway.js';
import { postgresTarget, sqlitePath } from '../../src/db/client.js';
import { listDeadLetters } from '../../src/jobs/dead-letter.js';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { redisOptions } from '../../src/jobs/queues.js';
import { startChildGateway, type ChildGateway } from '../support/child-gateway.js';
import { eventually, testEnv, type TestEnv } from '../support/gateway.js';
import { telegramUpdates, type FakeTelegramApi } from '../fakes/telegram-api.js';
import { waitForIdle } from '../support/idle.js';
import { startProviders, webhooksTo, type Providers } from '../support/providers.js';

let providers: Providers<'telegram'>;
let fake: FakeTelegramApi;
let env: TestEnv;
const children: ChildGateway[] = [];
/** Each test starts gateways in child processes (tsx compiles each): slow on a loaded machine. */
const CHILD_TEST_MS = 90_000;
let gateway: Gateway | undefined;

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await gateway?.stop();
  gateway = undefined;
  await providers?.close();
  await env?.cleanup();
});

async function setup(): Promise<Record<string, string>> {
  providers = await startProviders(['telegram']);
  fake = providers.telegram;
  env = testEnv(providers.env);
  return env.vars;
}

async function postUpdate(url: string, update: unknown): Promise<number> {
  return (await webhooksTo(url).telegram(update)).status;
}

/** Holds the database's write lock until released (the worker's transaction then waits). */
async function lockDatabase(url: string): Promise<() => Promise<void>> {
  if (url.startsWith('file:')) {
    const db = new Database(sqlitePath(url));
    db.exec('BEGIN IMMEDIATE');
    return async () => {
      db.exec('ROLLBACK');
      db.close();
    };
  }
  const { connectionString, schema } = postgresTarget(url);
  const client = new pg.Client({ connectionString });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`LOCK TABLE "${schema}"."Message", "${schema}"."Session", "${schema}"."Contact" IN EXCLUSIVE MODE`);
  return async () => {
    await client.query('ROLLBACK');
    await client.end();
  };
}

describe('a worker killed mid-job', () => {
  it('during the flow step: another process retries the job and the reply is sent once', async () => {
    const vars = await setup();
    const inbound = new Queue('inbound', { connection: redisOptions(vars.REDIS_URL!), prefix: vars.QUEUE_PREFIX });
    const ingestOnly = await startChildGateway(vars, { workers: false });
    children.push(ingestOnly);
    const doomed = await startChildGateway(env.anotherProcess());
    children.push(doomed);
    await inbound.pause();
    expect(await postUpdate(ingestOnly.url, telegramUpdates.text(4242, 'hi', { languageCode: 'en' }))).toBe(200);
    const release = await lockDatabase(vars.DATABASE_URL!);
    await inbound.resume();
    // A write of the child's own start-up that meets the held lock holds its event loop (better-sqlite3
    // is synchronous) up to the 10 s busy timeout before the worker can take the job.
    await eventually(async () => (await inbound.getActiveCount()) === 1, 30_000, 'the inbound job to be taken');
    await new Promise((r) => setTimeout(r, 300));
    doomed.kill('SIGKILL');
    await doomed.exited;
    await release();
    expect(fake.calls('sendMessage')).toHaveLength(0);

    gateway = await startGateway(loadConfig(env.anotherProcess()));
    await fake.waitFor('sendMessage', 1, 20_000);
    await eventually(async () => (await inbound.getCompletedCount()) === 1, 10_000, 'the retried job to complete');
    await waitForIdle(gateway);
    expect(fake.calls('sendMessage')).toHaveLength(1);
    expect(await gateway.db.message.count({ where: { direction: 'out' } })).toBe(1);
    await inbound.close();
  }, CHILD_TEST_MS);

  it('after the provider got the reply but before it was recorded: not sent again, left for a person', async () => {
    const vars = await setup();
    fake.respondWith('sendMessage', { delayMs: 30_000 });
    const doomed = await startChildGateway(vars);
    children.push(doomed);
    expect(await postUpdate(doomed.url, telegramUpdates.text(4343, 'hi', { languageCode: 'en' }))).toBe(200);
    await fake.waitFor('sendMessage', 1, 15_000);
    doomed.kill('SIGKILL');
    await doomed.exited;
    fake.respondWith('sendMessage', undefined);

    gateway = await startGateway(loadConfig(vars));
    const message = await eventually(() => gateway!.db.message.findFirst({ where: { direction: 'out', status: 'unconfirmed' } }), 15_000, 'the interrupted send to be marked');
    expect(message.errorCode).toBe('interrupted');
    await waitForIdle(gateway);
    expect(fake.calls('sendMessage')).toHaveLength(1);
    const letters = await listDeadLetters(gateway.queues);
    expect(letters.map((l) => l.data.messageId)).toContain(message.id);
  }, CHILD_TEST_MS);
});
