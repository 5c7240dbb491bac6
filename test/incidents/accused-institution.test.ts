/**
 * A report about security forces never goes to security forces (policies.yaml `categories`): the
 * security liaisons are left out of its routing and rosters, so the report goes to the
 * human-rights desk and to civilian committees. When none of them can be reached (here: SMS only,
 * and SMS not configured) the incident waits, each level keeping its delay, and the
 * administrators' desk is alerted, in its members' language; the liaison is never told. Another
 * category in the same situation still climbs at once. It cannot be handed to the liaison either.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicies, PolicyFileError } from '../../src/incidents/policies.js';
import { DEFAULT_POLICY_FILE } from '../../src/incidents/index.js';
import { parseRoster, RosterError } from '../../src/incidents/roster-model.js';
import { eventually } from '../support/gateway.js';
import { auditOf, fileReport, Person, steps, useIncidentGateway, type IncidentGateway } from './support.js';

let gateway: IncidentGateway;

/** Medium severity: local 4 h, regional 8 h, national; scaled by 1e-4 to 1.44 s and 2.88 s. */
const SCALE = 0.0001;
const LOCAL_DELAY_MS = 4 * 3_600_000 * SCALE;

const ROSTER = {
  committees: [
    { id: 'kanzi-peace', name: 'Kanzi Peace Committee', level: 'local', area: 'kanzi' },
    { id: 'north-liaison', name: 'North Region Security Liaison', level: 'regional', area: 'north', kind: 'security_liaison' },
    { id: 'human-rights-desk', name: 'Human Rights Desk', level: 'desk', desk: 'human_rights', area: 'lakeland' },
    { id: 'gateway-admins', name: 'Gateway Administrators', level: 'desk', desk: 'admins', area: 'lakeland' },
  ],
  responders: [
    // SMS only, and this gateway has no SMS: unreachable.
    { id: 'kanzi-sms', name: 'Kanzi By SMS', language: 'en', identities: [{ channel: 'sms', address: '+15550100091' }], committees: ['kanzi-peace'] },
    { id: 'rights-sms', name: 'Rights By SMS', language: 'en', identities: [{ channel: 'sms', address: '+15550100092' }], committees: ['human-rights-desk'] },
    { id: 'liaison', name: 'Liaison Officer', language: 'en', identities: [{ channel: 'console', address: 'liaison' }], committees: ['north-liaison'] },
    { id: 'admin-fr', name: 'Admin Fr', language: 'fr', identities: [{ channel: 'console', address: 'admin-fr' }], committees: ['gateway-admins'] },
  ],
};

useIncidentGateway((started) => (gateway = started), { delayScale: SCALE, roster: ROSTER });

describe('a report of abuse by security forces', () => {
  it('desk and local committee unreachable: waits, administrators alerted, the liaison never told', async () => {
    const liaison = new Person(gateway, 'liaison');
    const admin = new Person(gateway, 'admin-fr');
    const incident = await fileReport(gateway, { severity: 'medium', areaId: 'kanzi', category: 'security_force_abuse' });
    // The whole ladder runs: local + desk, then regional, then national.
    await eventually(async () => (await auditOf(gateway.db, incident.id, 'incident.escalation_exhausted')).length === 1, 20_000, 'the end of the ladder');
    const seen = await steps(gateway.db, incident.id);
    expect(seen.map((s) => s.level)).toEqual([0, 1, 2]);
    expect(seen[0]!.committees.sort()).toEqual(['human-rights-desk', 'kanzi-peace']);
    // The liaison is never a target, even at the regional level where it is the nearest committee.
    expect(seen.flatMap((s) => s.committees)).not.toContain('north-liaison');
    expect(seen.flatMap((s) => s.reached)).toEqual([]);
    // It waited: the regional level came after the local level's delay, not at once.
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(LOCAL_DELAY_MS - 50);
    const unreachable = await auditOf(gateway.db, incident.id, 'incident.level_unreachable');
    expect(unreachable.map((u) => u.detail.then)).toEqual(['wait', 'wait', 'wait']);
    // Administrators alerted at every step, a message once (one round), in French.
    const alerts = await auditOf(gateway.db, incident.id, 'incident.admins_alerted');
    expect(alerts.map((a) => [a.detail.level, a.detail.told, a.detail.repeated])).toEqual([
      [0, ['admin-fr'], false],
      [1, ['admin-fr'], true],
      [2, ['admin-fr'], true],
    ]);
    const alert = await admin.next(incident.caseCode);
    expect(alert).toContain(`Le dossier ${incident.caseCode}`);
    expect(alert).toContain('reste en attente');
    expect(await admin.all(incident.caseCode)).toHaveLength(1);
    // Still open, waiting; the liaison got nothing about it.
    expect((await gateway.db.incident.findUniqueOrThrow({ where: { id: incident.id } })).status).toBe('open');
    expect(await liaison.all(incident.caseCode)).toEqual([]);
    expect(await gateway.db.incidentNotification.count({ where: { incidentId: incident.id, responderId: 'liaison' } })).toBe(0);
  });

  it('the alias abuse_by_security_forces follows the same rule', async () => {
    const incident = await fileReport(gateway, { severity: 'medium', areaId: 'mbali', category: 'abuse_by_security_forces' });
    await eventually(async () => (await steps(gateway.db, incident.id)).length >= 1, 10_000, 'the first step');
    const [first] = await steps(gateway.db, incident.id);
    // Mbali has no committee: its region's liaison would be the local level; only the desk is left.
    expect(first!.committees).toEqual(['human-rights-desk']);
  });

  it('another category in the same place still climbs at once, to the liaison', async () => {
    const started = Date.now();
    const incident = await fileReport(gateway, { severity: 'medium', areaId: 'kanzi', category: 'violence' });
    await eventually(async () => (await steps(gateway.db, incident.id)).some((s) => s.committees.includes('north-liaison')), 10_000, 'the regional level');
    expect(Date.now() - started).toBeLessThan(LOCAL_DELAY_MS);
    expect(await auditOf(gateway.db, incident.id, 'incident.admins_alerted')).toEqual([]);
  });

  it('the liaison cannot act on it, and it cannot be handed to the liaison', async () => {
    const incident = await fileReport(gateway, { severity: 'medium', areaId: 'kanzi', category: 'security_force_abuse' });
    const liaison = new Person(gateway, 'liaison');
    expect(await liaison.ask(`ACK ${incident.caseCode}`)).toBe(`You are not on the roster for ${incident.caseCode}, so you cannot act on it. Nothing was changed.`);
    const token = await import('../../src/admin/tokens.js').then((m) => m.createToken(gateway.db, { name: 'Desk Officer', role: 'coordinator' }));
    const response = await fetch(`${gateway.url}/api/v1/incidents/${incident.caseCode}/reassign`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ committee: 'north-liaison' }),
    });
    expect(response.status).toBe(409);
    const body = (await response.json()) as { ok: boolean; result: string; message: string };
    expect([body.ok, body.result]).toEqual([false, 'reply.reassign_excluded']);
    expect(body.message).toContain('never routed there');
    const refused = await auditOf(gateway.db, incident.id, 'incident.refused');
    expect(refused.map((r) => r.detail.reason)).toContain('committee_excluded');
    expect((await gateway.db.escalation.findUniqueOrThrow({ where: { incidentId: incident.id } })).assignedCommitteeId).toBeNull();
  });
});

describe('the routing rule in the files', () => {
  it('is in the shipped policy file for both category names', () => {
    const policies = loadPolicies(DEFAULT_POLICY_FILE);
    for (const category of ['security_force_abuse', 'abuse_by_security_forces']) {
      expect(policies.categories[category]).toEqual({ exclude: { kinds: ['security_liaison'], levels: [], committees: [] }, whenNobodyReached: 'wait' });
    }
    expect(policies.alerts.desks).toEqual(['admins']);
  });

  it('refuses an unknown committee kind in a policy file and in a roster, naming the field', () => {
    const file = join(tmpdir(), `policy-kind-${process.pid}.yaml`);
    writeFileSync(file, `policies:\n  - { id: all, match: { severity: [low, medium, high, critical] }, ackTimeout: 1h, levels: [{ targets: [local] }] }\ncategories:\n  security_force_abuse: { exclude: { kinds: [police] } }\n`);
    expect(() => loadPolicies(file)).toThrow(PolicyFileError);
    expect(() => loadPolicies(file)).toThrow(/categories\.security_force_abuse\.exclude\.kinds\.0.*accepted: civilian, security_liaison/);
    expect(() => parseRoster({ committees: [{ id: 'x', name: 'X', level: 'regional', area: 'north', kind: 'police' }] })).toThrow(RosterError);
    expect(() => parseRoster({ committees: [{ id: 'x', name: 'X', level: 'regional', area: 'north', kind: 'police' }] })).toThrow(/committees\.0\.kind: accepted: civilian, security_liaison/);
  });
});
