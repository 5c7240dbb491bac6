/**
 * Routing: an incident reaches the committee of its area, walking up the area tree when the area
 * has none; categories add desks; the rosters of an incident are its whole ladder; quiet hours
 * hold a low-severity report back and never a high one.
 */
import { describe, expect, it } from 'vitest';
import { onRoster } from '../../src/incidents/actions.js';
import type { IncidentDeps } from '../../src/incidents/deps.js';
import { loadPolicies } from '../../src/incidents/policies.js';
import { DEFAULT_POLICY_FILE } from '../../src/incidents/index.js';
import { AreaTreeCache } from '../../src/areas/tree.js';
import { committeesForTarget } from '../../src/incidents/routing.js';
import { eventually } from '../support/gateway.js';
import { fileReport, Person, steps, TEST_ROSTER, useIncidentGateway, type IncidentGateway } from './support.js';

let gateway: IncidentGateway;

useIncidentGateway((started) => (gateway = started));

async function firstStep(input: Parameters<typeof fileReport>[1]) {
  const incident = await fileReport(gateway, input);
  const [step] = await eventually(async () => {
    const seen = await steps(gateway.db, incident.id);
    return seen.length > 0 ? seen : undefined;
  }, 10_000, 'the first notification');
  return { incident, step: step! };
}

describe('routing up the area tree', () => {
  it('sends a report from Kanzi to the Kanzi peace committee', async () => {
    const { step } = await firstStep({ areaId: 'kanzi' });
    expect(step.committees).toEqual(['kanzi-peace']);
    expect(step.reached.sort()).toEqual(['kanzi-1', 'kanzi-2']);
  });

  it('sends a report from Mbali, which has no committee, to its region', async () => {
    const { step } = await firstStep({ areaId: 'mbali' });
    expect(step.committees).toEqual(['north-liaison']);
  });

  it('sends a report from Lindu to the River region, and one without an area to the national desk', async () => {
    expect((await firstStep({ areaId: 'lindu' })).step.committees).toEqual(['river-liaison']);
    expect((await firstStep({ areaId: null })).step.committees).toEqual(['national-desk']);
  });

  it('also sends abuse by security forces to the human-rights desk', async () => {
    const { incident, step } = await firstStep({ areaId: 'oroma', category: 'security_force_abuse' });
    expect(step.committees.sort()).toEqual(['human-rights-desk', 'oroma-peace']);
    expect(step.reached.sort()).toEqual(['hr-1', 'oroma-1']);
    // Each names the area in their language: the gazetteer's Arabic name for the Arabic speaker.
    // (Parameters in Arabic text are wrapped in directional isolates, U+2068 and U+2069.)
    expect(await new Person(gateway, 'hr-1').next(incident.caseCode)).toMatch(/في \u2068?أوروما/);
    expect(await new Person(gateway, 'oroma-1').next(incident.caseCode)).toMatch(/in \u2068?Oroma/);
  });

  it('writes the day it happened as each responder’s language writes a day, not as YYYY-MM-DD', async () => {
    const { incident } = await firstStep({ areaId: 'kanzi', occurredAt: '2026-12-06' });
    expect(await new Person(gateway, 'kanzi-1').next(incident.caseCode)).toContain('When: 6 Dec 2026.');
    expect(await new Person(gateway, 'kanzi-2').next(incident.caseCode)).toContain('Quand : 06/12/2026.');
  });

  it('resolves each target level from the area path', async () => {
    const committees = TEST_ROSTER.committees.map((c) => ({ id: c.id, name: c.name, level: c.level, desk: c.desk ?? null, kind: c.kind ?? 'civilian', areaId: c.area }));
    const kanzi = await new AreaTreeCache().path(gateway.db, 'kanzi');
    expect(kanzi).toEqual(['kanzi', 'north', 'lakeland']);
    const ids = (target: Parameters<typeof committeesForTarget>[2], path = kanzi) => committeesForTarget(committees, path, target).map((c) => c.id);
    expect(ids({ kind: 'level', level: 'local' })).toEqual(['kanzi-peace']);
    expect(ids({ kind: 'level', level: 'regional' })).toEqual(['north-liaison']);
    expect(ids({ kind: 'level', level: 'national' })).toEqual(['national-desk']);
    expect(ids({ kind: 'desk', desk: 'human_rights' })).toEqual(['human-rights-desk']);
    expect(ids({ kind: 'desk', desk: 'no_such_desk' })).toEqual([]);
    expect(ids({ kind: 'level', level: 'local' }, await new AreaTreeCache().path(gateway.db, 'tessa'))).toEqual(['north-liaison']);
  });
});

describe('the rosters of an incident', () => {
  it('are the committees of its whole ladder, plus its desks', async () => {
    const deps = { policies: loadPolicies(DEFAULT_POLICY_FILE), areas: new AreaTreeCache() } as IncidentDeps;
    const scope = { tx: gateway.db, deps, after: [], now: new Date() };
    const violence = await gateway.db.incident.findUniqueOrThrow({ where: { id: (await fileReport(gateway, { areaId: 'kanzi' })).id } });
    const onIt = async (incident: typeof violence, responder: string) => onRoster(scope, incident, responder);
    expect(await onIt(violence, 'kanzi-1')).toBe(true);
    expect(await onIt(violence, 'north-1')).toBe(true);
    expect(await onIt(violence, 'nat-1')).toBe(true);
    expect(await onIt(violence, 'oroma-1')).toBe(false);
    expect(await onIt(violence, 'river-1')).toBe(false);
    expect(await onIt(violence, 'hr-1')).toBe(false);
    const abuse = await gateway.db.incident.findUniqueOrThrow({ where: { id: (await fileReport(gateway, { areaId: 'kanzi', category: 'security_force_abuse' })).id } });
    expect(await onIt(abuse, 'hr-1')).toBe(true);
    expect(await onIt(abuse, 'kanzi-1')).toBe(true);
    expect(await onIt(abuse, 'nat-1')).toBe(true);
    // The institution accused is never on the rosters of a report about it.
    expect(await onIt(abuse, 'north-1')).toBe(false);
  });
});

describe('quiet hours', () => {
  it('hold a low-severity report made at 23:30 until 07:00, but not a high one', async () => {
    gateway.clock.set(new Date('2025-03-04T20:30:00Z')); // 23:30 in Nairobi
    try {
      const low = await fileReport(gateway, { severity: 'low', areaId: 'oroma' });
      const high = await fileReport(gateway, { severity: 'high', areaId: 'oroma' });
      await eventually(async () => (await steps(gateway.db, high.id)).length === 1, 10_000, 'the high report notified');
      const escalation = await gateway.db.escalation.findUniqueOrThrow({ where: { incidentId: low.id } });
      expect(escalation.timerAt?.toISOString()).toBe('2025-03-05T04:00:00.000Z');
      expect(await steps(gateway.db, low.id)).toEqual([]);
      const job = await gateway.queues.timers.getJob(`escalate-${low.id}-0-0`);
      expect(job?.opts.delay).toBeGreaterThan(7 * 3_600_000 - 60_000);
    } finally {
      gateway.clock.set(new Date('2025-03-04T09:00:00Z'));
    }
  });
});
