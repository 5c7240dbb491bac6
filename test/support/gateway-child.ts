/**
 * A gateway in its own process, for tests that kill or signal it. Reads its environment from
 * GATEWAY_ENV (JSON); GATEWAY_WORKERS=false runs it without workers (it only ingests). Prints
 * `ready <url>` once listening and stops gracefully on SIGTERM.
 */
import { loadConfig } from '../../src/gateway.js';
import { startGateway } from '../../src/gateway.js';

const env = JSON.parse(process.env.GATEWAY_ENV ?? '{}') as Record<string, string>;
const gateway = await startGateway(loadConfig(env), { workers: process.env.GATEWAY_WORKERS !== 'false' });
process.stdout.write(`ready ${gateway.url}\n`);
process.on('SIGTERM', () => {
  void gateway.stop().then(() => process.exit(0));
});
