import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Pacer, slotInterval } from '../../src/outbound/pacer.js';

const redis = new Redis(inject('redisUrl'));
afterAll(() => redis.disconnect());

describe('pacer', () => {
  it('makes slots 5% longer than the limit allows', () => {
    expect(slotInterval({ max: 30, durationMs: 1000 })).toBe(35);
    expect(slotInterval({ max: 1, durationMs: 1000 })).toBe(1050);
    expect(slotInterval({ max: 4, durationMs: 1000 })).toBe(263);
  });

  it('spaces concurrent sends evenly, across pacers sharing a key', async () => {
    const key = `test:pace:${Date.now()}`;
    const rate = { max: 20, durationMs: 1000 };
    const a = new Pacer(redis, key, rate);
    const b = new Pacer(new Redis(inject('redisUrl')), key, rate);
    const times: number[] = [];
    await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).wait().then(() => times.push(performance.now()))));
    times.sort((x, y) => x - y);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // 53 ms slots; a timer may fire a few ms late but never early.
    expect(Math.min(...gaps)).toBeGreaterThan(40);
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(11 * 53 - 15);
  });
});
