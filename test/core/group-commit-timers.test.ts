/**
 * Timers set by messages committed together (src/jobs/group-commit.ts): a group's after-commit
 * tasks, here the session timeouts of the conversations its messages open, are scheduled once per
 * message and fire once. Ten people send REPORT while the inbound queue is held, so that the
 * worker takes the ten at once and commits them in groups; each conversation's question is then
 * left unanswered: each person gets the question, one reminder, then the timeout step, exactly
 * once. (The report flow waits 4 s instead of an hour, in a copy of the shipped flows, as in
 * session-timeouts.test.ts.)
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';
import { inboundSms, startProviders, webhooksTo, type GatewayWebhooks, type Providers } from '../support/providers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SHIPPED_TIMEOUT = 'timeout: { after: 1h, reminders: 1, next: timed_out }';
const QUESTION = /^What is happening\?/;
const TIMED_OUT = 'We did not hear from you, so your report was not sent. Send REPORT to start again.';
const TOKEN = 'metrics-token-group-commit-timers';
/** Idle, and no timer due within this long: any reminder still to come would have been sent. */
const NO_TIMER_WITHIN_MS = 15_000;

let flowsRoot: string;
let providers: Providers<'sms'>;
let gateway: TestGateway;
let webhooks: GatewayWebhooks;

beforeAll(async () => {
  flowsRoot = mkdtempSync(join(tmpdir(), 'flows-group-timers-'));
  cpSync(join(ROOT, 'flows'), flowsRoot, { recursive: true });
  const report = readFileSync(join(flowsRoot, 'report.yaml'), 'utf8');
  expect(report).toContain(SHIPPED_TIMEOUT);
  writeFileSync(join(flowsRoot, 'report.yaml'), report.replace(SHIPPED_TIMEOUT, 'timeout: { after: 4s, reminders: 1, next: timed_out }'));
  providers = await startProviders(['sms']);
  gateway = await startTestGateway({ ...providers.env, FLOWS_DIR: flowsRoot, METRICS_TOKEN: TOKEN });
  webhooks = webhooksTo(gateway.url);
});
afterAll(async () => {
  await gateway?.close();
  await providers?.close();
  if (flowsRoot) rmSync(flowsRoot, { recursive: true, force: true });
});

const sentTo = (to: string) => providers.sms.messages().filter((m) => m.form.To === to && m.answeredStatus === 201).map((m) => m.form.Body!);

async function transactions(): Promise<number> {
  const text = await (await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
  const line = text.split('\n').find((l) => l.startsWith('gateway_inbound_transaction_messages_count'));
  return Number(line?.split(' ').at(-1) ?? 0);
}

it('schedules the timeouts of conversations opened together once each, and each fires once', async () => {
  const people = Array.from({ length: 10 }, (_, i) => `+1555020${String(i + 100).padStart(4, '0')}`);
  const before = await transactions();
  await gateway.queues.inbound.pause();
  for (const number of people) expect((await webhooks.sms(inboundSms(number, 'report'))).status).toBe(200);
  await gateway.queues.inbound.resume();
  // The ten went in fewer transactions than messages: some were committed together.
  await eventually(async () => (await gateway.db.message.count({ where: { direction: 'in', status: 'processed' } })) === people.length, 20_000, 'all processed');
  expect((await transactions()) - before).toBeLessThan(people.length);

  await eventually(() => people.every((n) => sentTo(n).includes(TIMED_OUT)), 40_000, 'every conversation timed out');
  await waitForIdle(gateway, { timerHorizonMs: NO_TIMER_WITHIN_MS, timeoutMs: 30_000 });
  for (const number of people) {
    const texts = sentTo(number);
    const question = texts.findIndex((t) => QUESTION.test(t));
    expect(question).toBeGreaterThanOrEqual(0);
    // The question, asked again once (the reminder), then the timeout step, and nothing more.
    expect(texts.slice(question)).toEqual([texts[question], texts[question], TIMED_OUT]);
    const identity = await gateway.db.contactIdentity.findUniqueOrThrow({ where: { channel_addressHash: { channel: 'sms', addressHash: gateway.personalData.hash('sms', number) } } });
    expect(await gateway.db.session.count({ where: { contactId: identity.contactId, status: 'active' } })).toBe(0);
    expect(await gateway.db.message.count({ where: { identityId: identity.id, direction: 'out' } })).toBe(texts.length);
  }
}, 120_000);
