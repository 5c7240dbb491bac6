/**
 * GET /api/v1/contacts: finding a contact by case code or area without any address in the
 * answer, area-limited callers refused, bad queries answered 400, and every search audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../src/admin/tokens.js';
import { findOrCreateContact } from '../../src/conversation/contacts.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let gateway: TestGateway;
let coordinator: string;
let northCoordinator: string;
const PHONE = '+254711000222';

beforeAll(async () => {
  gateway = await startTestGateway();
  coordinator = (await createToken(gateway.db, { name: 'desk', role: 'coordinator' })).token;
  northCoordinator = (await createToken(gateway.db, { name: 'north desk', role: 'coordinator', areaId: 'north' })).token;
  const reporter = await findOrCreateContact(gateway.db, gateway.personalData, 'sms', PHONE, 'fr');
  await gateway.db.contact.update({ where: { id: reporter.contactId }, data: { areaId: 'mbali' } });
  await gateway.db.incident.create({ data: { caseCode: 'R-FIND23', category: 'violence', severity: 'high', areaId: 'mbali', descriptionEnc: gateway.personalData.encrypt('x'), reporterContactId: reporter.contactId } });
  const other = await findOrCreateContact(gateway.db, gateway.personalData, 'telegram', '555000111', 'en');
  await gateway.db.contact.update({ where: { id: other.contactId }, data: { areaId: 'oroma' } });
});
afterAll(async () => {
  await gateway?.close();
});

const search = async (query: string, token = coordinator) => {
  const response = await fetch(`${gateway.url}/api/v1/contacts${query}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, text: await response.text() };
};

describe('contact search', () => {
  it('finds the reporter of a case and the contacts of an area and below, never with an address', async () => {
    const byCase = await search('?case=r-find23');
    expect(byCase.status).toBe(200);
    const found = JSON.parse(byCase.text).items;
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ areaId: 'mbali', language: 'fr', channels: [{ channel: 'sms', stopped: false }] });
    expect(byCase.text).not.toContain('711000222');
    const north = JSON.parse((await search('?area=north')).text).items;
    expect(north.map((c: { areaId: string }) => c.areaId)).toEqual(['mbali']);
    const river = await search('?area=river');
    expect(JSON.parse(river.text).items.map((c: { areaId: string }) => c.areaId)).toEqual(['oroma']);
    expect(river.text).not.toContain('555000111');
    const audit = await gateway.db.auditEntry.findMany({ where: { action: 'contact.searched' } });
    expect(audit.length).toBe(3);
    expect(JSON.parse(audit[0]!.detail)).toEqual({ by: 'case', area: null, found: 1 });
  });

  it('answers 400 without exactly one of case and area, 404 for an unknown case, 403 to an area-limited caller', async () => {
    expect((await search('')).status).toBe(400);
    expect((await search('?case=R-FIND23&area=north')).status).toBe(400);
    expect((await search('?case=R-NOPE99')).status).toBe(404);
    expect((await search('?area=north', northCoordinator)).status).toBe(403);
  });
});
