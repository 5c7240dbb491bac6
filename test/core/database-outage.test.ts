/**
 * The database unavailable for a while under load. On PostgreSQL (the suite's PostgreSQL run,
 * scripts/with-postgres.sh) the server is stopped and started again; on SQLite, the equivalent
 * is the database file held under an exclusive lock by another connection for the same time
 * (every write waits SQLite's busy timeout, 10 s, then fails busy). Meanwhile people keep writing
 * in: readiness reports the database (PostgreSQL; SQLite still serves reads), webhooks answer 503 with Retry-After (the provider
 * retries; on SQLite a webhook that got the lock within the busy timeout is answered 200), never
 * a 500, nothing answered 200 is lost, and once the database is back the gateway resumes by
 * itself: every message is handled and answered once.
 *
 * On PostgreSQL the server it stops is the whole run's, so `npm run test:postgres` runs this file
 * alone, after the others (a test file running beside it would lose its database too).
 *
 * DATABASE_OUTAGE_MS sets the outage (default 6 s on PostgreSQL, 14 s on SQLite; 30000 for the
 * half minute of the brief); the retry backoff is scaled to it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { sqlitePath } from '../../src/db/client.js';
import { listDeadLetters } from '../../src/jobs/dead-letter.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';
import { inboundSms, startProviders, webhooksTo, type Providers } from '../support/providers.js';

const run = promisify(execFile);
const onPostgres = process.env.TEST_DATABASE_URL !== undefined;
// SQLite waits up to its busy timeout (10 s) for a lock: a shorter outage only slows requests.
const OUTAGE_MS = Number(process.env.DATABASE_OUTAGE_MS ?? (onPostgres ? 6000 : 14_000));

/** Makes the test's database unavailable and available again. */
interface Outage {
  begin(): Promise<void>;
  end(): Promise<void>;
}

function outageOf(gateway: TestGateway): Outage {
  if (onPostgres) {
    const control = process.env.TEST_PG_CONTROL;
    if (!control) throw new Error('the PostgreSQL run needs TEST_PG_CONTROL: run it through scripts/with-postgres.sh');
    return { begin: async () => void (await run(control, ['stop'])), end: async () => void (await run(control, ['start'])) };
  }
  // Another process, as a backup tool or a sqlite3 shell would be: a holder in this process could
  // release the lock only when the event loop runs, and the gateway's writes waiting for the lock
  // (synchronously, up to the busy timeout each) would hold that loop in turn.
  let holder: ChildProcess | undefined;
  return {
    begin: async () => {
      holder = spawn(process.execPath, ['-e', HOLD_LOCK, sqlitePath(gateway.config.DATABASE_URL ?? '')], { stdio: ['pipe', 'pipe', 'inherit'] });
      const child = holder;
      await new Promise<void>((resolve, reject) => {
        child.stdout!.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`the lock holder exited (${code}) before it held the lock`)));
      });
    },
    end: async () => {
      const child = holder;
      holder = undefined;
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin!.end(); // the holder rolls back and exits when its input closes
      await exited;
    },
  };
}

/** Holds the SQLite file at argv[1] under a write lock until its standard input closes; prints once it holds it. */
const HOLD_LOCK = `
const db = new (require('better-sqlite3'))(process.argv[1], { timeout: 30000 });
db.exec('BEGIN EXCLUSIVE');
process.stdout.write('locked\\n');
process.stdin.on('end', () => { db.exec('ROLLBACK'); db.close(); process.exit(0); }).resume();
`;

let providers: Providers<'sms'>;
let gateway: TestGateway | undefined;
let outage: Outage | undefined;
let down = false;

afterEach(async () => {
  if (down) await outage?.end();
  down = false;
  await gateway?.close();
  gateway = undefined;
  await providers?.close();
});

const person = (group: string, i: number) => `+1555${group}${String(i).padStart(4, '0')}`;

describe(`the database (${onPostgres ? 'PostgreSQL stopped' : 'SQLite locked'}) unavailable for a while`, () => {
  it('answers 503 meanwhile, loses nothing acknowledged, and resumes by itself', async () => {
    providers = await startProviders(['sms']);
    const backoff = Math.max(100, Math.ceil(OUTAGE_MS / 30));
    // The production job lock (30 s): better-sqlite3 waits for a lock synchronously (up to its
    // 10 s busy timeout), holding the event loop, so the tests' 2 s lock would be lost meanwhile.
    gateway = await startTestGateway({ ...providers.env, JOB_BACKOFF_MS: String(backoff), JOB_LOCK_MS: '30000', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' });
    outage = outageOf(gateway);
    const webhooks = webhooksTo(gateway.url);
    const ready = async () => (await fetch(`${gateway!.url}/readyz`)).status;
    expect(await ready()).toBe(200);

    // A burst acknowledged just before the outage: stored and queued, not yet handled.
    const before = Array.from({ length: 10 }, (_, i) => inboundSms(person('050', i), 'hi'));
    for (const sms of before) expect((await webhooks.sms(sms)).status).toBe(200);

    await outage.begin();
    down = true;
    const downSince = Date.now();
    if (onPostgres) await eventually(async () => (await ready()) === 503, 15_000, 'readiness to report the database');
    // SQLite in WAL mode still answers reads under another connection's write lock: readiness
    // (a SELECT) stays 200 there, and the lock shows in the writes' answers below.
    else expect(await ready()).toBe(200);

    // People keep writing during the outage; the provider repeats each until it gets a 200.
    // On SQLite a request may also find its connection reset: better-sqlite3 waits
    // for the lock synchronously, so the event loop stands still for up to the busy timeout, and
    // when it runs again the server's keep-alive timer (5 s) closes an idle connection before the
    // request that came on it is read. Nothing was acknowledged; the provider tries again.
    const during = Array.from({ length: 10 }, (_, i) => inboundSms(person('051', i), 'hi'));
    const answers: number[] = [];
    const pending = new Set(during);
    const retryAfter: (string | null)[] = [];
    // At least one answer, whatever the machine's load: the gateway runs in this process, so a
    // write waiting for the lock holds the test's own event loop too, up to the busy timeout.
    const answered = () => answers.some((status) => status !== 0);
    while (Date.now() - downSince < OUTAGE_MS - 500 || (!answered() && Date.now() - downSince < OUTAGE_MS + 120_000)) {
      await Promise.all(
        [...pending].map(async (sms) => {
          const answer = await webhooks.sms(sms).catch((error: unknown) => {
            if (onPostgres) throw error;
            return null;
          });
          if (answer === null) return void answers.push(0); // reset, no answer
          answers.push(answer.status);
          if (answer.status === 200) pending.delete(sms);
          else retryAfter.push(answer.headers.get('retry-after'));
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(answers).toContain(503);
    expect([...new Set(answers)].filter((status) => status !== 503 && (onPostgres || (status !== 200 && status !== 0)))).toEqual([]);
    expect(retryAfter.every((value) => value !== null && /^\d+$/.test(value))).toBe(true);

    await outage.end();
    down = false;
    await eventually(async () => (await ready()) === 200, 30_000, 'readiness to recover');
    await eventually(
      async () => {
        for (const sms of pending) if ((await webhooks.sms(sms).catch(() => undefined))?.status === 200) pending.delete(sms);
        return pending.size === 0;
      },
      30_000,
      'the provider retries to be accepted',
    );

    // Every message, acknowledged before or after the outage, is answered exactly once.
    const everyone = [...before, ...during].map((sms) => sms.From!);
    await eventually(
      () => providers.sms.messages().filter((m) => m.sid !== undefined).length >= everyone.length,
      OUTAGE_MS + 90_000,
      'every person to get a reply',
    );
    await waitForIdle(gateway, { timeoutMs: 60_000 });
    const perPerson = new Map<string, number>();
    for (const m of providers.sms.messages().filter((m) => m.sid !== undefined)) perPerson.set(m.form.To!, (perPerson.get(m.form.To!) ?? 0) + 1);
    expect(Object.fromEntries(perPerson)).toEqual(Object.fromEntries(everyone.map((p) => [p, 1])));
    const inbound = await gateway.db.message.findMany({ where: { direction: 'in' }, select: { status: true } });
    expect(inbound).toHaveLength(everyone.length);
    expect(inbound.every((m) => m.status === 'processed')).toBe(true);
    expect(await listDeadLetters(gateway.queues)).toHaveLength(0);
  }, OUTAGE_MS + 240_000);
});
