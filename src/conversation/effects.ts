/**
 * Effects: what a flow step asks the gateway to do (set the language, create an incident,
 * record a survey answer...). Handlers run inside the step's database transaction; work that
 * touches queues is pushed to `afterCommit` and runs once the transaction has committed.
 * Later capabilities (escalation, broadcasts) plug in through `EffectHooks`.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/client.js';
import type { Effect, Reply } from '../flow/engine.js';
import type { PersonalData } from '../personal-data.js';
import { contactFields } from './contacts.js';

export interface EffectContext {
  tx: Db;
  now: Date;
  contactId: string;
  channel: string;
  personalData: PersonalData;
  /** The contact's language; set_language changes it for the replies of this step. */
  language: string;
  /** Replies a handler adds (e.g. a case status), sent after the flow's own replies. */
  replies: Reply[];
  /** Runs after the transaction commits (queue work). */
  afterCommit: (() => Promise<void>)[];
}

/** Called after commit for things later capabilities react to. */
export interface EffectHooks {
  incidentCreated?: (incidentId: string) => Promise<void>;
  rumourReported?: (rumourReportId: string) => Promise<void>;
}

type EffectOf<T extends Effect['type']> = Extract<Effect, { type: T }>;

export async function applyEffect(effect: Effect, ctx: EffectContext, hooks: EffectHooks): Promise<void> {
  switch (effect.type) {
    case 'set_language':
      ctx.language = effect.language;
      await ctx.tx.contact.update({ where: { id: ctx.contactId }, data: { language: effect.language } });
      return;
    case 'set_area':
      await ctx.tx.contact.update({ where: { id: ctx.contactId }, data: { areaId: effect.areaId } });
      return;
    case 'set_contact_field': {
      const contact = await ctx.tx.contact.findUniqueOrThrow({ where: { id: ctx.contactId }, select: { fields: true } });
      const fields = { ...contactFields(contact.fields), [effect.field]: effect.value };
      await ctx.tx.contact.update({ where: { id: ctx.contactId }, data: { fields: JSON.stringify(fields) } });
      return;
    }
    case 'subscribe':
      await ctx.tx.subscription.upsert({
        where: { contactId_topic: { contactId: ctx.contactId, topic: effect.topic } },
        // Broadcasts on this topic go to the channel the contact subscribed on.
        create: { contactId: ctx.contactId, topic: effect.topic, channel: ctx.channel },
        update: { channel: ctx.channel },
      });
      return;
    case 'unsubscribe':
      await ctx.tx.subscription.deleteMany({ where: { contactId: ctx.contactId, topic: effect.topic } });
      return;
    case 'create_incident':
      return createIncident(effect, ctx, hooks);
    case 'case_status':
      return caseStatus(effect, ctx);
    case 'record_survey_response':
      return recordSurvey(effect, ctx);
    case 'record_rumour': {
      const report = await ctx.tx.rumourReport.create({
        data: { contactId: ctx.contactId, channel: ctx.channel, textEnc: ctx.personalData.encrypt(effect.text), areaId: effect.areaId },
      });
      if (hooks.rumourReported) ctx.afterCommit.push(() => hooks.rumourReported!(report.id));
      return;
    }
    default: {
      // A flow effect this gateway does not know is a programming error, not bad input.
      const unknown: { type: string } = effect;
      throw new Error(`no handler for flow effect "${unknown.type}"`);
    }
  }
}

async function createIncident(effect: EffectOf<'create_incident'>, ctx: EffectContext, hooks: EffectHooks): Promise<void> {
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
  if (hooks.incidentCreated) ctx.afterCommit.push(() => hooks.incidentCreated!(incident.id));
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
}

async function recordSurvey(effect: EffectOf<'record_survey_response'>, ctx: EffectContext): Promise<void> {
  const responseId = randomUUID();
  const rows = Object.entries(effect.answers).map(([question, answer]) => ({
    surveyId: effect.surveyId,
    wave: effect.wave,
    responseId,
    question,
    answer,
    areaId: effect.areaId,
    gender: effect.demographics.gender ?? null,
    ageBand: effect.demographics.ageBand ?? null,
  }));
  if (rows.length > 0) await ctx.tx.surveyAnswer.createMany({ data: rows });
}
