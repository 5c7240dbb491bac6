/**
 * Broadcast operations: create (with its estimate), approve or reject (a second person), schedule
 * (now or later), cancel, and read progress. Every refusal is a BroadcastError carrying the HTTP
 * status and details the admin API returns; nothing is stored for a refused request.
 */
import { z } from 'zod';
import { HttpError, parseInput } from '../admin/errors.js';
import type { Principal } from '../admin/tokens.js';
import type { Runtime } from '../capability.js';
import type { Db } from '../db/client.js';
import { jobId } from '../jobs/queues.js';
import { defineTimer } from '../jobs/timers.js';
import { AreaTree } from '../areas/tree.js';
import type { AudienceSpec, Dialect } from './audience.js';
import { estimate, type Estimate } from './estimate.js';
import { fanoutJobId, priorityOf } from './fanout.js';
import { announcementOf, broadcastView, specOf, type BroadcastRow } from './model.js';
import { topicName } from './keywords.js';
import { FEEDBACK_MODES, type Announcement } from './render.js';
import type { BroadcastSettings, QuietHours } from './settings.js';
import { auditId } from '../audit-ids.js';

/** A refused broadcast request: answered with its status by the admin API's error boundary. */
export class BroadcastError extends HttpError {
  /** `code`: a stable machine code the console translates (default: from the status). */
  constructor(status: number, message: string, details: Record<string, unknown> = {}, code?: string) {
    super(status, message, details, code);
    this.name = 'BroadcastError';
  }
}

const language = z.string().regex(/^[a-z]{2,3}$/, { message: 'a language code such as en, fr, ar' });

export const audienceInput = z.strictObject({
  areaId: z.string().min(1).nullable().default(null),
  topic: z.string().min(1).nullable().default(null),
  languages: z.array(language).default([]),
  channels: z.array(z.string().min(1)).default([]),
});

export const broadcastInput = z.strictObject({
  title: z.string().trim().min(1).max(200),
  texts: z.record(language, z.string().trim().min(1).max(1600)).refine((t) => Object.keys(t).length > 0, { message: 'at least one text' }),
  /** Language of the fallback text; defaults to the gateway's default language. */
  defaultLanguage: language.optional(),
  /** Send the default language's text to recipients whose language has none (else refuse). */
  fallback: z.boolean().default(false),
  link: z.url({ protocol: /^https?$/ }).max(500).nullable().default(null),
  feedback: z.enum(FEEDBACK_MODES).default('none'),
  urgent: z.boolean().default(false),
  audience: audienceInput.default({ areaId: null, topic: null, languages: [], channels: [] }),
});
export type BroadcastInput = z.input<typeof broadcastInput>;

export interface BroadcastServiceDeps {
  runtime: Runtime;
  settings: BroadcastSettings;
  quietHours: QuietHours | null;
  now: () => Date;
  dialect: Dialect;
}

export interface Actor {
  tokenId: string;
  name: string;
  role: string;
  areaId: string | null;
}

export function actorOf(principal: Principal): Actor {
  return { tokenId: principal.tokenId, name: principal.name, role: principal.role, areaId: principal.areaId };
}

export class BroadcastService {
  constructor(private readonly deps: BroadcastServiceDeps) {}

  get db(): Db {
    return this.deps.runtime.db;
  }

  /** How audience queries are written for this database. */
  get dialect(): Dialect {
    return this.deps.dialect;
  }

  /** The database the service works on (routes read progress through it). */
  get database(): Db {
    return this.deps.runtime.db;
  }

  /** The topics an audience may name, each with its name per language (broadcasts.json `topics.<id>.name`). */
  topics(): { id: string; names: Record<string, string> }[] {
    const { translator } = this.deps.runtime;
    return this.deps.settings.BROADCAST_TOPICS.map((id) => ({ id, names: Object.fromEntries(translator.languages.map((lng) => [lng, topicName(translator, lng, id)])) }));
  }

  /** Refuses an area outside the actor's scope (an area-scoped token sees its area and below). */
  inScope(actor: Actor, areaId: string | null, tree: AreaTree): boolean {
    return actor.areaId === null || (areaId !== null && tree.within(areaId, actor.areaId));
  }

  private async load(actor: Actor, id: string): Promise<{ row: BroadcastRow; tree: AreaTree }> {
    const row = await this.db.broadcast.findUnique({ where: { id } });
    const tree = await AreaTree.load(this.db);
    if (!row || !this.inScope(actor, row.areaId, tree)) throw new BroadcastError(404, 'no such broadcast');
    return { row, tree };
  }

  async estimateFor(spec: AudienceSpec, announcement: Announcement, urgent: boolean, tree?: AreaTree): Promise<Estimate> {
    const { runtime, settings, quietHours, dialect } = this.deps;
    return estimate(
      { db: runtime.db, translator: runtime.translator, adapters: runtime.adapters, measures: runtime.measures, settings, quietHours, tree: tree ?? (await AreaTree.load(runtime.db)), now: this.deps.now(), dialect },
      spec,
      announcement,
      urgent,
    );
  }

  /** Checks an input and estimates it; throws BroadcastError on anything that would be refused. */
  async check(actor: Actor, raw: unknown): Promise<{ input: z.output<typeof broadcastInput>; estimate: Estimate; tree: AreaTree; defaultLanguage: string }> {
    const input = parseInput(broadcastInput, raw);
    const { runtime, settings } = this.deps;
    const tree = await AreaTree.load(this.db);
    const audience = input.audience;
    if (audience.areaId !== null && !tree.has(audience.areaId)) throw new BroadcastError(400, `unknown area "${audience.areaId}"`, {}, 'unknown_area');
    if (!this.inScope(actor, audience.areaId, tree)) {
      throw new BroadcastError(403, `this token is limited to area "${actor.areaId}": choose that area or one below it`, {}, 'out_of_area');
    }
    if (audience.topic !== null && !settings.BROADCAST_TOPICS.includes(audience.topic)) {
      throw new BroadcastError(400, `unknown topic "${audience.topic}"; topics: ${settings.BROADCAST_TOPICS.join(', ')}`, { topics: settings.BROADCAST_TOPICS }, 'unknown_topic');
    }
    const unknownChannels = audience.channels.filter((c) => !runtime.adapters.has(c));
    if (unknownChannels.length > 0) {
      throw new BroadcastError(400, `channel not running: ${unknownChannels.join(', ')}; running: ${[...runtime.adapters.keys()].join(', ')}`, { channels: unknownChannels }, 'channel_not_running');
    }
    const defaultLanguage = input.defaultLanguage ?? runtime.translator.defaultLanguage;
    if (!input.texts[defaultLanguage]) {
      throw new BroadcastError(400, `no text in the default language "${defaultLanguage}"; it is the fallback and must be given`, { language: defaultLanguage }, 'no_fallback_text');
    }
    const announcement: Announcement = { texts: input.texts, defaultLanguage, fallback: input.fallback, link: input.link, feedback: input.feedback };
    const result = await this.estimateFor(audience, announcement, input.urgent, tree);
    const tooLong = Object.entries(result.sms).filter(([, m]) => m.tooLong).map(([l]) => l);
    if (tooLong.length > 0 && (result.byChannel.sms ?? 0) > 0) {
      throw new BroadcastError(422, `SMS text too long in: ${tooLong.join(', ')}`, { sms: result.sms, languages: tooLong }, 'sms_too_long');
    }
    if (!input.fallback && result.missingTotal > 0) {
      throw new BroadcastError(
        422,
        `${result.missingTotal} recipients speak a language with no text (${Object.entries(result.missingLanguage).map(([l, n]) => `${l}: ${n}`).join(', ')}); add texts or allow the fallback to "${defaultLanguage}"`,
        { affected: result.missingTotal, missingLanguage: result.missingLanguage },
        'missing_texts',
      );
    }
    if (result.audience === 0) throw new BroadcastError(422, 'the audience is empty: nobody matches the area, topic, languages and channels', {}, 'empty_audience');
    return { input, estimate: result, tree, defaultLanguage };
  }

  /** Whether a role may send to an audience of this size without a second approval. */
  exempt(role: string, audience: number): boolean {
    const max = this.deps.settings.BROADCAST_APPROVAL_EXEMPT[role];
    return max !== undefined && audience <= max;
  }

  async create(actor: Actor, raw: unknown, extra: { source?: string; rumourId?: string } = {}) {
    const { input, estimate: result, defaultLanguage } = await this.check(actor, raw);
    const exempt = this.exempt(actor.role, result.audience);
    const now = this.deps.now();
    const row = await this.db.broadcast.create({
      data: {
        title: input.title,
        texts: JSON.stringify(input.texts),
        defaultLanguage,
        fallback: input.fallback,
        link: input.link,
        feedback: input.feedback,
        urgent: input.urgent,
        areaId: input.audience.areaId,
        topic: input.audience.topic,
        languages: input.audience.languages.join(','),
        channels: input.audience.channels.join(','),
        status: exempt ? 'approved' : 'pending_approval',
        source: extra.source ?? 'staff',
        rumourId: extra.rumourId ?? null,
        createdBy: actor.tokenId,
        createdByName: actor.name,
        createdByRole: actor.role,
        approvedAt: exempt ? now : null,
        approvedByName: exempt ? `not required (${actor.role}, ${result.audience} recipients)` : null,
        audienceSize: result.audience,
      },
    });
    await this.audit(actor, 'broadcast.create', row.id, { audience: result.audience, exempt });
    return { broadcast: broadcastView(row), estimate: result, approvalRequired: !exempt };
  }

  async estimateOf(actor: Actor, id: string) {
    const { row, tree } = await this.load(actor, id);
    return { broadcast: broadcastView(row), estimate: await this.estimateFor(specOf(row), announcementOf(row), row.urgent, tree) };
  }

  async approve(actor: Actor, id: string) {
    const { row, tree } = await this.load(actor, id);
    if (row.status !== 'pending_approval') throw new BroadcastError(409, `the broadcast is ${row.status}, not waiting for approval`, { status: row.status }, 'not_waiting');
    if (row.createdBy === actor.tokenId) throw new BroadcastError(403, 'the creator of a broadcast cannot approve it: a second person must', {}, 'own_broadcast');
    const result = await this.estimateFor(specOf(row), announcementOf(row), row.urgent, tree);
    if (result.audience === 0) throw new BroadcastError(422, 'the audience is empty now: nothing to approve', {}, 'empty_audience');
    if (!row.fallback && result.missingTotal > 0) {
      throw new BroadcastError(422, `${result.missingTotal} recipients now speak a language with no text`, { affected: result.missingTotal, missingLanguage: result.missingLanguage }, 'missing_texts');
    }
    const now = this.deps.now();
    const moved = await this.db.broadcast.updateMany({
      where: { id, status: 'pending_approval' },
      data: { status: 'approved', approvedBy: actor.tokenId, approvedByName: actor.name, approvedAt: now, audienceSize: result.audience },
    });
    if (moved.count === 0) throw new BroadcastError(409, 'the broadcast changed meanwhile; reload it', {}, 'changed');
    await this.audit(actor, 'broadcast.approve', id, { audience: result.audience });
    let updated = await this.db.broadcast.findUniqueOrThrow({ where: { id } });
    // A time asked for before approval is kept: the broadcast is scheduled for it now.
    if (updated.scheduledAt) updated = await this.scheduleRow(updated, updated.scheduledAt < now ? now : updated.scheduledAt);
    return { broadcast: broadcastView(updated), estimate: result };
  }

  async reject(actor: Actor, id: string, reason: string) {
    const { row } = await this.load(actor, id);
    if (row.status !== 'pending_approval') throw new BroadcastError(409, `the broadcast is ${row.status}, not waiting for approval`, { status: row.status }, 'not_waiting');
    if (row.createdBy === actor.tokenId) throw new BroadcastError(403, 'the creator of a broadcast cannot reject it; cancel it instead', {}, 'own_broadcast');
    await this.db.broadcast.update({ where: { id }, data: { status: 'rejected', rejectedReason: reason } });
    await this.audit(actor, 'broadcast.reject', id, { reason });
    return broadcastView(await this.db.broadcast.findUniqueOrThrow({ where: { id } }));
  }

  /**
   * Sends now (no time) or at a time. Before approval the time is kept and the broadcast goes
   * out at it once approved; after approval it is scheduled at once. A time in the past is refused.
   */
  async schedule(actor: Actor, id: string, at: Date | null) {
    const { row } = await this.load(actor, id);
    const now = this.deps.now();
    if (at && at.getTime() < now.getTime()) throw new BroadcastError(400, `the time ${at.toISOString()} is in the past (now ${now.toISOString()})`, {}, 'time_in_past');
    if (row.status === 'pending_approval') {
      await this.db.broadcast.update({ where: { id }, data: { scheduledAt: at ?? now } });
      await this.audit(actor, 'broadcast.schedule', id, { at: (at ?? now).toISOString(), pendingApproval: true });
      return broadcastView(await this.db.broadcast.findUniqueOrThrow({ where: { id } }));
    }
    if (row.status !== 'approved' && row.status !== 'scheduled') throw new BroadcastError(409, `the broadcast is ${row.status}; only an approved broadcast can be scheduled`, { status: row.status }, 'not_approved');
    const updated = await this.scheduleRow(row, at ?? now);
    await this.audit(actor, 'broadcast.schedule', id, { at: (at ?? now).toISOString() });
    return { ...broadcastView(updated), start: await this.startOf(row, at ?? now, now) };
  }

  /**
   * What starting at `at` means for the recipients: how many there are, and how many are in their
   * area's quiet hours then, held (a non-urgent announcement) until `heldUntil` (ISO 8601), when
   * the last of those quiet hours ends. Told only for a start now; a later time is not estimated.
   */
  private async startOf(row: BroadcastRow, at: Date, now: Date): Promise<{ at: string; audience: number | null; held: number; heldUntil: string | null }> {
    if (at.getTime() > now.getTime() || row.urgent) return { at: at.toISOString(), audience: row.audienceSize, held: 0, heldUntil: null };
    const result = await this.estimateFor(specOf(row), announcementOf(row), row.urgent);
    return { at: at.toISOString(), audience: result.audience, held: result.inQuietHoursNow, heldUntil: result.quietUntil };
  }

  private async scheduleRow(row: BroadcastRow, at: Date): Promise<BroadcastRow> {
    const { queues } = this.deps.runtime;
    // The new time is stored before the old timer goes, so a sweep in between restores the new one.
    const moved = await this.db.broadcast.updateMany({ where: { id: row.id, status: { in: ['approved', 'scheduled'] } }, data: { status: 'scheduled', scheduledAt: at } });
    if (moved.count === 0) throw new BroadcastError(409, 'the broadcast changed meanwhile; reload it', {}, 'changed');
    if (row.status === 'scheduled') await queues.cancel(fanoutJobId(row.id));
    const delay = Math.max(0, at.getTime() - this.deps.now().getTime());
    await queues.schedule(fanoutJobId(row.id), FANOUT_TIMER.data({ broadcastId: row.id }), new Date(Date.now() + delay));
    return this.db.broadcast.findUniqueOrThrow({ where: { id: row.id } });
  }

  /**
   * Cancels a broadcast: nothing more is written, queued messages are marked cancelled (the
   * outbound worker skips them) and their jobs removed. What went out already stays sent.
   */
  async cancel(actor: Actor, id: string) {
    const { row } = await this.load(actor, id);
    if (row.status === 'cancelled' || row.status === 'rejected') throw new BroadcastError(409, `the broadcast is ${row.status} already`, { status: row.status }, 'already_closed');
    const now = this.deps.now();
    await this.db.broadcast.updateMany({ where: { id, status: row.status }, data: { status: 'cancelled', cancelledAt: now } });
    await this.deps.runtime.queues.cancel(fanoutJobId(id));
    const removed = await cancelQueued(this.deps.runtime, id);
    await this.audit(actor, 'broadcast.cancel', id, { cancelledMessages: removed });
    return { broadcast: broadcastView(await this.db.broadcast.findUniqueOrThrow({ where: { id } })), cancelledMessages: removed };
  }

  async audit(actor: Actor, action: string, subjectId: string, detail: Record<string, unknown>, subjectType = 'broadcast'): Promise<void> {
    await this.db.auditEntry.create({ data: { id: auditId(), actor: `${actor.name} (${actor.tokenId})`, action, subjectType, subjectId, detail: JSON.stringify(detail) } });
  }
}

/** The `broadcast-fanout` timer: runs or resumes the fan-out of one broadcast. */
export const FANOUT_TIMER = defineTimer('broadcast-fanout', z.object({ broadcastId: z.string().min(1) }));

/** Marks the queued messages of a broadcast cancelled and removes their send jobs. */
export async function cancelQueued(runtime: Pick<Runtime, 'db' | 'queues'>, broadcastId: string): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await runtime.db.message.findMany({ where: { broadcastId, status: 'queued' }, take: 2000, select: { id: true, channel: true } });
    if (rows.length === 0) return total;
    const result = await runtime.db.message.updateMany({
      where: { id: { in: rows.map((r) => r.id) }, status: 'queued' },
      data: { status: 'cancelled', errorCode: 'cancelled', errorMessage: 'the broadcast was cancelled' },
    });
    total += result.count;
    // Removing jobs is tidiness: a job left behind finds its message cancelled and sends nothing.
    await Promise.all(rows.map((r) => runtime.queues.outbound(r.channel).remove(jobId('out', r.id)).catch(() => 0)));
  }
}

export { priorityOf };
