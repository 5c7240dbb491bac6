/**
 * The context an inbound message carries through the pipeline. Middlewares read it, add to it,
 * and either call `next()` or stop the message there (an opt-out keyword stops it).
 */
import type { Db } from '../../db/client.js';
import type { Dialect } from '../../db/dialect.js';
import type { InboundMessage } from '../../messages.js';
import type { ActiveSession } from '../../conversation/step.js';
import type { OutboxEntry } from '../../outbound/outbox.js';

export interface InboundContext {
  tx: Db;
  /** For raw statements in `tx` (src/db/raw.ts). */
  dialect: Dialect;
  now: Date;
  /** The stored inbound message. */
  messageId: string;
  channel: string;
  contactId: string;
  /** The contact as read when the message was taken (its language, area and fields). */
  contact: { language: string | null; areaId: string | null; fields: string };
  identityId: string;
  /** Whether this identity had opted out before this message. */
  stopped: boolean;
  input: InboundMessage;
  /** Set by the language middleware. */
  language: string;
  /** Set by the session middleware. */
  session: ActiveSession | null;
  /** Replies to write to the outbox when the pipeline ends. */
  outbox: OutboxEntry[];
  afterCommit: (() => Promise<void>)[];
}

export type Middleware = (ctx: InboundContext, next: () => Promise<void>) => Promise<void>;

/** Runs middlewares in order; each decides whether the rest runs by calling next(). */
export function compose(middlewares: Middleware[]): (ctx: InboundContext) => Promise<void> {
  return async (ctx) => {
    const run = async (index: number): Promise<void> => {
      const middleware = middlewares[index];
      if (middleware) await middleware(ctx, () => run(index + 1));
    };
    await run(0);
  };
}
