/**
 * The full ladder of each default policy, with delays scaled down, on real BullMQ delayed jobs:
 * who is told at each level, in which order, no sooner than the (scaled) delay, the repeat round,
 * and the end of the ladder. The reporter hears the case was received.
 */
import { describe, expect, it } from 'vitest';
import { ConsoleUser } from '../support/console.js';
import { eventually } from '../support/gateway.js';
import { auditOf, fileReport, steps, useGatewayPerTest } from './support.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface LadderCase {
  severity: 'critical' | 'high' | 'medium' | 'low';
  scale: number;
  /** Expected steps: [level, round, committees] in order, with the unscaled delay before each. */
  expected: { level: number; round: number; committees: string[]; after: number }[];
}

const cases: LadderCase[] = [
  {
    severity: 'critical',
    scale: 0.001,
    expected: [
      { level: 0, round: 0, committees: ['kanzi-peace'], after: 0 },
      { level: 1, round: 0, committees: ['north-liaison'], after: 10 * MINUTE },
      { level: 2, round: 0, committees: ['national-desk'], after: 10 * MINUTE },
      { level: 0, round: 1, committees: ['kanzi-peace'], after: 20 * MINUTE },
      { level: 1, round: 1, committees: ['north-liaison'], after: 10 * MINUTE },
      { level: 2, round: 1, committees: ['national-desk'], after: 10 * MINUTE },
    ],
  },
  {
    severity: 'high',
    scale: 0.0005,
    expected: [
      { level: 0, round: 0, committees: ['kanzi-peace'], after: 0 },
      { level: 1, round: 0, committees: ['north-liaison'], after: 30 * MINUTE },
      { level: 2, round: 0, committees: ['national-desk'], after: 30 * MINUTE },
      { level: 0, round: 1, committees: ['kanzi-peace'], after: HOUR },
      { level: 1, round: 1, committees: ['north-liaison'], after: 30 * MINUTE },
      { level: 2, round: 1, committees: ['national-desk'], after: 30 * MINUTE },
    ],
  },
  {
    severity: 'medium',
    scale: 0.0001,
    expected: [
      { level: 0, round: 0, committees: ['kanzi-peace'], after: 0 },
      { level: 1, round: 0, committees: ['north-liaison'], after: 4 * HOUR },
      { level: 2, round: 0, committees: ['national-desk'], after: 8 * HOUR },
    ],
  },
  {
    severity: 'low',
    scale: 0.00005,
    expected: [
      { level: 0, round: 0, committees: ['kanzi-peace'], after: 0 },
      { level: 1, round: 0, committees: ['north-liaison'], after: 24 * HOUR },
    ],
  },
];

const startGateway = useGatewayPerTest();

describe('the default escalation ladders, scaled', () => {
  for (const c of cases) {
    it(`climbs the ${c.severity} ladder level by level and stops at its end`, async () => {
      const gateway = await startGateway({ delayScale: c.scale });
      const reporter = new ConsoleUser(gateway, `reporter-${c.severity}`);
      const incident = await fileReport(gateway, { severity: c.severity, reporter: reporter.address });
      const total = c.expected.reduce((sum, s) => sum + s.after, 0) * c.scale;
      await eventually(async () => (await auditOf(gateway.db, incident.id, 'incident.escalation_exhausted')).length === 1, total + 10_000, 'the end of the ladder');
      const seen = await steps(gateway.db, incident.id);
      expect(seen.map((s) => [s.level, s.round, s.committees])).toEqual(c.expected.map((s) => [s.level, s.round, s.committees]));
      for (let i = 1; i < seen.length; i++) {
        const gap = seen[i]!.at - seen[i - 1]!.at;
        // Never early (1 ms rounding of the scaled delay), and not absurdly late.
        expect(gap).toBeGreaterThanOrEqual(c.expected[i]!.after * c.scale - 5);
        expect(gap).toBeLessThan(c.expected[i]!.after * c.scale + 3000);
      }
      // Each level's responders got one notification per step, with buttons.
      const kanzi = new ConsoleUser(gateway, 'kanzi-1');
      const rounds = c.expected.filter((s) => s.committees.includes('kanzi-peace')).length;
      const texts = await kanzi.replies(rounds);
      expect(texts[0]).toContain(incident.caseCode);
      expect(texts[0]).toMatch(/1\. Acknowledge\n\s+2\. Resolve/);
      const national = await gateway.db.incidentNotification.count({ where: { incidentId: incident.id, responderId: 'nat-1' } });
      expect(national).toBe(c.expected.filter((s) => s.committees.includes('national-desk')).length);
      // The reporter heard the case was received, and nothing about who handles it.
      const told = await reporter.replies(1);
      expect(told[0]).toContain(`Your report ${incident.caseCode} has been passed to the responders`);
      expect(told[0]).not.toMatch(/Kanzi One|North|National/);
      // No timer is left behind.
      const escalation = await gateway.db.escalation.findUniqueOrThrow({ where: { incidentId: incident.id } });
      expect(escalation.timerKind).toBeNull();
      // (The protection capability's repeating retention sweep is always pending: not the ladder's.)
      const delayed = await gateway.queues.timers.getDelayed();
      expect(delayed.map((job) => job.name).filter((kind) => kind !== 'retention')).toEqual([]);
    }, 60_000);
  }
});
