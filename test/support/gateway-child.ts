/**
 * A gateway in its own process, for tests that kill or signal it. Reads its environment from
 * GATEWAY_ENV and what to run from GATEWAY_SPEC (both JSON). Prints `ready <url>` once
 * listening and stops gracefully on SIGTERM.
 */
import { broadcastsCapability, type BroadcastsOptions } from '../../src/broadcasts/index.js';
import { loadConfig, startGateway } from '../../src/gateway.js';
import { incidentsCapability, type IncidentsOptions } from '../../src/incidents/index.js';

/** What a child gateway runs; JSON, as it crosses the process boundary. */
export interface ChildGatewaySpec {
  /** Run the workers (default true); without them the gateway only ingests. */
  workers?: boolean;
  /** Serve HTTP (default true); a worker-role process does not (it then prints `ready -`). */
  http?: boolean;
  /**
   * Capabilities given these options, in place of the listed ones of the same name (the others
   * load as usual). Their clock is the one `clockOffsetMs` sets.
   */
  capabilities?: {
    broadcasts?: Pick<BroadcastsOptions, 'settings'>;
    incidents?: Pick<IncidentsOptions, 'delayScale' | 'catchUpMs'>;
  };
  /**
   * The capabilities' clock runs this many ms ahead of the machine's (default 0), so that
   * processes given the same offset share one clock across restarts.
   */
  clockOffsetMs?: number;
}

const env = JSON.parse(process.env.GATEWAY_ENV ?? '{}') as Record<string, string>;
const spec = JSON.parse(process.env.GATEWAY_SPEC ?? '{}') as ChildGatewaySpec;
const offset = spec.clockOffsetMs ?? 0;
const now = () => new Date(Date.now() + offset);
const given = spec.capabilities ?? {};
const capabilities = [
  ...(given.broadcasts ? [broadcastsCapability({ ...given.broadcasts, now })] : []),
  ...(given.incidents ? [incidentsCapability({ ...given.incidents, now })] : []),
];
const gateway = await startGateway(loadConfig(env), { workers: spec.workers !== false, http: spec.http !== false, capabilities });
process.stdout.write(`ready ${gateway.url || '-'}\n`);
process.on('SIGTERM', () => {
  void gateway.stop().then(() => process.exit(0));
});
