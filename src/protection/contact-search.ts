/**
 * Finding a contact without showing who they are: by a case code (the reporter of that
 * incident) or by area (the area and below, newest first, at most `limit`). Answers ids, area,
 * language, status and the channels with their opt-out state; never an address, a name or a
 * message. Each search is recorded in the audit trail (what was searched, how many found).
 */
import { z } from 'zod';
import { AreaTree } from '../areas/tree.js';
import type { Db } from '../db/client.js';
import { resolveContact } from './erase.js';
import { auditId } from '../audit-ids.js';

export const contactSearchQuery = z
  .object({
    case: z.string().trim().min(1).max(40).optional(),
    area: z.string().min(1).max(100).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .refine((q) => !!q.case !== !!q.area, { message: 'give either case (a case code) or area' });

export interface ContactSummary {
  id: string;
  areaId: string | null;
  language: string | null;
  status: string;
  channels: { channel: string; stopped: boolean }[];
  createdAt: Date;
  updatedAt: Date;
}

export async function searchContacts(db: Db, query: z.output<typeof contactSearchQuery>, actor: string, now: Date): Promise<ContactSummary[]> {
  let ids: string[];
  if (query.case) {
    ids = [await resolveContact(db, query.case)];
  } else {
    const areas = (await AreaTree.load(db)).subtree(query.area!);
    ids = (await db.contact.findMany({ where: { areaId: { in: areas } }, orderBy: { createdAt: 'desc' }, take: query.limit, select: { id: true } })).map((c) => c.id);
  }
  const rows = await db.contact.findMany({
    where: { id: { in: ids } },
    orderBy: { createdAt: 'desc' },
    select: { id: true, areaId: true, language: true, status: true, createdAt: true, updatedAt: true, identities: { select: { channel: true, stoppedAt: true } } },
  });
  await db.auditEntry.create({
    data: { id: auditId(), actor, action: 'contact.searched', subjectType: 'contact', subjectId: '-', detail: JSON.stringify({ by: query.case ? 'case' : 'area', area: query.area ?? null, found: rows.length }), at: now },
  });
  return rows.map(({ identities, ...c }) => ({ ...c, channels: identities.map((i) => ({ channel: i.channel, stopped: i.stoppedAt !== null })) }));
}
