/**
 * The gateway on Redis Sentinel and on Redis Cluster, each run for real on loopback
 * (test/support/redis-topology.ts): an SMS in through a signed webhook, its reply out at the
 * Twilio fake. Through a sentinel the gateway finds the master and follows a failover to the
 * replica. On a cluster the key prefix is hash-tagged, and every key the gateway wrote (queues,
 * pacer) sits in one hash slot on one master, as BullMQ's multi-key scripts need.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, eventually, type TestGateway } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';
import { inboundSms, startProviders, webhooksTo, type Providers } from '../support/providers.js';
import { startClusterSetup, startSentinelSetup, waitForReplication, type ClusterSetup, type SentinelSetup } from '../support/redis-topology.js';

/** Posts an SMS webhook until it is accepted (a provider retries a 5xx the same way). */
async function deliver(gateway: TestGateway, from: string, text: string): Promise<void> {
  const sms = inboundSms(from, text);
  await eventually(async () => (await webhooksTo(gateway.url).sms(sms)).status === 200, 20_000, 'the webhook to be accepted');
}

function repliesTo(providers: Providers<'sms'>, to: string) {
  return providers.sms.messages().filter((r) => r.form.To === to && r.answeredStatus === 201);
}

async function keysOn(port: number, pattern: string): Promise<string[]> {
  const client = new Redis({ port, host: '127.0.0.1' });
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      keys.push(...found);
      cursor = next;
    } while (cursor !== '0');
    return keys;
  } finally {
    client.disconnect();
  }
}

describe('Redis Sentinel', () => {
  let setup: SentinelSetup;
  let providers: Providers<'sms'>;
  let gateway: TestGateway;

  beforeAll(async () => {
    setup = await startSentinelSetup();
    providers = await startProviders(['sms']);
    gateway = await startTestGateway({ ...providers.env, REDIS_URL: '', REDIS_SENTINELS: setup.sentinels, REDIS_SENTINEL_NAME: setup.name });
  });
  afterAll(async () => {
    await gateway?.close();
    await providers?.close();
    await setup?.stop();
  });

  it('finds the master through the sentinel: a message in, its reply out, the queues on the master', async () => {
    await deliver(gateway, '+15550177001', 'hi');
    await eventually(() => repliesTo(providers, '+15550177001').length > 0, 15_000, 'a reply');
    await waitForIdle(gateway);
    const prefix = gateway.queues.settings.prefix;
    expect(prefix).toBe(gateway.config.QUEUE_PREFIX); // no hash tag needed off a cluster
    expect((await keysOn(setup.masterPort, `${prefix}:inbound:*`)).length).toBeGreaterThan(0);
  });

  it('follows a failover to the replica: the next message is answered through the new master', async () => {
    const sentinel = new Redis(Number(setup.sentinels.split(':')[1]), '127.0.0.1');
    try {
      // The sentinel learns of the replica from the master's INFO; a failover needs it known.
      await eventually(async () => ((await sentinel.call('SENTINEL', 'replicas', setup.name)) as unknown[]).length > 0, 20_000, 'the sentinel to see the replica');
      await sentinel.call('SENTINEL', 'failover', setup.name);
    } finally {
      sentinel.disconnect();
    }
    await eventually(async () => (await setup.currentMasterPort()) === setup.replicaPort, 20_000, 'the replica to be promoted');
    // The old master, once the sentinel has made it a replica of the new one, refuses writes.
    await waitForReplication(setup.masterPort);
    const after = inboundSms('+15550177002', 'hi');
    await eventually(async () => (await webhooksTo(gateway.url).sms(after)).status === 200, 20_000, 'the webhook to be accepted');
    await eventually(() => repliesTo(providers, '+15550177002').length > 0, 30_000, 'a reply after the failover');
    await waitForIdle(gateway, { timeoutMs: 30_000 });
    expect(await setup.currentMasterPort()).toBe(setup.replicaPort);
    // The job of the message sent after the failover was written to the new master.
    const message = await gateway.db.message.findFirstOrThrow({ where: { providerId: after.MessageSid, direction: 'in' } });
    expect(await keysOn(setup.replicaPort, `${gateway.queues.settings.prefix}:inbound:in-${message.id}`)).toHaveLength(1);
    // Each message answered once, before and after the failover.
    expect(repliesTo(providers, '+15550177001').length).toBe(repliesTo(providers, '+15550177002').length);
  });
});

describe('Redis Cluster', () => {
  let setup: ClusterSetup;
  let providers: Providers<'sms'>;
  let gateway: TestGateway;

  beforeAll(async () => {
    setup = await startClusterSetup();
    providers = await startProviders(['sms']);
    gateway = await startTestGateway({ ...providers.env, REDIS_URL: '', REDIS_CLUSTER_NODES: setup.nodes });
  });
  afterAll(async () => {
    await gateway?.close();
    await providers?.close();
    await setup?.stop();
  });

  it('hash-tags the prefix, answers a message, and keeps every key of the gateway in one slot', async () => {
    const prefix = gateway.queues.settings.prefix;
    expect(prefix).toBe(`{${gateway.config.QUEUE_PREFIX}}`);
    await deliver(gateway, '+15550188001', 'hi');
    await deliver(gateway, '+15550188001', 'report');
    await eventually(() => repliesTo(providers, '+15550188001').length >= 2, 15_000, 'the replies');
    await waitForIdle(gateway);

    const byNode = await Promise.all(setup.ports.map((port) => keysOn(port, `${prefix}*`)));
    const nodesWithKeys = byNode.filter((keys) => keys.length > 0);
    expect(nodesWithKeys.length).toBe(1);
    const keys = nodesWithKeys[0]!;
    // The queues and the pacer's key (written by hand) are there.
    expect(keys).toEqual(expect.arrayContaining([`${prefix}:pace:sms`]));
    expect(keys.some((k) => k.startsWith(`${prefix}:inbound:`))).toBe(true);
    expect(keys.some((k) => k.startsWith(`${prefix}:outbound-sms:`))).toBe(true);
    const node = new Redis(setup.ports[byNode.indexOf(keys)]!, '127.0.0.1');
    try {
      const slots = new Set(await Promise.all(keys.map((k) => node.call('CLUSTER', 'KEYSLOT', k))));
      expect(slots.size).toBe(1);
    } finally {
      node.disconnect();
    }
  });
});
