/**
 * The incidents' admin API: area-scoped listing and viewing (a view is audited), actions with
 * clear refusals, the audit export, and roster management.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createToken } from '../../src/admin/tokens.js';
import { auditOf, fileReport, Person, useIncidentGateway, type IncidentGateway } from './support.js';

let gateway: IncidentGateway;
const tokens: Record<string, { id: string; token: string }> = {};
let kanziReport: { id: string; caseCode: string };
let oromaReport: { id: string; caseCode: string };

useIncidentGateway(async (started) => {
  gateway = started;
  tokens.admin = await createToken(gateway.db, { name: 'Admin', role: 'admin' });
  tokens.coordinator = await createToken(gateway.db, { name: 'Desk Officer Mwangi', role: 'coordinator' });
  tokens.river = await createToken(gateway.db, { name: 'River Coordinator', role: 'coordinator', areaId: 'river' });
  tokens.analyst = await createToken(gateway.db, { name: 'Analyst', role: 'analyst' });
  tokens.broadcaster = await createToken(gateway.db, { name: 'Broadcaster', role: 'broadcaster' });
  kanziReport = await fileReport(gateway, { areaId: 'kanzi', reporter: 'api-reporter', description: 'Youths blocking the road with stones' });
  oromaReport = await fileReport(gateway, { areaId: 'lindu', severity: 'high' });
});

async function api(token: string, method: string, path: string, body?: unknown, contentType = 'application/json') {
  const response = await fetch(`${gateway.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${tokens[token]!.token}`, ...(body === undefined ? {} : { 'content-type': contentType }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // CSV and JSON lines
  }
  return { status: response.status, json, text, headers: response.headers };
}

describe('listing and viewing incidents', () => {
  it('lists every incident for an unscoped token and only its area for a scoped one', async () => {
    const all = await api('coordinator', 'GET', '/incidents');
    expect(all.status).toBe(200);
    const codes = (all.json.items as { caseCode: string }[]).map((i) => i.caseCode);
    expect(codes).toEqual(expect.arrayContaining([kanziReport.caseCode, oromaReport.caseCode]));
    const river = await api('river', 'GET', '/incidents');
    expect((river.json.items as { caseCode: string }[]).map((i) => i.caseCode)).toEqual([oromaReport.caseCode]);
    expect((await api('analyst', 'GET', '/incidents?severity=high')).json.items).toHaveLength(1);
    expect((await api('broadcaster', 'GET', '/incidents')).status).toBe(403);
    expect((await api('coordinator', 'GET', '/incidents?status=closed')).status).toBe(400);
  });

  it('shows one report with its timeline and rosters, records the view, and never identifies the reporter', async () => {
    const before = (await auditOf(gateway.db, kanziReport.id, 'incident.viewed')).length;
    const view = await api('coordinator', 'GET', `/incidents/${kanziReport.caseCode}`);
    expect(view.status).toBe(200);
    expect(view.json).toMatchObject({ caseCode: kanziReport.caseCode, status: 'open', description: 'Youths blocking the road with stones', reporter: { anonymous: false, canBeAsked: true } });
    const timeline = view.json.timeline as { action: string; actorName: string }[];
    expect(timeline.map((e) => e.action)).toEqual(expect.arrayContaining(['incident.routed', 'incident.notified', 'incident.reporter_notified']));
    expect((view.json.roster as { committees: { id: string }[] }).committees.map((c) => c.id).sort()).toEqual(['kanzi-peace', 'national-desk', 'north-liaison']);
    expect(view.text).not.toContain('api-reporter');
    expect(view.text).not.toContain(kanziReport.id);
    const views = await auditOf(gateway.db, kanziReport.id, 'incident.viewed');
    expect(views).toHaveLength(before + 1);
    expect(views.at(-1)!.actor).toBe(`token:${tokens.coordinator!.id}`);
  });

  it('answers 404 for a code outside the token area, as for an unknown code', async () => {
    const outside = await api('river', 'GET', `/incidents/${kanziReport.caseCode}`);
    expect(outside.status).toBe(404);
    expect(outside.json.error).toBe(`There is no case ${kanziReport.caseCode}. Check the code. Nothing was changed.`);
    expect((await api('river', 'POST', `/incidents/${kanziReport.caseCode}/ack`, {})).status).toBe(404);
    expect((await api('coordinator', 'GET', '/incidents/R-ZZZZZZ')).status).toBe(404);
    expect((await api('coordinator', 'GET', '/incidents/hello')).status).toBe(400);
  });
});

describe('acting through the API', () => {
  it('acknowledges, refuses a second acknowledgement with who did it, adds a note, verifies and resolves', async () => {
    const reporter = new Person(gateway, 'api-reporter');
    const ack = await api('coordinator', 'POST', `/incidents/${kanziReport.caseCode}/ack`, {});
    expect(ack.status).toBe(200);
    expect(ack.json.ok).toBe(true);
    // The outcome's key and parameters, so the console words it in its own language.
    expect(ack.json).toMatchObject({ result: 'reply.acknowledged', params: { code: kanziReport.caseCode } });
    await reporter.next(`A responder is now working on your report ${kanziReport.caseCode}`);
    const again = await api('admin', 'POST', `/incidents/${kanziReport.caseCode}/ack`, {});
    expect(again.status).toBe(409);
    expect(again.json.message).toBe(`${kanziReport.caseCode} is already acknowledged by Desk Officer Mwangi. Nothing was changed.`);
    expect(again.json).toMatchObject({ result: 'reply.already_acknowledged', params: { code: kanziReport.caseCode, name: 'Desk Officer Mwangi' } });
    expect((await api('coordinator', 'POST', `/incidents/${kanziReport.caseCode}/verify`, { value: 'maybe' })).status).toBe(400);
    expect((await api('coordinator', 'POST', `/incidents/${kanziReport.caseCode}/verify`, { value: 'unverified', note: 'no second source' })).status).toBe(200);
    expect((await api('coordinator', 'POST', `/incidents/${kanziReport.caseCode}/note`, { note: 'police informed' })).status).toBe(200);
    expect((await api('coordinator', 'POST', `/incidents/${kanziReport.caseCode}/resolve`, { note: 'road open' })).status).toBe(200);
    await reporter.next(`Your report ${kanziReport.caseCode} has been resolved`);
    const view = await api('admin', 'GET', `/incidents/${kanziReport.caseCode}`);
    expect(view.json).toMatchObject({ status: 'resolved', verification: 'unverified' });
    const notes = (view.json.timeline as { action: string; detail: { note?: string }; actorName: string }[]).filter((e) => e.detail.note);
    expect(notes.map((n) => [n.action, n.detail.note, n.actorName])).toEqual([
      ['incident.verified', 'no second source', 'Desk Officer Mwangi'],
      ['incident.note', 'police informed', 'Desk Officer Mwangi'],
      ['incident.resolved', 'road open', 'Desk Officer Mwangi'],
    ]);
  });
});

describe('the audit export', () => {
  it('exports JSON lines and CSV to admins only, without note texts', async () => {
    expect((await api('coordinator', 'GET', '/audit/incidents')).status).toBe(403);
    const jsonl = await api('admin', 'GET', '/audit/incidents?format=jsonl');
    expect(jsonl.status).toBe(200);
    expect(jsonl.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = jsonl.text.trim().split('\n').map((line) => JSON.parse(line) as { action: string; subjectId: string; detail: Record<string, unknown> });
    expect(lines.some((l) => l.action === 'incident.viewed' && l.subjectId === kanziReport.id)).toBe(true);
    expect(lines.some((l) => l.action === 'committee.upserted')).toBe(true);
    const resolved = lines.find((l) => l.action === 'incident.resolved' && l.subjectId === kanziReport.id)!;
    expect(resolved.detail.note).toBe(true);
    expect(jsonl.text).not.toContain('road open');
    expect(jsonl.text).not.toContain('noteEnc');
    const csv = await api('admin', 'GET', `/audit/incidents?format=csv&since=${encodeURIComponent(new Date(gateway.clock.now().getTime() - 3_600_000).toISOString())}`);
    expect(csv.text.split('\n')[0]).toBe('at,actor,action,subject_type,subject_id,detail');
    expect(csv.text).toContain(',incident.acknowledged,incident,');
    // The export itself is audited.
    expect(await gateway.db.auditEntry.count({ where: { action: 'audit.exported' } })).toBe(2);
  });
});

describe('roster management', () => {
  it('imports a YAML roster, and refuses a bad one with the field and without changing anything', async () => {
    const yaml = readFileSync(join(import.meta.dirname, '..', '..', 'prisma', 'seed', 'rosters.yaml'), 'utf8');
    const applied = await api('coordinator', 'POST', '/rosters/import', yaml, 'text/yaml');
    expect(applied.status).toBe(200);
    expect(applied.json.applied).toMatchObject({ committees: 8, responders: 8 });
    const before = await gateway.db.committee.count();
    const bad = await api('coordinator', 'POST', '/rosters/import', 'committees:\n  - { id: x, name: X, level: county, area: kanzi }\n', 'text/yaml');
    expect(bad.status).toBe(400);
    expect((bad.json.problems as string[])[0]).toMatch(/^body: committees\.0\.level: accepted: local, regional, national, desk/);
    expect(await gateway.db.committee.count()).toBe(before);
    expect((await api('river', 'POST', '/rosters/import', yaml, 'text/yaml')).status).toBe(403);
  });

  it('adds and removes committees, responders and memberships', async () => {
    expect((await api('coordinator', 'POST', '/committees', { id: 'tessa-peace', name: 'Tessa Peace Committee', level: 'local', area: 'tessa' })).status).toBe(200);
    const added = await api('coordinator', 'POST', '/responders', { id: 'tessa-1', name: 'Tessa One', identities: [{ channel: 'console', address: 'tessa-1' }], committees: [] });
    expect(added.status).toBe(200);
    expect((await api('coordinator', 'POST', '/committees/tessa-peace/members', { responderId: 'tessa-1' })).json.result).toBe('changed');
    expect((await api('coordinator', 'POST', '/committees/tessa-peace/members', { responderId: 'nobody' })).status).toBe(404);
    const committees = await api('coordinator', 'GET', '/committees');
    expect((committees.json.items as { id: string; members: { id: string }[] }[]).find((c) => c.id === 'tessa-peace')!.members.map((m) => m.id)).toEqual(['tessa-1']);
    const responders = await api('coordinator', 'GET', '/responders');
    expect(responders.text).not.toContain('+15550100001');
    expect((await api('coordinator', 'DELETE', '/committees/tessa-peace/members/tessa-1')).json.result).toBe('changed');
    expect((await api('coordinator', 'DELETE', '/responders/tessa-1')).status).toBe(200);
    expect((await api('coordinator', 'DELETE', '/committees/tessa-peace')).status).toBe(200);
    expect((await api('coordinator', 'DELETE', '/committees/tessa-peace')).status).toBe(404);
    expect((await api('coordinator', 'POST', '/committees', { id: 'Bad Id', name: 'x', level: 'local', area: 'tessa' })).status).toBe(400);
  });
});
