/**
 * A conversation step: loads the contact's session, runs the pure flow engine, applies its
 * effects, stores the new session and resolves the replies into the contact's language. Runs
 * inside the caller's transaction; nothing here touches a queue directly.
 *
 * The session state (the answers so far) is stored encrypted with the personal-data key, and an
 * ended session is deleted at once; a step whose effects recorded a report or survey answers
 * removes the conversation's trail (src/conversation/trail.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/client.js';
import type { Dialect } from '../db/dialect.js';
import { rawExecute, rawQuery } from '../db/raw.js';
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
import type { ConversationSeal } from './effects.js';
import { CLEAR_CHAT, chatIds, conversationMessages, unlinkMessages } from './trail.js';

export interface ConversationDeps {
  /** For raw statements (src/db/raw.ts). */
  dialect: Dialect;
  catalog: FlowCatalog;
  translator: Translator;
  personalData: PersonalData;
  effects: EffectHandlers;
  logger: Logger;
  /** Channels whose adapter can delete chat messages (Telegram): a report's conversation is cleared there. */
  deletableChannels?: ReadonlySet<string>;
  /** Channels whose thread stays on the device (SMS): a report's closing text suggests deleting it. */
  threadHintChannels?: ReadonlySet<string>;
  /** Schedules a timer after commit (the clear-chat timer); absent: no chat is cleared. */
  schedule?: (id: string, data: ReturnType<typeof CLEAR_CHAT.data>, at: Date) => Promise<void>;
}

export interface ActiveSession {
  id: string;
  state: FlowSession;
  /** When the conversation began (the session row was created). */
  startedAt: Date;
}

/** The stored form of a session state: the JSON, encrypted. */
export function sealState(personalData: PersonalData, state: FlowSession): string {
  return personalData.encrypt(JSON.stringify(state));
}

function openState(personalData: PersonalData, stored: string): unknown {
  try {
    return JSON.parse(personalData.decrypt(stored));
  } catch {
    return null;
  }
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

/** The contact's latest active session row (read on every message: a raw statement, src/db/raw.ts). */
const LIVE_SESSION = `SELECT "id", "state", "createdAt" FROM {Session} WHERE "contactId" = ? AND "status" = 'active' ORDER BY "updatedAt" DESC LIMIT 1`;
/** A new live session: (id, contactId, channel, identityId, flowId, state, expiresAt, createdAt, updatedAt). */
const INSERT_SESSION = `INSERT INTO {Session} ("id", "contactId", "status", "channel", "identityId", "flowId", "state", "expiresAt", "createdAt", "updatedAt")
  VALUES (?, ?, 'active', ?, ?, ?, ?, ?, ?, ?)`;
/** The live session after a step: (state, flowId, expiresAt, channel, identityId, updatedAt, id). */
const UPDATE_SESSION = `UPDATE {Session} SET "state" = ?, "flowId" = ?, "expiresAt" = ?, "channel" = ?, "identityId" = ?, "updatedAt" = ? WHERE "id" = ?`;
const DELETE_SESSION = `DELETE FROM {Session} WHERE "id" = ?`;

/** The contact's live session, or null (none, ended, expired, or unreadable). */
export async function loadSession(
  tx: Db,
  contactId: string,
  now: Date,
  deps: { logger: Logger; personalData: PersonalData; dialect: Dialect },
): Promise<ActiveSession | null> {
  const [row] = await rawQuery<{ id: string; state: string; createdAt: Date }>(tx, deps.dialect, LIVE_SESSION, contactId);
  if (!row) return null;
  const parsed = flowSessionSchema.safeParse(openState(deps.personalData, row.state));
  if (!parsed.success) {
    deps.logger.warn({ sessionId: row.id }, 'stored session is unreadable or does not match the session schema; starting fresh');
    await tx.session.delete({ where: { id: row.id } });
    return null;
  }
  if (new Date(parsed.data.expiresAt).getTime() <= now.getTime()) {
    // Its answers go now; the row waits for the retention sweep (it may still be referenced by a timer).
    await tx.session.update({ where: { id: row.id }, data: { status: 'expired', state: '' } });
    return null;
  }
  return { id: row.id, state: parsed.data, startedAt: row.createdAt };
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
    seal: (request) => {
      seal.report ||= request.report ?? false;
      seal.unlink ||= request.unlink ?? false;
    },
  };
  const seal: Required<ConversationSeal> = { report: false, unlink: false };
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
  if (seal.report || seal.unlink) {
    const flowId = session?.state.flowId ?? result.session?.flowId;
    await removeTrail(deps, ctx, target, session?.startedAt ?? now, seal, flowId ? deps.catalog.flows.get(flowId)?.clearChat !== false : true);
  }

  let timeout: StepOutcome['timeout'];
  if (result.session) {
    const data = {
      state: sealState(deps.personalData, result.session),
      flowId: result.session.flowId,
      expiresAt: new Date(result.session.expiresAt),
      channel: target.channel,
      identityId: target.identityId,
    };
    // The row's own times are the machine's, as the client's defaults were (not the step's clock).
    const written = new Date();
    const id = session?.id ?? randomUUID();
    if (session) await rawExecute(tx, deps.dialect, UPDATE_SESSION, data.state, data.flowId, data.expiresAt, data.channel, data.identityId, written, id);
    else await rawExecute(tx, deps.dialect, INSERT_SESSION, id, target.contactId, data.channel, data.identityId, data.flowId, data.state, data.expiresAt, written, written);
    if (result.session.timeoutAt) {
      const at = new Date(result.session.timeoutAt);
      timeout = { id: jobId('timeout', id, at.getTime()), sessionId: id, at };
    }
  } else if (session) {
    await rawExecute(tx, deps.dialect, DELETE_SESSION, session.id);
  }
  return {
    replies: resolveReplies(deps.translator, ctx.language, [...replies, ...ctx.replies]),
    language: ctx.language,
    afterCommit: ctx.afterCommit,
    timeout,
    startRefused: result.startRefused,
  };
}

/** Removes what the conversation left behind once a report or survey answers were recorded. */
async function removeTrail(
  deps: ConversationDeps,
  ctx: EffectContext,
  target: OutboxTarget,
  since: Date,
  seal: Required<ConversationSeal>,
  clearChat: boolean,
): Promise<void> {
  const messages = await conversationMessages(ctx.tx, target.contactId, since, ctx.now);
  if (seal.report && clearChat && deps.deletableChannels?.has(target.channel) && deps.schedule) {
    const ids = chatIds(messages, target.identityId);
    const schedule = deps.schedule;
    if (ids.length > 0) {
      const data = CLEAR_CHAT.data({ identityId: target.identityId, ids: ids.join(',') });
      ctx.afterCommit.push(() => schedule(jobId('clear-chat', target.identityId, ctx.now.getTime()), data, ctx.now));
    }
  }
  if (seal.report && deps.threadHintChannels?.has(target.channel)) ctx.replies.push({ type: 'text', key: 'system:protection.delete_thread' });
  if (seal.unlink) await unlinkMessages(ctx.tx, deps.personalData, messages);
}
