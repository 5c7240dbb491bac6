/**
 * Conversation tests: scripts of what a contact sends and what the gateway must answer, run
 * against the engine and the translator only (no database, no queue, no clock).
 *
 * A script (flows/tests/*.flowtest) holds scenarios; each line is one of
 *
 *   === title                      starts a new scenario (fresh contact, no session)
 *   @contact language=fr area=kanzi channel=sms gender=female   the contact (language=none: not chosen yet)
 *   @now 2025-05-01T08:00:00Z      the clock (it moves one minute after every input)
 *   @case R-7K3M9P                 the case code the caller mints for the next incidents
 *   > some text                    the contact sends a text ("\n" is a newline)
 *   >button id                     the contact presses a button
 *   >location 1.3,35.2             the contact shares a GPS position
 *   >media caption                 the contact sends a picture (caption optional)
 *   >timeout                       the clock moves to the session's timer, which fires
 *   >start survey wave=month_6     staff or a schedule start a flow
 *   >wait 2h                       the clock moves on, nothing is sent
 *   < expected reply text          the next reply, resolved in the contact's language
 *   < @report:thanks code=R-7K3M9P the next reply's key (and some of its params)
 *   <- Yes | No                    the options of that reply, as labels
 *   ! create_incident severity=high anonymous=true   the next effect and some of its fields
 *   ? ended | ? waiting ask_where | ? flow report | ? result where=kanzi | ? contact language=fr
 *   ? refused busy                 the last >start did not start its flow (busy | unknown_flow)
 *   # comment
 *
 * Replies and effects are matched in order and all of them must be listed.
 */
import { PROFILE_FIELDS } from './effects.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FlowCatalog } from './catalog.js';
import { step, type ContactView, type EngineInput, type Reply } from './engine.js';
import type { Effect } from './effects.js';
import { durationMs, durationSchema } from './schema.js';
import type { FlowSession } from './session.js';
import { loadFlowTools, type FlowToolOptions } from './validate.js';

/** The first line of a script that did not hold. */
export interface FlowTestFailure {
  line: number;
  scenario: string;
  expected: string;
  got: string;
}

export interface FlowTestFileResult {
  file: string;
  passed: boolean;
  scenarios: number;
  inputs: number;
  failure?: FlowTestFailure;
}

export interface FlowTestRun {
  passed: boolean;
  files: FlowTestFileResult[];
  /** Set when the flows could not be loaded at all (nothing was run). */
  error?: string;
}

/** Extension of conversation test files. */
export const FLOW_TEST_EXTENSION = '.flowtest';

const DEFAULT_NOW = '2025-05-01T08:00:00.000Z';
const DEFAULT_CASE_CODE = 'R-7K3M9P';
const STEP_MS = 60_000;
const ISOLATES = /[\u2066-\u2069\u200e\u200f]/g;

class Mismatch extends Error {
  constructor(
    readonly expected: string,
    readonly got: string,
  ) {
    super(`expected ${expected}, got ${got}`);
  }
}

/** Reads `name=value name="value with spaces"` pairs. */
export function parsePairs(text: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const match of text.matchAll(/([\w.]+)=("(?:[^"\\]|\\.)*"|\S*)/gu)) {
    const raw = match[2] as string;
    pairs[match[1] as string] = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
  }
  return pairs;
}

function shown(value: unknown): string {
  if (value === undefined) return '(absent)';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function valueAtPath(root: unknown, path: string): unknown {
  let value = root;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function describeEffect(effect: Effect): string {
  const fields = Object.entries(effect)
    .filter(([name]) => name !== 'type')
    .map(([name, value]) => `${name}=${shown(value)}`);
  return [effect.type, ...fields].join(' ');
}

/** One run of a script: the simulated caller around the engine. */
class Conversation {
  contact: ContactView = { language: null, areaId: null, fields: {} };
  session: FlowSession | null = null;
  now = new Date(DEFAULT_NOW);
  caseCode = DEFAULT_CASE_CODE;
  replies: Reply[] = [];
  effects: Effect[] = [];
  replyIndex = 0;
  effectIndex = 0;
  lastReply: Reply | null = null;
  refused: string | null = null;

  constructor(private readonly catalog: FlowCatalog) {}

  private get language(): string {
    return this.contact.language ?? this.catalog.defaultLanguage;
  }

  render(key: string, params?: Record<string, string | number>): string {
    return this.catalog.translator.t(this.language, key, params).replace(ISOLATES, '');
  }

  renderReply(reply: Reply): string {
    const text = this.render(reply.key, reply.params);
    if (reply.type === 'text') return text;
    return `${text} [${reply.choices.map((choice) => this.render(choice.key, choice.params)).join(' | ')}]`;
  }

  /** Fails when replies or effects of the last input were not all expected. */
  settle(): void {
    const reply = this.replies[this.replyIndex];
    if (reply !== undefined) throw new Mismatch('no more replies', this.renderReply(reply));
    const effect = this.effects[this.effectIndex];
    if (effect !== undefined) throw new Mismatch('no more effects', describeEffect(effect));
  }

  send(input: EngineInput): void {
    this.settle();
    const result = step(this.catalog, this.contact, this.session, input, this.now, { caseCode: this.caseCode });
    for (const effect of result.effects) {
      if (effect.type === 'set_language') this.contact = { ...this.contact, language: effect.language };
      if (effect.type === 'set_area') this.contact = { ...this.contact, areaId: effect.areaId };
      if (effect.type === 'set_contact_field') this.contact = { ...this.contact, fields: { ...this.contact.fields, [effect.field]: effect.value } };
      if (effect.type === 'clear_profile') {
        const fields = { ...this.contact.fields };
        for (const field of PROFILE_FIELDS) delete fields[field];
        this.contact = { ...this.contact, areaId: null, fields };
      }
    }
    this.session = result.session;
    this.refused = result.startRefused?.reason ?? null;
    this.replies = result.replies;
    this.effects = result.effects;
    this.replyIndex = 0;
    this.effectIndex = 0;
    this.lastReply = null;
    this.now = new Date(this.now.getTime() + STEP_MS);
  }

  expectReply(expected: string): void {
    const reply = this.replies[this.replyIndex];
    if (reply === undefined) throw new Mismatch(`reply "${expected}"`, 'no more replies');
    this.replyIndex += 1;
    this.lastReply = reply;
    if (expected.startsWith('@')) {
      const [key = '', ...rest] = expected.slice(1).split(' ');
      if (reply.key !== key) throw new Mismatch(`@${key}`, `@${reply.key} (${this.renderReply(reply)})`);
      for (const [name, value] of Object.entries(parsePairs(rest.join(' ')))) {
        const got = shown(reply.params?.[name]);
        if (got !== value) throw new Mismatch(`${name}=${value} in @${key}`, `${name}=${got}`);
      }
      return;
    }
    const got = this.render(reply.key, reply.params).trim();
    if (got !== expected.replace(ISOLATES, '').trim()) throw new Mismatch(`"${expected}"`, `"${got}" (@${reply.key})`);
  }

  expectOptions(expected: string): void {
    const reply = this.lastReply;
    if (reply === null) throw new Mismatch(`options ${expected}`, 'no reply matched before');
    if (reply.type !== 'choice') throw new Mismatch(`options ${expected}`, 'a text reply without options');
    const got = reply.choices.map((choice) => this.render(choice.key, choice.params)).join(' | ');
    const want = expected
      .split('|')
      .map((label) => label.trim())
      .join(' | ');
    if (got !== want) throw new Mismatch(want, got);
  }

  expectEffect(expected: string): void {
    const [type = '', ...rest] = expected.trim().split(/\s+/);
    const effect = this.effects[this.effectIndex];
    if (effect === undefined) throw new Mismatch(`effect ${expected}`, 'no more effects');
    this.effectIndex += 1;
    if (effect.type !== type) throw new Mismatch(`effect ${type}`, describeEffect(effect));
    for (const [path, value] of Object.entries(parsePairs(rest.join(' ')))) {
      const got = shown(valueAtPath(effect, path));
      if (got !== value) throw new Mismatch(`${path}=${value}`, `${path}=${got} (${describeEffect(effect)})`);
    }
  }

  expectState(expected: string): void {
    const [what = '', ...rest] = expected.trim().split(/\s+/);
    const argument = rest.join(' ');
    switch (what) {
      case 'ended':
        if (this.session !== null) throw new Mismatch('the conversation ended', `waiting at ${this.session.flowId}/${this.session.stepId}`);
        return;
      case 'waiting':
        if (this.session?.stepId !== argument) throw new Mismatch(`waiting at ${argument}`, this.session ? `waiting at ${this.session.stepId}` : 'ended');
        return;
      case 'flow':
        if (this.session?.flowId !== argument) throw new Mismatch(`in flow ${argument}`, this.session ? `in flow ${this.session.flowId}` : 'ended');
        return;
      case 'result':
        for (const [name, value] of Object.entries(parsePairs(argument))) {
          const got = shown(this.session?.results[name]);
          if (got !== value) throw new Mismatch(`result ${name}=${value}`, `${name}=${got}`);
        }
        return;
      case 'refused':
        if (this.refused !== argument) throw new Mismatch(`the start refused (${argument})`, this.refused === null ? 'not refused' : `refused (${this.refused})`);
        return;
      case 'contact':
        for (const [name, value] of Object.entries(parsePairs(argument))) {
          const got =
            name === 'language' ? (this.contact.language ?? 'none') : name === 'area' ? (this.contact.areaId ?? 'none') : shown(this.contact.fields[name]);
          if (got !== value) throw new Mismatch(`contact ${name}=${value}`, `${name}=${got}`);
        }
        return;
      default:
        throw new Mismatch('? ended | waiting <step> | flow <id> | result k=v | contact k=v | refused <reason>', `? ${expected}`);
    }
  }

  header(kind: string, argument: string): void {
    switch (kind) {
      case 'contact': {
        const pairs = parsePairs(argument);
        const fields: Record<string, string> = {};
        let { language, areaId } = this.contact;
        let channel = this.contact.channel ?? null;
        for (const [name, value] of Object.entries(pairs)) {
          if (name === 'language') language = value === 'none' ? null : value;
          else if (name === 'area') areaId = value === 'none' ? null : value;
          else if (name === 'channel') channel = value === 'none' ? null : value;
          else fields[name] = value;
        }
        this.contact = { language, areaId, channel, fields: { ...this.contact.fields, ...fields } };
        return;
      }
      case 'now': {
        const at = new Date(argument);
        if (!Number.isFinite(at.getTime())) throw new Mismatch('an ISO date after @now', argument);
        this.now = at;
        return;
      }
      case 'case':
        this.caseCode = argument;
        return;
      default:
        throw new Mismatch('@contact, @now or @case', `@${kind}`);
    }
  }

  command(name: string, argument: string): void {
    switch (name) {
      case 'button': {
        const [choiceId = '', ...label] = argument.split(' ');
        this.send(label.length > 0 ? { type: 'choice', choiceId, text: label.join(' ') } : { type: 'choice', choiceId });
        return;
      }
      case 'location': {
        const [latitude, longitude] = argument.split(',').map((part) => Number(part.trim()));
        if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) throw new Mismatch('>location <latitude>,<longitude>', argument);
        this.send({ type: 'location', latitude: latitude as number, longitude: longitude as number });
        return;
      }
      case 'media':
        this.send(argument === '' ? { type: 'media', mimeType: 'image/jpeg' } : { type: 'media', mimeType: 'image/jpeg', caption: argument });
        return;
      case 'timeout': {
        const at = this.session?.timeoutAt;
        if (at === undefined) throw new Mismatch('a timer to fire', this.session ? 'the session has no timer' : 'no session');
        this.now = new Date(at);
        this.send({ type: 'timeout' });
        return;
      }
      case 'start': {
        const [flowId = '', ...rest] = argument.split(' ');
        this.send({ type: 'start', flowId, params: parsePairs(rest.join(' ')) });
        return;
      }
      case 'wait':
        if (!durationSchema.safeParse(argument).success) throw new Mismatch('>wait <duration> (30m, 2h, 1d)', argument);
        this.settle();
        this.now = new Date(this.now.getTime() + durationMs(argument));
        return;
      default:
        throw new Mismatch('>button, >location, >media, >timeout, >start or >wait', `>${name}`);
    }
  }
}

/** Runs one script against a catalog. Pure: the engine and the translator only. */
export function runConversationScript(catalog: FlowCatalog, source: string, file: string): FlowTestFileResult {
  const lines = source.split(/\r?\n/);
  let conversation = new Conversation(catalog);
  let scenario = '(first scenario)';
  let scenarios = 0;
  let inputs = 0;
  let started = false;
  for (let index = 0; index < lines.length; index += 1) {
    const line = (lines[index] as string).trimEnd();
    const trimmed = line.trimStart();
    try {
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      if (trimmed.startsWith('===')) {
        conversation.settle();
        conversation = new Conversation(catalog);
        scenario = trimmed.slice(3).trim() || `scenario at line ${index + 1}`;
        started = false;
        continue;
      }
      if (!started) {
        scenarios += 1;
        started = true;
      }
      if (trimmed.startsWith('@')) {
        const [kind = '', ...rest] = trimmed.slice(1).split(' ');
        conversation.header(kind, rest.join(' ').trim());
      } else if (trimmed === '>' || trimmed.startsWith('> ')) {
        inputs += 1;
        conversation.send({ type: 'text', text: trimmed.slice(2).replace(/\\n/g, '\n') });
      } else if (trimmed.startsWith('>')) {
        const [name = '', ...rest] = trimmed.slice(1).split(' ');
        inputs += 1;
        conversation.command(name, rest.join(' ').trim());
      } else if (trimmed.startsWith('<-')) {
        conversation.expectOptions(trimmed.slice(2).trim());
      } else if (trimmed.startsWith('<')) {
        conversation.expectReply(trimmed.slice(1).trim());
      } else if (trimmed.startsWith('!')) {
        conversation.expectEffect(trimmed.slice(1).trim());
      } else if (trimmed.startsWith('?')) {
        conversation.expectState(trimmed.slice(1).trim());
      } else {
        throw new Mismatch('a line starting with >, <, <-, !, ?, @, === or #', line);
      }
    } catch (error) {
      if (!(error instanceof Mismatch)) throw error;
      return { file, passed: false, scenarios, inputs, failure: { line: index + 1, scenario, expected: error.expected, got: error.got } };
    }
  }
  try {
    conversation.settle();
  } catch (error) {
    if (!(error instanceof Mismatch)) throw error;
    return { file, passed: false, scenarios, inputs, failure: { line: lines.length, scenario, expected: error.expected, got: error.got } };
  }
  return { file, passed: true, scenarios, inputs };
}

/** The conversation test files of a folder, sorted. */
export function flowTestFiles(testsDir: string): string[] {
  return readdirSync(testsDir)
    .filter((name) => name.endsWith(FLOW_TEST_EXTENSION))
    .sort()
    .map((name) => join(testsDir, name));
}

/**
 * Loads the flows of `dir` and runs every script of `dir`/tests. Structured results: one entry
 * per file, with the first mismatch of a failing file.
 */
export function runFlowTests(dir: string, options: FlowToolOptions = {}): FlowTestRun {
  const tools = loadFlowTools(dir, options);
  if ('error' in tools) return { passed: false, files: [], error: tools.error };
  const testsDir = options.testsDir ?? join(dir, 'tests');
  const files = flowTestFiles(testsDir).map((path) => runConversationScript(tools.catalog, readFileSync(path, 'utf8'), path));
  if (files.length === 0) return { passed: false, files, error: `no ${FLOW_TEST_EXTENSION} files in ${testsDir}` };
  return { passed: files.every((file) => file.passed), files };
}
