/**
 * Socket Mode: Slack pushes events and interactions over a WebSocket the app opens with its
 * app-level token, so no public URL is needed. Payloads go through the same parsing as the
 * HTTP routes.
 *
 * Acknowledgement: the SDK acknowledges Events API envelopes before our code runs (Slack does
 * not redeliver them after that); interactions are acknowledged only after the sink stored them.
 */
import { App, SocketModeReceiver, webApi, type AnyMiddlewareArgs } from '@slack/bolt';
import type { Logger } from 'pino';
import type { InboundSink, WebhookResult } from '../../src/channels/adapter.js';
import { parseEventCallback, parseInteractionPayload } from './inbound.js';
import { sdkLogger } from './sdk-logger.js';

export interface SlackSocketOptions {
  botToken: string;
  appToken: string;
  apiUrl: string;
}

/** One Socket Mode connection, opened by start() and closed by stop(). */
export class SlackSocket {
  private app: App | undefined;
  private receiver: SocketModeReceiver | undefined;

  constructor(
    private readonly options: SlackSocketOptions,
    private readonly client: webApi.WebClient,
    private readonly logger: Logger,
  ) {}

  /** Checks the bot token (auth.test), then connects and feeds every parsed event to `sink`. */
  async start(sink: InboundSink): Promise<void> {
    if (this.app) return;
    const { botToken, appToken, apiUrl } = this.options;
    let identity: webApi.AuthTestResponse;
    try {
      identity = await this.client.auth.test();
    } catch (error) {
      const code = error instanceof webApi.WebAPIPlatformError ? error.data.error : (error as Error).message;
      throw new Error(`Slack: auth.test failed for the bot token (${code})`, { cause: error });
    }
    const slackLogger = sdkLogger(this.logger);
    const clientOptions = { slackApiUrl: apiUrl };
    const receiver = new SocketModeReceiver({ appToken, logger: slackLogger, installerOptions: { clientOptions } });
    const app = new App({
      token: botToken,
      // Known from auth.test above, so the SDK does not call it again per event.
      botId: identity.bot_id,
      botUserId: identity.user_id,
      receiver,
      logger: slackLogger,
      clientOptions,
    });
    app.use(async (args) => {
      await this.deliver(args, sink);
    });
    await app.start();
    this.app = app;
    this.receiver = receiver;
    this.logger.info('Slack socket mode connected');
  }

  /** Closes the connection and waits until the close handshake is done. */
  async stop(): Promise<void> {
    const receiver = this.receiver;
    this.app = undefined;
    this.receiver = undefined;
    if (receiver) await receiver.client.disconnect();
  }

  private async deliver(args: AnyMiddlewareArgs, sink: InboundSink): Promise<void> {
    const body: unknown = args.body;
    const ack = (args as { ack?: () => Promise<void> }).ack;
    let result: WebhookResult;
    try {
      result = (body as { type?: unknown }).type === 'event_callback' ? parseEventCallback(body) : parseInteractionPayload(body);
    } catch (error) {
      this.logger.warn({ err: (error as Error).name }, 'Slack socket payload not understood');
      await ack?.();
      return;
    }
    try {
      if (result.events && result.events.length > 0) await sink(result.events);
      await ack?.();
    } catch (error) {
      // Not acknowledged: the person sees that the press did not go through and can press again.
      this.logger.error({ err: (error as Error).name }, 'Slack socket events could not be stored');
    }
  }
}
