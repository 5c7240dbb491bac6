/**
 * The queues: names in one place, typed job data, shared job options. Jobs carry ids, never
 * message bodies or addresses. A job id is deterministic where a duplicate would hurt (an
 * inbound message, an outbound message, a timer), so adding the same job twice is harmless.
 */
import { Queue, type JobsOptions, type ConnectionOptions } from 'bullmq';
import type { Cluster } from 'ioredis';
import { clusterConnection, keyPrefix, serverOptions, type ClusterTarget, type RedisTarget } from '../redis/connection.js';

export { redisOptions } from '../redis/connection.js';

export const QUEUE_NAMES = {
  inbound: 'inbound',
  /** One outbound queue per channel, each with the channel's rate limit. */
  outbound: (channel: string) => `outbound-${channel}`,
  /** Delayed jobs: session timeouts, escalation steps, scheduled broadcasts. */
  timers: 'timers',
} as const;

/** An inbound message stored in the Message table, to run through the pipeline. */
export interface InboundJob {
  messageId: string;
}

/** An outbound message row to queue: its id and the channel whose queue sends it. */
export interface OutboundRef {
  id: string;
  channel: string;
  /** The message to the same address that must leave first (per-address order), if any. */
  after?: string;
}

/** An outbound message stored in the Message table (status queued), to send. */
export interface OutboundJob {
  messageId: string;
  /** Id of the message to the same address that must have left before this one is sent. */
  after?: string;
}

/**
 * A timer. `kind` selects the handler registered with the timer worker (src/timers.ts);
 * the rest is the handler's own data (ids only).
 */
export interface TimerJob {
  kind: string;
  [field: string]: string | number | boolean;
}

/** Job ids may not contain ':'; this joins parts with '-'. */
export function jobId(...parts: (string | number)[]): string {
  return parts.map((p) => String(p).replace(/:/g, '_')).join('-');
}

export interface QueueSettings {
  /** Options of the connection: one server, or a master found through sentinels (not used with `cluster`). */
  connection?: ConnectionOptions;
  /** A Redis Cluster: queues and workers open cluster connections to it; `prefix` must be hash-tagged. */
  cluster?: ClusterTarget;
  /** Key prefix of the queues and of the gateway's own keys (see `keyPrefix`). */
  prefix: string;
  attempts: number;
  backoffMs: number;
  /** Told of connection errors of the queues (Redis away, a failover under way); else BullMQ prints them. */
  onError?: (error: Error) => void;
}

/** Longest wait between two tries of a job (the exponential backoff is capped here). */
export const MAX_BACKOFF_MS = 5 * 60_000;

/** Exponential backoff, `base * 2^(attempt-1)`, capped at MAX_BACKOFF_MS, with ±10% jitter. */
export function backoffDelay(attemptsMade: number, baseMs: number): number {
  const raw = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(raw * (0.9 + Math.random() * 0.2));
}

export function defaultJobOptions(settings: QueueSettings): JobsOptions {
  return {
    attempts: settings.attempts,
    backoff: { type: 'capped' },
    // A completed job's only use is to make a repeated add of its id a no-op for a while (the
    // database dedupes for good); its data names messages of a person, so it goes within the hour.
    removeOnComplete: { age: 3600, count: 1_000 },
    // Failed jobs are the dead-letter list (CLI `dead-letter`, API /dead-letter): kept a week, long
    // enough to look at them and retry, not longer.
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

/**
 * Adding a job fails at once while Redis is away, instead of waiting for it: a webhook then
 * answers 500 and the provider retries later, while the message it already stored waits.
 */
function producerConnection(connection: ConnectionOptions): ConnectionOptions {
  return { ...(connection as object), enableOfflineQueue: false } as ConnectionOptions;
}

/** The queues one gateway process uses. */
export class Queues {
  readonly inbound: Queue<InboundJob>;
  readonly timers: Queue<TimerJob>;
  private readonly outboundQueues = new Map<string, Queue<OutboundJob>>();
  /** On a cluster: the one connection every queue of this object shares (closed by `close`). */
  private clusterProducer: Cluster | undefined;

  constructor(readonly settings: QueueSettings) {
    if (!settings.connection && !settings.cluster) throw new Error('queue settings need a connection or a cluster');
    if (settings.cluster && !/^\{[^}]+\}/.test(settings.prefix)) throw new Error(`on a cluster the queue prefix must be hash-tagged ({${settings.prefix}})`);
    const options = { connection: this.producerConnection(), prefix: settings.prefix, defaultJobOptions: defaultJobOptions(settings) };
    this.inbound = this.watched(new Queue<InboundJob>(QUEUE_NAMES.inbound, options));
    this.timers = this.watched(new Queue<TimerJob>(QUEUE_NAMES.timers, options));
  }

  private watched<Q extends Queue>(queue: Q): Q {
    const onError = this.settings.onError;
    if (onError) queue.on('error', onError);
    return queue;
  }

  outbound(channel: string): Queue<OutboundJob> {
    let queue = this.outboundQueues.get(channel);
    if (!queue) {
      queue = this.watched(
        new Queue<OutboundJob>(QUEUE_NAMES.outbound(channel), {
          connection: this.producerConnection(),
          prefix: this.settings.prefix,
          defaultJobOptions: defaultJobOptions(this.settings),
        }),
      );
      this.outboundQueues.set(channel, queue);
    }
    return queue;
  }

  /** The connection of queues that add jobs (fails at once while Redis is away, see producerConnection). */
  producerConnection(): ConnectionOptions {
    if (!this.settings.cluster) return producerConnection(this.settings.connection!);
    this.clusterProducer ??= clusterConnection(this.settings.cluster, { enableOfflineQueue: false });
    return this.clusterProducer;
  }

  /**
   * A connection for a worker, and what to do once the worker has closed: on a cluster each worker
   * gets a cluster connection of its own (BullMQ duplicates it for blocking), closed afterwards.
   */
  workerConnection(): { connection: ConnectionOptions; release: () => void } {
    if (!this.settings.cluster) return { connection: this.settings.connection!, release: () => undefined };
    const cluster = clusterConnection(this.settings.cluster);
    return { connection: cluster, release: () => cluster.disconnect() };
  }

  /** Resolves when every queue opened so far is connected. */
  async ready(): Promise<void> {
    await Promise.all(this.all().map((q) => q.waitUntilReady()));
  }

  /** Every queue opened so far (inbound, timers, and the outbound queues used). */
  all(): Queue[] {
    return [this.inbound, this.timers, ...this.outboundQueues.values()] as Queue[];
  }

  /** Queues a stored inbound message; `delayMs` defers its processing (a sender over its rate limit). */
  async enqueueInbound(messageId: string, delayMs?: number): Promise<void> {
    await this.inbound.add('inbound', { messageId }, { jobId: jobId('in', messageId), ...(delayMs ? { delay: delayMs } : {}) });
  }

  /** Queues many stored inbound messages in one round trip (addBulk), in the order given. */
  async enqueueInboundMany(messageIds: string[]): Promise<void> {
    if (messageIds.length === 0) return;
    await this.inbound.addBulk(messageIds.map((messageId) => ({ name: 'inbound', data: { messageId }, opts: { jobId: jobId('in', messageId) } })));
  }

  /** Queues an outbound message by id; `after` names the message to that address that goes first. */
  async enqueueOutbound(channel: string, messageId: string, options: { priority?: number; delayMs?: number; after?: string } = {}): Promise<void> {
    const data: OutboundJob = options.after ? { messageId, after: options.after } : { messageId };
    await this.outbound(channel).add('send', data, { jobId: jobId('out', messageId), priority: options.priority, delay: options.delayMs });
  }

  /**
   * Queues many outbound messages with one addBulk per channel, in the order given (the `after`
   * chain of each address is kept by the send worker, not by the queue order).
   */
  async enqueueOutboundMany(messages: readonly OutboundRef[]): Promise<void> {
    const byChannel = new Map<string, OutboundRef[]>();
    for (const message of messages) byChannel.set(message.channel, [...(byChannel.get(message.channel) ?? []), message]);
    for (const [channel, refs] of byChannel) {
      await this.outbound(channel).addBulk(
        refs.map((ref) => ({ name: 'send', data: ref.after ? { messageId: ref.id, after: ref.after } : { messageId: ref.id }, opts: { jobId: jobId('out', ref.id) } })),
      );
    }
  }

  /** Adds a timer with a deterministic id; adding an id that exists already changes nothing. */
  async schedule(id: string, data: TimerJob, at: Date): Promise<void> {
    await this.timers.add(data.kind, data, { jobId: id, delay: Math.max(0, at.getTime() - Date.now()) });
  }

  /** Removes a pending timer (no error if it has fired or never existed). */
  async cancel(id: string): Promise<void> {
    const job = await this.timers.getJob(id);
    if (job && !(await job.isActive())) await job.remove().catch(() => undefined);
  }

  async close(): Promise<void> {
    await Promise.all(this.all().map((q) => q.close()));
    if (this.clusterProducer) await this.clusterProducer.quit().catch(() => this.clusterProducer!.disconnect());
  }
}

/**
 * The queues on `target` (one server, sentinels or a cluster); `prefix` is the configured
 * QUEUE_PREFIX, hash-tagged here on a cluster.
 */
export function openQueues(target: RedisTarget, options: { prefix: string; attempts: number; backoffMs: number; onError?: (error: Error) => void }): Queues {
  return new Queues({
    ...(target.kind === 'cluster' ? { cluster: target } : { connection: serverOptions(target) }),
    prefix: keyPrefix(options.prefix, target),
    attempts: options.attempts,
    backoffMs: options.backoffMs,
    onError: options.onError,
  });
}
