/**
 * The crash test: a gateway in a child process is killed (SIGKILL) while 1,000 incidents have
 * escalation timers pending, some of them firing. Another gateway starts on the same database
 * and Redis. Every timer fires exactly once: no step is lost, none is run twice.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.js';
import { mintCaseCode } from '../../src/flow/case-code.js';
import { parseRoster } from '../../src/incidents/roster-model.js';
import { applyRoster } from '../../src/incidents/rosters.js';
import { createPersonalData, parseKey } from '../../src/personal-data.js';
import { readAreas, seedAreas } from '../../src/areas/gazetteer.js';
import { startChildGateway, type ChildGateway } from '../support/child-gateway.js';
import { eventually, TEST_KEY, testEnv } from '../support/gateway.js';

const N = 1000;
// critical: level 2 after 10 min x 0.015 = 9 s, level 3 after another 9 s.
const SCALE = 0.015;
const children: ChildGateway[] = [];

afterAll(() => {
  for (const child of children) if (child.process.exitCode === null) child.kill('SIGKILL');
});

/** A gateway whose escalation delays are scaled and which catches up only at start. */
async function startChild(vars: Record<string, string>): Promise<ChildGateway> {
  const child = await startChildGateway(vars, { capabilities: { incidents: { delayScale: SCALE, catchUpMs: 0 } }, readyTimeoutMs: 60_000 });
  children.push(child);
  return child;
}

/** Firings of escalation steps, by incident, level and round. */
async function firings(database: Database): Promise<Map<string, number>> {
  const rows = await database.db.auditEntry.findMany({ where: { action: 'incident.notified' }, select: { subjectId: true, detail: true } });
  const counts = new Map<string, number>();
  for (const row of rows) {
    const detail = JSON.parse(row.detail) as { level: number; round: number };
    const key = `${row.subjectId}:${detail.level}:${detail.round}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

async function countLevel(database: Database, level: number): Promise<number> {
  return database.db.incidentNotification.count({ where: { level, round: 0 } });
}

describe('a gateway killed with 1,000 pending escalation timers', () => {
  it('fires every timer once after a restart: none lost, none doubled', async () => {
    const env = testEnv({ LOG_LEVEL: 'error' });
    const database = await openDatabase(env.vars.DATABASE_URL!);
    try {
      await seedAreas(database.db, readAreas(join(import.meta.dirname, '..', '..', 'prisma', 'seed', 'areas.yaml')));
      const personalData = createPersonalData(parseKey(TEST_KEY));
      await applyRoster(
        database.db,
        personalData,
        parseRoster({
          committees: [
            { id: 'kanzi-peace', name: 'Kanzi', level: 'local', area: 'kanzi' },
            { id: 'north-liaison', name: 'North', level: 'regional', area: 'north' },
            { id: 'national-desk', name: 'National', level: 'national', area: 'lakeland' },
          ],
          responders: [
            { id: 'local-1', name: 'Local', identities: [{ channel: 'console', address: 'local-1' }], committees: ['kanzi-peace'] },
            { id: 'regional-1', name: 'Regional', identities: [{ channel: 'console', address: 'regional-1' }], committees: ['north-liaison'] },
            { id: 'national-1', name: 'National', identities: [{ channel: 'console', address: 'national-1' }], committees: ['national-desk'] },
          ],
        }),
        'cli:test',
      );
      const description = personalData.encrypt('crash test');
      // Reported an hour apart (as far as duplicate detection is concerned: none are suggested).
      const now = Date.now();
      await database.db.incident.createMany({
        data: Array.from({ length: N }, (_, i) => ({
          caseCode: mintCaseCode(),
          category: 'violence',
          severity: 'critical',
          areaId: 'kanzi',
          descriptionEnc: description,
          anonymous: true,
          createdAt: new Date(now - i * 3_600_000),
        })),
      });

      // The first gateway starts every escalation (its start-up sweep), then dies while the
      // level-2 timers are coming due.
      const t0 = Date.now();
      const first = await startChild(env.vars);
      const tReady = Date.now();
      await eventually(async () => (await countLevel(database, 1)) >= N * 0.3, 180_000, '30% of the level-2 steps');
      const tKill = Date.now();
      first.kill('SIGKILL');
      await first.exited;
      const atKill = { level1: await countLevel(database, 0), level2: await countLevel(database, 1), escalations: await database.db.escalation.count() };
      expect(atKill.level2).toBeLessThan(N);

      // Down for a while: more timers come due. Then another gateway on the same database and Redis.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const second = await startChild(env.vars);
      const tRestart = Date.now();
      await eventually(async () => (await countLevel(database, 1)) === N, 240_000, 'every level-2 step');
      const tDone = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await second.stop();

      const counts = await firings(database);
      const incidents = await database.db.incident.findMany({ select: { id: true } });
      const lost = incidents.filter((i) => !counts.has(`${i.id}:0:0`) || !counts.has(`${i.id}:1:0`));
      const doubled = [...counts.entries()].filter(([, n]) => n > 1);
      expect(lost).toEqual([]);
      expect(doubled).toEqual([]);
      // Every escalation still waits on exactly the timer its state names (level 3, or done).
      const pending = await database.db.escalation.findMany({ where: { timerKind: 'escalate' } });
      expect(pending.every((e) => (e.level === 2 && e.round === 0) || e.round === 1)).toBe(true);
      console.log(
        `crash test: first gateway ready in ${tReady - t0} ms, killed at ${tKill - t0} ms with ${atKill.escalations}/${N} escalations started and ${atKill.level2}/${N} level-2 steps done; ` +
          `all ${await countLevel(database, 1)}/${N} done ${tDone - tRestart} ms after the restart, ${doubled.length} doubled`,
      );
    } finally {
      // A gateway left running (a step above failed) would hold the database the cleanup drops,
      // and its error would hide the step's.
      for (const child of children) if (child.process.exitCode === null && child.process.signalCode === null) child.kill('SIGKILL');
      await Promise.all(children.map((child) => child.exited));
      await database.close();
      await env.cleanup();
    }
  }, 500_000);
});
