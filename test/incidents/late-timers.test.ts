/**
 * Timers that fire late. Cancelling a timer cannot stop a job a worker has already taken, so an
 * escalation step may run after the acknowledgement it should have yielded to. It must then do
 * nothing: tell nobody, and leave the acknowledgement timeout in charge (an acknowledged incident
 * that is not resolved in time still opens again).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escalateTimerId } from '../../src/incidents/ladder-timers.js';
import { ESCALATE_TIMER } from '../../src/incidents/timers.js';
import { eventually } from '../support/gateway.js';
import { auditOf, fileReport, Person, seedRoster, startIncidentGateway, steps, type IncidentGateway } from './support.js';

// Levels far apart (the real level-2 timer never fires during a test), a short acknowledgement timeout.
const POLICY = `
policies:
  - id: late
    match: { severity: [low, medium, high, critical] }
    ackTimeout: 3600ms
    levels:
      - { targets: [local], delay: 10m }
      - { targets: [regional] }
`;
const dir = mkdtempSync(join(tmpdir(), 'late-timers-'));

let gateway: IncidentGateway;
beforeAll(async () => {
  writeFileSync(join(dir, 'policies.yaml'), POLICY);
  gateway = await startIncidentGateway({ policyFile: join(dir, 'policies.yaml'), delayScale: 1 });
  await seedRoster(gateway);
});
afterAll(async () => {
  await gateway?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('an escalation step that runs after the acknowledgement', () => {
  it('tells nobody and keeps the acknowledgement timeout, which still opens the incident again', async () => {
    const kanzi1 = new Person(gateway, 'kanzi-1');
    const north1 = new Person(gateway, 'north-1');
    const incident = await fileReport(gateway, { severity: 'critical', areaId: 'kanzi' });
    await kanzi1.next(incident.caseCode);
    expect(await kanzi1.ask(`ACK ${incident.caseCode}`)).toContain(`You acknowledged ${incident.caseCode}`);

    // The level-2 step, taken by a worker just before the acknowledgement removed it, runs now.
    const late = escalateTimerId(incident.id, 1, 0);
    await gateway.queues.timers.remove(late);
    await gateway.queues.schedule(late, ESCALATE_TIMER.data({ incidentId: incident.id, level: 1, round: 0 }), new Date());
    await eventually(async () => (await gateway.queues.timers.getJobState(late)) === 'completed', 10_000, 'the late step to run');
    expect((await steps(gateway.db, incident.id)).map((s) => [s.level, s.round])).toEqual([[0, 0]]);
    expect(await north1.all(incident.caseCode)).toEqual([]);

    // The acknowledgement timeout still fires.
    const again = await kanzi1.next('open again', 15_000);
    expect(again).toContain(incident.caseCode);
    expect(await auditOf(gateway.db, incident.id, 'incident.retriggered')).toHaveLength(1);
    expect((await gateway.db.incident.findUniqueOrThrow({ where: { id: incident.id } })).status).toBe('open');
  }, 40_000);

  it('after the resolution: tells nobody and leaves the incident resolved', async () => {
    const kanzi1 = new Person(gateway, 'kanzi-1');
    const north1 = new Person(gateway, 'north-1');
    const incident = await fileReport(gateway, { severity: 'critical', areaId: 'kanzi' });
    await kanzi1.next(incident.caseCode);
    await kanzi1.ask(`RESOLVED ${incident.caseCode} calm again`, 'resolved');
    const late = escalateTimerId(incident.id, 1, 0);
    await gateway.queues.timers.remove(late);
    await gateway.queues.schedule(late, ESCALATE_TIMER.data({ incidentId: incident.id, level: 1, round: 0 }), new Date());
    await eventually(async () => (await gateway.queues.timers.getJobState(late)) === 'completed', 10_000, 'the late step to run');
    expect((await steps(gateway.db, incident.id)).map((s) => [s.level, s.round])).toEqual([[0, 0]]);
    expect(await north1.all(incident.caseCode)).toEqual([]);
    expect((await gateway.db.incident.findUniqueOrThrow({ where: { id: incident.id } })).status).toBe('resolved');
  });
});
