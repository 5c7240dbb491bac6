/**
 * Session timeouts through the timer worker (src/conversation/session-timeouts.ts), over SMS
 * against the fake Twilio API: a question left unanswered is asked again once (the reminder), then
 * the flow's timeout step ends the conversation; a timer set for a question that was answered
 * meanwhile, or for a conversation that ended (STOP), sends nothing.
 *
 * The shipped flows run from a copy in which the report flow waits 4 s instead of an hour (the
 * only change), so the real delayed jobs come due during the test. What arrives at the provider is
 * the evidence; "nothing more" is asserted once the gateway is idle with no timer due soon.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';
import { inboundSms, startProviders, webhooksTo, type GatewayWebhooks, type Providers } from '../support/providers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SHIPPED_TIMEOUT = 'timeout: { after: 1h, reminders: 1, next: timed_out }';
/** Long enough for an answer to beat the timer on a loaded machine, short enough to wait for. */
const WAIT = '4s';

const QUESTION = /^What is happening\?/;
const TIMED_OUT = 'We did not hear from you, so your report was not sent. Send REPORT to start again.';
const STOPPED = 'You will get no more messages from us. Send START to come back.';
/** Idle, and no timer due within this long: any reminder still to come would have been sent. */
const NO_TIMER_WITHIN_MS = 15_000;

let flowsRoot: string;
let providers: Providers<'sms'>;
let gateway: TestGateway;
let webhooks: GatewayWebhooks;

beforeAll(async () => {
  flowsRoot = mkdtempSync(join(tmpdir(), 'flows-short-timeout-'));
  cpSync(join(ROOT, 'flows'), flowsRoot, { recursive: true });
  const report = readFileSync(join(flowsRoot, 'report.yaml'), 'utf8');
  expect(report).toContain(SHIPPED_TIMEOUT);
  writeFileSync(join(flowsRoot, 'report.yaml'), report.replace(SHIPPED_TIMEOUT, `timeout: { after: ${WAIT}, reminders: 1, next: timed_out }`));
  providers = await startProviders(['sms']);
  gateway = await startTestGateway({ ...providers.env, FLOWS_DIR: flowsRoot });
  webhooks = webhooksTo(gateway.url);
});

afterAll(async () => {
  await gateway?.close();
  await providers?.close();
  if (flowsRoot) rmSync(flowsRoot, { recursive: true, force: true });
});

/** The bodies of the SMS sent to `to`, in the order the provider received them. */
function sentTo(to: string): string[] {
  return providers.sms.messages().filter((m) => m.form.To === to).map((m) => m.form.Body!);
}

async function text(from: string, body: string): Promise<void> {
  expect((await webhooks.sms(inboundSms(from, body))).status).toBe(200);
}

/** Sends `body` and waits until `count` SMS in all have reached the provider for `from`. */
async function exchange(from: string, body: string, count: number): Promise<string[]> {
  await text(from, body);
  return eventually(() => (sentTo(from).length >= count ? sentTo(from) : false), 15_000, `${count} SMS to ${from}`);
}

describe('a question left unanswered', () => {
  it('is asked again once, then the timeout step ends the conversation; the next message starts afresh', async () => {
    const from = '+15550200001';
    const opening = await exchange(from, 'report', 2);
    expect(opening[1]).toMatch(QUESTION);
    // Nothing typed: the reminder, then the flow's timed_out step.
    const all = await eventually(() => (sentTo(from).length >= 4 ? sentTo(from) : false), 20_000, 'the reminder and the timeout step');
    await waitForIdle(gateway, { timerHorizonMs: NO_TIMER_WITHIN_MS, timeoutMs: 30_000 });
    expect(sentTo(from)).toHaveLength(4);
    expect(all[2]).toBe(opening[1]);
    expect(all[3]).toBe(TIMED_OUT);
    // The conversation is over: an answer to the old question is not one any more.
    const contact = await gateway.db.contactIdentity.findUniqueOrThrow({ where: { channel_addressHash: { channel: 'sms', addressHash: gateway.personalData.hash('sms', from) } } });
    expect(await gateway.db.session.count({ where: { contactId: contact.contactId, status: 'active' } })).toBe(0);
    const [afresh] = (await exchange(from, '1', 5)).slice(4);
    expect(afresh).not.toMatch(QUESTION);
    expect(await gateway.db.incident.count()).toBe(0);
  }, 60_000);
});

describe('a timer that no longer matches the conversation', () => {
  it('of a question answered in time sends nothing: only the next question is reminded', async () => {
    const from = '+15550200002';
    const [, question] = await exchange(from, 'report', 2);
    expect(question).toMatch(QUESTION);
    const [next] = (await exchange(from, '1', 3)).slice(2);
    expect(next).not.toMatch(QUESTION);
    // The first question's timer comes due and is stale; the second question's is not.
    await eventually(() => (sentTo(from).length >= 5 ? true : false), 20_000, 'the reminder and the timeout step');
    await waitForIdle(gateway, { timerHorizonMs: NO_TIMER_WITHIN_MS, timeoutMs: 30_000 });
    expect(sentTo(from).slice(2)).toEqual([next, next, TIMED_OUT]);
  }, 60_000);

  it('of a conversation ended by STOP sends nothing', async () => {
    const from = '+15550200003';
    const [, question] = await exchange(from, 'report', 2);
    expect(question).toMatch(QUESTION);
    expect((await exchange(from, 'STOP', 3))[2]).toBe(STOPPED);
    const contact = await gateway.db.contactIdentity.findUniqueOrThrow({ where: { channel_addressHash: { channel: 'sms', addressHash: gateway.personalData.hash('sms', from) } } });
    // Its timer is still in Redis, due within the wait; once it has run, nothing more was sent.
    await waitForIdle(gateway, { timerHorizonMs: NO_TIMER_WITHIN_MS, timeoutMs: 30_000 });
    expect(sentTo(from)).toHaveLength(3);
    expect(await gateway.db.message.count({ where: { contactId: contact.contactId, direction: 'out' } })).toBe(3);
  }, 60_000);
});
