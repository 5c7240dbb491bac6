/**
 * Even pacing of a channel's sends, shared by every process through Redis. A send may go when
 * the channel's previous send went at least one interval ago (by Redis's clock); it claims that
 * moment atomically, else it sleeps for the rest of the interval and asks again. Spacing is
 * measured between actual departures, so a timer that fires late never lets the next send crowd
 * in behind it. Intervals are 5% longer than the limit allows: a provider sees no more than its
 * limit in any window, even with some jitter between departure and arrival.
 */
import type { Redis } from 'ioredis';
import type { ChannelRate } from '../channels/adapter.js';
import { PACE_CLAIM, runScript } from '../redis/scripts.js';

export function slotInterval(rate: ChannelRate): number {
  return Math.ceil((rate.durationMs * 105) / (rate.max * 100));
}

export class Pacer {
  readonly intervalMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    rate: ChannelRate,
  ) {
    this.intervalMs = slotInterval(rate);
  }

  /** Resolves when this send may depart, with the time it was held (ms; 0 when it may go at once). */
  async wait(): Promise<number> {
    const started = performance.now();
    for (;;) {
      const delay = Number(await runScript(this.redis, PACE_CLAIM, [this.key], [this.intervalMs]));
      if (delay <= 0) return performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
