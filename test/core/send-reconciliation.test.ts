/**
 * Interrupted sends reconciled with the provider: a gateway is killed (SIGKILL) while its SMS
 * sends are held by a delaying proxy, half of them already received by the provider (answer
 * withheld), half never passed on. After a restart, the worker reads back the provider's message
 * list: each received message is marked sent with the provider's id, each other one is sent
 * again, and nobody gets a message twice. Counted at the provider's (fake) API.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, startGateway, type Gateway } from '../../src/gateway.js';
import { listDeadLetters } from '../../src/jobs/dead-letter.js';
import { startChildGateway, type ChildGateway } from '../support/child-gateway.js';
import { startDelayingProxy, type DelayingProxy } from '../support/delaying-proxy.js';
import { eventually, testEnv, type TestEnv } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';
import { inboundSms, startProviders, webhooksTo, type Providers } from '../support/providers.js';

let providers: Providers<'sms'>;
let env: TestEnv;
let proxy: DelayingProxy | undefined;
let child: ChildGateway | undefined;
let gateway: Gateway | undefined;

afterEach(async () => {
  child?.kill('SIGKILL');
  child = undefined;
  await gateway?.stop();
  gateway = undefined;
  await proxy?.close();
  proxy = undefined;
  await providers?.close();
  await env?.cleanup();
});

const PEOPLE = Array.from({ length: 10 }, (_, i) => `+1555020${String(i).padStart(4, '0')}`);

describe('an SMS send interrupted by a killed worker', () => {
  it('is marked sent when the provider has it and sent again when it has not, never twice', async () => {
    providers = await startProviders(['sms']);
    const fake = providers.sms;
    // Every other create request reaches the provider but its answer is withheld; the others are held back.
    let creates = 0;
    proxy = await startDelayingProxy(fake.url, (request) => {
      if (request.method !== 'POST') return 'forward';
      return creates++ % 2 === 0 ? 'swallow' : 'hold';
    });
    env = testEnv({ ...providers.env, TWILIO_API_BASE: proxy.url });
    child = await startChildGateway(env.vars);
    const webhooks = webhooksTo(child.url);
    for (const person of PEOPLE) expect((await webhooks.sms(inboundSms(person, 'hi'))).status).toBe(200);
    await eventually(() => proxy!.pending() === PEOPLE.length, 20_000, 'every reply to be held at the proxy');
    child.kill('SIGKILL');
    await child.exited;
    child = undefined;
    const received = fake.messages().map((m) => m.form.To!);
    expect(received).toHaveLength(PEOPLE.length / 2);
    const sidsBefore = new Map(fake.messages().map((m) => [m.form.To!, m.sid!]));
    proxy.decide = () => 'forward';

    gateway = await startGateway(loadConfig(env.anotherProcess()));
    const outbound = () => gateway!.db.message.findMany({ where: { direction: 'out' }, include: { identity: true } });
    await eventually(async () => (await outbound()).every((m) => m.status === 'sent') && (await outbound()).length === PEOPLE.length, 30_000, 'every reply to be settled as sent');
    await waitForIdle(gateway);

    // Each person got exactly one reply at the provider.
    const perPerson = new Map<string, number>();
    for (const m of fake.messages()) perPerson.set(m.form.To!, (perPerson.get(m.form.To!) ?? 0) + 1);
    expect([...perPerson.keys()].sort()).toEqual([...PEOPLE].sort());
    expect([...perPerson.values()].every((n) => n === 1)).toBe(true);
    // The ones the provider had received were read back (not sent again) and carry its sid.
    expect(fake.lists().length).toBeGreaterThanOrEqual(PEOPLE.length);
    const messages = await outbound();
    const sidByTo = new Map(fake.messages().map((m) => [m.form.To!, m.sid!]));
    for (const m of messages) {
      const to = gateway.personalData.decrypt(m.identity!.addressEnc);
      expect(m.providerId).toBe(sidByTo.get(to));
      if (sidsBefore.has(to)) expect(m.providerId).toBe(sidsBefore.get(to));
    }
    expect(new Set(messages.map((m) => m.providerId)).size).toBe(PEOPLE.length);
    expect(await listDeadLetters(gateway.queues)).toHaveLength(0);
  });
});
