/**
 * The incidents' audit trail, in the core's append-only AuditEntry table: every state change
 * (routed, notified, escalated, acknowledged, re-triggered, resolved, verified, reassigned,
 * linked...) and every view of a report by staff. Rows are only ever created. Free text (notes,
 * questions, answers) is kept encrypted inside `detail` as `noteEnc`; exports leave it out.
 */
import type { Db } from '../db/client.js';
import type { PersonalData } from '../personal-data.js';
import { auditId } from '../audit-ids.js';

/** Who did something: `responder:<id>`, `token:<id>`, `user:<id>`, `cli:<name>` or `system`. */
export type Actor = string;

export const SYSTEM: Actor = 'system';

export interface AuditInput {
  actor: Actor;
  /** e.g. incident.acknowledged */
  action: string;
  subjectType?: 'incident' | 'committee' | 'responder';
  subjectId: string;
  detail?: Record<string, unknown>;
  at: Date;
}

/** Appends one entry; entries with the same `at` are read back in the order they were recorded. */
export async function record(db: Db, entry: AuditInput): Promise<void> {
  await db.auditEntry.create({
    data: {
      id: auditId(),
      actor: entry.actor,
      action: entry.action,
      subjectType: entry.subjectType ?? 'incident',
      subjectId: entry.subjectId,
      detail: JSON.stringify(entry.detail ?? {}),
      at: entry.at,
    },
  });
}

/** A note sealed for the audit detail. */
export function sealNote(personalData: PersonalData, note: string | undefined | null): { noteEnc?: string } {
  return note && note.trim() ? { noteEnc: personalData.encrypt(note.trim()) } : {};
}

export interface TimelineEntry {
  at: string;
  actor: Actor;
  actorName: string;
  action: string;
  detail: Record<string, unknown>;
}

/** Human names of actors (responder display names, token names). */
export async function actorNames(db: Db, actors: Actor[]): Promise<Map<Actor, string>> {
  const names = new Map<Actor, string>();
  const responderIds = actors.filter((a) => a.startsWith('responder:')).map((a) => a.slice('responder:'.length));
  const tokenIds = actors.filter((a) => a.startsWith('token:')).map((a) => a.slice('token:'.length));
  const userIds = actors.filter((a) => a.startsWith('user:')).map((a) => a.slice('user:'.length));
  if (userIds.length > 0) {
    for (const u of await db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, username: true } })) names.set(`user:${u.id}`, u.username);
  }
  if (responderIds.length > 0) {
    for (const r of await db.responder.findMany({ where: { id: { in: responderIds } }, select: { id: true, displayName: true } })) names.set(`responder:${r.id}`, r.displayName);
  }
  if (tokenIds.length > 0) {
    for (const t of await db.apiToken.findMany({ where: { id: { in: tokenIds } }, select: { id: true, name: true } })) names.set(`token:${t.id}`, t.name);
  }
  for (const actor of actors) {
    if (names.has(actor)) continue;
    if (actor.startsWith('cli:')) names.set(actor, `${actor.slice(4)} (command line)`);
    else if (actor === SYSTEM) names.set(actor, 'gateway');
    else names.set(actor, actor);
  }
  return names;
}

/** The timeline of one incident (views excluded), oldest first, notes decrypted for staff. */
export async function timeline(db: Db, personalData: PersonalData, incidentId: string): Promise<TimelineEntry[]> {
  const rows = await db.auditEntry.findMany({
    where: { subjectType: 'incident', subjectId: incidentId, action: { not: 'incident.viewed' } },
    orderBy: [{ at: 'asc' }, { id: 'asc' }],
  });
  const names = await actorNames(db, [...new Set(rows.map((r) => r.actor))]);
  return rows.map((row) => {
    const detail = parseDetail(row.detail);
    if (typeof detail.noteEnc === 'string') {
      try {
        detail.note = personalData.decrypt(detail.noteEnc);
      } catch {
        detail.note = '[unreadable]';
      }
      delete detail.noteEnc;
    }
    return { at: row.at.toISOString(), actor: row.actor, actorName: names.get(row.actor) ?? row.actor, action: row.action, detail };
  });
}

function parseDetail(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export interface ExportFilter {
  since?: Date;
  until?: Date;
}

const EXPORT_TYPES = ['incident', 'committee', 'responder'];

/**
 * Streams the audit entries of incidents, committees and responders as JSON lines or CSV, oldest
 * first, in pages. Encrypted notes are left out (`note: true` says one was written). JSON lines
 * also carry `actorName` (username, responder or token name) and `subjectName` (an incident's
 * case code, a committee's or responder's name) so people can read them; CSV keeps its columns.
 */
export async function* exportAudit(db: Db, format: 'jsonl' | 'csv', filter: ExportFilter = {}): AsyncGenerator<string> {
  if (format === 'csv') yield 'at,actor,action,subject_type,subject_id,detail\n';
  let cursor: { at: Date; id: string } | undefined;
  for (;;) {
    const rows = await db.auditEntry.findMany({
      where: {
        subjectType: { in: EXPORT_TYPES },
        at: { gte: filter.since, lt: filter.until },
        ...(cursor ? { OR: [{ at: { gt: cursor.at } }, { at: cursor.at, id: { gt: cursor.id } }] } : {}),
      },
      orderBy: [{ at: 'asc' }, { id: 'asc' }],
      take: 500,
    });
    if (rows.length === 0) return;
    const names = format === 'jsonl' ? await actorNames(db, [...new Set(rows.map((r) => r.actor as Actor))]) : new Map<Actor, string>();
    const subjects = format === 'jsonl' ? await subjectNames(db, rows) : new Map<string, string>();
    let chunk = '';
    for (const row of rows) {
      const detail = parseDetail(row.detail);
      if ('noteEnc' in detail) {
        delete detail.noteEnc;
        detail.note = true;
      }
      const record = { at: row.at.toISOString(), actor: row.actor, action: row.action, subjectType: row.subjectType, subjectId: row.subjectId, detail };
      chunk +=
        format === 'jsonl'
          ? `${JSON.stringify({ ...record, actorName: names.get(row.actor as Actor) ?? row.actor, subjectName: subjects.get(`${row.subjectType}:${row.subjectId}`) ?? row.subjectId })}\n`
          : `${[record.at, record.actor, record.action, record.subjectType, record.subjectId, JSON.stringify(detail)].map(csvField).join(',')}\n`;
    }
    yield chunk;
    const last = rows[rows.length - 1]!;
    cursor = { at: last.at, id: last.id };
  }
}

/** Readable names of audit subjects, keyed `<type>:<id>`: case codes of incidents, names of committees and responders. */
async function subjectNames(db: Db, rows: { subjectType: string; subjectId: string }[]): Promise<Map<string, string>> {
  const ids = (type: string) => [...new Set(rows.filter((r) => r.subjectType === type).map((r) => r.subjectId))];
  const names = new Map<string, string>();
  for (const i of await db.incident.findMany({ where: { id: { in: ids('incident') } }, select: { id: true, caseCode: true } })) names.set(`incident:${i.id}`, i.caseCode);
  for (const c of await db.committee.findMany({ where: { id: { in: ids('committee') } }, select: { id: true, name: true } })) names.set(`committee:${c.id}`, c.name);
  for (const r of await db.responder.findMany({ where: { id: { in: ids('responder') } }, select: { id: true, displayName: true } })) names.set(`responder:${r.id}`, r.displayName);
  return names;
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
