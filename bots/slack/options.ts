/**
 * Options of the Slack adapter. The core maps its environment config onto them:
 * SLACK_BOT_TOKEN → botToken, SLACK_SIGNING_SECRET → signingSecret, SLACK_APP_TOKEN → appToken,
 * SLACK_API_URL → apiUrl, SLACK_MODE → mode.
 */
import type { ChannelRate } from '../../src/channels/adapter.js';

export type SlackMode = 'http' | 'socket';

export interface SlackOptions {
  /** Bot user OAuth token (`xoxb-...`). Secret. */
  botToken: string;
  /**
   * The app's signing secret, which signs every Events API and interaction request.
   * Required in http mode; without it every webhook would be refused.
   */
  signingSecret?: string;
  /** App-level token (`xapp-...`, scope connections:write). Required in socket mode. */
  appToken?: string;
  /** Base URL of the Web API, ending in a slash. Default https://slack.com/api/. Tests point it at a local fake. */
  apiUrl?: string;
  /**
   * `http` (default): events on POST /webhooks/slack/events, button presses on
   * POST /webhooks/slack/interactions. `socket`: no public URL needed; `start(sink)` opens a
   * Socket Mode connection and the adapter serves no route.
   */
  mode?: SlackMode;
  /**
   * Outbound pace. Default 4 messages per 1000 ms across the workspace and 1000 ms between two
   * messages to one address: Slack allows about one message per second per channel and a
   * workspace-wide limit it does not publish beyond "several hundred per minute".
   */
  rate?: ChannelRate;
  /** Longest one Web API call may take before it counts as a network failure, in ms. Default 10000. */
  requestTimeoutMs?: number;
  /** The clock signatures are checked against, in ms since the epoch. Default Date.now. Tests inject one. */
  now?: () => number;
}

/** The options with every default filled in. */
export interface ResolvedSlackOptions {
  botToken: string;
  signingSecret?: string;
  appToken?: string;
  apiUrl: string;
  mode: SlackMode;
  rate: ChannelRate;
  requestTimeoutMs: number;
  now: () => number;
}

export const DEFAULT_API_URL = 'https://slack.com/api/';
export const DEFAULT_RATE: ChannelRate = { max: 4, durationMs: 1000, perAddressGapMs: 1000 };

/** Fills in defaults and refuses options that cannot work in the chosen mode. */
export function resolveSlackOptions(options: SlackOptions): ResolvedSlackOptions {
  if (options.botToken.trim() === '') throw new Error('Slack: botToken is empty');
  const mode = options.mode ?? 'http';
  if (mode === 'http' && !options.signingSecret) throw new Error('Slack: signingSecret is required in http mode');
  if (mode === 'socket' && !options.appToken) throw new Error('Slack: appToken is required in socket mode');
  const apiUrl = options.apiUrl ?? DEFAULT_API_URL;
  return {
    botToken: options.botToken,
    signingSecret: options.signingSecret,
    appToken: options.appToken,
    // The client appends the method name directly.
    apiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`,
    mode,
    rate: options.rate ?? DEFAULT_RATE,
    requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
    now: options.now ?? Date.now,
  };
}
