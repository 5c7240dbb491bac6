/**
 * Structured JSON logs (pino). Personal data never reaches a log line: the fields that could hold
 * it are redacted by name, and code logs ids (contact id, message id), never addresses or texts.
 */
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** Field names whose values are replaced by [redacted] wherever they appear (two levels deep). */
const PERSONAL_FIELDS = ['address', 'phone', 'from', 'to', 'From', 'To', 'Body', 'body', 'text', 'chatId', 'chat_id', 'authorization', 'token'];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const paths = PERSONAL_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);
  return pino({ level, redact: { paths, censor: '[redacted]' }, base: { service: 'gateway' } }, destination);
}
