/**
 * The counters and histograms one process keeps (each process exposes its own; Prometheus sums
 * them), and the observer that feeds them from the core's work. Labels are channel and queue
 * names and the fixed outcome words of src/observer.ts: nothing that names or reaches a person.
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { Observer } from '../observer.js';

/** Seconds from an inbound message's arrival to its reply handed to the provider. */
const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
/** Seconds a send was held by its channel's pace (1/s long codes hold up to about a second each). */
const PACING_BUCKETS = [0, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Messages per inbound transaction: one alone, then the group sizes the worker allows. */
const GROUP_BUCKETS = [1, 2, 4, 8, 16, 32];

export interface ProcessMetrics {
  registry: Registry;
  observer: Observer;
}

export function createProcessMetrics(): ProcessMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'gateway_' });
  const inbound = new Counter({
    name: 'gateway_inbound_messages_total',
    help: 'Inbound webhook events taken by this process, by channel and outcome (queued, duplicate, invalid_signature, malformed, rate_limited)',
    labelNames: ['channel', 'status'],
    registers: [registry],
  });
  const processed = new Counter({
    name: 'gateway_inbound_processed_total',
    help: 'Inbound messages run through the pipeline by this process, by channel',
    labelNames: ['channel'],
    registers: [registry],
  });
  const outbound = new Counter({
    name: 'gateway_outbound_messages_total',
    help: 'Tries to send by this process, by channel and outcome (sent, reconciled, retry, rate_limited, failed, unconfirmed)',
    labelNames: ['channel', 'status'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'gateway_reply_latency_seconds',
    help: 'From an inbound message stored to its reply handed to the provider, by channel',
    labelNames: ['channel'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const paced = new Histogram({
    name: 'gateway_pacing_wait_seconds',
    help: "Time a send was held by its channel's pace (shared by every process through Redis), by channel",
    labelNames: ['channel'],
    buckets: PACING_BUCKETS,
    registers: [registry],
  });
  const failures = new Counter({
    name: 'gateway_job_failures_total',
    help: 'Failed tries of jobs in this process, by queue (a try may be retried; the failed set is gateway_queue_jobs{state="failed"})',
    labelNames: ['queue'],
    registers: [registry],
  });
  const grouped = new Histogram({
    name: 'gateway_inbound_transaction_messages',
    help: 'Inbound messages committed together in one transaction by this process (groups form under load)',
    buckets: GROUP_BUCKETS,
    registers: [registry],
  });
  const regrouped = new Counter({
    name: 'gateway_inbound_group_rollbacks_total',
    help: 'Groups of inbound messages rolled back and run again message by message by this process',
    registers: [registry],
  });
  return {
    registry,
    observer: {
      inbound: (channel, outcome) => inbound.inc({ channel, status: outcome }),
      processed: (channel) => processed.inc({ channel }),
      outbound: (channel, outcome) => outbound.inc({ channel, status: outcome }),
      replyLatency: (channel, seconds) => latency.observe({ channel }, seconds),
      paced: (channel, seconds) => paced.observe({ channel }, seconds),
      jobFailed: (queue) => failures.inc({ queue }),
      inboundGroup: (messages, committed) => {
        if (committed) grouped.observe(messages);
        else if (messages > 1) regrouped.inc();
      },
    },
  };
}
