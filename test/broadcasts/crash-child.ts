/**
 * A gateway with the broadcasts capability in its own process, for the crash tests. Reads its
 * environment from GATEWAY_ENV and the capability's settings from BROADCAST_SETTINGS (JSON); its
 * clock (quiet hours) runs at the real pace from CLOCK_AT (an ISO time) when set. Prints
 * `ready <url>` once listening.
 */
import { broadcastsCapability } from '../../src/broadcasts/index.js';
import { loadConfig } from '../../src/gateway.js';
import { startGateway } from '../../src/gateway.js';

const env = JSON.parse(process.env.GATEWAY_ENV ?? '{}') as Record<string, string>;
const settings = JSON.parse(process.env.BROADCAST_SETTINGS ?? '{}') as Record<string, unknown>;
const offset = process.env.CLOCK_AT ? new Date(process.env.CLOCK_AT).getTime() - Number(process.env.CLOCK_SET_AT) : 0;
const now = () => new Date(Date.now() + offset);
const gateway = await startGateway(loadConfig(env), { capabilities: [broadcastsCapability({ settings, now })] });
process.stdout.write(`ready ${gateway.url}\n`);
process.on('SIGTERM', () => {
  void gateway.stop().then(() => process.exit(0));
});
