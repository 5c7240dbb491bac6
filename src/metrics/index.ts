/**
 * The metrics capability: a Prometheus endpoint of the gateway's work. Each process counts what it
 * does (messages in and out by channel and outcome, reply latency, pacing holds, failed jobs) and
 * reads, at scrape time, what every process shares (queue depths, waiting replies, open
 * incidents by escalation level, announcement progress). Off unless METRICS_TOKEN or METRICS_PORT
 * is set; nothing in it names a person (see src/observer.ts for what the core reports).
 */
import type { Capability } from '../capability.js';
import { listenForMetrics, metricsRoute, type MetricsListener } from './endpoint.js';
import { registerScrapedGauges } from './gauges.js';
import { createProcessMetrics } from './registry.js';
import { metricsSettingsSchema } from './settings.js';

export { metricsSettingsSchema, type MetricsSettings } from './settings.js';

export interface RunningMetrics {
  /** The separate listener's URL, once open (METRICS_PORT set). */
  listenerUrl(): string | undefined;
}

export const metrics: Capability<typeof metricsSettingsSchema> = {
  name: 'metrics',
  settings: metricsSettingsSchema,
  create: (runtime, settings) => {
    const enabled = settings.METRICS_TOKEN !== undefined || settings.METRICS_PORT !== undefined;
    if (!enabled) return {};
    const { registry, observer } = createProcessMetrics();
    registerScrapedGauges(registry, runtime);
    let listener: MetricsListener | undefined;
    const running: ReturnType<Capability['create']> & RunningMetrics = {
      observer,
      httpRoutes: settings.METRICS_TOKEN !== undefined ? metricsRoute(registry, settings.METRICS_TOKEN) : undefined,
      open: async () => {
        if (settings.METRICS_PORT === undefined) return;
        listener = await listenForMetrics(registry, { host: settings.METRICS_HOST, port: settings.METRICS_PORT, token: settings.METRICS_TOKEN, logger: runtime.logger });
      },
      close: async () => {
        await listener?.close();
        listener = undefined;
      },
      listenerUrl: () => listener?.url,
    };
    return running;
  },
};
