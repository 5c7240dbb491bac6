/**
 * The incidents themselves in the admin API (under /api/v1; an area-scoped principal sees only
 * its area and below). An incident outside the scope is answered exactly like an unknown code
 * (404, same body) wherever it is named: the path's `:code`, `primary` of link, `other` of
 * dismiss, and the primary a named duplicate belongs to; a committee outside it (reassign) like
 * an unknown committee. Such a refusal changes nothing and writes no audit entry. A view leaves
 * out links to incidents outside the scope and hides their codes in its timeline.
 *   GET  /incidents            list (no report text); ?status=&severity=&category=&area=&limit=&before=;
 *                              each item with its escalation (level notified, next step and when)
 *   GET  /incidents/:code      one report with its timeline, rosters and links (audited as a view)
 *   POST /incidents/:code/ack | resolve | note | verify | reassign | link | dismiss | ask
 * Actions answer `{ ok, result, params, message }`: the outcome's i18n key, its parameters (the
 * console words it in its own language from these) and its English chat text. Refusals carry the
 * same as `reason` and `params`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { transaction } from '../db/transaction.js';
import * as actions from './actions.js';
import { outcomeText } from './notify.js';
import type { ActingParty, ActionScope, Outcome } from './actions.js';
import { record, timeline } from './audit.js';
import { runAfterCommit, type AfterCommit, type IncidentDeps } from './deps.js';
import { HttpError, validationError } from '../admin/errors.js';
import { actorRef, committeeInScope, inScope, scopedAreas } from './route-scope.js';

type IncidentRow = NonNullable<Awaited<ReturnType<Db['incident']['findUnique']>>>;

/**
 * Who acts through the API. A user linked to a roster responder is that person (README: one actor
 * on chat and in the console): named to others by the roster's name, not the login name, and not
 * told of their own action. With the responder role they also act under the roster rules of the
 * chat commands; staff roles keep their wider reach.
 */
async function actorOf(db: Db, request: FastifyRequest): Promise<ActingParty> {
  const { name, role, responderId, via } = request.principal;
  const actor: ActingParty = { ref: actorRef(request), name, channel: 'api' };
  // A login name means nothing to responders; a token's name is a label chosen to be shown.
  if (!responderId) return via === 'session' ? { ...actor, staffRole: role } : actor;
  const responder = await db.responder.findUnique({ where: { id: responderId }, select: { displayName: true } });
  return { ...actor, name: responder?.displayName ?? name, ...(role === 'responder' ? { responderId } : { linkedResponderId: responderId }) };
}

export function incidentCaseRoutes(deps: IncidentDeps) {
  const { db, translator } = deps;

  const refusal = (outcome: Outcome) => new HttpError(outcome.status, outcomeText(translator, 'en', outcome), { reason: outcome.key, params: outcome.params });
  const unknownCode = (code: string) => refusal({ ok: false, key: 'reply.unknown_code', params: { code }, status: 404 });

  /**
   * The incident named by `code` if the principal's area covers it. Throws 400 for text that is
   * not a code, and 404 for an unknown code or one outside the scope (the same answer).
   */
  async function visible(request: FastifyRequest, code: string): Promise<IncidentRow> {
    const found = await actions.findIncident(db, code);
    if ('outcome' in found) throw refusal(found.outcome);
    if (!(await inScope(deps, request, found.incident.areaId))) throw unknownCode(found.incident.caseCode);
    return found.incident;
  }

  /** Another incident named in a body (link, dismiss): visible, and so is the primary it is a duplicate of. */
  async function visibleOther(request: FastifyRequest, code: string): Promise<IncidentRow> {
    const other = await visible(request, code);
    if (other.duplicateOfId) {
      const primary = await db.incident.findUnique({ where: { id: other.duplicateOfId }, select: { areaId: true } });
      if (primary && !(await inScope(deps, request, primary.areaId))) throw unknownCode(other.caseCode);
    }
    return other;
  }

  /**
   * The timeline with the case codes of incidents outside the principal's area (a link made by
   * an unscoped coordinator, say) replaced by `[outside your area]`.
   */
  async function hideOutOfScope<T>(request: FastifyRequest, entries: T[]): Promise<T[]> {
    if (!request.principal.areaId) return entries;
    const text = JSON.stringify(entries);
    const named = [...new Set(text.match(/R-[A-HJKMNP-Z2-9]{6}/g) ?? [])];
    if (named.length === 0) return entries;
    const rows = await db.incident.findMany({ where: { caseCode: { in: named } }, select: { caseCode: true, areaId: true } });
    const hidden: string[] = [];
    for (const row of rows) if (!(await inScope(deps, request, row.areaId))) hidden.push(row.caseCode);
    return hidden.length === 0 ? entries : (JSON.parse(hidden.reduce((t, code) => t.replaceAll(code, '[outside your area]'), text)) as T[]);
  }

  /** Runs an action in a transaction, then its queue work; answers with the outcome. */
  async function act(reply: FastifyReply, perform: (scope: ActionScope) => Promise<Outcome>) {
    const after: AfterCommit = [];
    const outcome = await transaction(db, async (tx) => perform({ tx, deps, after, now: deps.now() }));
    await runAfterCommit(after);
    return answer(reply, outcome);
  }

  function answer(reply: FastifyReply, outcome: Outcome) {
    return reply.code(outcome.status).send({ ok: outcome.ok, result: outcome.key, params: outcome.params, message: outcomeText(translator, 'en', outcome) });
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
      const incident = await visible(request, code);
      const now = deps.now();
      await record(db, { actor: actorRef(request), action: 'incident.viewed', subjectId: incident.id, detail: { via: 'api' }, at: now });
      const scope: ActionScope = { tx: db, deps, after: [], now };
      let description = '';
      try {
        description = deps.personalData.decrypt(incident.descriptionEnc);
      } catch {
        description = '[unreadable]';
      }
      // Linked incidents outside the principal's area are left out (their codes too).
      const allLinks = await db.incidentLink.findMany({ where: { OR: [{ incidentId: incident.id }, { candidateId: incident.id }] } });
      const relatedIds = [...allLinks.flatMap((l) => [l.incidentId, l.candidateId]), ...(incident.duplicateOfId ? [incident.duplicateOfId] : [])];
      const related = await db.incident.findMany({ where: { id: { in: relatedIds } }, select: { id: true, caseCode: true, areaId: true } });
      const codes = new Map<string, string>();
      for (const other of related) if (await inScope(deps, request, other.areaId)) codes.set(other.id, other.caseCode);
      const links = allLinks.filter((l) => codes.has(l.incidentId) && codes.has(l.candidateId));
      const escalation = await db.escalation.findUnique({ where: { incidentId: incident.id } });
      const primary = incident.duplicateOfId ? codes.get(incident.duplicateOfId) : null;
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
        timeline: await hideOutOfScope(request, await timeline(db, deps.personalData, incident.id)),
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
        const incident = await visible(request, code);
        const actor = await actorOf(db, request);
        const b = body.data as Record<string, string | undefined>;
        const named = name === 'link' || name === 'dismiss' ? await visibleOther(request, (name === 'link' ? b.primary : b.other)!) : null;
        if (name === 'reassign') {
          const committee = await db.committee.findUnique({ where: { id: b.committee!.trim().toLowerCase() }, select: { areaId: true } });
          if (committee && !(await committeeInScope(deps, request, committee.areaId))) return answer(reply, actions.unknownCommittee(b.committee!));
        }
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
              const other = await scope.tx.incident.findUnique({ where: { id: named!.id } });
              if (!other) return { ok: false, key: 'reply.unknown_code', params: { code: named!.caseCode }, status: 404 };
              return name === 'link' ? actions.link(scope, fresh, actor, other) : actions.dismissSuggestion(scope, fresh, actor, other);
            }
          }
        });
      });
    }
  };
}
