/** The Telegram channel as the gateway registers it: its variables, when it is on, its adapter and CLI. */
import { z } from 'zod';
import { defineChannel, requiredWith } from '../../src/channels/module.js';
import { settingTypes } from '../../src/config.js';
import { createTelegramAdapter } from './adapter.js';
import { DEFAULT_API_ROOT, type TelegramOptions } from './options.js';
import { registerTelegramWebhook, telegramWebhookInfo } from './webhook-setup.js';

const settings = z.object({
  TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[A-Za-z0-9_-]+$/, { message: 'the token from @BotFather, <digits>:<letters>' }).optional(),
  TELEGRAM_WEBHOOK_SECRET: z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, { message: '1-256 characters A-Z a-z 0-9 _ -' }).optional(),
  TELEGRAM_API_ROOT: settingTypes.httpUrl.default(DEFAULT_API_ROOT),
  TELEGRAM_MODE: z.enum(['webhook', 'polling'], { message: 'accepted: webhook, polling' }).default('webhook'),
});

function options(values: z.output<typeof settings>): TelegramOptions {
  if (!values.TELEGRAM_BOT_TOKEN) throw new Error('TELEGRAM_BOT_TOKEN is not set');
  return { botToken: values.TELEGRAM_BOT_TOKEN, webhookSecret: values.TELEGRAM_WEBHOOK_SECRET, apiRoot: values.TELEGRAM_API_ROOT, mode: values.TELEGRAM_MODE };
}

export const telegramChannel = defineChannel({
  name: 'telegram',
  settings,
  enabled: (values) => values.TELEGRAM_BOT_TOKEN !== undefined,
  problems: (values) =>
    values.TELEGRAM_BOT_TOKEN !== undefined && values.TELEGRAM_MODE === 'webhook' ? requiredWith(values, 'Telegram', 'TELEGRAM_BOT_TOKEN', ['TELEGRAM_WEBHOOK_SECRET']) : [],
  receivesWebhooks: (values) => values.TELEGRAM_MODE === 'webhook',
  create: (values, { logger }) => createTelegramAdapter(options(values), logger),
  commands(program, cli) {
    const values = () => settings.parse(cli.config().env);
    const webhook = program.command('telegram').description('Telegram channel').command('webhook');
    webhook
      .command('set')
      .description('register PUBLIC_URL/webhooks/telegram with the secret token')
      .action(async () => {
        const config = cli.config();
        if (!config.PUBLIC_URL) throw new Error('PUBLIC_URL is not set: Telegram must reach the gateway at a public https URL');
        console.log(JSON.stringify(await registerTelegramWebhook(options(values()), config.PUBLIC_URL), null, 2));
      });
    webhook.command('info').action(async () => {
      console.log(JSON.stringify(await telegramWebhookInfo(options(values())), null, 2));
    });
  },
});
