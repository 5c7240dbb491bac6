/**
 * The delivery timeline of a broadcast (src/broadcasts/delivery-timeline.ts), on the database the
 * suite runs on: messages counted in the second (or, past 15 minutes, the minute) they left by
 * their stored `sentAt`, delivered and failed ones when their report came (`updatedAt`), other
 * broadcasts' messages and unsent ones left out.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deliveryTimeline } from '../../src/broadcasts/delivery-timeline.js';
import { useTestDatabase } from '../support/database.js';

const database = useTestDatabase();
const timeline = (broadcastId: string) => deliveryTimeline(database().db, database().dialect, broadcastId);

/** One broadcast message: its status, when it left (null: not yet) and when it last changed. */
async function message(broadcastId: string, status: string, sentAt: string | null, updatedAt: string) {
  await database().db.message.create({
    data: {
      dedupeKey: `out:test:${randomUUID()}`,
      direction: 'out',
      channel: 'sms',
      bodyEnc: 'x',
      status,
      kind: 'broadcast',
      broadcastId,
      sentAt: sentAt ? new Date(sentAt) : null,
      updatedAt: new Date(updatedAt),
    },
  });
}

describe('delivery timeline', () => {
  it('counts per second when sending took less than 15 minutes', async () => {
    const id = randomUUID();
    await message(id, 'sent', '2026-03-01T07:00:00.100Z', '2026-03-01T07:00:00.100Z');
    await message(id, 'delivered', '2026-03-01T07:00:00.900Z', '2026-03-01T07:00:04.000Z');
    await message(id, 'failed', '2026-03-01T07:00:01.500Z', '2026-03-01T07:00:02.200Z');
    await message(id, 'queued', null, '2026-03-01T07:00:00.000Z');
    await message(randomUUID(), 'sent', '2026-03-01T07:00:00.500Z', '2026-03-01T07:00:00.500Z');
    expect(await timeline(id)).toEqual({
      bucket: 'second',
      points: [
        { at: '2026-03-01T07:00:00.000Z', sent: 2, delivered: 0, failed: 0 },
        { at: '2026-03-01T07:00:01.000Z', sent: 1, delivered: 0, failed: 0 },
        { at: '2026-03-01T07:00:02.000Z', sent: 0, delivered: 0, failed: 1 },
        { at: '2026-03-01T07:00:04.000Z', sent: 0, delivered: 1, failed: 0 },
      ],
    });
  });

  it('counts per minute when sending took longer', async () => {
    const id = randomUUID();
    await message(id, 'read', '2026-03-01T08:00:10.000Z', '2026-03-01T08:01:00.000Z');
    await message(id, 'undelivered', '2026-03-01T08:00:50.000Z', '2026-03-01T08:00:55.000Z');
    await message(id, 'sent', '2026-03-01T08:40:30.000Z', '2026-03-01T08:40:30.000Z');
    expect(await timeline(id)).toEqual({
      bucket: 'minute',
      points: [
        { at: '2026-03-01T08:00:00.000Z', sent: 2, delivered: 0, failed: 1 },
        { at: '2026-03-01T08:01:00.000Z', sent: 0, delivered: 1, failed: 0 },
        { at: '2026-03-01T08:40:00.000Z', sent: 1, delivered: 0, failed: 0 },
      ],
    });
  });

  it('is empty while nothing has left', async () => {
    const id = randomUUID();
    await message(id, 'queued', null, '2026-03-01T09:00:00.000Z');
    expect(await timeline(id)).toEqual({ bucket: 'second', points: [] });
  });
});
