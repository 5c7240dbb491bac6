/**
 * What the core reports as it works, for whoever watches it (the metrics capability counts it).
 * A capability hands back an `Observer`; the composition root combines them and gives the result
 * to the webhook routes and the workers. Every argument is a channel name, a queue name, a fixed
 * outcome word or a duration: never an address, a person's id, a text or a case code.
 */

/** What became of one event of a webhook. */
export type InboundOutcome = 'queued' | 'duplicate' | 'invalid_signature' | 'malformed' | 'rate_limited';

/**
 * What became of one try to send an outbound message:
 * sent (handed to the provider), reconciled (an interrupted send found at the provider),
 * retry (transient failure, tried again later), rate_limited (the provider said wait),
 * failed (given up: retries used up, rejected, the contact erased or opted out),
 * unconfirmed (an interrupted send the provider cannot tell about; left for a person).
 */
export type OutboundOutcome = 'sent' | 'reconciled' | 'retry' | 'rate_limited' | 'failed' | 'unconfirmed';

export interface Observer {
  /** One inbound event of a webhook (stored and queued, a repeated delivery) or a refused webhook. */
  inbound?(channel: string, outcome: InboundOutcome): void;
  /** An inbound message run through the pipeline by a worker. */
  processed?(channel: string): void;
  /** The outcome of one try to send. */
  outbound?(channel: string, outcome: OutboundOutcome): void;
  /** A reply handed to the provider `seconds` after the message it answers was received. */
  replyLatency?(channel: string, seconds: number): void;
  /** A send held `seconds` by its channel's pacer before it could leave (0 when not held). */
  paced?(channel: string, seconds: number): void;
  /** A try of a job of `queue` failed (it may be retried). */
  jobFailed?(queue: string): void;
  /**
   * A transaction of the inbound worker with `messages` messages ended: committed, or rolled back
   * (a group, then run again message by message).
   */
  inboundGroup?(messages: number, committed: boolean): void;
}

/** Every observer method, each call passed to all of `observers`. */
export type Observations = Required<Observer>;

export function combineObservers(observers: Observer[]): Observations {
  const each =
    <K extends keyof Observer>(key: K) =>
    (...args: Parameters<NonNullable<Observer[K]>>) => {
      for (const observer of observers) (observer[key] as ((...a: unknown[]) => void) | undefined)?.(...args);
    };
  return {
    inbound: each('inbound'),
    processed: each('processed'),
    outbound: each('outbound'),
    replyLatency: each('replyLatency'),
    paced: each('paced'),
    jobFailed: each('jobFailed'),
    inboundGroup: each('inboundGroup'),
  };
}

/** Observes nothing (tools and tests that start parts without a gateway). */
export const NO_OBSERVER: Observations = combineObservers([]);
