/**
 * The flow engine: one pure step function. Given the catalog, the contact, the stored session,
 * one input and the time, it returns the replies to send, the session to store (null when the
 * conversation ended) and the effects the caller must execute. No I/O, no clock, no randomness:
 * the caller passes `now` and freshly minted values.
 */
import { cleanInboundText, inboundText, type InboundMessage } from '../messages.js';
import {
  optionByNumber,
  optionByWord,
  optionsByNumbersOrWords,
  parseDate,
  parseNumber,
  parseYesNo,
  saysOneOf,
  type Vocabulary,
} from './answers.js';
import { parseCaseCode } from './case-code.js';
import type { CompiledFlow, FlowCatalog } from './catalog.js';
import { evaluateCondition, resolveValue, type Scope } from './conditions.js';
import { SEVERITIES, type Effect, type Severity } from './effects.js';
import { defaultInvalidKey } from './flow-texts.js';
import { foldedWords } from './normalize.js';
import { isAskStep, type ActionStep, type AskStep, type FlowCondition, type FlowStep, type FlowValue } from './schema.js';
import { MAX_FLOW_DEPTH, type FlowSession } from './session.js';

export type { FlowCatalog } from './catalog.js';
export { flowSessionSchema, type FlowSession } from './session.js';
export type { Effect } from './effects.js';

/** The contact as the engine sees it. */
export interface ContactView {
  /** Chosen language, or null when the contact never chose one (the default language is used). */
  language: string | null;
  areaId: string | null;
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
  | { type: 'start'; flowId: string; params?: Record<string, string> };

/** Values interpolated into a text ({{name}}). */
export type ReplyParams = Record<string, string | number>;

/** A message to send, as i18n keys the caller resolves in the contact's language. */
export type Reply =
  | { type: 'text'; key: string; params?: ReplyParams }
  | {
      type: 'choice';
      key: string;
      params?: ReplyParams;
      /** Options in the order they are numbered on SMS. */
      choices: { id: string; key: string; params?: ReplyParams }[];
      multiple: boolean;
    };

export interface StepResult {
  replies: Reply[];
  /** The session to store; null when the conversation ended. */
  session: FlowSession | null;
  effects: Effect[];
  /**
   * Set when a `start` input did not start its flow: the flow does not exist, or the contact is
   * answering a question that may not be interrupted (the caller may try again later).
   */
  startRefused?: { flowId: string; reason: 'unknown_flow' | 'busy' };
}

/** Choice id of the "skip / don't know" option added to skippable questions. */
export const SKIP_CHOICE_ID = '_skip';

/** Steps run for one input at most (a guard against loops through other flows). */
const MAX_STEPS_PER_INPUT = 200;
const DEFAULT_MAX_TEXT = 2000;
const MAX_FREE_DATE_TEXT = 200;
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

function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  return Array.from(text.slice(0, max + 1))
    .slice(0, -1)
    .join('')
    .slice(0, max);
}

function cleanParams(params: Record<string, unknown>): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    if (PARAM_NAME.test(name) && value !== undefined && value !== null) clean[name] = cut(String(value), MAX_VALUE_LENGTH);
  }
  return clean;
}

/** Longest text kept from what follows a keyword ("RUMOUR they say the bridge is closed"). */
const MAX_KEYWORD_REST = 1000;

/** What follows the first word of a message, without the punctuation after the keyword. */
function keywordRest(text: string): string {
  const match = /^\s*\S+/u.exec(text);
  if (match === null) return '';
  return cut(text.slice(match[0].length).replace(/^[\s\p{P}]+/u, '').trim(), MAX_KEYWORD_REST);
}

type Answer = { value: string; extra?: Record<string, string>; next?: string } | 'skip' | null;

interface Trigger {
  flowId: string;
  params: Record<string, string>;
  /** The language of the keyword, when only one language has it. */
  language: string | null;
}

/** The work of one call: replies and effects accumulate here. */
class Run {
  private readonly replies: Reply[] = [];
  private readonly effects: Effect[] = [];
  private readonly contact: ContactView;

  constructor(
    private readonly catalog: FlowCatalog,
    contact: ContactView,
    private readonly time: number,
    private readonly fresh: FreshValues,
  ) {
    this.contact = { language: contact.language, areaId: contact.areaId, fields: { ...contact.fields } };
  }

  private get language(): string {
    const language = this.contact.language;
    return language !== null && this.catalog.languages.includes(language) ? language : this.catalog.defaultLanguage;
  }

  private vocabularies(): Vocabulary[][] {
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
    if (live !== null) {
      if (input.type !== 'choice') {
        const trigger = this.trigger(text);
        if (trigger !== null && this.interruptible(live)) return this.fire(trigger);
      }
      return this.answer(cloneSession(live), input, text);
    }
    const trigger = this.trigger(text);
    if (trigger !== null) return this.fire(trigger);
    if (this.catalog.defaultFlowId !== null) return this.enter(this.catalog.defaultFlowId, {});
    return this.finish(null);
  }

  private trigger(text: string): Trigger | null {
    const caseCode = parseCaseCode(text);
    if (caseCode !== null && this.catalog.caseCodeFlowId !== null) {
      return { flowId: this.catalog.caseCodeFlowId, params: { caseCode }, language: null };
    }
    const first = foldedWords(text.slice(0, 100))[0];
    if (first === undefined) return null;
    const rest = keywordRest(text);
    const params: Record<string, string> = rest === '' ? {} : { text: rest };
    const own = this.catalog.keywords.get(this.language)?.get(first);
    if (own !== undefined) return { flowId: own, params, language: null };
    const found: { language: string; flowId: string }[] = [];
    for (const [language, table] of this.catalog.keywords) {
      const flowId = table.get(first);
      if (flowId !== undefined) found.push({ language, flowId });
    }
    const flows = new Set(found.map((match) => match.flowId));
    if (flows.size !== 1) return null;
    const match = found[0] as { language: string; flowId: string };
    return { flowId: match.flowId, params, language: found.length === 1 ? match.language : null };
  }

  private fire(trigger: Trigger): StepResult {
    if (trigger.language !== null && this.contact.language === null && this.catalog.languages.includes(trigger.language)) {
      this.contact.language = trigger.language;
      this.effects.push({ type: 'set_language', language: trigger.language });
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
    return { replies: this.replies, session, effects: this.effects };
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
    for (const [name, value] of Object.entries(values)) params[name] = resolveValue(value, this.scope(session)) ?? '';
    return params;
  }

  private say(key: string, values: Record<string, FlowValue> | undefined, session: FlowSession): void {
    const params = this.replyParams(values, session);
    this.replies.push(params === undefined ? { type: 'text', key } : { type: 'text', key, params });
  }

  private setContactField(field: string, value: string): void {
    if (field === 'language') {
      if (!this.catalog.languages.includes(value)) return;
      this.contact.language = value;
      this.effects.push({ type: 'set_language', language: value });
    } else if (field === 'area') {
      if (this.catalog.areas.get(value) === undefined) return;
      this.contact.areaId = value;
      this.effects.push({ type: 'set_area', areaId: value });
    } else {
      this.contact.fields[field] = value;
      this.effects.push({ type: 'set_contact_field', field, value });
    }
  }

  /** Sends a question (or its hint, or a reminder) and arms its timer. */
  private ask(session: FlowSession, flow: CompiledFlow, question: AskStep, key: string): void {
    const params = this.replyParams(question.params, session);
    const base = params === undefined ? { key } : { key, params };
    const skip = question.skippable ? [{ id: SKIP_CHOICE_ID, key: 'flow:skip' }] : [];
    switch (question.type) {
      case 'ask_choice':
        this.replies.push({
          type: 'choice',
          ...base,
          choices: [...question.choices.map((choice) => ({ id: choice.id, key: choice.label })), ...skip],
          multiple: question.multiple === true,
        });
        break;
      case 'ask_yes_no':
        this.replies.push({
          type: 'choice',
          ...base,
          choices: [
            { id: 'yes', key: 'flow:yes' },
            { id: 'no', key: 'flow:no' },
          ],
          multiple: false,
        });
        break;
      case 'ask_location': {
        const listed = this.listedAreas(question);
        if (listed.length === 0 && skip.length === 0) {
          this.replies.push({ type: 'text', ...base });
          break;
        }
        const choices = listed.map((area) => ({
          id: area.id,
          key: 'flow:area_option',
          params: { name: this.catalog.areas.displayName(area, this.language) },
        }));
        this.replies.push({ type: 'choice', ...base, choices: [...choices, ...skip], multiple: false });
        break;
      }
      default:
        this.replies.push({ type: 'text', ...base });
    }
    const wait = flow.waits.get(question.id);
    if (wait) session.timeoutAt = new Date(this.time + wait.afterMs).toISOString();
    else delete session.timeoutAt;
  }

  private listedAreas(question: Extract<FlowStep, { type: 'ask_location' }>) {
    const level = question.list ?? 'locality';
    return level === false ? [] : this.catalog.areas.listed(level);
  }

  private answer(session: FlowSession, input: InboundMessage, text: string): StepResult {
    const flow = this.flowOf(session);
    const question = flow.steps.get(session.stepId) as AskStep;
    const answer = this.read(question, session, input, text);
    if (answer === null) return this.invalid(session, flow, question);
    for (const suffix of ['latitude', 'longitude']) delete session.results[`${question.result}.${suffix}`];
    if (answer === 'skip') {
      delete session.results[question.result];
      this.settle(session);
      return this.runFrom(session, this.after(flow, question));
    }
    session.results[question.result] = answer.value;
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

  private saysSkip(text: string): boolean {
    return this.vocabularies().some((group) => group.some((vocabulary) => saysOneOf(text, vocabulary.skip)));
  }

  private read(question: AskStep, session: FlowSession, input: InboundMessage, text: string): Answer {
    if (question.skippable) {
      if (input.type === 'choice' && input.choiceId === SKIP_CHOICE_ID) return 'skip';
      if (question.type !== 'ask_choice' && question.type !== 'ask_location' && input.type !== 'location' && this.saysSkip(text)) {
        return 'skip';
      }
    }
    if (input.type === 'location' && question.type !== 'ask_location') return null;
    if (input.type === 'media' && text === '') return null;
    switch (question.type) {
      case 'ask_text':
        return this.readText(question, text);
      case 'ask_number': {
        const number = parseNumber(text, question.integer ?? true);
        if (number === null) return null;
        if ((question.min !== undefined && number < question.min) || (question.max !== undefined && number > question.max)) return null;
        return { value: String(number) };
      }
      case 'ask_date': {
        const date = parseDate(text, new Date(this.time), this.vocabularies().flat());
        if (date !== null) return { value: date };
        return question.allowText && text !== '' ? { value: cut(text, MAX_FREE_DATE_TEXT) } : null;
      }
      case 'ask_choice':
        return this.readChoice(question, session, input, text);
      case 'ask_yes_no':
        return this.readYesNo(question, input, text);
      case 'ask_location':
        return this.readLocation(question, input, text);
    }
  }

  private readText(question: Extract<FlowStep, { type: 'ask_text' }>, text: string): Answer {
    if (question.format === 'case_code') {
      const code = parseCaseCode(text, true);
      return code === null ? null : { value: code };
    }
    const value = cut(text, question.maxLength ?? DEFAULT_MAX_TEXT);
    return Array.from(value).length >= (question.minLength ?? 1) ? { value } : null;
  }

  private readChoice(question: Extract<FlowStep, { type: 'ask_choice' }>, session: FlowSession, input: InboundMessage, text: string): Answer {
    const ids = question.choices.map((choice) => choice.id);
    const chosen = (picked: string[]): Answer => {
      if (picked.length === 0) return null;
      if (question.multiple) return { value: ids.filter((id) => picked.includes(id)).join(',') };
      const option = question.choices.find((choice) => choice.id === picked[0]);
      return option ? { value: option.id, next: option.next } : null;
    };
    if (input.type === 'choice') {
      const pressed = question.multiple ? input.choiceId.split(',') : [input.choiceId];
      if (pressed.every((id) => ids.includes(id))) return chosen(pressed);
    }
    const words = this.flowOf(session).options.get(question.id);
    if (words === undefined) return null;
    const number = optionByNumber(text, ids.length + (question.skippable ? 1 : 0));
    if (number !== null) return number === ids.length ? 'skip' : chosen([ids[number] as string]);
    if (question.skippable && this.saysSkip(text)) return 'skip';
    if (question.multiple) return chosen(optionsByNumbersOrWords(text, ids, words, this.language) ?? []);
    const id = optionByWord(text, words, this.language);
    return id === null ? null : chosen([id]);
  }

  private readYesNo(question: Extract<FlowStep, { type: 'ask_yes_no' }>, input: InboundMessage, text: string): Answer {
    let answer: 'yes' | 'no' | null = null;
    if (input.type === 'choice' && (input.choiceId === 'yes' || input.choiceId === 'no')) answer = input.choiceId;
    else {
      const number = optionByNumber(text, 2);
      if (number !== null) answer = number === 0 ? 'yes' : 'no';
      else for (const group of this.vocabularies()) answer ??= parseYesNo(text, group);
    }
    if (answer === null) return null;
    return { value: answer, next: answer === 'yes' ? question.yes : question.no };
  }

  private readLocation(question: Extract<FlowStep, { type: 'ask_location' }>, input: InboundMessage, text: string): Answer {
    const areas = this.catalog.areas;
    const levels = question.levels ?? ['region', 'locality'];
    if (input.type === 'location') {
      const nearest = areas.nearest(input.latitude, input.longitude, levels);
      if (nearest === null) return null;
      return { value: nearest.id, extra: { latitude: String(input.latitude), longitude: String(input.longitude) } };
    }
    const listed = this.listedAreas(question);
    if (input.type === 'choice') {
      const pressed = areas.get(input.choiceId);
      if (pressed && (levels.includes(pressed.level) || listed.includes(pressed))) return { value: pressed.id };
    }
    const number = optionByNumber(text, listed.length + (question.skippable ? 1 : 0));
    if (number !== null) return number === listed.length ? 'skip' : { value: (listed[number] as { id: string }).id };
    if (question.skippable && this.saysSkip(text)) return 'skip';
    const named = areas.find(text, levels);
    return named === null ? null : { value: named.id };
  }

  private truth(value: boolean | FlowCondition, session: FlowSession): boolean {
    return typeof value === 'boolean' ? value : evaluateCondition(value, this.scope(session));
  }

  private act(action: ActionStep, session: FlowSession): void {
    const scope = this.scope(session);
    const read = (value: FlowValue | undefined) => (value === undefined ? null : resolveValue(value, scope));
    const areaId = (value: FlowValue | undefined) => {
      const id = read(value);
      return id !== null && this.catalog.areas.get(id) !== undefined ? id : null;
    };
    switch (action.action) {
      case 'create_incident': {
        const severity = read(action.severity);
        const affected = read(action.affected);
        const affectedNumber = affected === null || affected.trim() === '' ? NaN : Number(affected);
        const effect: Extract<Effect, { type: 'create_incident' }> = {
          type: 'create_incident',
          caseCode: this.fresh.caseCode,
          category: read(action.category) ?? 'other',
          areaId: areaId(action.area),
          occurredAt: read(action.occurredAt),
          affected: Number.isFinite(affectedNumber) ? affectedNumber : null,
          severity: SEVERITIES.includes(severity as Severity) ? (severity as Severity) : 'medium',
          description: read(action.description) ?? '',
          anonymous: this.truth(action.anonymous, session),
          callbackAllowed: this.truth(action.callbackAllowed, session),
        };
        if (action.location !== undefined) {
          const latitude = Number(session.results[`${action.location.result}.latitude`]);
          const longitude = Number(session.results[`${action.location.result}.longitude`]);
          if (session.results[`${action.location.result}.latitude`] !== undefined && Number.isFinite(latitude) && Number.isFinite(longitude)) {
            effect.location = { latitude, longitude };
          }
        }
        this.effects.push(effect);
        session.results[action.result ?? 'case_code'] = this.fresh.caseCode;
        break;
      }
      case 'case_status': {
        const caseCode = parseCaseCode(read(action.caseCode) ?? '', true);
        if (caseCode !== null) this.effects.push({ type: 'case_status', caseCode });
        break;
      }
      case 'record_survey_response': {
        const answers: Record<string, string> = {};
        for (const name of action.answers) {
          const value = session.results[name];
          if (value !== undefined) answers[name] = value;
        }
        const demographics: { gender?: string; ageBand?: string } = {};
        const gender = read(action.demographics?.gender);
        const ageBand = read(action.demographics?.ageBand);
        if (gender !== null) demographics.gender = gender;
        if (ageBand !== null) demographics.ageBand = ageBand;
        this.effects.push({
          type: 'record_survey_response',
          surveyId: action.survey,
          wave: (action.wave === undefined ? session.params.wave || null : read(action.wave)) ?? 'baseline',
          areaId: areaId(action.area),
          answers,
          demographics,
        });
        break;
      }
      case 'record_rumour':
        this.effects.push({ type: 'record_rumour', text: read(action.text) ?? '', areaId: areaId(action.area) });
        break;
      case 'subscribe':
      case 'unsubscribe':
        this.effects.push({ type: action.action, topic: action.topic });
        break;
    }
  }
}
