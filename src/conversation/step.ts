/**
 * A conversation step: loads the contact's session, runs the pure flow engine, applies its
 * effects, stores the new session and resolves the replies into the contact's language. Runs
 * inside the caller's transaction; nothing here touches a queue directly.
 */
import type { Db } from '../db/client.js';
import type { EngineInput, FlowCatalog, FlowSession, Reply } from '../flow/engine.js';
import { flowSessionSchema, step } from '../flow/engine.js';
import { applyEffect, type EffectContext, type EffectHandlers } from './effects.js';
import { mintCaseCode } from '../flow/case-code.js';
import { contactFields } from './contacts.js';
import type { Translator } from '../i18n.js';
import type { Logger } from '../logger.js';
import type { OutboundMessage } from '../messages.js';
import type { PersonalData } from '../personal-data.js';
import type { OutboxTarget } from '../outbound/outbox.js';
import { jobId } from '../jobs/queues.js';

export interface ConversationDeps {
  catalog: FlowCatalog;
  translator: Translator;
  personalData: PersonalData;
  effects: EffectHandlers;
  logger: Logger;
}

export interface ActiveSession {
  id: string;
  state: FlowSession;
}

export interface StepOutcome {
  replies: OutboundMessage[];
  language: string;
  afterCommit: (() => Promise<void>)[];
  /** The timer to schedule for the session's wait, if it waits. */
  timeout?: { id: string; sessionId: string; at: Date };
  /** Set when a `start` input did not start its flow (see the engine's StepResult). */
  startRefused?: { flowId: string; reason: 'unknown_flow' | 'busy' };
}

/** The contact's live session, or null (none, ended, expired, or unreadable). */
export async function loadSession(tx: Db, contactId: string, now: Date, logger: Logger): Promise<ActiveSession | null> {
  const row = await tx.session.findFirst({ where: { contactId, status: 'active' }, orderBy: { updatedAt: 'desc' } });
  if (!row) return null;
  const parsed = flowSessionSchema.safeParse(safeJson(row.state));
  if (!parsed.success) {
    logger.warn({ sessionId: row.id }, 'stored session does not match the session schema; starting fresh');
    await tx.session.update({ where: { id: row.id }, data: { status: 'ended' } });
    return null;
  }
  if (new Date(parsed.data.expiresAt).getTime() <= now.getTime()) {
    await tx.session.update({ where: { id: row.id }, data: { status: 'expired' } });
    return null;
  }
  return { id: row.id, state: parsed.data };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Turns the engine's i18n replies into final messages in a language. */
export function resolveReplies(translator: Translator, language: string, replies: Reply[]): OutboundMessage[] {
  return replies.map((reply) => {
    const text = translator.t(language, reply.key, reply.params);
    if (reply.type === 'text') return { type: 'text', text };
    return {
      type: 'choice',
      text,
      multiple: reply.multiple,
      choices: reply.choices.map((c) => ({ id: c.id, label: translator.t(language, c.key, c.params) })),
      ...(reply.ref === undefined ? {} : { ref: reply.ref }),
    };
  });
}

export async function conversationStep(
  deps: ConversationDeps,
  tx: Db,
  target: OutboxTarget,
  session: ActiveSession | null,
  input: EngineInput,
  now: Date,
  /** The contact, if the caller has read it already. */
  known?: { language: string | null; areaId: string | null; fields: string },
): Promise<StepOutcome> {
  const contact = known ?? (await tx.contact.findUniqueOrThrow({ where: { id: target.contactId } }));
  const language = contact.language ?? deps.translator.defaultLanguage;
  const result = step(
    deps.catalog,
    { language: contact.language, areaId: contact.areaId, channel: target.channel, fields: contactFields(contact.fields, deps.personalData) },
    session?.state ?? null,
    input,
    now,
    { caseCode: mintCaseCode() },
  );
  const ctx: EffectContext = {
    tx,
    now,
    contactId: target.contactId,
    channel: target.channel,
    personalData: deps.personalData,
    language,
    replies: [],
    afterCommit: [],
  };
  // Replies a handler adds go where its effect happened among the flow's replies.
  const replies = [...result.replies];
  let inserted = 0;
  for (const [index, effect] of result.effects.entries()) {
    const before = ctx.replies.length;
    await applyEffect(effect, ctx, deps.effects);
    const added = ctx.replies.slice(before);
    const at = result.effectAt?.[index];
    if (at === undefined) continue;
    replies.splice(at + inserted, 0, ...added);
    inserted += added.length;
    ctx.replies.length = before;
  }

  let timeout: StepOutcome['timeout'];
  if (result.session) {
    const data = {
      state: JSON.stringify(result.session),
      flowId: result.session.flowId,
      expiresAt: new Date(result.session.expiresAt),
      channel: target.channel,
      identityId: target.identityId,
    };
    const row = session
      ? await tx.session.update({ where: { id: session.id }, data })
      : await tx.session.create({ data: { ...data, contactId: target.contactId } });
    if (result.session.timeoutAt) {
      const at = new Date(result.session.timeoutAt);
      timeout = { id: jobId('timeout', row.id, at.getTime()), sessionId: row.id, at };
    }
  } else if (session) {
    await tx.session.update({ where: { id: session.id }, data: { status: 'ended' } });
  }
  return {
    replies: resolveReplies(deps.translator, ctx.language, [...replies, ...ctx.replies]),
    language: ctx.language,
    afterCommit: ctx.afterCommit,
    timeout,
    startRefused: result.startRefused,
  };
}
