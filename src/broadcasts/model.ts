/** The stored broadcast and how its columns read as an announcement and an audience. */
import type { Broadcast } from '../db/generated/sqlite/client.js';
import type { AudienceSpec } from './audience.js';
import { FEEDBACK_MODES, type Announcement, type FeedbackMode } from './render.js';

export type BroadcastRow = Broadcast;

export const BROADCAST_STATUSES = ['pending_approval', 'approved', 'rejected', 'scheduled', 'sending', 'dispatched', 'cancelled'] as const;
export type BroadcastStatus = (typeof BROADCAST_STATUSES)[number];

export function list(text: string): string[] {
  return text.split(',').map((v) => v.trim()).filter(Boolean);
}

export function announcementOf(row: BroadcastRow): Announcement {
  const feedback = (FEEDBACK_MODES as readonly string[]).includes(row.feedback) ? (row.feedback as FeedbackMode) : 'none';
  return { texts: JSON.parse(row.texts) as Record<string, string>, defaultLanguage: row.defaultLanguage, fallback: row.fallback, link: row.link, feedback };
}

export function specOf(row: BroadcastRow): AudienceSpec {
  return { areaId: row.areaId, topic: row.topic, languages: list(row.languages), channels: list(row.channels) };
}

/** The broadcast as the admin API and CLI show it. */
export function broadcastView(row: BroadcastRow) {
  return {
    id: row.id,
    title: row.title,
    status: row.status,
    source: row.source,
    rumourId: row.rumourId,
    texts: JSON.parse(row.texts) as Record<string, string>,
    defaultLanguage: row.defaultLanguage,
    fallback: row.fallback,
    link: row.link,
    feedback: row.feedback,
    urgent: row.urgent,
    audience: specOf(row),
    createdBy: { tokenId: row.createdBy, name: row.createdByName, role: row.createdByRole },
    approvedBy: row.approvedAt ? { tokenId: row.approvedBy, name: row.approvedByName, at: row.approvedAt } : null,
    rejectedReason: row.rejectedReason,
    scheduledAt: row.scheduledAt,
    startedAt: row.startedAt,
    dispatchedAt: row.dispatchedAt,
    cancelledAt: row.cancelledAt,
    audienceSize: row.audienceSize,
    written: row.written,
    skipped: row.skipped,
    createdAt: row.createdAt,
  };
}
