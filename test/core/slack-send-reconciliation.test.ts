/**
 * Interrupted Slack sends reconciled with the provider: a gateway is killed (SIGKILL) while its
 * chat.postMessage calls are held by a delaying proxy, half of them already posted by Slack
 * (answer withheld), half never passed on. After a restart, the worker reads the conversation's
 * history: each posted message is marked with Slack's `<channel>:<ts>`, each other one is posted
 * again, and nobody gets a message twice. Counted in the fake Slack's conversations.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, startGateway, type Gateway } from '../../src/gateway.js';
import { listDeadLetters } from '../../src/jobs/dead-letter.js';
import { startChildGateway, type ChildGateway } from '../support/child-gateway.js';
import { startDelayingProxy, type DelayingProxy } from '../support/delaying-proxy.js';
import { eventually, testEnv, type TestEnv } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';
import { slackDirectMessage, startProviders, webhooksTo, type Providers } from '../support/providers.js';

let providers: Providers<'slack'>;
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

// As many as the Slack queue sends at once (its pace: 4 a second), so every one is in flight.
const PEOPLE = Array.from({ length: 4 }, (_, i) => `U77${String(i).padStart(5, '0')}`);

describe('a Slack send interrupted by a killed worker', () => {
  it('is marked sent when the conversation shows it and posted again when it does not, never twice', async () => {
    providers = await startProviders(['slack']);
    const fake = providers.slack;
    // Every other post reaches Slack but its answer is withheld; the others are held back.
    let posts = 0;
    proxy = await startDelayingProxy(fake.url.replace(/\/api\/$/, ''), (request) => {
      if (!request.url?.includes('chat.postMessage')) return 'forward';
      return posts++ % 2 === 0 ? 'swallow' : 'hold';
    });
    env = testEnv({ ...providers.env, SLACK_API_URL: `${proxy.url}/api` });
    child = await startChildGateway(env.vars);
    const webhooks = webhooksTo(child.url);
    for (const [i, person] of PEOPLE.entries()) {
      expect((await webhooks.slackEvent(slackDirectMessage(`Ev-crash-${i}`, person, 'hi'))).status).toBe(200);
    }
    await eventually(() => proxy!.pending() === PEOPLE.length, 20_000, 'every reply to be held at the proxy');
    child.kill('SIGKILL');
    await child.exited;
    child = undefined;
    const postedBefore = new Map(fake.history().map((m) => [m.channel, m.ts]));
    expect(postedBefore.size).toBe(PEOPLE.length / 2);
    proxy.decide = () => 'forward';

    gateway = await startGateway(loadConfig(env.anotherProcess()));
    const outbound = () => gateway!.db.message.findMany({ where: { direction: 'out' }, include: { identity: true } });
    await eventually(
      async () => {
        const messages = await outbound();
        return messages.length === PEOPLE.length && messages.every((m) => m.status === 'delivered' || m.status === 'sent');
      },
      30_000,
      'every reply to be settled',
    );
    await waitForIdle(gateway);

    // Each person's conversation holds exactly one message from the bot.
    const perConversation = new Map<string, number>();
    for (const m of fake.history()) perConversation.set(m.channel, (perConversation.get(m.channel) ?? 0) + 1);
    expect([...perConversation.keys()].sort()).toEqual(PEOPLE.map((p) => `D${p.slice(1)}`).sort());
    expect([...perConversation.values()].every((n) => n === 1)).toBe(true);
    // The posted ones were read back (not posted again) and carry Slack's channel:ts.
    expect(fake.requests.filter((call) => call.method === 'conversations.history').length).toBeGreaterThanOrEqual(PEOPLE.length);
    const tsByChannel = new Map(fake.history().map((m) => [m.channel, m.ts]));
    for (const m of await outbound()) {
      const conversation = `D${gateway.personalData.decrypt(m.identity!.addressEnc).slice(1)}`;
      expect(m.providerId).toBe(`${conversation}:${tsByChannel.get(conversation)}`);
      if (postedBefore.has(conversation)) expect(m.providerId).toBe(`${conversation}:${postedBefore.get(conversation)}`);
    }
    expect(await listDeadLetters(gateway.queues)).toHaveLength(0);
  });
});
