/**
 * Timers that survive: starting an escalation twice does it once; a timer Redis lost is made
 * again at start; an incident whose hook never ran is started at start; a timer that came due
 * while the gateway was down fires at once when it is back; a Redis restart (append-only file)
 * loses no timer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyEffect } from '../../src/conversation/effects.js';
import { findOrCreateContact } from '../../src/conversation/contacts.js';
import type { Db } from '../../src/db/client.js';
import { mintCaseCode } from '../../src/flow/case-code.js';
import { startGateway } from '../../src/gateway.js';
import { escalateTimerId } from '../../src/incidents/ladder-timers.js';
import { incidentsCapability } from '../../src/incidents/index.js';
import { createLogger } from '../../src/logger.js';
import { loadConfig } from '../../src/gateway.js';
import { startEmbeddedRedis, freePort } from '../../src/redis/embedded.js';
import { eventually, testEnv } from '../support/gateway.js';
import { auditOf, fileReport, seedRoster, sleep, steps, TestClock, NAIROBI_NOON, useIncidentGateway, type IncidentGateway } from './support.js';
import { waitForIdle } from '../support/idle.js';

let gateway: IncidentGateway;

useIncidentGateway((started) => (gateway = started));

describe('starting an escalation', () => {
  it('does it once when the start runs twice, even at the same time', async () => {
    const incident = await fileReport(gateway, { severity: 'high' });
    await Promise.all([incident.startAgain(), incident.startAgain()]);
    await incident.startAgain();
    await eventually(async () => (await steps(gateway.db, incident.id)).length === 1, 10_000, 'the first step');
    await waitForIdle(gateway);
    expect(await auditOf(gateway.db, incident.id, 'incident.routed')).toHaveLength(1);
    expect(await steps(gateway.db, incident.id)).toHaveLength(1);
    expect(await gateway.db.incidentNotification.count({ where: { incidentId: incident.id } })).toBe(2);
    expect(await gateway.db.message.count({ where: { causeId: incident.id, kind: 'notification' } })).toBe(3); // two responders and the reporter
    expect(await gateway.queues.timers.getJobState(escalateTimerId(incident.id, 1, 0))).toBe('delayed');
  });

  it('makes a lost timer again at start, at its time', async () => {
    const incident = await fileReport(gateway, { severity: 'critical' });
    await eventually(async () => (await steps(gateway.db, incident.id)).length === 1, 10_000, 'the first step');
    const id = escalateTimerId(incident.id, 1, 0);
    const job = await eventually(() => gateway.queues.timers.getJob(id), 5000, 'the level 2 timer');
    await job.remove();
    expect(await gateway.queues.timers.getJobState(id)).toBe('unknown');
    await gateway.capabilities.get('incidents')!.start!();
    expect(await gateway.queues.timers.getJobState(id)).toBe('delayed');
    const again = await gateway.queues.timers.getJob(id);
    // Due 10 minutes after the first step, as before.
    expect(again!.opts.delay).toBeGreaterThan(9 * 60_000);
    expect(again!.opts.delay).toBeLessThanOrEqual(10 * 60_000);
  });

  it('starts at start an open incident whose escalation start never ran', async () => {
    const { contactId } = await findOrCreateContact(gateway.db, gateway.personalData, 'console', 'hookless-reporter');
    const caseCode = mintCaseCode();
    await gateway.db.$transaction(async (tx) => {
      await applyEffect(
        { type: 'create_incident', caseCode, category: 'violence', areaId: 'kanzi', occurredAt: null, affected: null, severity: 'critical', description: 'x', anonymous: false, callbackAllowed: true },
        // The after-commit work (the escalation start) is dropped, as if the process died.
        { tx: tx as Db, now: new Date(), contactId, channel: 'console', personalData: gateway.personalData, language: 'en', replies: [], seal: () => undefined, afterCommit: [] },
        gateway.effects,
      );
    });
    const incident = await gateway.db.incident.findUniqueOrThrow({ where: { caseCode } });
    expect(await gateway.db.escalation.findUnique({ where: { incidentId: incident.id } })).toBeNull();
    await gateway.capabilities.get('incidents')!.start!();
    await eventually(async () => (await steps(gateway.db, incident.id)).length === 1, 10_000, 'the first step');
  });
});

describe('restarts', () => {
  it('fires at once, on start, a timer that came due while the gateway was down', async () => {
    const env = testEnv();
    const clock = new TestClock();
    clock.set(NAIROBI_NOON);
    const capabilities = [incidentsCapability({ delayScale: 0.002, now: clock.now, catchUpMs: 0 })]; // level 2 after 1.2 s
    const logger = createLogger('silent');
    let first = await startGateway(loadConfig(env.vars), { capabilities, logger });
    try {
      await seedRoster(first);
      const incident = await fileReport({ db: first.db, personalData: first.personalData, clock, effects: first.effects }, { severity: 'critical' });
      await eventually(async () => (await steps(first.db, incident.id)).length === 1, 10_000, 'the first step');
      await first.stop();
      await sleep(2500); // level 2 came due 1.2 s after the first step
      const restarted = Date.now();
      first = await startGateway(loadConfig(env.vars), { capabilities, logger });
      await eventually(async () => (await steps(first.db, incident.id)).length === 2, 10_000, 'the late step');
      expect(Date.now() - restarted).toBeLessThan(3000);
      const seen = await steps(first.db, incident.id);
      expect(seen[1]!.at - seen[0]!.at).toBeGreaterThan(2000);
    } finally {
      await first.stop();
      await env.cleanup();
    }
  }, 60_000);

  it('loses no timer when Redis restarts from its append-only file', async () => {
    const redisDir = mkdtempSync(join(tmpdir(), 'incidents-redis-'));
    const port = await freePort();
    const logger = createLogger('silent');
    let redis = await startEmbeddedRedis({ bin: process.env.REDIS_SERVER_BIN ?? 'redis-server', dataDir: redisDir, logger, port });
    const env = testEnv({ REDIS_URL: redis.url });
    const clock = new TestClock();
    clock.set(NAIROBI_NOON);
    // Level 2 after 10 min x 0.02 = 12 s.
    const own = await startGateway(loadConfig(env.vars), { capabilities: [incidentsCapability({ delayScale: 0.02, now: clock.now, catchUpMs: 0 })], logger });
    try {
      await seedRoster(own);
      const incidents = [];
      for (let i = 0; i < 20; i++) incidents.push(await fileReport({ db: own.db, personalData: own.personalData, clock, effects: own.effects }, { severity: 'critical' }));
      await sleep(1200); // let the append-only file take the timers (fsync every second)
      // The timers still waiting when Redis goes away.
      const waiting = await own.db.escalation.findMany({ where: { timerKind: 'escalate', level: 1, timerAt: { gt: new Date(clock.now().getTime() + 1500) } } });
      expect(waiting.length).toBeGreaterThanOrEqual(10);
      await redis.stop();
      await sleep(500);
      redis = await startEmbeddedRedis({ bin: process.env.REDIS_SERVER_BIN ?? 'redis-server', dataDir: redisDir, logger, port });
      await eventually(async () => (await own.db.incidentNotification.count({ where: { level: 1 } })) === 20, 40_000, 'every second step');
      for (const incident of incidents) expect((await steps(own.db, incident.id)).map((s) => s.level)).toEqual([0, 1]);
    } finally {
      await own.stop();
      await redis.stop();
      await env.cleanup();
      rmSync(redisDir, { recursive: true, force: true });
    }
  }, 90_000);
});
