/**
 * What the README promises of the incidents settings and words: INCIDENT_POLICY_FILE chooses the
 * ladder and INCIDENT_DELAY_SCALE its pace (both from the environment, as an operator sets them);
 * a bad policy file stops the boot naming the file and the field; responders may act with the
 * Arabic command words.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestGateway } from '../support/gateway.js';
import { fileReport, Person, seedRoster, startIncidentGateway, steps, type IncidentGateway } from './support.js';
import { incidentsCapability } from '../../src/incidents/index.js';

const dir = mkdtempSync(join(tmpdir(), 'incident-policies-'));
// One policy for every severity: the national desk first, then the local committee after 10 s.
const POLICY = `
policies:
  - id: drill
    match: { severity: [low, medium, high, critical] }
    ackTimeout: 1h
    levels:
      - { targets: [national], delay: 10s }
      - { targets: [local] }
`;

let gateway: IncidentGateway;
beforeAll(async () => {
  writeFileSync(join(dir, 'drill.yaml'), POLICY);
  // Neither delayScale nor policyFile is given to the capability: they come from the environment.
  gateway = await startIncidentGateway({ env: { INCIDENT_POLICY_FILE: join(dir, 'drill.yaml'), INCIDENT_DELAY_SCALE: '0.3' } });
  await seedRoster(gateway);
});
afterAll(async () => {
  await gateway?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('INCIDENT_POLICY_FILE and INCIDENT_DELAY_SCALE', () => {
  it('follow the operator\'s ladder at the operator\'s pace', async () => {
    const nat1 = new Person(gateway, 'nat-1');
    const kanzi1 = new Person(gateway, 'kanzi-1');
    // Taken before the report: its timer starts while the report is being filed, and a slow
    // answer (a loaded machine) would otherwise eat into the 3 s measured below.
    const started = Date.now();
    const incident = await fileReport(gateway, { severity: 'low', areaId: 'kanzi' });
    await nat1.next(incident.caseCode);
    expect(await kanzi1.all(incident.caseCode)).toEqual([]);
    // 10 s x 0.3 = 3 s (the shipped low policy would wait 24 hours, and tell the local level first).
    await kanzi1.next(incident.caseCode, 10_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2700);
    expect((await steps(gateway.db, incident.id)).map((s) => s.committees)).toEqual([['national-desk'], ['kanzi-peace']]);
    expect((await gateway.db.escalation.findUniqueOrThrow({ where: { incidentId: incident.id } })).policyId).toBe('drill');
  });

  it('a policy file that does not validate stops the boot, naming the file and the field', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, POLICY.replace('delay: 10s', 'delay: soon'));
    const boot = startTestGateway({ INCIDENT_POLICY_FILE: bad }, { capabilities: [incidentsCapability()] });
    await expect(boot).rejects.toThrow(/bad\.yaml/);
    await expect(boot).rejects.toThrow(/delay/);
  });
});

describe('Arabic command words', () => {
  it('acknowledge (استلام) and resolve (محلول) an incident', async () => {
    const nat1 = new Person(gateway, 'nat-1');
    const incident = await fileReport(gateway, { severity: 'high', areaId: 'kanzi' });
    await nat1.next(incident.caseCode);
    expect(await nat1.ask(`استلام ${incident.caseCode}`)).toContain(`You acknowledged ${incident.caseCode}`);
    expect((await gateway.db.incident.findUniqueOrThrow({ where: { id: incident.id } })).acknowledgedBy).toBe('responder:nat-1');
    await nat1.ask(`محلول ${incident.caseCode} هدأ الوضع`);
    await eventually(async () => (await gateway.db.incident.findUniqueOrThrow({ where: { id: incident.id } })).status === 'resolved', 10_000, 'resolved');
  });
});
