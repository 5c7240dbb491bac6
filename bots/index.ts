/**
 * The channels the gateway can speak, in the order they are built. Adding a channel means one
 * folder under bots/ whose index.ts exports a ChannelModule (src/channels/module.ts), and one
 * entry here. Only the composition root (src/gateway.ts, src/cli.ts) imports this list.
 */
import type { ChannelModule } from '../src/channels/module.js';
import { consoleChannel } from './console/index.js';
import { slackChannel } from './slack/index.js';
import { telegramChannel } from './telegram/index.js';
import { twilioSmsChannel } from './twilio-sms/index.js';

export const CHANNELS: ChannelModule[] = [consoleChannel, telegramChannel, twilioSmsChannel, slackChannel] as ChannelModule[];
