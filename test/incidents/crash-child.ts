/**
 * A gateway with the incidents capability in its own process, for the crash test. Reads its
 * environment from GATEWAY_ENV (JSON) and the delay scale from INCIDENT_DELAY_SCALE; prints
 * `ready <url>` once started.
 */
import { loadConfig } from '../../src/gateway.js';
import { startGateway } from '../../src/gateway.js';
import { incidentsCapability } from '../../src/incidents/index.js';

const env = JSON.parse(process.env.GATEWAY_ENV ?? '{}') as Record<string, string>;
const gateway = await startGateway(loadConfig(env), {
  capabilities: [incidentsCapability({ delayScale: Number(process.env.INCIDENT_DELAY_SCALE ?? '1'), catchUpMs: 0 })],
});
process.stdout.write(`ready ${gateway.url}\n`);
process.on('SIGTERM', () => {
  void gateway.stop().then(() => process.exit(0));
});
