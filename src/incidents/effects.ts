/**
 * The flow effects incidents own: `create_incident` (a report becomes an incident, and its
 * escalation starts once the step has committed) and `case_status` (the coarse status a case
 * code's holder may hear, and, for the reporter, the question waiting for their answer).
 */
import type { EffectContext, EffectHandlers, EffectOf } from '../conversation/effects.js';

/** `started` runs after commit with the new incident's id (the escalation start). */
export function incidentEffects(started: (incidentId: string) => Promise<void>): EffectHandlers {
  return {
    create_incident: (effect, ctx) => createIncident(effect, ctx, started),
    case_status: caseStatus,
  };
}

async function createIncident(effect: EffectOf<'create_incident'>, ctx: EffectContext, started: (incidentId: string) => Promise<void>): Promise<void> {
  const incident = await ctx.tx.incident.create({
    data: {
      caseCode: effect.caseCode,
      category: effect.category,
      severity: effect.severity,
      areaId: effect.areaId,
      occurredAt: effect.occurredAt,
      affected: effect.affected,
      descriptionEnc: ctx.personalData.encrypt(effect.description),
      anonymous: effect.anonymous,
      callbackAllowed: effect.callbackAllowed,
      // An anonymous reporter is not linked to the incident at all.
      reporterContactId: effect.anonymous ? null : ctx.contactId,
      reporterChannel: effect.anonymous ? null : ctx.channel,
      latitude: effect.location?.latitude ?? null,
      longitude: effect.location?.longitude ?? null,
    },
  });
  ctx.afterCommit.push(() => started(incident.id));
  // The report is sent: clear the chat, and for an anonymous one unlink the conversation.
  ctx.seal({ report: true, unlink: effect.anonymous });
}

async function caseStatus(effect: EffectOf<'case_status'>, ctx: EffectContext): Promise<void> {
  // The code is the reporter's bearer secret: whoever holds it hears the coarse status (received,
  // in hand, closed) and nothing else. That is how an anonymous reporter, linked to nothing,
  // still follows a report.
  const incident = await ctx.tx.incident.findUnique({ where: { caseCode: effect.caseCode } });
  if (!incident) {
    ctx.replies.push({ type: 'text', key: 'system:case_status.unknown', params: { code: effect.caseCode } });
    return;
  }
  ctx.replies.push({ type: 'text', key: `system:case_status.${incident.status}`, params: { code: incident.caseCode } });
  // The reporter who was asked a question about this case and has not answered is reminded how
  // to answer (only them: the relay names the contact it was put to). An expired question is
  // closed by its timer (relay-close.ts).
  const waiting = await ctx.tx.incidentRelay.findFirst({
    where: { incidentId: incident.id, reporterContactId: ctx.contactId, answeredAt: null, closedAt: null },
    orderBy: { askedAt: 'desc' },
    select: { questionEnc: true },
  });
  if (waiting) {
    ctx.replies.push({ type: 'text', key: 'incidents:reporter.question_waiting', params: { code: incident.caseCode, question: ctx.personalData.decrypt(waiting.questionEnc) } });
  }
}
