/**
 * Contacts and their channel identities. An address (phone number, chat id, Slack user id) is
 * stored encrypted and found by its keyed hash; it is decrypted only to send.
 */
import type { Db } from '../db/client.js';
import type { PersonalData } from '../personal-data.js';

export interface ContactRef {
  contactId: string;
  identityId: string;
}

/**
 * Whether the database refused a write on a unique key: P2002 from a model query, P2010 carrying
 * the driver adapter's UniqueConstraintViolation from a raw statement through the client (Prisma's
 * error reference), or the driver's own code from one run directly (src/db/direct-routes.ts):
 * PostgreSQL's SQLSTATE 23505, SQLite's SQLITE_CONSTRAINT_UNIQUE or _PRIMARYKEY (result codes).
 */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, meta } = error as { code?: string; meta?: { driverAdapterError?: { cause?: { kind?: string } } } };
  // A raw statement through the client reports the driver adapter's error under P2010; one run
  // on the driver directly (src/db/direct-routes.ts), PostgreSQL's SQLSTATE 23505 or SQLite's code.
  return (
    code === 'P2002' ||
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    (code === 'P2010' && meta?.driverAdapterError?.cause?.kind === 'UniqueConstraintViolation')
  );
}

/**
 * Finds the contact behind an address on a channel, creating contact and identity the first
 * time. Safe under concurrency: a lost creation race falls back to the winner's row.
 */
export async function findOrCreateContact(
  db: Db,
  personalData: PersonalData,
  channel: string,
  address: string,
  language?: string | null,
): Promise<ContactRef> {
  const addressHash = personalData.hash(channel, address);
  const existing = await db.contactIdentity.findUnique({ where: { channel_addressHash: { channel, addressHash } } });
  if (existing) return { contactId: existing.contactId, identityId: existing.id };
  try {
    const contact = await db.contact.create({
      data: {
        language: language ?? null,
        identities: { create: { channel, addressHash, addressEnc: personalData.encrypt(address) } },
      },
      include: { identities: true },
    });
    return { contactId: contact.id, identityId: contact.identities[0]!.id };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const winner = await db.contactIdentity.findUniqueOrThrow({ where: { channel_addressHash: { channel, addressHash } } });
    return { contactId: winner.contactId, identityId: winner.id };
  }
}

/** Marks an identity stopped (opted out on that channel); the contact is stopped when all are. */
export async function stopIdentity(db: Db, identityId: string, at = new Date()): Promise<void> {
  const identity = await db.contactIdentity.update({ where: { id: identityId }, data: { stoppedAt: at } });
  const active = await db.contactIdentity.count({ where: { contactId: identity.contactId, stoppedAt: null } });
  if (active === 0) await db.contact.update({ where: { id: identity.contactId }, data: { status: 'stopped' } });
}

/** Opts an identity back in (START). */
export async function resumeIdentity(db: Db, identityId: string): Promise<void> {
  const identity = await db.contactIdentity.update({ where: { id: identityId }, data: { stoppedAt: null } });
  await db.contact.update({ where: { id: identity.contactId }, data: { status: 'active' } });
}

/**
 * Reads a contact's fields (gender, age band and other values flows set). They are personal data:
 * the column holds them encrypted (see `sealContactFields`); a value written before they were
 * encrypted is read as plain JSON. A damaged value reads as empty rather than failing a message.
 */
export function contactFields(raw: string, personalData: PersonalData): Record<string, string> {
  try {
    const text = raw.trimStart().startsWith('{') ? raw : personalData.decrypt(raw);
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    }
  } catch {
    // fall through
  }
  return {};
}

/** The stored form of a contact's fields: their JSON, encrypted. */
export function sealContactFields(fields: Record<string, string>, personalData: PersonalData): string {
  return personalData.encrypt(JSON.stringify(fields));
}
