/**
 * Gauges read at scrape time from Redis and the database, so every process answers the same:
 * queue depths by state, replies waiting to leave and the age of the oldest, open incidents by
 * escalation level, and the recipients of announcements under way by delivery state. A source
 * that fails (the database away) leaves its gauge empty for that scrape and logs why; the
 * process's own counters are still served.
 */
import { Gauge, type Registry } from 'prom-client';
import type { Runtime } from '../capability.js';
import { activeBroadcastRecipients } from '../broadcasts/index.js';
import { openIncidentCounts } from '../incidents/index.js';

const QUEUE_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed', 'waiting-children'] as const;

type Sample = { labels: Record<string, string>; value: number };

function scrapedGauge(registry: Registry, runtime: Runtime, spec: { name: string; help: string; labelNames: string[]; read: () => Promise<Sample[]> }): void {
  new Gauge({
    name: spec.name,
    help: spec.help,
    labelNames: spec.labelNames,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        for (const sample of await spec.read()) this.set(sample.labels, sample.value);
      } catch (error) {
        runtime.logger.warn({ metric: spec.name, err: { name: (error as Error).name, message: (error as Error).message } }, 'metrics: could not read a gauge');
      }
    },
  });
}

export function registerScrapedGauges(registry: Registry, runtime: Runtime): void {
  const { db, queues } = runtime;
  const channels = () => [...runtime.adapters.keys()];

  scrapedGauge(registry, runtime, {
    name: 'gateway_queue_jobs',
    help: 'Jobs in each queue by state, read from Redis',
    labelNames: ['queue', 'state'],
    read: async () => {
      const samples: Sample[] = [];
      for (const queue of [queues.inbound, queues.timers, ...channels().map((c) => queues.outbound(c))]) {
        const counts = await queue.getJobCounts(...QUEUE_STATES);
        for (const state of QUEUE_STATES) samples.push({ labels: { queue: queue.name, state }, value: counts[state] ?? 0 });
      }
      return samples;
    },
  });

  const waitingReplies = async () =>
    db.message.groupBy({
      by: ['channel'],
      // broadcastId null first: the (broadcastId, status) index finds them without a table scan.
      where: { broadcastId: null, status: { in: ['queued', 'sending'] }, direction: 'out', kind: 'reply' },
      _count: { _all: true },
      _min: { createdAt: true },
    });
  scrapedGauge(registry, runtime, {
    name: 'gateway_replies_waiting',
    help: 'Replies written and not yet handed to the provider (queued or sending), by channel',
    labelNames: ['channel'],
    read: async () => {
      const groups = new Map((await waitingReplies()).map((g) => [g.channel, g._count._all]));
      return channels().map((channel) => ({ labels: { channel }, value: groups.get(channel) ?? 0 }));
    },
  });
  scrapedGauge(registry, runtime, {
    name: 'gateway_replies_oldest_waiting_seconds',
    help: 'Age of the oldest reply not yet handed to the provider, by channel (0 when none waits)',
    labelNames: ['channel'],
    read: async () => {
      const now = Date.now();
      const oldest = new Map((await waitingReplies()).map((g) => [g.channel, g._min.createdAt]));
      return channels().map((channel) => {
        const at = oldest.get(channel);
        return { labels: { channel }, value: at ? Math.max(0, (now - at.getTime()) / 1000) : 0 };
      });
    },
  });

  scrapedGauge(registry, runtime, {
    name: 'gateway_incidents_open',
    help: 'Open and acknowledged incidents by status and escalation level last notified (0 is the first level; "none" before any)',
    labelNames: ['status', 'level'],
    read: async () => (await openIncidentCounts(db)).map((row) => ({ labels: { status: row.status, level: row.level === null ? 'none' : String(row.level) }, value: row.count })),
  });

  scrapedGauge(registry, runtime, {
    name: 'gateway_broadcast_recipients',
    help: 'Recipients of announcements fanning out or dispatched in the last 24 hours, by broadcast and delivery state',
    labelNames: ['broadcast', 'state'],
    read: async () => (await activeBroadcastRecipients(db, new Date())).map((row) => ({ labels: { broadcast: row.broadcastId, state: row.state }, value: row.count })),
  });
}
