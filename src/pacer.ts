/**
 * Even pacing of a channel's sends, shared by every process through Redis. Each send takes the
 * next free slot (`interval` after the previous one, by Redis's clock) and waits for it, so the
 * provider sees sends evenly spaced: never more than the channel's limit in any window, whatever
 * the jitter of the work before the send. Slots are 5% longer than the limit allows, which
 * absorbs up to 5% of a second of timer jitter before a window could hold one send too many.
 */
import type { Redis } from 'ioredis';
import type { ChannelRate } from './channels/adapter.js';

/** Returns how many ms to wait for the slot taken now. */
const TAKE_SLOT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local interval = tonumber(ARGV[1])
local slot = math.max(now, last + interval)
redis.call('SET', KEYS[1], slot, 'PX', math.floor(slot - now + interval + 60000))
return slot - now
`;

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

  /** Waits for this send's slot. */
  async wait(): Promise<void> {
    const delay = Number(await this.redis.eval(TAKE_SLOT, 1, this.key, this.intervalMs));
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
