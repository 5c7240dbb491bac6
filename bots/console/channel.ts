/**
 * The console channel as the gateway registers it: on unless production (CONSOLE_CHANNEL
 * overrides), its token in DATA_DIR/console.token.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { defineChannel } from '../../src/channels/module.js';
import { settingTypes } from '../../src/config.js';
import { createConsoleChannel } from './adapter.js';

const settings = z.object({ CONSOLE_CHANNEL: settingTypes.bool.optional() });

export const consoleChannel = defineChannel({
  name: 'console',
  settings,
  enabled: (values, core) => values.CONSOLE_CHANNEL ?? core.NODE_ENV !== 'production',
  receivesWebhooks: () => false,
  create: (_values, { core }) => createConsoleChannel(join(core.DATA_DIR, 'console.token')),
});
