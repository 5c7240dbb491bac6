/**
 * Rosters from a file: the demo roster imports, twice without change; a responder on several
 * channels is one contact; a person who already wrote in keeps their contact; bad entries are
 * refused with their field and nothing is applied.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findOrCreateContact } from '../../src/conversation/contacts.js';
import { parseRoster, RosterError } from '../../src/incidents/roster-model.js';
import { applyRoster, listCommittees, listResponders, maskAddress, readRosterFile } from '../../src/incidents/rosters.js';
import type { TestGateway } from '../support/gateway.js';
import { useIncidentGateway } from './support.js';

const DEMO = join(import.meta.dirname, '..', '..', 'prisma', 'seed', 'rosters.yaml');
let gateway: TestGateway;

useIncidentGateway((started) => (gateway = started), { roster: null });

async function counts() {
  return {
    contacts: await gateway.db.contact.count(),
    identities: await gateway.db.contactIdentity.count(),
    responders: await gateway.db.responder.count(),
    committees: await gateway.db.committee.count(),
    members: await gateway.db.committeeMember.count(),
  };
}

describe('the demo roster', () => {
  it('imports, and importing it again changes nothing', async () => {
    const roster = readRosterFile(DEMO);
    const first = await applyRoster(gateway.db, gateway.personalData, roster, 'cli:test');
    expect(first).toEqual({ committees: 8, responders: 8, identitiesAdded: 16 });
    const after = await counts();
    expect(after).toEqual({ contacts: 8, identities: 16, responders: 8, committees: 8, members: 9 });
    const second = await applyRoster(gateway.db, gateway.personalData, roster, 'cli:test');
    expect(second.identitiesAdded).toBe(0);
    expect(await counts()).toEqual(after);
  });

  it('keeps a responder on SMS and Telegram as one contact', async () => {
    const sms = await gateway.db.contactIdentity.findUniqueOrThrow({ where: { channel_addressHash: { channel: 'sms', addressHash: gateway.personalData.hash('sms', '+15550100001') } } });
    const telegram = await gateway.db.contactIdentity.findUniqueOrThrow({ where: { channel_addressHash: { channel: 'telegram', addressHash: gateway.personalData.hash('telegram', '100000001') } } });
    expect(telegram.contactId).toBe(sms.contactId);
    const responder = await gateway.db.responder.findUniqueOrThrow({ where: { contactId: sms.contactId } });
    expect(responder).toMatchObject({ id: 'amina-wekesa', displayName: 'Amina Wekesa', preferredChannel: 'telegram' });
    // Addresses are stored encrypted.
    expect(sms.addressEnc).not.toContain('15550100001');
  });

  it('lists committees with members and responders with masked addresses', async () => {
    const committees = await listCommittees(gateway.db);
    expect(committees.find((c) => c.id === 'kanzi-peace')?.members.map((m) => m.id)).toEqual(['amina-wekesa', 'joseph-kariuki']);
    const responders = await listResponders(gateway.db, gateway.personalData);
    const amina = responders.find((r) => r.id === 'amina-wekesa')!;
    expect(amina.channels).toEqual([
      { channel: 'sms', address: '+15••••••001', stopped: false },
      { channel: 'telegram', address: '10•••••01', stopped: false },
      { channel: 'console', address: 'kan•••••••••der', stopped: false },
    ]);
    expect(maskAddress('abc')).toBe('•••');
    expect(JSON.stringify(responders)).not.toContain('15550100001');
  });
});

describe('changes and bad entries', () => {
  it('uses the contact of a person who already wrote in, and adds their other channel to it', async () => {
    const { contactId } = await findOrCreateContact(gateway.db, gateway.personalData, 'sms', '+15550100099');
    await applyRoster(
      gateway.db,
      gateway.personalData,
      parseRoster({ responders: [{ id: 'new-one', name: 'New One', identities: [{ channel: 'telegram', address: '100000099' }, { channel: 'sms', address: '+15550100099' }], committees: ['kanzi-peace'] }] }),
      'cli:test',
    );
    const responder = await gateway.db.responder.findUniqueOrThrow({ where: { id: 'new-one' } });
    expect(responder.contactId).toBe(contactId);
    expect(await gateway.db.contactIdentity.count({ where: { contactId } })).toBe(2);
  });

  it('refuses an address that belongs to another responder, and changes nothing', async () => {
    const before = await counts();
    const roster = parseRoster({
      committees: [{ id: 'late-committee', name: 'Late', level: 'local', area: 'tessa' }],
      responders: [{ id: 'impostor', name: 'Impostor', identities: [{ channel: 'sms', address: '+15550100001' }], committees: ['late-committee'] }],
    });
    await expect(applyRoster(gateway.db, gateway.personalData, roster, 'cli:test')).rejects.toThrow(/responders\.0\.identities: an address already belongs to responder "amina-wekesa"/);
    expect(await counts()).toEqual(before);
  });

  it('names the field of every problem: unknown area, unknown committee, bad address, desk without a name', () => {
    let error: RosterError | undefined;
    try {
      parseRoster({
        committees: [{ id: 'x', name: 'X', level: 'desk', area: 'kanzi' }],
        responders: [{ id: 'y', name: 'Y', identities: [{ channel: 'sms', address: '0712 345' }] }],
      });
    } catch (caught) {
      error = caught as RosterError;
    }
    expect(error).toBeInstanceOf(RosterError);
    expect(error!.problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/committees\.0\.desk: a desk committee needs `desk`/), expect.stringMatching(/responders\.0\.identities\.0\.address: not a valid sms address/)]),
    );
  });

  it('refuses unknown areas and committees when applying', async () => {
    const roster = parseRoster({
      committees: [{ id: 'nowhere', name: 'Nowhere', level: 'local', area: 'atlantis' }],
      responders: [{ id: 'z', name: 'Z', identities: [{ channel: 'console', address: 'z' }], committees: ['no-such-committee'] }],
    });
    await expect(applyRoster(gateway.db, gateway.personalData, roster, 'cli:test')).rejects.toThrow(/committees\.0\.area: unknown area "atlantis"[\s\S]*responders\.0\.committees\.0: unknown committee "no-such-committee"/);
    expect(await gateway.db.committee.findUnique({ where: { id: 'nowhere' } })).toBeNull();
  });

  it('records roster changes in the audit trail', async () => {
    const entries = await gateway.db.auditEntry.findMany({ where: { subjectType: 'responder', subjectId: 'amina-wekesa' }, orderBy: { at: 'asc' } });
    expect(entries.map((e) => e.action)).toEqual(['responder.created', 'responder.updated']);
    expect(entries[0]!.actor).toBe('cli:test');
    expect(entries[0]!.detail).not.toContain('15550100001');
  });
});
