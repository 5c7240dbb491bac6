/**
 * How a channel registers itself: each bots/<channel>/index.ts exports a `ChannelModule` with its
 * name, the environment variables it reads (a zod object the configuration composes), when it is
 * enabled, what else it needs once enabled, and how to build its adapter. bots/index.ts lists
 * them; only the composition root reads that list.
 */
import type { Command } from 'commander';
import type { z } from 'zod';
import type { CliContext } from '../cli-context.js';
import type { CoreSettings } from '../config.js';
import type { Logger } from '../logger.js';
import type { OutboundMessage } from '../messages.js';
import type { ChannelAdapter } from './adapter.js';

/** What a message costs on a channel that bills by segment (SMS). */
export interface MessageCost {
  /** Characters as the recipient sees them. */
  characters: number;
  /** GSM-7 or UCS-2 on SMS. */
  encoding: string;
  /** Segments it is sent and billed as. */
  segments: number;
  /** Longer than the provider accepts in one message. */
  tooLong: boolean;
}

/** Measures a message for a channel. */
export type MeasureMessage = (message: OutboundMessage) => MessageCost;

/** What building an adapter may use besides the channel's own variables. */
export interface ChannelContext {
  logger: Logger;
  /** PUBLIC_URL, or http://localhost:PORT when unset. */
  publicUrl: string;
  core: CoreSettings;
}

export interface ChannelModule<S extends z.ZodObject = z.ZodObject> {
  /** As stored on messages and identities: console, telegram, sms, slack. */
  name: string;
  /** The channel's environment variables. */
  settings: S;
  /** Whether the channel is on (its credentials are set). */
  enabled(settings: z.output<S>, core: CoreSettings): boolean;
  /** For an enabled channel: what is missing or inconsistent, one line per problem. */
  problems?(settings: z.output<S>, core: CoreSettings): string[];
  /** Whether the enabled channel receives webhooks (production then requires PUBLIC_URL). */
  receivesWebhooks(settings: z.output<S>): boolean;
  create(settings: z.output<S>, context: ChannelContext): ChannelAdapter;
  /**
   * What a message costs on this channel, when it bills by segment. Known without the channel
   * being enabled, so a draft announcement shows its SMS cost before SMS is set up.
   */
  measure?: MeasureMessage;
  /** The channel's own CLI commands (e.g. `telegram webhook set`). */
  commands?(program: Command, cli: CliContext): void;
}

/** Declares a channel module, keeping its settings type through the list. */
export function defineChannel<S extends z.ZodObject>(module: ChannelModule<S>): ChannelModule<S> {
  return module;
}

/** `required when X is set` lines for the variables of `needed` that are unset. */
export function requiredWith(settings: Record<string, unknown>, channel: string, present: string, needed: string[]): string[] {
  return needed.filter((name) => settings[name] === undefined).map((name) => `${name}: required when ${present} is set (${channel} channel)`);
}
