/**
 * The incidents' admin API, under /api/v1 (bearer tokens; an area-scoped token sees only its area
 * and what lies below it):
 *   GET  /incidents                          list (no report text); ?status=&severity=&area=&limit=&before=
 *   GET  /incidents/:code                    one report with its timeline, rosters and links (audited as a view)
 *   POST /incidents/:code/ack | resolve | note | verify | reassign | link | dismiss | ask
 *   GET  /audit/incidents?format=jsonl|csv&since=&until=   the audit trail export (admin)
 *   GET  /committees, POST /committees, DELETE /committees/:id
 *   POST /committees/:id/members {responderId}, DELETE /committees/:id/members/:responderId
 *   GET  /responders, POST /responders, DELETE /responders/:id
 *   POST /rosters/import                     a roster as YAML (text/yaml), JSON, or responders as CSV (text/csv)
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import * as actions from './actions.js';
import { rosterFromCsv } from './roster-csv.js';
import type { ActingParty, ActionScope, Outcome } from './actions.js';
import { exportAudit, record, timeline } from './audit.js';
import { runAfterCommit, type AfterCommit, type IncidentDeps } from './deps.js';
import {
  applyRoster,
  committeeInput,
  listCommittees,
  listResponders,
  parseRoster,
  removeCommittee,
  removeResponder,
  responderInput,
  RosterError,
  rosterSchema,
  setMembership,
} from './rosters.js';

type IncidentRow = NonNullable<Awaited<ReturnType<Db['incident']['findUnique']>>>;

function actorOf(request: FastifyRequest): ActingParty {
  const { actor, name, role, responderId } = request.principal;
  // A user who is a roster responder acts under the roster rules of the chat commands.
  return { ref: actor, name, channel: 'api', ...(role === 'responder' && responderId ? { responderId } : {}) };
}

function badRequest(reply: FastifyReply, error: z.ZodError) {
  return reply.code(400).send({ error: 'invalid request', problems: error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`) });
}

export function incidentRoutes(deps: IncidentDeps) {
  const { db, translator } = deps;

  /** The incident by code if the token's area covers it; otherwise answers 404 (same as unknown). */
  async function visible(request: FastifyRequest, reply: FastifyReply, code: string): Promise<IncidentRow | null> {
    const found = await actions.findIncident(db, code);
    if ('outcome' in found) {
      await reply.code(found.outcome.status).send({ error: translator.t('en', `incidents:${found.outcome.key}`, found.outcome.params), reason: found.outcome.key });
      return null;
    }
    const scope = request.principal.areaId;
    if (scope && (!found.incident.areaId || !(await deps.areas.subtree(db, scope)).includes(found.incident.areaId))) {
      await reply.code(404).send({ error: translator.t('en', 'incidents:reply.unknown_code', { code: found.incident.caseCode }), reason: 'reply.unknown_code' });
      return null;
    }
    return found.incident;
  }

  /** Runs an action in a transaction, then its queue work; answers with the outcome. */
  async function act(reply: FastifyReply, perform: (scope: ActionScope) => Promise<Outcome>) {
    const after: AfterCommit = [];
    const outcome = await db.$transaction(async (tx) => perform({ tx: tx as Db, deps, after, now: deps.now() }), { maxWait: 20_000, timeout: 30_000 });
    await runAfterCommit(after);
    return reply.code(outcome.status).send({ ok: outcome.ok, result: outcome.key, message: translator.t('en', `incidents:${outcome.key}`, outcome.params) });
  }

  return async (app: FastifyInstance): Promise<void> => {
    if (!app.hasContentTypeParser('text/yaml')) app.addContentTypeParser('text/yaml', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    if (!app.hasContentTypeParser('text/csv')) app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => done(null, body));

    app.get('/incidents', async (request, reply) => {
      const query = z
        .object({
          status: z.enum(['open', 'acknowledged', 'resolved']).optional(),
          severity: z.enum(['low', 'medium', 'high', 'critical']).optional(),
          area: z.string().optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          before: z.iso.datetime().optional(),
        })
        .safeParse(request.query);
      if (!query.success) return badRequest(reply, query.error);
      const { status, severity, area, limit, before } = query.data;
      let areas: string[] | undefined;
      if (request.principal.areaId) areas = await deps.areas.subtree(db, request.principal.areaId);
      if (area) {
        const wanted = await deps.areas.subtree(db, area);
        areas = areas ? wanted.filter((a) => areas!.includes(a)) : wanted;
      }
      const rows = await db.incident.findMany({
        where: { status, severity, ...(areas ? { areaId: { in: areas } } : {}), ...(before ? { createdAt: { lt: new Date(before) } } : {}) },
        orderBy: { createdAt: 'desc' },
        take: limit,
        select: { id: true, caseCode: true, category: true, severity: true, status: true, verification: true, areaId: true, duplicateOfId: true, createdAt: true, acknowledgedAt: true, resolvedAt: true },
      });
      return { items: rows.map(({ id: _id, ...rest }) => rest) };
    });

    app.get('/incidents/:code', async (request, reply) => {
      const { code } = z.object({ code: z.string() }).parse(request.params);
      const incident = await visible(request, reply, code);
      if (!incident) return reply;
      const now = deps.now();
      await record(db, { actor: request.principal.actor, action: 'incident.viewed', subjectId: incident.id, detail: { via: 'api' }, at: now });
      const scope: ActionScope = { tx: db, deps, after: [], now };
      let description = '';
      try {
        description = deps.personalData.decrypt(incident.descriptionEnc);
      } catch {
        description = '[unreadable]';
      }
      const links = await db.incidentLink.findMany({ where: { OR: [{ incidentId: incident.id }, { candidateId: incident.id }] } });
      const codes = new Map((await db.incident.findMany({ where: { id: { in: links.flatMap((l) => [l.incidentId, l.candidateId]) } }, select: { id: true, caseCode: true } })).map((i) => [i.id, i.caseCode]));
      const escalation = await db.escalation.findUnique({ where: { incidentId: incident.id } });
      const primary = incident.duplicateOfId ? codes.get(incident.duplicateOfId) ?? (await db.incident.findUnique({ where: { id: incident.duplicateOfId } }))?.caseCode : null;
      return {
        caseCode: incident.caseCode,
        category: incident.category,
        severity: incident.severity,
        status: incident.status,
        verification: incident.verification,
        areaId: incident.areaId,
        occurredAt: incident.occurredAt,
        affected: incident.affected,
        description,
        // The reporter is never identified here: only whether one can be asked a question.
        reporter: { anonymous: incident.anonymous || !incident.reporterContactId, canBeAsked: !!incident.reporterContactId && !incident.anonymous && incident.callbackAllowed },
        location: incident.latitude !== null && incident.longitude !== null ? { latitude: incident.latitude, longitude: incident.longitude } : null,
        createdAt: incident.createdAt,
        acknowledgedAt: incident.acknowledgedAt,
        resolvedAt: incident.resolvedAt,
        duplicateOf: primary ?? null,
        links: links.map((l) => ({ incident: codes.get(l.incidentId), candidate: codes.get(l.candidateId), status: l.status })),
        escalation: escalation
          ? { policy: escalation.policyId, level: escalation.level, round: escalation.round, notifiedLevel: escalation.notifiedLevel, waitingFor: escalation.timerKind, nextAt: escalation.timerAt, exhaustedAt: escalation.exhaustedAt, assignedCommittee: escalation.assignedCommitteeId }
          : null,
        roster: await actions.rosterOf(scope, incident),
        timeline: await timeline(db, deps.personalData, incident.id),
      };
    });

    const bodies = {
      ack: z.object({}).passthrough(),
      resolve: z.object({ note: z.string().max(2000).optional() }),
      note: z.object({ note: z.string().min(1).max(2000) }),
      verify: z.object({ value: z.enum(actions.VERIFICATIONS), note: z.string().max(2000).optional() }),
      reassign: z.object({ committee: z.string().min(1) }),
      link: z.object({ primary: z.string().min(1) }),
      dismiss: z.object({ other: z.string().min(1) }),
      ask: z.object({ question: z.string().min(1).max(1000) }),
    } as const;

    for (const name of Object.keys(bodies) as (keyof typeof bodies)[]) {
      app.post(`/incidents/:code/${name}`, { config: { openapi: { body: bodies[name] } } }, async (request, reply) => {
        const { code } = z.object({ code: z.string() }).parse(request.params);
        const body = bodies[name].safeParse(request.body ?? {});
        if (!body.success) return badRequest(reply, body.error);
        const incident = await visible(request, reply, code);
        if (!incident) return reply;
        const actor = actorOf(request);
        const b = body.data as Record<string, string | undefined>;
        return act(reply, async (scope) => {
          const fresh = await scope.tx.incident.findUniqueOrThrow({ where: { id: incident.id } });
          switch (name) {
            case 'ack':
              return actions.acknowledge(scope, fresh, actor);
            case 'resolve':
              return actions.resolve(scope, fresh, actor, b.note);
            case 'note':
              return actions.addNote(scope, fresh, actor, b.note!);
            case 'verify':
              return actions.verify(scope, fresh, actor, b.value as actions.Verification, b.note);
            case 'reassign':
              return actions.reassign(scope, fresh, actor, b.committee!);
            case 'ask':
              return actions.ask(scope, fresh, actor, b.question!);
            case 'link':
            case 'dismiss': {
              const other = await actions.findIncident(scope.tx, (name === 'link' ? b.primary : b.other)!);
              if ('outcome' in other) return other.outcome;
              return name === 'link' ? actions.link(scope, fresh, actor, other.incident) : actions.dismissSuggestion(scope, fresh, actor, other.incident);
            }
          }
        });
      });
    }

    app.get('/audit/incidents', async (request, reply) => {
      const query = z.object({ format: z.enum(['jsonl', 'csv']).default('jsonl'), since: z.iso.datetime().optional(), until: z.iso.datetime().optional() }).safeParse(request.query);
      if (!query.success) return badRequest(reply, query.error);
      const { format, since, until } = query.data;
      await record(db, { actor: request.principal.actor, action: 'audit.exported', subjectId: '-', detail: { format, since, until }, at: deps.now() });
      let body = '';
      for await (const chunk of exportAudit(db, format, { since: since ? new Date(since) : undefined, until: until ? new Date(until) : undefined })) body += chunk;
      return reply
        .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
        .header('content-disposition', `attachment; filename="incident-audit.${format}"`)
        .send(body);
    });

    // Rosters.
    const actorRef = (request: FastifyRequest) => request.principal.actor;
    const rosterWrite = async (reply: FastifyReply, work: () => Promise<unknown>) => {
      try {
        return await work();
      } catch (error) {
        if (error instanceof RosterError) return reply.code(400).send({ error: 'roster not applied', problems: error.problems });
        throw error;
      }
    };

    app.get('/committees', async () => ({ items: await listCommittees(db) }));
    app.get('/responders', async () => ({ items: await listResponders(db, deps.personalData) }));

    app.post('/committees', { config: { openapi: { body: committeeInput } } }, async (request, reply) => {
      const body = committeeInput.safeParse(request.body);
      if (!body.success) return badRequest(reply, body.error);
      return rosterWrite(reply, async () => ({ applied: await applyRoster(db, deps.personalData, { committees: [body.data], responders: [] }, actorRef(request), deps.now()) }));
    });
    app.delete('/committees/:id', async (request, reply) => {
      const { id } = z.object({ id: z.string() }).parse(request.params);
      if (!(await removeCommittee(db, id, actorRef(request), deps.now()))) return reply.code(404).send({ error: `no committee "${id}"` });
      return { removed: id };
    });
    const memberBody = z.object({ responderId: z.string().min(1) });
    app.post('/committees/:id/members', { config: { openapi: { body: memberBody } } }, async (request, reply) => {
      const { id } = z.object({ id: z.string() }).parse(request.params);
      const body = memberBody.safeParse(request.body);
      if (!body.success) return badRequest(reply, body.error);
      const result = await setMembership(db, id, body.data.responderId, true, actorRef(request), deps.now());
      if (result === 'unknown') return reply.code(404).send({ error: `no committee "${id}" or no responder "${body.data.responderId}"` });
      return { result };
    });
    app.delete('/committees/:id/members/:responderId', async (request, reply) => {
      const { id, responderId } = z.object({ id: z.string(), responderId: z.string() }).parse(request.params);
      const result = await setMembership(db, id, responderId, false, actorRef(request), deps.now());
      if (result === 'unknown') return reply.code(404).send({ error: `no committee "${id}" or no responder "${responderId}"` });
      return { result };
    });
    app.post('/responders', { config: { openapi: { body: responderInput } } }, async (request, reply) => {
      const body = responderInput.safeParse(request.body);
      if (!body.success) return badRequest(reply, body.error);
      return rosterWrite(reply, async () => ({ applied: await applyRoster(db, deps.personalData, { committees: [], responders: [body.data] }, actorRef(request), deps.now()) }));
    });
    app.delete('/responders/:id', async (request, reply) => {
      const { id } = z.object({ id: z.string() }).parse(request.params);
      if (!(await removeResponder(db, id, actorRef(request), deps.now()))) return reply.code(404).send({ error: `no responder "${id}"` });
      return { removed: id };
    });
    app.post('/rosters/import', { config: { openapi: { body: rosterSchema, textBodies: ['text/yaml', 'text/csv'] } } }, async (request, reply) => {
      let data: unknown = request.body;
      if (typeof data === 'string' && String(request.headers['content-type']).startsWith('text/csv')) {
        const csv = data;
        return rosterWrite(reply, async () => ({ applied: await applyRoster(db, deps.personalData, rosterFromCsv(csv, 'body'), actorRef(request), deps.now()) }));
      }
      if (typeof data === 'string') {
        try {
          data = parseYaml(data);
        } catch (error) {
          return reply.code(400).send({ error: 'roster not applied', problems: [`body: ${(error as Error).message}`] });
        }
      }
      return rosterWrite(reply, async () => ({ applied: await applyRoster(db, deps.personalData, parseRoster(data, 'body'), actorRef(request), deps.now()) }));
    });
  };
}
