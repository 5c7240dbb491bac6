/**
 * Long polling (TELEGRAM_MODE=polling), for deployments without a public URL. The SDK's Bot polls
 * getUpdates (after deleting any webhook, as Telegram allows only one of the two) and hands each
 * update to `receive`, the same parse path the webhook uses; the events go to the sink.
 *
 * Updates are handled one at a time. When the sink fails (the queue is down), the same update is
 * offered again with a growing pause (up to 30 s) until it is taken or polling stops, so a
 * failing sink holds polling back instead of dropping updates.
 */
import { Bot } from 'grammy';
import type { Logger } from 'pino';
import type { InboundEvent, InboundSink } from '../../src/channels/adapter.js';
import type { ResolvedTelegramOptions } from './options.js';
import { TELEGRAM_ALLOWED_UPDATES } from './webhook-setup.js';

const MAX_SINK_PAUSE_MS = 30_000;

export class TelegramPolling {
  private bot?: Bot;
  private loop?: Promise<void>;
  private stopping = false;
  private wake?: () => void;

  constructor(
    private readonly options: ResolvedTelegramOptions,
    private readonly receive: (update: unknown) => Promise<InboundEvent[]>,
    private readonly logger: Logger,
  ) {}

  /**
   * Resolves once polling runs (the SDK has called getMe and deleteWebhook; it retries those while
   * Telegram is unreachable). Rejects when Telegram refuses the token.
   */
  async start(sink: InboundSink): Promise<void> {
    if (this.bot !== undefined) return;
    this.stopping = false;
    const bot = new Bot(this.options.botToken, {
      client: { apiRoot: this.options.apiRoot, timeoutSeconds: this.options.pollingTimeoutSeconds + this.options.requestTimeoutSeconds },
    });
    bot.use(async (ctx) => {
      const events = await this.receive(ctx.update);
      if (events.length > 0) await this.offer(sink, events, ctx.update.update_id);
    });
    bot.catch((error) => {
      this.logger.error({ updateId: error.ctx.update.update_id, err: describeSinkError(error.error) }, 'telegram update not delivered');
    });
    this.bot = bot;
    await new Promise<void>((resolve, reject) => {
      this.loop = bot
        .start({
          allowed_updates: [...TELEGRAM_ALLOWED_UPDATES],
          timeout: this.options.pollingTimeoutSeconds,
          onStart: () => {
            this.logger.info('telegram polling started');
            resolve();
          },
        })
        .catch((error: unknown) => {
          this.logger.error({ err: describe(error) }, 'telegram polling stopped on an error');
          this.bot = undefined;
          reject(error instanceof Error ? error : new Error(String(error)));
        });
    });
  }

  /** Stops polling, confirms the updates handled so far to Telegram, and waits for the last one. */
  async stop(): Promise<void> {
    const bot = this.bot;
    if (bot === undefined) return;
    this.stopping = true;
    this.wake?.();
    try {
      await bot.stop();
    } catch (error) {
      this.logger.warn({ err: describe(error) }, 'telegram polling: could not confirm the last update');
    }
    await this.loop;
    this.bot = undefined;
    this.loop = undefined;
  }

  private async offer(sink: InboundSink, events: InboundEvent[], updateId: number): Promise<void> {
    let pauseMs = 500;
    for (;;) {
      try {
        await sink(events);
        return;
      } catch (error) {
        if (this.stopping) throw error;
        this.logger.warn({ updateId, err: describeSinkError(error), retryInMs: pauseMs }, 'telegram update refused by the sink, retrying');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pauseMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
        if (this.stopping) throw error;
        pauseMs = Math.min(pauseMs * 2, MAX_SINK_PAUSE_MS);
      }
    }
  }
}

/** Name and code only: the core's errors (database, queue) may quote the values they were given. */
function describeSinkError(error: unknown): { name: string; code?: string } {
  if (!(error instanceof Error)) return { name: typeof error };
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? { name: error.name, code } : { name: error.name };
}

/** Name and message only: SDK errors may hold the request payload or a URL with the token. */
function describe(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}
