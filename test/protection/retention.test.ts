/**
 * Retention with a controllable clock: the repeating `retention` timer erases contacts inactive
 * for RETENTION_DAYS (their incidents stay) and deletes sessions that stopped running.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { findOrCreateContact } from '../../src/conversation/contacts.js';
import { protectionCapability } from '../../src/protection/index.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';

const DAY = 24 * 3600_000;
let clock = new Date();
let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway({}, { capabilities: [protectionCapability({ now: () => clock, settings: { RETENTION_DAYS: '30', SESSION_RETENTION_HOURS: '2', RETENTION_SWEEP_MINUTES: '0.02' } })] });
});
afterAll(async () => {
  await gateway?.close();
});

it('purges inactive contacts and stopped sessions as the clock moves on', async () => {
  const old = await findOrCreateContact(gateway.db, gateway.personalData, 'console', 'inactive-person', 'en');
  const recent = await findOrCreateContact(gateway.db, gateway.personalData, 'console', 'recent-person', 'en');
  await gateway.db.incident.create({ data: { caseCode: 'R-KEEP22', category: 'violence', severity: 'high', descriptionEnc: gateway.personalData.encrypt('x'), reporterContactId: old.contactId } });
  await gateway.db.session.create({ data: { contactId: recent.contactId, status: 'expired', channel: 'console', identityId: recent.identityId, state: '' } });

  // The clock stands still for a few sweeps first (as when the test's start is slow on a loaded
  // machine): the sweep must go on repeating, each time in a slot after its own.
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  // Tomorrow: nobody is 30 days inactive, the expired session is older than 2 hours.
  clock = new Date(Date.now() + DAY);
  // The sweep repeats every 1.2 s; on a loaded machine (the whole PostgreSQL suite at once) its
  // job can wait well past that, once 15 s were not enough: the window is generous, the check not.
  await eventually(async () => (await gateway.db.session.count()) === 0, 45_000, 'stopped session deleted');
  expect(await gateway.db.contact.count({ where: { id: old.contactId } })).toBe(1);

  // 31 days on: both are inactive; both go, the incident stays without its reporter.
  await gateway.db.message.create({ data: { dedupeKey: 'in:console:recent', direction: 'in', channel: 'console', contactId: recent.contactId, bodyEnc: gateway.personalData.encrypt('{}'), status: 'processed', createdAt: new Date(Date.now() + 10 * DAY) } });
  clock = new Date(Date.now() + 31 * DAY);
  await eventually(async () => (await gateway.db.contact.count({ where: { id: old.contactId } })) === 0, 45_000, 'inactive contact erased');
  expect(await gateway.db.contact.count({ where: { id: recent.contactId } })).toBe(1); // a message 10 days ago
  expect(await gateway.db.incident.findUniqueOrThrow({ where: { caseCode: 'R-KEEP22' } })).toMatchObject({ reporterContactId: null });
  expect(await gateway.db.contactIdentity.count({ where: { contactId: old.contactId } })).toBe(0);
}, 120_000);
