/** The Slack channel as the gateway registers it: its variables, when it is on, its adapter. */
import { z } from 'zod';
import { defineChannel, requiredWith } from '../../src/channels/module.js';
import { settingTypes } from '../../src/config.js';
import { createSlackAdapter } from './adapter.js';
import { DEFAULT_API_URL } from './options.js';

const settings = z.object({
  SLACK_BOT_TOKEN: z.string().regex(/^xoxb-/, { message: 'a bot token starting with xoxb-' }).optional(),
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_APP_TOKEN: z.string().regex(/^xapp-/, { message: 'an app-level token starting with xapp-' }).optional(),
  SLACK_API_URL: settingTypes.httpUrl.transform((v) => `${v}/`).default(DEFAULT_API_URL),
  SLACK_MODE: z.enum(['http', 'socket'], { message: 'accepted: http, socket' }).default('http'),
});

export const slackChannel = defineChannel({
  name: 'slack',
  settings,
  enabled: (values) => values.SLACK_BOT_TOKEN !== undefined,
  problems: (values) =>
    values.SLACK_BOT_TOKEN === undefined ? [] : requiredWith(values, 'Slack', 'SLACK_BOT_TOKEN', values.SLACK_MODE === 'socket' ? ['SLACK_APP_TOKEN'] : ['SLACK_SIGNING_SECRET']),
  receivesWebhooks: (values) => values.SLACK_MODE === 'http',
  create: (values, { logger }) =>
    createSlackAdapter(
      { botToken: values.SLACK_BOT_TOKEN!, signingSecret: values.SLACK_SIGNING_SECRET, appToken: values.SLACK_APP_TOKEN, apiUrl: values.SLACK_API_URL, mode: values.SLACK_MODE },
      logger,
    ),
});
