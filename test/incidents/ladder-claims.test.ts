/**
 * The escalation ladder step by step, its timers fired by hand: each step is claimed once (a
 * repeated, stale or late timer tells nobody), a step or acknowledgement timeout whose incident
 * was closed by another road ends the timer, the acknowledgement timeout re-opens at the level
 * last told, and the timers are where the Escalation row says (job ids, delays, put back when
 * lost, re-run when failed, re-added when a finished job still holds the id). Delays are long
 * (10 min), so no timer fires by itself during a test: every step runs because the test fired it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEffect } from '../../src/conversation/effects.js';
import { findOrCreateContact } from '../../src/conversation/contacts.js';
import type { Db } from '../../src/db/client.js';
import { mintCaseCode } from '../../src/flow/case-code.js';
import { AreaTreeCache } from '../../src/areas/tree.js';
import type { TimerJob } from '../../src/jobs/queues.js';
import type { IncidentDeps } from '../../src/incidents/deps.js';
import { startEscalation } from '../../src/incidents/ladder.js';
import { ACK_TIMEOUT, ackTimerId, ensureTimer, ESCALATE, escalateTimerId } from '../../src/incidents/ladder-timers.js';
import { loadPolicies } from '../../src/incidents/policies.js';
import { eventually } from '../support/gateway.js';
import { auditOf, fileReport, NAIROBI_NOON, notificationAbout, Person, seedRoster, startIncidentGateway, steps, type IncidentGateway } from './support.js';

const MINUTE = 60_000;
const POLICY = `
policies:
  - id: claims
    match: { severity: [critical, high] }
    ackTimeout: 10m
    repeat: 1
    levels:
      - { targets: [local], delay: 10m }
      - { targets: [regional], delay: 10m }
  - id: nightly
    match: { severity: [medium, low] }
    ackTimeout: 10m
    quietHours: { start: "21:00", end: "07:00" }
    levels:
      - { targets: [local], delay: 10m }
      - { targets: [regional] }
`;
const dir = mkdtempSync(join(tmpdir(), 'ladder-claims-'));

let gateway: IncidentGateway;
let deps: IncidentDeps;
beforeAll(async () => {
  writeFileSync(join(dir, 'policies.yaml'), POLICY);
  gateway = await startIncidentGateway({ policyFile: join(dir, 'policies.yaml'), delayScale: 1 });
  await seedRoster(gateway);
  // The capability's parts, for the calls a timer or the start-up repair makes.
  deps = {
    db: gateway.db,
    logger: gateway.logger,
    queues: gateway.queues,
    personalData: gateway.personalData,
    dialect: gateway.dialect,
    translator: gateway.translator,
    channels: new Set(gateway.adapters.keys()),
    policies: loadPolicies(join(dir, 'policies.yaml'), 1),
    areas: new AreaTreeCache(),
    now: gateway.clock.now,
  };
});
afterAll(async () => {
  await gateway?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a timer now, as its worker would when it comes due, and waits until it has run. */
async function fire(id: string, data: TimerJob): Promise<void> {
  await gateway.queues.timers.remove(id);
  await gateway.queues.schedule(id, data, new Date());
  await eventually(async () => ['completed', 'failed'].includes(await gateway.queues.timers.getJobState(id)), 10_000, `timer ${id} to run`);
}
const escalate = (incidentId: string, level: number, round: number) => fire(escalateTimerId(incidentId, level, round), { kind: ESCALATE, incidentId, level, round });
const ackTimeout = (incidentId: string, round: number) => fire(ackTimerId(incidentId, round), { kind: ACK_TIMEOUT, incidentId, round });

const ladder = async (incidentId: string) => (await steps(gateway.db, incidentId)).map((s) => [s.level, s.round]);
const escalationOf = (incidentId: string) => gateway.db.escalation.findUniqueOrThrow({ where: { incidentId } });

/** Files a report whose escalation start has not run yet; `start` runs it (as the hook would). */
async function fileUnstarted(severity: 'critical' | 'medium' = 'critical'): Promise<{ id: string; start: () => Promise<void> }> {
  const { contactId } = await findOrCreateContact(gateway.db, gateway.personalData, 'console', `unstarted-${Math.random().toString(36).slice(2, 8)}`, 'en');
  const caseCode = mintCaseCode();
  const afterCommit: (() => Promise<void>)[] = [];
  await gateway.db.$transaction(async (tx) => {
    await applyEffect(
      { type: 'create_incident', caseCode, category: 'violence', areaId: 'kanzi', occurredAt: 'today', affected: 3, severity, description: 'Stones thrown at the bus stop', anonymous: false, callbackAllowed: true },
      { tx: tx as Db, now: gateway.clock.now(), contactId, channel: 'console', personalData: gateway.personalData, language: 'en', replies: [], afterCommit, seal: () => undefined },
      gateway.effects,
    );
  });
  const incident = await gateway.db.incident.findUniqueOrThrow({ where: { caseCode } });
  return {
    id: incident.id,
    start: async () => {
      for (const task of afterCommit) await task();
    },
  };
}

describe('starting an escalation', () => {
  it('tells the first level in the call that starts it, records the routing, and waits the level delay for the next', async () => {
    const reporter = new Person(gateway, 'claims-reporter-1');
    const incident = await fileReport(gateway, { severity: 'critical', areaId: 'kanzi', reporter: reporter.address });
    // No waiting: the first level was told in the start's own transaction.
    expect(await ladder(incident.id)).toEqual([[0, 0]]);
    const [routed] = await auditOf(gateway.db, incident.id, 'incident.routed');
    expect(routed!.detail).toMatchObject({ policy: 'claims', severity: 'critical', category: 'violence', areaId: 'kanzi' });
    expect(Date.parse(routed!.detail.firstStepAt as string)).toBe(routed!.at.getTime());
    expect((await auditOf(gateway.db, incident.id, 'incident.reporter_notified')).map((r) => r.detail)).toEqual([{ what: 'received' }]);
    expect(await reporter.next(incident.caseCode)).toBe(`Your report ${incident.caseCode} has been passed to the responders for your area.`);
    expect(await escalationOf(incident.id)).toMatchObject({ level: 1, round: 0, notifiedLevel: 0, timerKind: 'escalate' });
    const next = await gateway.queues.timers.getJob(escalateTimerId(incident.id, 1, 0));
    expect(await next!.getState()).toBe('delayed');
    expect(next!.data).toEqual({ kind: ESCALATE, incidentId: incident.id, level: 1, round: 0 });
    expect(next!.opts.delay).toBeGreaterThan(10 * MINUTE - 10_000);
    expect(next!.opts.delay).toBeLessThanOrEqual(10 * MINUTE);
  });

  it('tells an anonymous reporter nothing and records no notice to them', async () => {
    const incident = await fileReport(gateway, { severity: 'critical', reporter: null });
    expect(await ladder(incident.id)).toEqual([[0, 0]]);
    expect(await auditOf(gateway.db, incident.id, 'incident.routed')).toHaveLength(1);
    expect(await auditOf(gateway.db, incident.id, 'incident.reporter_notified')).toEqual([]);
  });

  it('in quiet hours, tells nobody yet and sets the first step for the end of the quiet hours', async () => {
    // 23:00 in Kanzi (Africa/Nairobi, UTC+3): quiet until 07:00, 8 hours on.
    gateway.clock.set(new Date('2025-03-04T20:00:00Z'));
    try {
      const reporter = new Person(gateway, 'claims-reporter-2');
      const incident = await fileReport(gateway, { severity: 'medium', areaId: 'kanzi', reporter: reporter.address });
      expect(await ladder(incident.id)).toEqual([]);
      // Each reporter hears of their own report.
      expect(await reporter.next(incident.caseCode)).toBe(`Your report ${incident.caseCode} has been passed to the responders for your area.`);
      expect(await escalationOf(incident.id)).toMatchObject({ level: 0, round: 0, timerKind: 'escalate', timerAt: new Date('2025-03-05T04:00:00Z') });
      const first = await gateway.queues.timers.getJob(escalateTimerId(incident.id, 0, 0));
      expect(await first!.getState()).toBe('delayed');
      expect(first!.opts.delay).toBeGreaterThan(8 * 60 * MINUTE - 10_000);
      expect(first!.opts.delay).toBeLessThanOrEqual(8 * 60 * MINUTE);
      expect((await auditOf(gateway.db, incident.id, 'incident.reporter_notified')).map((r) => r.detail)).toEqual([{ what: 'received' }]);
    } finally {
      gateway.clock.set(NAIROBI_NOON);
    }
  });

  it('started again, finds its row and only puts back the timer Redis lost', async () => {
    const incident = await fileReport(gateway, { severity: 'critical' });
    const id = escalateTimerId(incident.id, 1, 0);
    await gateway.queues.timers.remove(id);
    expect(await gateway.queues.timers.getJobState(id)).toBe('unknown');
    await incident.startAgain();
    expect(await gateway.queues.timers.getJobState(id)).toBe('delayed');
    expect((await gateway.queues.timers.getJob(id))!.opts.delay).toBeGreaterThan(10 * MINUTE - 10_000);
    expect(await auditOf(gateway.db, incident.id, 'incident.routed')).toHaveLength(1);
    expect(await ladder(incident.id)).toEqual([[0, 0]]);
  });

  it('started twice at the same time, starts once', async () => {
    const incident = await fileUnstarted();
    await Promise.all([incident.start(), incident.start()]);
    expect(await auditOf(gateway.db, incident.id, 'incident.routed')).toHaveLength(1);
    expect(await ladder(incident.id)).toEqual([[0, 0]]);
    expect(await gateway.db.incidentNotification.count({ where: { incidentId: incident.id } })).toBe(2);
    expect(await gateway.queues.timers.getJobState(escalateTimerId(incident.id, 1, 0))).toBe('delayed');
  });

  it('starts nothing for an incident resolved, marked a duplicate or gone before its start ran', async () => {
    const resolved = await fileUnstarted();
    await gateway.db.incident.update({ where: { id: resolved.id }, data: { status: 'resolved', resolvedAt: new Date(), resolvedBy: 'cli:test' } });
    await resolved.start();
    const primary = await fileReport(gateway, { severity: 'critical' });
    const duplicate = await fileUnstarted();
    await gateway.db.incident.update({ where: { id: duplicate.id }, data: { duplicateOfId: primary.id } });
    await duplicate.start();
    for (const id of [resolved.id, duplicate.id]) {
      expect(await gateway.db.escalation.findUnique({ where: { incidentId: id } })).toBeNull();
      expect(await auditOf(gateway.db, id, 'incident.routed')).toEqual([]);
      expect(await gateway.db.incidentNotification.count({ where: { incidentId: id } })).toBe(0);
    }
    await expect(startEscalation(deps, 'no-such-incident')).resolves.toBeUndefined();
    expect(await gateway.db.escalation.findUnique({ where: { incidentId: 'no-such-incident' } })).toBeNull();
  });
});

describe('a step claims its place on the ladder', () => {
  it('runs each step once: the step that ran, a repeated timer and the end of the ladder tell nobody more', async () => {
    const north1 = new Person(gateway, 'north-1');
    const incident = await fileReport(gateway, { severity: 'critical', areaId: 'kanzi' });
    // The first step ran at the start: its timer, fired again, changes nothing.
    await escalate(incident.id, 0, 0);
    expect(await ladder(incident.id)).toEqual([[0, 0]]);
    expect(await gateway.db.incidentNotification.count({ where: { incidentId: incident.id } })).toBe(2);
    // A step of another round than the pending one changes nothing either.
    await escalate(incident.id, 1, 1);
    expect(await ladder(incident.id)).toEqual([[0, 0]]);

    await escalate(incident.id, 1, 0);
    expect(await ladder(incident.id)).toEqual([
      [0, 0],
      [1, 0],
    ]);
    await north1.next(notificationAbout(incident.caseCode));
    expect(await escalationOf(incident.id)).toMatchObject({ level: 0, round: 1, notifiedLevel: 1, timerKind: 'escalate' });
    expect(await gateway.queues.timers.getJobState(escalateTimerId(incident.id, 0, 1))).toBe('delayed');
    await escalate(incident.id, 1, 0);
    expect(await ladder(incident.id)).toHaveLength(2);

    // The repeat round, then the end.
    await escalate(incident.id, 0, 1);
    await escalate(incident.id, 1, 1);
    expect(await ladder(incident.id)).toEqual([
      [0, 0],
      [1, 0],
      [0, 1],
      [1, 1],
    ]);
    expect(await auditOf(gateway.db, incident.id, 'incident.escalation_exhausted')).toHaveLength(1);
    expect(await escalationOf(incident.id)).toMatchObject({ timerKind: null, timerAt: null });
    await escalate(incident.id, 0, 2);
    expect(await ladder(incident.id)).toHaveLength(4);
    expect(await gateway.db.incidentNotification.count({ where: { incidentId: incident.id, responderId: 'north-1' } })).toBe(2);
  });

  it('ends the timer and tells nobody when the incident was resolved or marked a duplicate by another road', async () => {
    const resolved = await fileReport(gateway, { severity: 'critical' });
    await gateway.db.incident.update({ where: { id: resolved.id }, data: { status: 'resolved', resolvedAt: new Date(), resolvedBy: 'cli:test' } });
    const primary = await fileReport(gateway, { severity: 'critical' });
    const duplicate = await fileReport(gateway, { severity: 'critical' });
    await gateway.db.incident.update({ where: { id: duplicate.id }, data: { duplicateOfId: primary.id } });
    for (const incident of [resolved, duplicate]) {
      await escalate(incident.id, 1, 0);
      expect(await ladder(incident.id)).toEqual([[0, 0]]);
      expect(await escalationOf(incident.id)).toMatchObject({ timerKind: null, timerAt: null });
    }
    expect(await gateway.db.incidentNotification.count({ where: { incidentId: { in: [resolved.id, duplicate.id] }, responderId: 'north-1' } })).toBe(0);
  });
});

describe('the acknowledgement timeout', () => {
  it('re-opens an incident acknowledged at the second level at that level, once', async () => {
    const north1 = new Person(gateway, 'north-1');
    const incident = await fileReport(gateway, { severity: 'critical', areaId: 'kanzi' });
    await escalate(incident.id, 1, 0);
    await north1.next(notificationAbout(incident.caseCode));
    expect(await north1.ask(`ACK ${incident.caseCode}`)).toContain(`You acknowledged ${incident.caseCode}. Send RESOLVED ${incident.caseCode} <note> when it is handled; without it, it opens again in 10 min.`);
    // The acknowledgement swapped the pending step's timer for its own (after its commit).
    const own = await eventually(() => gateway.queues.timers.getJob(ackTimerId(incident.id, 1)), 5000, 'the acknowledgement timeout');
    expect(await own.getState()).toBe('delayed');
    expect(await gateway.queues.timers.getJobState(escalateTimerId(incident.id, 0, 1))).toBe('unknown');
    expect(own.data).toEqual({ kind: ACK_TIMEOUT, incidentId: incident.id, round: 1 });
    // The step the acknowledgement replaced, taken by a worker just before, runs late: nothing.
    await escalate(incident.id, 0, 1);
    expect(await ladder(incident.id)).toHaveLength(2);
    expect(await escalationOf(incident.id)).toMatchObject({ timerKind: 'ack_timeout', round: 1 });
    // A timeout of another round changes nothing.
    await ackTimeout(incident.id, 0);
    expect((await gateway.db.incident.findUniqueOrThrow({ where: { id: incident.id } })).status).toBe('acknowledged');

    await ackTimeout(incident.id, 1);
    const retriggered = await auditOf(gateway.db, incident.id, 'incident.retriggered');
    expect(retriggered.map((r) => r.detail)).toEqual([{ reason: 'ack_timeout', acknowledgedBy: 'responder:north-1', level: 1, round: 2 }]);
    expect(await gateway.db.incident.findUniqueOrThrow({ where: { id: incident.id } })).toMatchObject({ status: 'open', acknowledgedBy: null, acknowledgedAt: null });
    // The level last told hears it again at once, in the new round.
    await eventually(async () => (await ladder(incident.id)).length === 3, 10_000, 'the re-triggered step');
    expect(await ladder(incident.id)).toEqual([
      [0, 0],
      [1, 0],
      [1, 2],
    ]);
    await north1.next('open again');
    // The same timeout fired again changes nothing.
    await ackTimeout(incident.id, 1);
    expect(await auditOf(gateway.db, incident.id, 'incident.retriggered')).toHaveLength(1);
    expect(await ladder(incident.id)).toHaveLength(3);
  });

  it('re-opens an incident acknowledged at the first level at the first level, and its duplicates with it', async () => {
    const kanzi1 = new Person(gateway, 'kanzi-1');
    const incident = await fileReport(gateway, { severity: 'critical', areaId: 'kanzi' });
    const duplicate = await fileUnstarted();
    await gateway.db.incident.update({ where: { id: duplicate.id }, data: { duplicateOfId: incident.id } });
    await kanzi1.next(notificationAbout(incident.caseCode));
    expect(await kanzi1.ask(`ACK ${incident.caseCode}`)).toContain(`You acknowledged ${incident.caseCode}`);
    expect((await gateway.db.incident.findUniqueOrThrow({ where: { id: duplicate.id } })).status).toBe('acknowledged');
    await eventually(() => gateway.queues.timers.getJob(ackTimerId(incident.id, 0)), 5000, 'the acknowledgement timeout');
    expect(await gateway.queues.timers.getJobState(escalateTimerId(incident.id, 1, 0))).toBe('unknown');
    await ackTimeout(incident.id, 0);
    expect((await auditOf(gateway.db, incident.id, 'incident.retriggered')).map((r) => r.detail)).toEqual([{ reason: 'ack_timeout', acknowledgedBy: 'responder:kanzi-1', level: 0, round: 1 }]);
    await eventually(async () => (await ladder(incident.id)).length === 2, 10_000, 'the re-triggered step');
    expect(await ladder(incident.id)).toEqual([
      [0, 0],
      [0, 1],
    ]);
    expect(await escalationOf(incident.id)).toMatchObject({ level: 1, round: 1, triggerRound: 1, trigger: 'retriggered', timerKind: 'escalate' });
    // The duplicate follows its primary.
    expect(await gateway.db.incident.findUniqueOrThrow({ where: { id: duplicate.id } })).toMatchObject({ status: 'open', acknowledgedBy: null, acknowledgedAt: null });
    expect((await auditOf(gateway.db, duplicate.id, 'incident.retriggered')).map((r) => r.detail)).toEqual([{ via: incident.id }]);
  });

  it('ends the timer and re-opens nothing when the incident is no longer acknowledged', async () => {
    const kanzi1 = new Person(gateway, 'kanzi-1');
    const incident = await fileReport(gateway, { severity: 'critical', areaId: 'kanzi' });
    await kanzi1.next(notificationAbout(incident.caseCode));
    await kanzi1.ask(`ACK ${incident.caseCode}`, 'You acknowledged');
    await eventually(() => gateway.queues.timers.getJob(ackTimerId(incident.id, 0)), 5000, 'the acknowledgement timeout');
    // Put back to open by another road, its acknowledgement timeout still pending.
    await gateway.db.incident.update({ where: { id: incident.id }, data: { status: 'open', acknowledgedBy: null, acknowledgedAt: null } });
    await ackTimeout(incident.id, 0);
    expect(await auditOf(gateway.db, incident.id, 'incident.retriggered')).toEqual([]);
    expect(await escalationOf(incident.id)).toMatchObject({ timerKind: null, timerAt: null });
    expect(await ladder(incident.id)).toEqual([[0, 0]]);
  });

  it('is removed when the incident is resolved, and the rest of the resolution goes on', async () => {
    const kanzi1 = new Person(gateway, 'kanzi-1');
    const reporter = new Person(gateway, 'claims-reporter-3');
    const incident = await fileReport(gateway, { severity: 'critical', areaId: 'kanzi', reporter: reporter.address });
    await kanzi1.next(notificationAbout(incident.caseCode));
    await kanzi1.ask(`ACK ${incident.caseCode}`, 'You acknowledged');
    await eventually(async () => (await gateway.queues.timers.getJobState(ackTimerId(incident.id, 0))) === 'delayed', 5000, 'the acknowledgement timeout');
    expect(await kanzi1.ask(`RESOLVED ${incident.caseCode} calm again`)).toContain(`${incident.caseCode} is resolved`);
    await eventually(async () => (await gateway.queues.timers.getJobState(ackTimerId(incident.id, 0))) === 'unknown', 5000, 'the timeout removed');
    expect(await escalationOf(incident.id)).toMatchObject({ timerKind: null, timerAt: null });
    // With no timer to add, the work after the commit still tells the reporter.
    expect(await reporter.next('has been resolved')).toBe(`Your report ${incident.caseCode} has been resolved. Thank you for reporting.`);
  });
});

describe('making sure a timer is in Redis (the start-up repair)', () => {
  it('leaves a pending timer, puts back a lost one, re-adds one whose finished job holds the id, retries one that failed', async () => {
    const incident = await fileReport(gateway, { severity: 'critical' });
    const id = escalateTimerId(incident.id, 1, 0);
    expect(await ensureTimer(deps, await escalationOf(incident.id))).toBe('present');

    await gateway.queues.timers.remove(id);
    expect(await ensureTimer(deps, await escalationOf(incident.id))).toBe('scheduled');
    const back = await gateway.queues.timers.getJob(id);
    expect(await back!.getState()).toBe('delayed');
    expect(back!.data).toEqual({ kind: ESCALATE, incidentId: incident.id, level: 1, round: 0 });
    expect(back!.opts.delay).toBeGreaterThan(10 * MINUTE - 10_000);

    // A finished job of another incident that holds the id (it claimed nothing).
    await fire(id, { kind: ESCALATE, incidentId: 'another-incident', level: 1, round: 0 });
    expect(await gateway.queues.timers.getJobState(id)).toBe('completed');
    expect(await ensureTimer(deps, await escalationOf(incident.id))).toBe('scheduled');
    const readded = await gateway.queues.timers.getJob(id);
    expect(await readded!.getState()).toBe('delayed');
    expect(readded!.data.incidentId).toBe(incident.id);

    // A job that failed for good (its data did not match its kind) is run again.
    await fire(id, { kind: ESCALATE, incidentId: '', level: 1, round: 0 });
    const failed = await gateway.queues.timers.getJob(id);
    expect(await failed!.getState()).toBe('failed');
    const firstRun = failed!.processedOn!;
    expect(await ensureTimer(deps, await escalationOf(incident.id))).toBe('retried');
    await eventually(async () => {
      const job = await gateway.queues.timers.getJob(id);
      return (await job!.getState()) === 'failed' && job!.processedOn! > firstRun;
    }, 10_000, 'the failed timer to run again');
    expect(await ladder(incident.id)).toEqual([[0, 0]]);
  });

  it('finds the acknowledgement timeout of an acknowledged incident, and no timer where none waits', async () => {
    const kanzi1 = new Person(gateway, 'kanzi-1');
    const incident = await fileReport(gateway, { severity: 'critical', areaId: 'kanzi' });
    await kanzi1.next(notificationAbout(incident.caseCode));
    await kanzi1.ask(`ACK ${incident.caseCode}`, 'You acknowledged');
    const id = ackTimerId(incident.id, 0);
    await eventually(() => gateway.queues.timers.getJob(id), 5000, 'the acknowledgement timeout');
    await gateway.queues.timers.remove(id);
    expect(await ensureTimer(deps, await escalationOf(incident.id))).toBe('scheduled');
    const back = await gateway.queues.timers.getJob(id);
    expect(await back!.getState()).toBe('delayed');
    expect(back!.data).toEqual({ kind: ACK_TIMEOUT, incidentId: incident.id, round: 0 });
    expect(back!.opts.delay).toBeGreaterThan(10 * MINUTE - 10_000);
    expect(back!.opts.delay).toBeLessThanOrEqual(10 * MINUTE);

    await kanzi1.ask(`RESOLVED ${incident.caseCode}`, 'is resolved');
    expect(await ensureTimer(deps, await escalationOf(incident.id))).toBe('none');
    await eventually(async () => (await gateway.queues.timers.getJobState(id)) === 'unknown', 5000, 'the timeout removed');
  });
});
