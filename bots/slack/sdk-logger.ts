/**
 * A logger for the Slack SDK that forwards only its warnings and errors, as plain text, to our
 * pino logger. The SDK's debug output contains request bodies (addresses, message texts), so
 * debug and info lines are dropped and object arguments are reduced to their error name.
 */
import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from 'pino';

export function sdkLogger(logger: Logger): SlackLogger {
  const line = (parts: unknown[]): string =>
    parts.map((part) => (typeof part === 'string' ? part : part instanceof Error ? part.name : typeof part)).join(' ');
  return {
    debug: () => {},
    info: () => {},
    warn: (...parts: unknown[]) => logger.warn({ sdk: 'slack' }, line(parts)),
    error: (...parts: unknown[]) => logger.error({ sdk: 'slack' }, line(parts)),
    setLevel: () => {},
    getLevel: () => LogLevel.WARN,
    setName: () => {},
  };
}
