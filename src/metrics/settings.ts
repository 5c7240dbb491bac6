/** Settings of the metrics capability (environment variables, parsed with the configuration). */
import { z } from 'zod';

const portMessage = 'a port number, 1-65535 (0 picks a free port)';

export const metricsSettingsSchema = z.object({
  /**
   * Bearer token a scraper must send (`Authorization: Bearer <token>`). Set, /metrics is served on
   * the main HTTP port too; unset, it is served only on METRICS_PORT, if that is set.
   */
  METRICS_TOKEN: z.string().min(16, { message: 'at least 16 characters (openssl rand -hex 24)' }).optional(),
  /** A listener of its own for /metrics, in every process role (workers serve no other HTTP). */
  METRICS_PORT: z.coerce.number({ message: portMessage }).int({ message: portMessage }).min(0, { message: portMessage }).max(65535, { message: portMessage }).optional(),
  /** Interface of the METRICS_PORT listener (default loopback: a scraper on the same host or network namespace). */
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
});

export type MetricsSettings = z.output<typeof metricsSettingsSchema>;
