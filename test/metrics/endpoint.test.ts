/**
 * /metrics through real gateways: SMS traffic through the Twilio fake moves the counters and
 * histograms as it should; the endpoint is off by default and refuses a scraper without the
 * bearer token; a worker process serves its own counters on METRICS_PORT while the shared gauges
 * (queues, incidents, announcements) read the same from any process; and nothing in the output
 * names a person (no number, no text, no case code).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMetrics } from '../../src/metrics/index.js';
import { startGateway, loadConfig, roleOptions, type Gateway } from '../../src/gateway.js';
import { twilioError } from '../fakes/twilio-api.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';
import { inboundSms, startProviders, webhooksTo, type GatewayWebhooks, type Providers } from '../support/providers.js';

const TOKEN = 'metrics-token-0123456789abcdef';
const MARKER = 'Marker-7Q4Z-unique';
const NUMBER = '+15550142377';

/** One sample of the Prometheus text format: name, labels, value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the text format (the lines that are not comments). */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the sample `name` whose labels include `labels` (0 when there is none). */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value ?? 0;
}

async function scrape(url: string, token: string | null = TOKEN): Promise<{ status: number; text: string }> {
  const response = await fetch(`${url}/metrics`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  return { status: response.status, text: await response.text() };
}

describe('metrics endpoint, off by default', () => {
  it('serves no /metrics when neither METRICS_TOKEN nor METRICS_PORT is set', async () => {
    const gateway = await startTestGateway();
    try {
      expect((await scrape(gateway.url, null)).status).toBe(404);
      expect((await scrape(gateway.url)).status).toBe(404);
      expect(gateway.capabilities.get('metrics')?.observer).toBeUndefined();
    } finally {
      await gateway.close();
    }
  });
});

describe('metrics endpoint with SMS traffic', () => {
  let providers: Providers<'sms'>;
  let gateway: TestGateway;
  let webhooks: GatewayWebhooks;

  beforeAll(async () => {
    providers = await startProviders(['sms']);
    gateway = await startTestGateway({ ...providers.env, METRICS_TOKEN: TOKEN });
    webhooks = webhooksTo(gateway.url);
  });
  afterAll(async () => {
    await gateway?.close();
    await providers?.close();
  });

  it('answers 401 without the bearer token or with another one', async () => {
    const none = await scrape(gateway.url, null);
    expect(none.status).toBe(401);
    expect(none.text).not.toContain('gateway_');
    expect((await scrape(gateway.url, 'metrics-token-0123456789abcdeX')).status).toBe(401);
    const ok = await scrape(gateway.url);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('# TYPE gateway_inbound_messages_total counter');
  });

  it('counts messages in and out, the reply latency and the pacing, per channel and outcome', async () => {
    const before = parse((await scrape(gateway.url)).text);
    const sentBefore = providers.sms.messages().length;
    const numbers = ['+15550142001', '+15550142002', '+15550142003'];
    const first = inboundSms(numbers[0]!, 'hi');
    expect((await webhooks.sms(first)).status).toBe(200);
    expect((await webhooks.sms(first)).status).toBe(200); // the provider's retry: a duplicate
    for (const number of numbers.slice(1)) expect((await webhooks.sms(inboundSms(number, 'hi'))).status).toBe(200);
    expect((await webhooks.sms(inboundSms(numbers[0]!, 'hi'), { signature: 'forged' })).status).toBe(401);
    await waitForIdle(gateway);

    const replies = providers.sms.messages().length - sentBefore;
    expect(replies).toBeGreaterThanOrEqual(3);
    const after = parse((await scrape(gateway.url)).text);
    const moved = (name: string, labels: Record<string, string> = {}) => value(after, name, labels) - value(before, name, labels);
    expect(moved('gateway_inbound_messages_total', { channel: 'sms', status: 'queued' })).toBe(3);
    expect(moved('gateway_inbound_messages_total', { channel: 'sms', status: 'duplicate' })).toBe(1);
    expect(moved('gateway_inbound_messages_total', { channel: 'sms', status: 'invalid_signature' })).toBe(1);
    expect(moved('gateway_inbound_processed_total', { channel: 'sms' })).toBe(3);
    // Each processed message committed once, alone or with others; no group rolled back.
    expect(moved('gateway_inbound_transaction_messages_sum')).toBe(3);
    expect(moved('gateway_inbound_transaction_messages_count')).toBeGreaterThanOrEqual(1);
    expect(moved('gateway_inbound_transaction_messages_count')).toBeLessThanOrEqual(3);
    expect(moved('gateway_inbound_group_rollbacks_total')).toBe(0);
    expect(moved('gateway_outbound_messages_total', { channel: 'sms', status: 'sent' })).toBe(replies);
    // Every reply's latency is observed once, and each took more than nothing and less than the test.
    expect(moved('gateway_reply_latency_seconds_count', { channel: 'sms' })).toBe(replies);
    expect(moved('gateway_reply_latency_seconds_sum', { channel: 'sms' })).toBeGreaterThan(0);
    expect(moved('gateway_reply_latency_seconds_bucket', { channel: 'sms', le: '300' })).toBe(replies);
    expect(moved('gateway_pacing_wait_seconds_count', { channel: 'sms' })).toBe(replies);
    // Idle: nothing waits in the queues nor in the outbox.
    expect(value(after, 'gateway_queue_jobs', { queue: 'inbound', state: 'waiting' })).toBe(0);
    expect(value(after, 'gateway_queue_jobs', { queue: 'outbound-sms', state: 'active' })).toBe(0);
    expect(after.some((s) => s.name === 'gateway_queue_jobs' && s.labels.queue === 'timers')).toBe(true);
    expect(value(after, 'gateway_replies_waiting', { channel: 'sms' })).toBe(0);
    expect(value(after, 'gateway_replies_oldest_waiting_seconds', { channel: 'sms' })).toBe(0);
  });

  it('counts a failed send try per queue and outcome, and the retry that then succeeds', async () => {
    const before = parse((await scrape(gateway.url)).text);
    const sentBefore = providers.sms.messages().filter((r) => r.answeredStatus === 201).length;
    providers.sms.nextResponse(twilioError(500, 20500));
    expect((await webhooks.sms(inboundSms('+15550142009', 'hi'))).status).toBe(200);
    await waitForIdle(gateway);
    const after = parse((await scrape(gateway.url)).text);
    const moved = (name: string, labels: Record<string, string> = {}) => value(after, name, labels) - value(before, name, labels);
    const accepted = providers.sms.messages().filter((r) => r.answeredStatus === 201).length - sentBefore;
    expect(moved('gateway_outbound_messages_total', { channel: 'sms', status: 'retry' })).toBe(1);
    expect(moved('gateway_job_failures_total', { queue: 'outbound-sms' })).toBe(1);
    expect(moved('gateway_outbound_messages_total', { channel: 'sms', status: 'sent' })).toBe(accepted);
    expect(moved('gateway_queue_jobs', { queue: 'outbound-sms', state: 'failed' })).toBe(0); // retried, not dead
  });

  it('shows replies waiting and the age of the oldest while the provider is away', async () => {
    providers.sms.respondWith(twilioError(503, 20503));
    try {
      expect((await webhooks.sms(inboundSms('+15550142010', 'hi'))).status).toBe(200);
      const waiting = async () => value(parse((await scrape(gateway.url)).text), 'gateway_replies_waiting', { channel: 'sms' });
      const started = Date.now();
      while ((await waiting()) === 0 && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 50));
      const samples = parse((await scrape(gateway.url)).text);
      expect(value(samples, 'gateway_replies_waiting', { channel: 'sms' })).toBeGreaterThanOrEqual(1);
      expect(value(samples, 'gateway_replies_oldest_waiting_seconds', { channel: 'sms' })).toBeGreaterThan(0);
    } finally {
      providers.sms.respondWith(undefined);
    }
    await waitForIdle(gateway, { timeoutMs: 30_000 });
    expect(value(parse((await scrape(gateway.url)).text), 'gateway_replies_waiting', { channel: 'sms' })).toBe(0);
  });

  it('counts open incidents by escalation level and announcement recipients by state', async () => {
    const db = gateway.db;
    const incident = (caseCode: string, status: string) =>
      db.incident.create({ data: { caseCode, category: 'violence', severity: 'high', status, descriptionEnc: gateway.personalData.encrypt('x') } });
    const notified = await incident('KZ-METRIC-1', 'open');
    await db.escalation.create({ data: { incidentId: notified.id, policyId: 'default', level: 2, round: 0, notifiedLevel: 1 } });
    await incident('KZ-METRIC-2', 'open');
    await incident('KZ-METRIC-3', 'acknowledged');
    await incident('KZ-METRIC-4', 'resolved');
    const broadcast = await db.broadcast.create({
      data: { title: 'Water points', texts: JSON.stringify({ en: 'x' }), defaultLanguage: 'en', status: 'sending', createdBy: 'u1', createdByName: 'Staff', createdByRole: 'admin' },
    });
    const states = ['queued', 'queued', 'sent', 'delivered', 'failed'];
    await db.message.createMany({
      data: states.map((status, i) => ({ dedupeKey: `out:metrics-test:${i}`, direction: 'out', channel: 'sms', bodyEnc: 'x', status, kind: 'broadcast', broadcastId: broadcast.id })),
    });

    const samples = parse((await scrape(gateway.url)).text);
    expect(value(samples, 'gateway_incidents_open', { status: 'open', level: '1' })).toBe(1);
    expect(value(samples, 'gateway_incidents_open', { status: 'open', level: 'none' })).toBe(1);
    expect(value(samples, 'gateway_incidents_open', { status: 'acknowledged', level: 'none' })).toBe(1);
    expect(samples.filter((s) => s.name === 'gateway_incidents_open' && s.labels.status === 'resolved')).toEqual([]);
    expect(value(samples, 'gateway_broadcast_recipients', { broadcast: broadcast.id, state: 'queued' })).toBe(2);
    expect(value(samples, 'gateway_broadcast_recipients', { broadcast: broadcast.id, state: 'delivered' })).toBe(1);
    expect(value(samples, 'gateway_broadcast_recipients', { broadcast: broadcast.id, state: 'failed' })).toBe(1);
    await db.message.deleteMany({ where: { broadcastId: broadcast.id } });
    await db.broadcast.update({ where: { id: broadcast.id }, data: { status: 'cancelled' } });
  });

  it('reveals no number, no text and no case code of the people behind the counts', async () => {
    expect((await webhooks.sms(inboundSms(NUMBER, `${MARKER} report at the market`))).status).toBe(200);
    await waitForIdle(gateway);
    const text = (await scrape(gateway.url)).text;
    expect(text).not.toContain(MARKER);
    expect(text).not.toContain(NUMBER);
    expect(text).not.toContain(NUMBER.slice(1)); // the digits alone
    expect(text).not.toContain('KZ-METRIC');
    const identity = await gateway.db.contactIdentity.findFirst({ where: { addressHash: gateway.personalData.hash('sms', NUMBER) } });
    expect(identity).not.toBeNull();
    expect(text).not.toContain(identity!.contactId);
    expect(text).not.toContain(identity!.addressHash);
    // Labels are only names of channels, queues, states, levels and announcements.
    const labelNames = new Set(parse(text).flatMap((s) => Object.keys(s.labels)));
    for (const name of labelNames) expect(['channel', 'status', 'queue', 'state', 'level', 'broadcast', 'le', 'version', 'major', 'minor', 'patch', 'kind', 'space', 'type']).toContain(name);
  });
});

describe('metrics of a web and a worker process', () => {
  let providers: Providers<'sms'>;
  let web: TestGateway;
  let worker: Gateway;

  beforeAll(async () => {
    providers = await startProviders(['sms']);
    web = await startTestGateway({ ...providers.env, METRICS_TOKEN: TOKEN }, roleOptions('web'));
    worker = await startGateway(loadConfig({ ...web.env.anotherProcess(), METRICS_PORT: '0', METRICS_TOKEN: '' }), roleOptions('worker'));
  });
  afterAll(async () => {
    await worker?.stop();
    await web?.close();
    await providers?.close();
  });

  it('counts intake in the web process and the work in the worker, which serves them on METRICS_PORT', async () => {
    const listener = (worker.capabilities.get('metrics') as unknown as RunningMetrics).listenerUrl();
    expect(listener).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${listener}/other`)).status).toBe(404);

    expect((await webhooks()).status).toBe(200);
    await waitForIdle(worker);
    const fromWeb = parse((await scrape(web.url)).text);
    const fromWorker = parse((await scrape(listener!, null)).text);
    expect(value(fromWeb, 'gateway_inbound_messages_total', { channel: 'sms', status: 'queued' })).toBe(1);
    expect(value(fromWeb, 'gateway_inbound_processed_total', { channel: 'sms' })).toBe(0);
    expect(value(fromWorker, 'gateway_inbound_messages_total', { channel: 'sms', status: 'queued' })).toBe(0);
    expect(value(fromWorker, 'gateway_inbound_processed_total', { channel: 'sms' })).toBe(1);
    expect(value(fromWorker, 'gateway_outbound_messages_total', { channel: 'sms', status: 'sent' })).toBe(providers.sms.messages().length);
    // What is read at scrape time is the same from either process.
    const shared = (samples: Sample[]) => samples.filter((s) => s.name === 'gateway_queue_jobs' || s.name === 'gateway_replies_waiting');
    expect(shared(fromWeb)).toEqual(shared(fromWorker));
  });

  function webhooks() {
    return webhooksTo(web.url).sms(inboundSms('+15550142020', 'hi'));
  }
});
