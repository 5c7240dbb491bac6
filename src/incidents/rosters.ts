/**
 * Rosters: committees (an area and a level, or a specialised desk) and responders (a contact with
 * one or more channel identities, plus a responder profile). Managed from a YAML file
 * (prisma/seed/rosters.yaml is the demo), the admin API and the command line; all go through
 * `applyRoster`, which upserts, so importing the same file twice changes nothing.
 *
 * A responder is one contact however many channels they use: the contact is found (or created)
 * from their first identity, and the other identities are added to it. An address that already
 * belongs to somebody else is refused rather than merged. The roster's shape and its parsing are
 * in roster-model.ts.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { findOrCreateContact } from '../conversation/contacts.js';
import type { Db } from '../db/client.js';
import { transaction } from '../db/transaction.js';
import type { PersonalData } from '../personal-data.js';
import { record, type Actor } from './audit.js';
import { rosterFromCsv } from './roster-csv.js';
import { parseRoster, RosterError, type ResponderInput, type Roster } from './roster-model.js';

/** Reads a roster file: YAML (committees and responders), or CSV (responders, see roster-csv.ts). */
export function readRosterFile(file: string): Roster {
  let text: string;
  let data: unknown;
  try {
    text = readFileSync(file, 'utf8');
    if (file.toLowerCase().endsWith('.csv')) return rosterFromCsv(text, file);
    data = parse(text);
  } catch (error) {
    if (error instanceof RosterError) throw error;
    throw new RosterError([`${file}: ${(error as Error).message}`]);
  }
  return parseRoster(data, file);
}

/** An address shown to staff: enough to recognise it, not to use it (at least half is hidden). */
export function maskAddress(address: string): string {
  const chars = Array.from(address);
  const keep = Math.min(3, Math.floor(chars.length / 4));
  return `${chars.slice(0, keep).join('')}${'•'.repeat(chars.length - 2 * keep)}${keep > 0 ? chars.slice(-keep).join('') : ''}`;
}

export interface ApplyResult {
  committees: number;
  responders: number;
  identitiesAdded: number;
}

/**
 * Upserts committees and responders. Responders' memberships become exactly the committees
 * listed. Checks everything first (areas, committees, addresses owned by someone else) and
 * changes nothing when anything is wrong.
 */
export async function applyRoster(db: Db, personalData: PersonalData, roster: Roster, actor: Actor, now = new Date()): Promise<ApplyResult> {
  const problems: string[] = [];
  const areaIds = new Set((await db.area.findMany({ select: { id: true } })).map((a) => a.id));
  roster.committees.forEach((c, i) => {
    if (!areaIds.has(c.area)) problems.push(`committees.${i}.area: unknown area "${c.area}"`);
  });
  const committeeIds = new Set([...(await db.committee.findMany({ select: { id: true } })).map((c) => c.id), ...roster.committees.map((c) => c.id)]);
  const seenIds = new Set<string>();
  const seenAddresses = new Map<string, string>();
  for (const [i, r] of roster.responders.entries()) {
    if (seenIds.has(r.id)) problems.push(`responders.${i}.id: "${r.id}" appears twice`);
    seenIds.add(r.id);
    r.committees.forEach((c, j) => {
      if (!committeeIds.has(c)) problems.push(`responders.${i}.committees.${j}: unknown committee "${c}"`);
    });
    const existing = await db.responder.findUnique({ where: { id: r.id } });
    const owners = new Set<string>();
    for (const [j, identity] of r.identities.entries()) {
      const hash = personalData.hash(identity.channel, identity.address);
      const other = seenAddresses.get(`${identity.channel}:${hash}`);
      if (other && other !== r.id) problems.push(`responders.${i}.identities.${j}: this ${identity.channel} address is also given to "${other}"`);
      seenAddresses.set(`${identity.channel}:${hash}`, r.id);
      const found = await db.contactIdentity.findUnique({ where: { channel_addressHash: { channel: identity.channel, addressHash: hash } }, select: { contactId: true } });
      if (found) owners.add(found.contactId);
    }
    const expected = existing?.contactId;
    if (owners.size > 1 || (expected && [...owners].some((o) => o !== expected))) {
      problems.push(`responders.${i}.identities: these addresses belong to different contacts (${maskList(r)}); remove the old identity first`);
    } else if (owners.size === 1) {
      const owner = [...owners][0]!;
      const taken = await db.responder.findUnique({ where: { contactId: owner } });
      if (taken && taken.id !== r.id) problems.push(`responders.${i}.identities: an address already belongs to responder "${taken.id}"`);
    }
  }
  if (problems.length > 0) throw new RosterError(problems);

  const result: ApplyResult = { committees: 0, responders: 0, identitiesAdded: 0 };
  await transaction(db, async (tx) => {
    for (const c of roster.committees) {
      const data = { name: c.name, level: c.level, desk: c.desk ?? null, kind: c.kind, areaId: c.area };
      await tx.committee.upsert({ where: { id: c.id }, create: { id: c.id, ...data }, update: data });
      await record(tx, { actor, action: 'committee.upserted', subjectType: 'committee', subjectId: c.id, detail: data, at: now });
      result.committees++;
    }
    for (const r of roster.responders) {
      const added = await upsertResponder(tx, personalData, r, actor, now);
      result.identitiesAdded += added;
      result.responders++;
    }
  }, { timeoutMs: 60_000 });
  return result;
}

function maskList(r: ResponderInput): string {
  return r.identities.map((i) => `${i.channel} ${maskAddress(i.address)}`).join(', ');
}

async function upsertResponder(tx: Db, personalData: PersonalData, r: ResponderInput, actor: Actor, now: Date): Promise<number> {
  const existing = await tx.responder.findUnique({ where: { id: r.id } });
  let contactId = existing?.contactId;
  let added = 0;
  if (!contactId) {
    for (const identity of r.identities) {
      const found = await tx.contactIdentity.findUnique({ where: { channel_addressHash: { channel: identity.channel, addressHash: personalData.hash(identity.channel, identity.address) } } });
      if (found) contactId = found.contactId;
    }
  }
  if (!contactId) {
    const first = r.identities[0]!;
    contactId = (await findOrCreateContact(tx, personalData, first.channel, first.address, r.language ?? null)).contactId;
    added++;
  }
  for (const identity of r.identities) {
    const addressHash = personalData.hash(identity.channel, identity.address);
    const found = await tx.contactIdentity.findUnique({ where: { channel_addressHash: { channel: identity.channel, addressHash } } });
    if (!found) {
      await tx.contactIdentity.create({ data: { contactId, channel: identity.channel, addressHash, addressEnc: personalData.encrypt(identity.address) } });
      added++;
    }
  }
  if (r.language) await tx.contact.update({ where: { id: contactId }, data: { language: r.language } });
  const data = { displayName: r.name, preferredChannel: r.preferredChannel ?? null, active: r.active };
  await tx.responder.upsert({ where: { id: r.id }, create: { id: r.id, contactId, ...data }, update: data });
  await tx.committeeMember.deleteMany({ where: { responderId: r.id, committeeId: { notIn: r.committees } } });
  for (const committeeId of r.committees) {
    await tx.committeeMember.upsert({ where: { committeeId_responderId: { committeeId, responderId: r.id } }, create: { committeeId, responderId: r.id }, update: {} });
  }
  await record(tx, {
    actor,
    action: existing ? 'responder.updated' : 'responder.created',
    subjectType: 'responder',
    subjectId: r.id,
    detail: { name: r.name, committees: r.committees, channels: r.identities.map((i) => i.channel), active: r.active },
    at: now,
  });
  return added;
}

/** Removes a committee (its memberships go with it). */
export async function removeCommittee(db: Db, id: string, actor: Actor, now = new Date()): Promise<boolean> {
  const deleted = await db.committee.deleteMany({ where: { id } });
  if (deleted.count > 0) await record(db, { actor, action: 'committee.removed', subjectType: 'committee', subjectId: id, at: now });
  return deleted.count > 0;
}

/** Removes a responder profile; the contact stays (it may also report or answer surveys). */
export async function removeResponder(db: Db, id: string, actor: Actor, now = new Date()): Promise<boolean> {
  const deleted = await db.responder.deleteMany({ where: { id } });
  if (deleted.count > 0) await record(db, { actor, action: 'responder.removed', subjectType: 'responder', subjectId: id, at: now });
  return deleted.count > 0;
}

/** Adds or removes one membership. */
export async function setMembership(db: Db, committeeId: string, responderId: string, member: boolean, actor: Actor, now = new Date()): Promise<'changed' | 'unchanged' | 'unknown'> {
  const [committee, responder] = await Promise.all([db.committee.findUnique({ where: { id: committeeId } }), db.responder.findUnique({ where: { id: responderId } })]);
  if (!committee || !responder) return 'unknown';
  const key = { committeeId_responderId: { committeeId, responderId } };
  const exists = await db.committeeMember.findUnique({ where: key });
  if (member === (exists !== null)) return 'unchanged';
  if (member) await db.committeeMember.create({ data: { committeeId, responderId } });
  else await db.committeeMember.delete({ where: key });
  await record(db, { actor, action: member ? 'committee.member_added' : 'committee.member_removed', subjectType: 'committee', subjectId: committeeId, detail: { responderId }, at: now });
  return 'changed';
}

/** Committees with their members, for the API and the command line. */
export async function listCommittees(db: Db) {
  const rows = await db.committee.findMany({ orderBy: [{ areaId: 'asc' }, { id: 'asc' }], include: { members: { include: { responder: true }, orderBy: { responderId: 'asc' } } } });
  return rows.map((c) => ({ id: c.id, name: c.name, level: c.level, desk: c.desk, kind: c.kind, areaId: c.areaId, members: c.members.map((m) => ({ id: m.responder.id, name: m.responder.displayName, active: m.responder.active })) }));
}

/** Responders with their channels (addresses masked) and committees. */
export async function listResponders(db: Db, personalData: PersonalData) {
  const rows = await db.responder.findMany({ orderBy: { id: 'asc' }, include: { memberships: true } });
  const identities = await db.contactIdentity.findMany({ where: { contactId: { in: rows.map((r) => r.contactId) } }, orderBy: { createdAt: 'asc' } });
  return rows.map((r) => ({
    id: r.id,
    name: r.displayName,
    active: r.active,
    preferredChannel: r.preferredChannel,
    committees: r.memberships.map((m) => m.committeeId).sort(),
    channels: identities
      .filter((i) => i.contactId === r.contactId)
      .map((i) => {
        let shown = '?';
        try {
          shown = maskAddress(personalData.decrypt(i.addressEnc));
        } catch {
          // an unreadable address (another key) is shown as ?
        }
        return { channel: i.channel, address: shown, stopped: i.stoppedAt !== null };
      }),
  }));
}
