/**
 * The incidents themselves in the admin API (under /api/v1; an area-scoped token sees only its
 * area and below, and an incident outside it is answered 404 like an unknown code):
 *   GET  /incidents            list (no report text); ?status=&severity=&category=&area=&limit=&before=;
 *                              each item with its escalation (level notified, next step and when)
 *   GET  /incidents/:code      one report with its timeline, rosters and links (audited as a view)
 *   POST /incidents/:code/ack | resolve | note | verify | reassign | link | dismiss | ask
 * Actions answer `{ ok, result, message }`: the outcome's i18n key and its English text.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { transaction } from '../db/transaction.js';
import * as actions from './actions.js';
import type { ActingParty, ActionScope, Outcome } from './actions.js';
import { record, timeline } from './audit.js';
import { runAfterCommit, type AfterCommit, type IncidentDeps } from './deps.js';
import { HttpError, validationError } from '../admin/errors.js';
import { actorRef, inScope, scopedAreas } from './route-scope.js';

type IncidentRow = NonNullable<Awaited<ReturnType<Db['incident']['findUnique']>>>;

function actorOf(request: FastifyRequest): ActingParty {
  const { name, role, responderId } = request.principal;
  // A user who is a roster responder acts under the roster rules of the chat commands.
  return { ref: actorRef(request), name, channel: 'api', ...(role === 'responder' && responderId ? { responderId } : {}) };
}

export function incidentCaseRoutes(deps: IncidentDeps) {
  const { db, translator } = deps;

  /** The incident by code if the token's area covers it; otherwise throws 404 (same as unknown). */
  async function visible(request: FastifyRequest, reply: FastifyReply, code: string): Promise<IncidentRow | null> {
    const found = await actions.findIncident(db, code);
    if ('outcome' in found) {
      throw new HttpError(found.outcome.status, translator.t('en', `incidents:${found.outcome.key}`, found.outcome.params), { reason: found.outcome.key });
    }
    if (!(await inScope(deps, request, found.incident.areaId))) {
      throw new HttpError(404, translator.t('en', 'incidents:reply.unknown_code', { code: found.incident.caseCode }), { reason: 'reply.unknown_code' });
    }
    return found.incident;
  }

  /** Runs an action in a transaction, then its queue work; answers with the outcome. */
  async function act(reply: FastifyReply, perform: (scope: ActionScope) => Promise<Outcome>) {
    const after: AfterCommit = [];
    const outcome = await transaction(db, async (tx) => perform({ tx, deps, after, now: deps.now() }));
    await runAfterCommit(after);
    return reply.code(outcome.status).send({ ok: outcome.ok, result: outcome.key, message: translator.t('en', `incidents:${outcome.key}`, outcome.params) });
  }

  return async (app: FastifyInstance): Promise<void> => {
    app.get('/incidents', async (request, reply) => {
      const query = z
        .object({
          status: z.enum(['open', 'acknowledged', 'resolved']).optional(),
          severity: z.enum(['low', 'medium', 'high', 'critical']).optional(),
          category: z.string().max(100).optional(),
          area: z.string().optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          before: z.iso.datetime().optional(),
        })
        .safeParse(request.query);
      if (!query.success) throw validationError(query.error);
      const { status, severity, category, area, limit, before } = query.data;
      let areas = await scopedAreas(deps, request);
      if (area) {
        const wanted = await deps.areas.subtree(db, area);
        areas = areas ? wanted.filter((a) => areas!.includes(a)) : wanted;
      }
      const rows = await db.incident.findMany({
        where: { status, severity, category, ...(areas ? { areaId: { in: areas } } : {}), ...(before ? { createdAt: { lt: new Date(before) } } : {}) },
        orderBy: { createdAt: 'desc' },
        take: limit,
        select: { id: true, caseCode: true, category: true, severity: true, status: true, verification: true, areaId: true, duplicateOfId: true, createdAt: true, acknowledgedAt: true, resolvedAt: true },
      });
      const escalations = new Map(
        (await db.escalation.findMany({ where: { incidentId: { in: rows.map((r) => r.id) } }, select: { incidentId: true, notifiedLevel: true, timerKind: true, timerAt: true, exhaustedAt: true } })).map((e) => [e.incidentId, e]),
      );
      return {
        items: rows.map(({ id, ...rest }) => {
          const e = escalations.get(id);
          return { ...rest, escalation: e ? { notifiedLevel: e.notifiedLevel, waitingFor: e.timerKind, nextAt: e.timerAt, exhaustedAt: e.exhaustedAt } : null };
        }),
      };
    });

    app.get('/incidents/:code', async (request, reply) => {
      const { code } = z.object({ code: z.string() }).parse(request.params);
      const incident = await visible(request, reply, code);
      if (!incident) return reply;
      const now = deps.now();
      await record(db, { actor: actorRef(request), action: 'incident.viewed', subjectId: incident.id, detail: { via: 'api' }, at: now });
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
        if (!body.success) throw validationError(body.error);
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
  };
}
