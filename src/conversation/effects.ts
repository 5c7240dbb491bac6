/**
 * Effects: what a flow step asks the gateway to do (set the language, create an incident,
 * record a survey answer...). The core handles the contact's own fields (language, area, contact
 * fields); every other effect is handled by the capability that owns it (incidents, broadcasts,
 * rumours, surveys), registered through `EffectHandlers`. Handlers run inside the step's database
 * transaction; work that touches queues is pushed to `afterCommit` and runs once the transaction
 * has committed.
 */
import type { Db } from '../db/client.js';
import type { Effect, Reply } from '../flow/engine.js';
import type { PersonalData } from '../personal-data.js';
import { contactFields, sealContactFields } from './contacts.js';

export interface EffectContext {
  tx: Db;
  now: Date;
  contactId: string;
  channel: string;
  personalData: PersonalData;
  /** The contact's language; set_language changes it for the replies of this step. */
  language: string;
  /**
   * Replies a handler adds (e.g. a case status, a profile). They are sent where the effect
   * happened among the flow's own replies (see the engine's `effectAt`).
   */
  replies: Reply[];
  /** Runs after the transaction commits (queue work). */
  afterCommit: (() => Promise<void>)[];
  /**
   * Called by a handler that has recorded what the conversation was for (a report, survey
   * answers): the conversation step then removes the trail (see ConversationSeal).
   */
  seal(request: ConversationSeal): void;
}

/** What a handler asks of the conversation once it recorded a report or answers. */
export interface ConversationSeal {
  /** A report was sent: the person's chat is cleared where the channel allows (flow field clearChat). */
  report?: boolean;
  /**
   * What was said is stored unlinked elsewhere (an anonymous report, survey answers): the
   * conversation's stored messages lose their texts and their contact.
   */
  unlink?: boolean;
}

export type EffectOf<T extends Effect['type']> = Extract<Effect, { type: T }>;

/** Handlers by effect type. */
export type EffectHandlers = { [T in Effect['type']]?: (effect: EffectOf<T>, ctx: EffectContext) => Promise<void> };

/** The effects on the contact itself, handled by the core. */
export const coreEffects: EffectHandlers = {
  set_language: async (effect, ctx) => {
    ctx.language = effect.language;
    await ctx.tx.contact.update({ where: { id: ctx.contactId }, data: { language: effect.language } });
  },
  set_area: async (effect, ctx) => {
    await ctx.tx.contact.update({ where: { id: ctx.contactId }, data: { areaId: effect.areaId } });
  },
  set_contact_field: async (effect, ctx) => {
    const contact = await ctx.tx.contact.findUniqueOrThrow({ where: { id: ctx.contactId }, select: { fields: true } });
    const fields = { ...contactFields(contact.fields, ctx.personalData), [effect.field]: effect.value };
    await ctx.tx.contact.update({ where: { id: ctx.contactId }, data: { fields: sealContactFields(fields, ctx.personalData) } });
  },
};

/** Joins handler sets; an effect claimed twice is a wiring error (thrown at boot). */
export function mergeEffectHandlers(sets: { owner: string; handlers: EffectHandlers }[]): EffectHandlers {
  const merged: Record<string, unknown> = {};
  const owners = new Map<string, string>();
  for (const { owner, handlers } of sets) {
    for (const [type, handler] of Object.entries(handlers)) {
      if (owners.has(type)) throw new Error(`flow effect "${type}" is handled by both ${owners.get(type)} and ${owner}`);
      owners.set(type, owner);
      merged[type] = handler;
    }
  }
  return merged as EffectHandlers;
}

export async function applyEffect(effect: Effect, ctx: EffectContext, handlers: EffectHandlers): Promise<void> {
  const handler = handlers[effect.type] as ((effect: Effect, ctx: EffectContext) => Promise<void>) | undefined;
  // A flow effect nobody handles is a wiring error (a capability left out), not bad input.
  if (!handler) throw new Error(`no handler for flow effect "${effect.type}"`);
  await handler(effect, ctx);
}
