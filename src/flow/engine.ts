/**
 * The flow engine: one pure step function. Given the catalog, the contact, the stored session,
 * one input and the time, it returns the replies to send, the session to store (null when the
 * conversation ended) and the effects the caller must execute. No I/O, no clock, no randomness:
 * the caller passes `now` and freshly minted values.
 */
import { cleanInboundText, inboundText, type InboundMessage } from '../messages.js';
import type { Vocabulary } from './answers.js';
import type { CompiledFlow, FlowCatalog } from './catalog.js';
import { evaluateCondition, resolveValue, type Scope } from './conditions.js';
import { PROFILE_FIELDS, type Effect } from './effects.js';
import { defaultInvalidKey } from './flow-texts.js';
import { cut } from './normalize.js';
import type { Reply, ReplyParams } from './replies.js';
import { isAskStep, type ActionStep, type AskStep, type FlowStep, type FlowValue } from './schema.js';
import { MAX_FLOW_DEPTH, type FlowSession } from './session.js';
import { actionEffect } from './steps/act.js';
import { questionReply } from './steps/ask.js';
import { questionTag } from './question-tag.js';
import { excerpt, shownDay } from './shown-values.js';
import { fold, foldedWords } from './normalize.js';
import { parseCaseCode } from './case-code.js';
import { readAnswer } from './steps/read.js';
import { findTrigger, type Trigger } from './steps/trigger.js';
import type { Turn } from './steps/turn.js';

export type { FlowCatalog } from './catalog.js';
export { flowSessionSchema, type FlowSession } from './session.js';
export type { Effect } from './effects.js';
export { SKIP_CHOICE_ID, type Reply, type ReplyParams } from './replies.js';

/** The contact as the engine sees it. */
export interface ContactView {
  /** Chosen language, or null when the contact never chose one (the default language is used). */
  language: string | null;
  areaId: string | null;
  /** The channel the contact writes on (sms, telegram...), when the caller knows it. */
  channel?: string | null;
  /** Contact fields set by flows (gender, age band...). */
  fields: Record<string, string>;
}

/** Values the caller minted for this step (the engine draws no random numbers). */
export interface FreshValues {
  /** A new pseudonymous case code, used if this step creates an incident. */
  caseCode: string;
}

/** What the engine reacts to. */
export type EngineInput =
  | InboundMessage
  /** A wait's timer fired (the caller schedules it for session.timeoutAt). */
  | { type: 'timeout' }
  /** Staff or a schedule starts a flow for the contact (a survey wave: params { wave }). */
  | { type: 'start'; flowId: string; params?: Record<string, string> }
  /** Ask the waiting question again, as it was asked (after a HELP reply); nothing when none waits. */
  | { type: 'repeat' };

export interface StepResult {
  replies: Reply[];
  /** The session to store; null when the conversation ended. */
  session: FlowSession | null;
  effects: Effect[];
  /**
   * Where each effect happened among the replies: `effectAt[i]` is the number of replies made
   * before effect `i`. Replies a handler adds for an effect (a case status, a profile) go there.
   */
  effectAt?: number[];
  /**
   * Set when a `start` input did not start its flow: the flow does not exist, or the contact is
   * answering a question that may not be interrupted (the caller may try again later).
   */
  startRefused?: { flowId: string; reason: 'unknown_flow' | 'busy' };
  /**
   * Set when a button press was ignored: it belongs to the buttons of another question (an older
   * one, or one of a conversation that ended) than the one waiting for an answer.
   */
  ignored?: 'stale_choice';
}

/** Steps run for one input at most (a guard against loops through other flows). */
const MAX_STEPS_PER_INPUT = 200;
const MAX_VALUE_LENGTH = 500;
const PARAM_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/;

/**
 * Runs one input through the flows. Pure: the same arguments always give the same result, and
 * nothing passed in is modified.
 */
export function step(
  catalog: FlowCatalog,
  contact: ContactView,
  session: FlowSession | null,
  input: EngineInput,
  now: Date,
  fresh: FreshValues,
): StepResult {
  const time = now.getTime();
  if (!Number.isFinite(time)) return { replies: [], session, effects: [] };
  const live = session !== null && isLive(catalog, session, time) ? session : null;
  const run = new Run(catalog, contact, time, fresh);
  switch (input.type) {
    case 'timeout':
      return run.timeout(live);
    case 'start':
      return run.start(live, input.flowId, input.params ?? {});
    case 'repeat':
      return run.repeat(live);
    default:
      return run.message(live, input);
  }
}

/** Whether a stored session is still running: not expired, and its flow and question still exist. */
export function isLive(catalog: FlowCatalog, session: FlowSession, time: number): boolean {
  if (!(Date.parse(session.expiresAt) > time)) return false;
  const current = catalog.flows.get(session.flowId)?.steps.get(session.stepId);
  if (!current || !isAskStep(current)) return false;
  return session.stack.every((frame) => catalog.flows.get(frame.flowId)?.steps.get(frame.stepId)?.type === 'start_flow');
}

function cloneSession(session: FlowSession): FlowSession {
  return {
    ...session,
    results: { ...session.results },
    params: { ...session.params },
    stack: session.stack.map((frame) => ({ ...frame, results: { ...frame.results }, params: { ...frame.params } })),
  };
}

function cleanParams(params: Record<string, unknown>): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    if (PARAM_NAME.test(name) && value !== undefined && value !== null) clean[name] = cut(String(value), MAX_VALUE_LENGTH);
  }
  return clean;
}

/** The work of one call: replies and effects accumulate here. */
class Run implements Turn {
  private readonly replies: Reply[] = [];
  private readonly effects: Effect[] = [];
  private readonly effectAt: number[] = [];
  private readonly contact: ContactView;

  constructor(
    readonly catalog: FlowCatalog,
    contact: ContactView,
    readonly time: number,
    private readonly fresh: FreshValues,
  ) {
    this.contact = { language: contact.language, areaId: contact.areaId, channel: contact.channel ?? null, fields: { ...contact.fields } };
  }

  get language(): string {
    const language = this.contact.language;
    return language !== null && this.catalog.languages.includes(language) ? language : this.catalog.defaultLanguage;
  }

  vocabularies(): Vocabulary[][] {
    const own = this.catalog.vocabulary.get(this.language);
    const all = [...this.catalog.vocabulary.values()];
    return own ? [[own], all] : [all];
  }

  timeout(live: FlowSession | null): StepResult {
    if (live === null || live.timeoutAt === undefined || this.time < Date.parse(live.timeoutAt)) {
      return { replies: [], session: live, effects: [] };
    }
    const session = cloneSession(live);
    const flow = this.flowOf(session);
    const question = flow.steps.get(session.stepId) as AskStep;
    const wait = flow.waits.get(question.id);
    if (!wait) {
      delete session.timeoutAt;
      return this.finish(session);
    }
    if (session.reminders < wait.reminders) {
      session.reminders += 1;
      this.ask(session, flow, question, question.text);
      return this.finish(session);
    }
    if (wait.next === null) return this.finish(null);
    this.settle(session);
    return this.runFrom(session, wait.next);
  }

  repeat(live: FlowSession | null): StepResult {
    if (live === null) return { replies: [], session: null, effects: [] };
    const session = cloneSession(live);
    const flow = this.flowOf(session);
    const question = flow.steps.get(session.stepId) as AskStep;
    this.ask(session, flow, question, question.text);
    return this.finish(session);
  }

  start(live: FlowSession | null, flowId: string, params: Record<string, string>): StepResult {
    if (!this.catalog.flows.has(flowId)) {
      return { replies: [], session: live, effects: [], startRefused: { flowId, reason: 'unknown_flow' } };
    }
    if (live !== null && !this.interruptible(live)) {
      return { replies: [], session: live, effects: [], startRefused: { flowId, reason: 'busy' } };
    }
    return this.enter(flowId, cleanParams(params));
  }

  message(live: FlowSession | null, input: InboundMessage): StepResult {
    const text = cleanInboundText(inboundText(input));
    if (input.type === 'choice' && this.stale(live, input)) {
      return { replies: [], session: live, effects: [], ignored: 'stale_choice' };
    }
    if (live !== null && input.type !== 'choice' && this.isLeaveWord(text)) return this.leave(text);
    if (live !== null) {
      // Inside a flow, a keyword starts another flow only when it is the whole message: an
      // answer that merely begins with one ("Alerte à Kanzi") is an answer.
      if (input.type !== 'choice' && (foldedWords(text).length <= 1 || parseCaseCode(text) !== null)) {
        const trigger = findTrigger(this.catalog, this.language, text);
        if (trigger !== null && this.interruptible(live)) return this.fire(trigger);
      }
      return this.answer(cloneSession(live), input, text);
    }
    const trigger = findTrigger(this.catalog, this.language, text);
    if (trigger !== null) return this.fire(trigger);
    if (this.catalog.defaultFlowId !== null) return this.enter(this.catalog.defaultFlowId, {});
    return this.finish(null);
  }

  /**
   * Whether the whole message is a leave word (`flow:words.leave`, "MENU", "قائمة") of the
   * contact's language or of any language, in any case, punctuation around it ignored.
   */
  private isLeaveWord(text: string): boolean {
    const folded = fold(text);
    if (folded.length === 0) return false;
    return this.vocabularies().some((vocabularies) => vocabularies.some((v) => (v.leave ?? []).includes(folded)));
  }

  /**
   * Leaves the running conversation at whatever question waits, free text included: nothing is
   * stored as an answer, and the flow the word starts (the menu) or the catch-all flow follows.
   */
  private leave(text: string): StepResult {
    const trigger = findTrigger(this.catalog, this.language, text);
    if (trigger !== null) return this.fire(trigger);
    if (this.catalog.defaultFlowId !== null) return this.enter(this.catalog.defaultFlowId, {});
    return this.finish(null);
  }

  /**
   * Whether a press belongs to other buttons than those of the question waiting: its tag is not
   * the waiting question's, or there is no question waiting, or the waiting one shows no buttons.
   */
  private stale(live: FlowSession | null, input: Extract<InboundMessage, { type: 'choice' }>): boolean {
    if (live === null) return input.ref !== undefined;
    if (input.ref !== undefined && live.asked !== undefined) return input.ref !== live.asked;
    const question = this.flowOf(live).steps.get(live.stepId) as AskStep;
    return questionReply(this, question, question.text, undefined).type !== 'choice';
  }

  private fire(trigger: Trigger): StepResult {
    if (trigger.language !== null && this.contact.language === null && this.catalog.languages.includes(trigger.language)) {
      this.contact.language = trigger.language;
      this.emit({ type: 'set_language', language: trigger.language });
    }
    return this.enter(trigger.flowId, trigger.params);
  }

  private interruptible(session: FlowSession): boolean {
    const flow = this.flowOf(session);
    const question = flow.steps.get(session.stepId) as AskStep;
    return question.interruptible ?? flow.interruptible;
  }

  private flowOf(session: FlowSession): CompiledFlow {
    return this.catalog.flows.get(session.flowId) as CompiledFlow;
  }

  private enter(flowId: string, params: Record<string, string>): StepResult {
    const flow = this.catalog.flows.get(flowId) as CompiledFlow;
    const now = new Date(this.time).toISOString();
    const session: FlowSession = {
      version: 1,
      flowId,
      stepId: flow.start,
      results: {},
      params,
      stack: [],
      attempts: 0,
      reminders: 0,
      startedAt: now,
      expiresAt: now,
    };
    return this.runFrom(session, flow.start);
  }

  private finish(session: FlowSession | null): StepResult {
    if (session !== null) {
      session.expiresAt = new Date(this.time + this.flowOf(session).expiresAfterMs).toISOString();
    }
    return { replies: this.replies, session, effects: this.effects, effectAt: this.effectAt };
  }

  private fail(): StepResult {
    this.replies.push({ type: 'text', key: 'flow:error' });
    return this.finish(null);
  }

  private scope(session: FlowSession): Scope {
    return { results: session.results, params: session.params, contact: this.contact };
  }

  private after(flow: CompiledFlow, current: FlowStep): string | null {
    return ('next' in current ? current.next : undefined) ?? flow.following.get(current.id) ?? null;
  }

  /** Clears the state of the question being left. */
  private settle(session: FlowSession): void {
    session.attempts = 0;
    session.reminders = 0;
    delete session.timeoutAt;
  }

  private runFrom(session: FlowSession, first: string | null): StepResult {
    let next = first;
    for (let count = 0; count < MAX_STEPS_PER_INPUT; count += 1) {
      if (next === null) {
        const frame = session.stack.pop();
        if (frame === undefined) return this.finish(null);
        const childResults = session.results;
        session.flowId = frame.flowId;
        session.results = frame.results;
        session.params = frame.params;
        const parent = this.flowOf(session);
        const call = parent.steps.get(frame.stepId) as Extract<FlowStep, { type: 'start_flow' }>;
        if (call.result !== undefined) {
          for (const [name, value] of Object.entries(childResults)) session.results[`${call.result}.${name}`] = value;
        }
        next = this.after(parent, call);
        continue;
      }
      const flow = this.flowOf(session);
      const current = flow.steps.get(next);
      if (current === undefined) return this.fail();
      session.stepId = current.id;
      switch (current.type) {
        case 'send':
          this.say(current.text, current.params, session);
          next = this.after(flow, current);
          break;
        case 'end':
          if (current.text !== undefined) this.say(current.text, current.params, session);
          return this.finish(null);
        case 'return':
          next = null;
          break;
        case 'branch': {
          const taken = current.cases.find((branch) => evaluateCondition(branch.when, this.scope(session)));
          next = taken?.next ?? this.after(flow, current);
          break;
        }
        case 'set_contact_field': {
          const value = resolveValue(current.value, this.scope(session));
          if (value !== null) this.setContactField(current.field, cut(value, MAX_VALUE_LENGTH));
          next = this.after(flow, current);
          break;
        }
        case 'set_result': {
          const value = resolveValue(current.value, this.scope(session));
          if (value === null) delete session.results[current.result];
          else session.results[current.result] = cut(value, MAX_VALUE_LENGTH);
          next = this.after(flow, current);
          break;
        }
        case 'start_flow': {
          const child = this.catalog.flows.get(current.flow);
          if (child === undefined) return this.fail();
          const params = this.resolveAll(current.params, session);
          if (current.return !== false) {
            if (session.stack.length >= MAX_FLOW_DEPTH) return this.fail();
            session.stack.push({ flowId: session.flowId, stepId: current.id, results: session.results, params: session.params });
          }
          session.flowId = child.id;
          session.results = {};
          session.params = params;
          session.startedAt = new Date(this.time).toISOString();
          next = child.start;
          break;
        }
        case 'action':
          this.act(current, session);
          next = this.after(flow, current);
          break;
        default:
          this.settle(session);
          session.asked = questionTag(flow.id, current.id, this.time);
          this.ask(session, flow, current, current.text);
          return this.finish(session);
      }
    }
    return this.fail();
  }

  private resolveAll(values: Record<string, FlowValue> | undefined, session: FlowSession): Record<string, string> {
    const resolved: Record<string, string> = {};
    for (const [name, value] of Object.entries(values ?? {})) {
      const text = resolveValue(value, this.scope(session));
      if (text !== null) resolved[name] = text;
    }
    return resolved;
  }

  private replyParams(values: Record<string, FlowValue> | undefined, session: FlowSession): ReplyParams | undefined {
    if (values === undefined) return undefined;
    const params: ReplyParams = {};
    for (const [name, value] of Object.entries(values)) params[name] = this.shown(value, resolveValue(value, this.scope(session)) ?? '');
    return params;
  }

  /** A value as a text shows it: an option's label, an area's name, a day or an excerpt when the value asks for it. */
  private shown(value: FlowValue, resolved: string): string {
    if (resolved === '' || typeof value !== 'object' || !('result' in value)) return resolved;
    if (value.area === true) {
      const area = this.catalog.areas.get(resolved);
      return area === undefined ? resolved : this.catalog.areas.displayName(area, this.language);
    }
    if (value.date === true) return shownDay(resolved, this.language);
    if (value.excerpt !== undefined) return excerpt(resolved, value.excerpt);
    if (value.label !== undefined) {
      const key = `${value.label}.${resolved}`;
      return this.catalog.translator.has(this.language, key) || this.catalog.translator.has(this.catalog.defaultLanguage, key)
        ? this.catalog.translator.t(this.language, key).replace(/[\u2066-\u2069]/g, '')
        : resolved;
    }
    return resolved;
  }

  private say(key: string, values: Record<string, FlowValue> | undefined, session: FlowSession): void {
    const params = this.replyParams(values, session);
    this.replies.push(params === undefined ? { type: 'text', key } : { type: 'text', key, params });
  }

  private setContactField(field: string, value: string): void {
    if (field === 'language') {
      if (!this.catalog.languages.includes(value)) return;
      this.contact.language = value;
      this.emit({ type: 'set_language', language: value });
    } else if (field === 'area') {
      if (this.catalog.areas.get(value) === undefined) return;
      this.contact.areaId = value;
      this.emit({ type: 'set_area', areaId: value });
    } else {
      this.contact.fields[field] = value;
      this.emit({ type: 'set_contact_field', field, value });
    }
  }

  /** Sends a question (or its hint, or a reminder) and arms its timer. */
  private ask(session: FlowSession, flow: CompiledFlow, question: AskStep, key: string): void {
    const reply = questionReply(this, question, key, this.replyParams(question.params, session));
    this.replies.push(reply.type === 'choice' && session.asked !== undefined ? { ...reply, ref: session.asked } : reply);
    const wait = flow.waits.get(question.id);
    if (wait) session.timeoutAt = new Date(this.time + wait.afterMs).toISOString();
    else delete session.timeoutAt;
  }

  private answer(session: FlowSession, input: InboundMessage, text: string): StepResult {
    const flow = this.flowOf(session);
    const question = flow.steps.get(session.stepId) as AskStep;
    const answer = readAnswer(this, flow, question, input, text);
    if (answer === null) return this.invalid(session, flow, question);
    for (const suffix of ['latitude', 'longitude']) delete session.results[`${question.result}.${suffix}`];
    if (answer === 'skip') {
      delete session.results[question.result];
      this.settle(session);
      return this.runFrom(session, this.after(flow, question));
    }
    session.results[question.result] = answer.value;
    if (answer.cutTo !== undefined) this.replies.push({ type: 'text', key: 'flow:text_cut', params: { max: answer.cutTo } });
    for (const [name, value] of Object.entries(answer.extra ?? {})) session.results[`${question.result}.${name}`] = value;
    this.settle(session);
    return this.runFrom(session, answer.next ?? this.after(flow, question));
  }

  private invalid(session: FlowSession, flow: CompiledFlow, question: AskStep): StepResult {
    if (session.attempts < (question.retries ?? flow.retries)) {
      session.attempts += 1;
      session.reminders = 0;
      this.ask(session, flow, question, question.invalid ?? defaultInvalidKey(question));
      return this.finish(session);
    }
    this.settle(session);
    const fallback = question.onInvalid ?? flow.onInvalid;
    if (fallback !== null) return this.runFrom(session, fallback);
    this.replies.push({ type: 'text', key: 'flow:too_many_attempts' });
    return this.finish(null);
  }

  private emit(effect: Effect): void {
    if (effect.type === 'clear_profile') {
      this.contact.areaId = null;
      for (const field of PROFILE_FIELDS) delete this.contact.fields[field];
    }
    this.effects.push(effect);
    this.effectAt.push(this.replies.length);
  }

  private act(action: ActionStep, session: FlowSession): void {
    const effect = actionEffect(action, session, { scope: this.scope(session), areas: this.catalog.areas, caseCode: this.fresh.caseCode });
    if (effect !== null) this.emit(effect);
  }
}
