/** What command-line commands of channels and capabilities are handed by src/cli.ts. */
import type { Config } from './config.js';
import type { Db } from './db/client.js';
import type { Queues } from './jobs/queues.js';

/** What CLI commands get: the configuration and short-lived database and queue connections. */
export interface CliContext {
  config(): Config;
  withDatabase<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  withQueues<T>(fn: (queues: Queues) => Promise<T>): Promise<T>;
}
