/**
 * Area scope of the incidents' admin API: for a principal limited to Kanzi (a bearer token and a
 * signed-in staff user), an incident of Oroma is the same as an incident that does not exist, on
 * every route and in every parameter that names one (the path's code, link's `primary`,
 * dismiss's `other`), and a committee of Oroma is the same as no committee (reassign). The
 * answers are compared status and body (the typed code put aside), and the Oroma incident must
 * come out untouched: no audit entry, no timer moved, no link. The roster lists are scoped too.
 */
import { describe, expect, it } from 'vitest';
import { createToken } from '../../src/admin/tokens.js';
import { mintCaseCode } from '../../src/flow/case-code.js';
import { eventually } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';
import { fileReport, Person, useIncidentGateway, type IncidentGateway } from './support.js';

let gateway: IncidentGateway;
let admin: string;
const callers: { name: string; headers: Record<string, string> }[] = [];
let coordinatorKanzi: string;

/** Invites a staff user limited to `areaId` through the API, accepts the link and logs in. */
async function sessionOf(username: string, role: string, areaId: string): Promise<Record<string, string>> {
  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const invited = (await (await post('/users', { username, role, areaId }, { authorization: `Bearer ${admin}` })).json()) as { link: string };
  const password = `a long passphrase for ${username}`;
  expect((await post('/auth/links/accept', { token: new URL(invited.link).hash.slice(1), password })).status).toBe(200);
  const login = await post('/auth/login', { username, password });
  expect(login.status).toBe(200);
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  return { cookie: login.headers.get('set-cookie')!.split(';')[0]!, 'x-csrf-token': csrfToken };
}

useIncidentGateway(async (g) => {
  gateway = g;
  admin = (await createToken(g.db, { name: 'setup', role: 'admin' })).token;
  const token = (await createToken(g.db, { name: 'Kanzi responder desk', role: 'responder', areaId: 'kanzi' })).token;
  callers.push({ name: 'area-limited token', headers: { authorization: `Bearer ${token}` } });
  callers.push({ name: 'area-limited staff session', headers: await sessionOf('kanzi-staff', 'responder', 'kanzi') });
  coordinatorKanzi = (await createToken(g.db, { name: 'Kanzi coordinator', role: 'coordinator', areaId: 'kanzi' })).token;
});

async function call(headers: Record<string, string>, method: string, path: string, body?: unknown) {
  const response = await fetch(`${gateway.url}/api/v1${path}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The answer with the code the caller typed replaced, so that two answers can be compared. */
const masked = (answer: { status: number; body: unknown }, code: string) => ({ status: answer.status, body: JSON.parse(JSON.stringify(answer.body).replaceAll(code, '<named>')) });

/** Everything an action could change on an incident: the row, its escalation, its audit trail, its links. */
async function footprint(id: string) {
  const { db } = gateway;
  return {
    incident: await db.incident.findUniqueOrThrow({ where: { id }, select: { status: true, verification: true, duplicateOfId: true, acknowledgedBy: true, resolvedAt: true } }),
    escalation: await db.escalation.findUnique({ where: { incidentId: id }, select: { level: true, round: true, timerKind: true, timerAt: true, assignedCommitteeId: true } }),
    audit: await db.auditEntry.findMany({ where: { subjectId: id }, select: { id: true }, orderBy: { id: 'asc' } }),
    links: await db.incidentLink.findMany({ where: { OR: [{ incidentId: id }, { candidateId: id }] } }),
    relays: await db.incidentRelay.count({ where: { incidentId: id } }),
  };
}

/** Every route and parameter that names an incident, with a valid body around the named code. */
const ACTION_BODIES: Record<string, (own: string) => unknown> = {
  ack: () => ({}),
  resolve: () => ({ note: 'calm again' }),
  note: () => ({ note: 'a note' }),
  verify: () => ({ value: 'verified' }),
  reassign: () => ({ committee: 'kanzi-peace' }),
  link: (own) => ({ primary: own }),
  dismiss: (own) => ({ other: own }),
  ask: () => ({ question: 'Is the road open?' }),
};

interface Case {
  route: string;
  /** The request, naming `named` where the route takes an incident. */
  request: (named: string, own: { caseCode: string }) => { method: string; path: string; body?: unknown };
}

const CASES: Case[] = [
  { route: 'GET /incidents/:code', request: (named) => ({ method: 'GET', path: `/incidents/${named}` }) },
  ...Object.entries(ACTION_BODIES).map(([action, body]) => ({
    route: `POST /incidents/:code/${action}`,
    request: (named: string, own: { caseCode: string }) => ({ method: 'POST', path: `/incidents/${named}/${action}`, body: body(own.caseCode) }),
  })),
  { route: 'POST /incidents/:code/link { primary }', request: (named, own) => ({ method: 'POST', path: `/incidents/${own.caseCode}/link`, body: { primary: named } }) },
  { route: 'POST /incidents/:code/dismiss { other }', request: (named, own) => ({ method: 'POST', path: `/incidents/${own.caseCode}/dismiss`, body: { other: named } }) },
];

describe('an incident outside the caller’s area is an unknown incident', () => {
  for (const { route, request } of CASES) {
    it(`${route}: the same answer as for no incident, and nothing changes on either incident`, async () => {
      for (const caller of callers) {
        const own = await fileReport(gateway, { severity: 'critical', areaId: 'kanzi', category: 'violence' });
        const foreign = await fileReport(gateway, { severity: 'critical', areaId: 'oroma', category: 'violence' });
        // Another report of Oroma is suggested as its duplicate: a dismiss would have something to find.
        await fileReport(gateway, { severity: 'critical', areaId: 'oroma', category: 'violence' });
        const missing = mintCaseCode();
        await waitForIdle(gateway);
        const ownBefore = await footprint(own.id);
        const foreignBefore = await footprint(foreign.id);

        const toForeign = request(foreign.caseCode, own);
        const toMissing = request(missing, own);
        const answerForeign = await call(caller.headers, toForeign.method, toForeign.path, toForeign.body);
        const answerMissing = await call(caller.headers, toMissing.method, toMissing.path, toMissing.body);
        await waitForIdle(gateway);

        expect(answerForeign.status, `${caller.name}`).toBe(404);
        expect(masked(answerForeign, foreign.caseCode), caller.name).toEqual(masked(answerMissing, missing));
        expect(await footprint(foreign.id), `${caller.name}: the Oroma incident`).toEqual(foreignBefore);
        expect(await footprint(own.id), `${caller.name}: the caller's own incident`).toEqual(ownBefore);
      }
    });
  }

  it('POST /incidents/:code/reassign { committee }: a committee of another area is answered as no committee', async () => {
    for (const caller of callers) {
      const own = await fileReport(gateway, { severity: 'critical', areaId: 'kanzi' });
      await waitForIdle(gateway);
      const before = await footprint(own.id);
      const foreign = await call(caller.headers, 'POST', `/incidents/${own.caseCode}/reassign`, { committee: 'oroma-peace' });
      const missing = await call(caller.headers, 'POST', `/incidents/${own.caseCode}/reassign`, { committee: 'atlantis-peace' });
      expect(foreign.status, caller.name).toBe(404);
      expect(masked(foreign, 'oroma-peace'), caller.name).toEqual(masked(missing, 'atlantis-peace'));
      expect(await footprint(own.id), caller.name).toEqual(before);
      // A committee above the area is one an incident of Kanzi escalates to: allowed.
      expect((await call(caller.headers, 'POST', `/incidents/${own.caseCode}/reassign`, { committee: 'north-liaison' })).status, caller.name).toBe(200);
    }
  });

  it('the incident list and a view leave out other areas’ incidents and links', async () => {
    const kanzi = await fileReport(gateway, { severity: 'critical', areaId: 'kanzi' });
    const oroma = await fileReport(gateway, { severity: 'critical', areaId: 'oroma' });
    // Linked across areas by an unscoped coordinator: the Kanzi view must not show the Oroma code.
    const desk = (await createToken(gateway.db, { name: 'National desk', role: 'coordinator' })).token;
    expect((await call({ authorization: `Bearer ${desk}` }, 'POST', `/incidents/${kanzi.caseCode}/link`, { primary: oroma.caseCode })).status).toBe(200);
    for (const caller of callers) {
      const list = await call(caller.headers, 'GET', '/incidents?limit=500');
      const codes = (list.body.items as { caseCode: string }[]).map((i) => i.caseCode);
      expect(codes).toContain(kanzi.caseCode);
      expect(codes).not.toContain(oroma.caseCode);
      const view = await call(caller.headers, 'GET', `/incidents/${kanzi.caseCode}`);
      expect(view.status).toBe(200);
      expect(view.body.duplicateOf).toBeNull();
      expect(JSON.stringify(view.body)).not.toContain(oroma.caseCode);
      expect(JSON.stringify(view.body.timeline)).toContain('[outside your area]');
    }
  });
});

describe('responders on chat', () => {
  it('LINK to an incident whose rosters the responder is not on: answered as an unknown code, nothing written on it', async () => {
    const own = await fileReport(gateway, { severity: 'critical', areaId: 'kanzi' });
    const foreign = await fileReport(gateway, { severity: 'critical', areaId: 'oroma' });
    const missing = mintCaseCode();
    const kanzi1 = new Person(gateway, 'kanzi-1');
    await waitForIdle(gateway);
    const before = await footprint(foreign.id);
    const toForeign = await kanzi1.ask(`LINK ${own.caseCode} ${foreign.caseCode}`);
    const toMissing = await kanzi1.ask(`LINK ${own.caseCode} ${missing}`);
    await waitForIdle(gateway);
    expect(toForeign.replaceAll(foreign.caseCode, '<named>')).toBe(toMissing.replaceAll(missing, '<named>'));
    expect(await footprint(foreign.id)).toEqual(before);
    expect((await gateway.db.incident.findUniqueOrThrow({ where: { id: own.id } })).duplicateOfId).toBeNull();
  });
});

describe('roster lists for an area-limited caller', () => {
  it('GET /committees: the committees of its area, below and above it; GET /responders: their members only', async () => {
    for (const headers of [...callers.map((c) => c.headers), { authorization: `Bearer ${coordinatorKanzi}` }]) {
      const committees = await call(headers, 'GET', '/committees');
      expect(committees.status).toBe(200);
      expect((committees.body.items as { id: string }[]).map((c) => c.id).sort()).toEqual(['human-rights-desk', 'kanzi-peace', 'national-desk', 'north-liaison']);
    }
    const responders = await call({ authorization: `Bearer ${coordinatorKanzi}` }, 'GET', '/responders');
    expect(responders.status).toBe(200);
    const items = responders.body.items as { id: string; committees: string[] }[];
    expect(items.map((r) => r.id).sort()).toEqual(['hr-1', 'kanzi-1', 'kanzi-2', 'nat-1', 'north-1']);
    expect(items.flatMap((r) => r.committees)).not.toContain('oroma-peace');
    // Unscoped: everyone.
    const all = await call({ authorization: `Bearer ${admin}` }, 'GET', '/responders');
    expect((all.body.items as { id: string }[]).map((r) => r.id)).toContain('oroma-1');
  });

  it('GET /messages/:id: a message about another area’s incident is an unknown message', async () => {
    const foreign = await fileReport(gateway, { severity: 'critical', areaId: 'oroma' });
    const notice = await eventually(async () => gateway.db.message.findFirst({ where: { causeId: foreign.id } }), 15_000, 'the Oroma notification');
    const headers = { authorization: `Bearer ${coordinatorKanzi}` };
    const foreignAnswer = await call(headers, 'GET', `/messages/${notice!.id}`);
    const missingAnswer = await call(headers, 'GET', '/messages/no-such-message');
    expect(foreignAnswer).toEqual(missingAnswer);
    expect(foreignAnswer.status).toBe(404);
    expect((await call({ authorization: `Bearer ${admin}` }, 'GET', `/messages/${notice!.id}`)).status).toBe(200);
  });
});
