/**
 * The incident actions of the admin API that the README lists and the channel commands share:
 * reassign (the new committee is told and may act), ask (the question reaches the reporter under
 * the case code), link (the duplicate follows its primary) and dismiss (a suggestion set aside).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../src/admin/tokens.js';
import { eventually } from '../support/gateway.js';
import { auditOf, fileReport, Person, seedRoster, startIncidentGateway, type IncidentGateway } from './support.js';

let gateway: IncidentGateway;
let desk: string;
beforeAll(async () => {
  gateway = await startIncidentGateway();
  await seedRoster(gateway);
  desk = (await createToken(gateway.db, { name: 'Desk Officer', role: 'coordinator' })).token;
});
afterAll(async () => {
  await gateway?.close();
});

async function act(code: string, action: string, body: unknown = {}) {
  const response = await fetch(`${gateway.url}/api/v1/incidents/${code}/${action}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${desk}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const incident = (id: string) => gateway.db.incident.findUniqueOrThrow({ where: { id } });

describe('incident actions through the API', () => {
  it('reassign: the other committee is told, and its member may then acknowledge', async () => {
    const report = await fileReport(gateway, { severity: 'high', areaId: 'kanzi' });
    const oroma1 = new Person(gateway, 'oroma-1');
    expect((await act(report.caseCode, 'reassign', { committee: 'oroma-peace' })).status).toBe(200);
    await oroma1.next(report.caseCode);
    expect(await oroma1.ask(`ACK ${report.caseCode}`)).toContain(`You acknowledged ${report.caseCode}`);
    expect((await incident(report.id)).acknowledgedBy).toBe('responder:oroma-1');
    expect((await act(report.caseCode, 'reassign', { committee: 'no-such-committee' })).status).toBeGreaterThanOrEqual(400);
  });

  it('ask: the reporter gets the question under the case code', async () => {
    const report = await fileReport(gateway, { severity: 'high', areaId: 'kanzi', reporter: 'api-asked', callbackAllowed: true });
    const reporter = new Person(gateway, 'api-asked');
    expect((await act(report.caseCode, 'ask', { question: 'Is the road still blocked?' })).status).toBe(200);
    const question = await reporter.next('Is the road still blocked?');
    expect(question).toContain(report.caseCode);
    expect(await gateway.db.incidentRelay.count({ where: { incidentId: report.id } })).toBe(1);
  });

  it('link: the duplicate follows its primary when the primary is resolved; dismiss keeps two events apart', async () => {
    const primary = await fileReport(gateway, { severity: 'high', areaId: 'oroma', category: 'violence' });
    const duplicate = await fileReport(gateway, { severity: 'high', areaId: 'oroma', category: 'violence' });
    expect((await act(duplicate.caseCode, 'link', { primary: primary.caseCode })).status).toBe(200);
    expect((await incident(duplicate.id)).duplicateOfId).toBe(primary.id);
    expect((await act(duplicate.caseCode, 'link', { primary: duplicate.caseCode })).status).toBeGreaterThanOrEqual(400);
    expect((await act(primary.caseCode, 'resolve', { note: 'calm' })).status).toBe(200);
    await eventually(async () => (await incident(duplicate.id)).status === 'resolved', 10_000, 'the linked report to follow');

    const first = await fileReport(gateway, { severity: 'high', areaId: 'kanzi', category: 'threat' });
    const second = await fileReport(gateway, { severity: 'high', areaId: 'kanzi', category: 'threat' });
    const dismissed = await act(second.caseCode, 'dismiss', { other: first.caseCode });
    expect(dismissed.status).toBe(200);
    expect((await incident(second.id)).duplicateOfId).toBeNull();
    expect(await auditOf(gateway.db, second.id, 'incident.duplicate_dismissed')).toHaveLength(1);
    // Nothing left to dismiss.
    expect((await act(second.caseCode, 'dismiss', { other: first.caseCode })).status).toBeGreaterThanOrEqual(400);
  });
});
