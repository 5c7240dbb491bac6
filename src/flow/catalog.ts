/**
 * Loading the flows: every flows/*.yaml is parsed, upgraded to the current format, validated,
 * checked against the other flows, the locales and the gazetteer, and compiled into the catalog
 * the engine runs. A broken flow throws FlowValidationError; long texts give warnings.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, isAbsolute } from 'node:path';
import { parse, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import type { Translator } from '../i18n.js';
import { AreaIndex, type AreaView } from './areas.js';
import { inflectionFold, type OptionPhrase, type OptionWords, type Vocabulary } from './answers.js';
import { checkFlow } from './flow-checks.js';
import {
  missingEngineKeys,
  missingKeys,
  segmentReport,
  SEGMENT_WARNING_LIMIT,
  textUses,
  type TextSegments,
} from './flow-texts.js';
import { FlowMigrationError, upgradeFlowDocument } from './migrate.js';
import { fold, foldWordList } from './normalize.js';
import { durationMs, flowDocumentSchema, isAskStep, type FlowDocument, type FlowStep } from './schema.js';
import { FlowValidationError, type FlowProblem } from './validation-error.js';

export type { AreaView } from './areas.js';

/** How long a question waits, and what happens after. */
export interface WaitRule {
  afterMs: number;
  reminders: number;
  /** Step after the last reminder; null ends the conversation quietly. */
  next: string | null;
}

/** A flow ready to run. */
export interface CompiledFlow {
  readonly id: string;
  /** The file it was loaded from. */
  readonly file: string;
  readonly document: FlowDocument;
  readonly steps: ReadonlyMap<string, FlowStep>;
  /** The step after each step in the list (null after the last). */
  readonly following: ReadonlyMap<string, string | null>;
  readonly start: string;
  readonly expiresAfterMs: number;
  /** Delete the conversation from the person's chat once it sent a report (flow field clearChat). */
  readonly clearChat: boolean;
  readonly interruptible: boolean;
  readonly retries: number;
  readonly onInvalid: string | null;
  /** Waiting rule of each question (absent: no timer). */
  readonly waits: ReadonlyMap<string, WaitRule>;
  /** Words accepted for the options of each choice question. */
  readonly options: ReadonlyMap<string, OptionWords>;
}

/** Everything the engine needs, built once at boot. Pure data: the engine does no I/O. */
export interface FlowCatalog {
  readonly flows: ReadonlyMap<string, CompiledFlow>;
  /** The catch-all flow, started by a message no trigger takes. */
  readonly defaultFlowId: string | null;
  /** The flow started by a message that is a case code (parameter caseCode). */
  readonly caseCodeFlowId: string | null;
  /** Per language: folded keyword -> flow id. */
  readonly keywords: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Configured languages, the default first. */
  readonly languages: readonly string[];
  readonly defaultLanguage: string;
  /** The engine's words per language. */
  readonly vocabulary: ReadonlyMap<string, Vocabulary>;
  readonly areas: AreaIndex;
  /** The translator the catalog was checked against (used by conversation tests and tools). */
  readonly translator: Translator;
}

/** Something worth fixing that does not stop the boot: a text longer than two SMS segments. */
export interface FlowWarning {
  kind: 'segments';
  file: string;
  flowId: string;
  stepId: string;
  key: string;
  language: string;
  segments: number;
  message: string;
}

export interface LoadFlowCatalogOptions {
  /** Folder of the flow files (*.yaml, *.yml; sub-folders are not read). */
  flowsDir: string;
  translator: Translator;
  areas: AreaView[];
}

export interface LoadedFlowCatalog {
  catalog: FlowCatalog;
  warnings: FlowWarning[];
  /** SMS segments of every text of every step in every language. */
  texts: TextSegments[];
}

/** Default inactivity after which a conversation closes. */
export const DEFAULT_EXPIRY = '1d';
/** Default re-asks of an answer that is not understood. */
export const DEFAULT_RETRIES = 2;

function displayPath(path: string): string {
  const fromCwd = relative(process.cwd(), path);
  return fromCwd.startsWith('..') || isAbsolute(fromCwd) ? path : fromCwd;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function issueProblem(file: string, raw: unknown, issue: z.core.$ZodIssue): FlowProblem {
  let path: PropertyKey[] = [...issue.path];
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    path = [...path, issue.keys[0] ?? ''];
    message = 'unknown field (not part of the flow format)';
  } else if (valueAt(raw, path) === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union')) {
    const options = 'options' in issue && Array.isArray(issue.options) ? ` (one of: ${issue.options.join(', ')})` : '';
    message = `Required${options}`;
  }
  if (path[0] === 'steps' && typeof path[1] === 'number') {
    const rawStep = valueAt(raw, path.slice(0, 2)) as Record<string, unknown> | undefined;
    const stepId = typeof rawStep?.id === 'string' ? rawStep.id : `#${path[1] + 1}`;
    return { file, stepId, field: path.slice(2).map(String).join('.'), message };
  }
  return { file, field: path.map(String).join('.'), message };
}

/** Reads and validates one flow file. Returns the document or the problems found. */
export function readFlowFile(path: string): { document?: FlowDocument; problems: FlowProblem[] } {
  const file = displayPath(path);
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, 'utf8'), { uniqueKeys: true });
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` (line ${error.linePos[0].line})` : '';
    return { problems: [{ file, message: `not valid YAML${where}: ${(error as Error).message.split('\n')[0]}` }] };
  }
  let upgraded: Record<string, unknown>;
  try {
    upgraded = upgradeFlowDocument(raw);
  } catch (error) {
    if (error instanceof FlowMigrationError) return { problems: [{ file, field: error.field, message: error.message }] };
    throw error;
  }
  const parsed = flowDocumentSchema.safeParse(upgraded);
  if (!parsed.success) return { problems: parsed.error.issues.map((issue) => issueProblem(file, upgraded, issue)) };
  return { document: parsed.data, problems: [] };
}

/** The flow files of a folder, sorted. */
export function flowFiles(flowsDir: string): string[] {
  return readdirSync(flowsDir)
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => join(flowsDir, name))
    .filter((path) => statSync(path).isFile())
    .sort();
}

function vocabularyOf(translator: Translator, language: string): Vocabulary {
  const words = (name: string) => foldWordList(translator.t(language, `flow:words.${name}`));
  const negation = translator.has(language, 'flow:words.negation') ? words('negation') : [];
  const leave = translator.has(language, 'flow:words.leave') ? words('leave') : [];
  return { yes: words('yes'), no: words('no'), skip: words('skip'), today: words('today'), yesterday: words('yesterday'), negation, leave };
}

function addWord(map: Map<string, string | null>, word: string, id: string): void {
  if (word.length === 0) return;
  const existing = map.get(word);
  map.set(word, existing === undefined || existing === id ? id : null);
}

function optionWords(step: Extract<FlowStep, { type: 'ask_choice' }>, translator: Translator): OptionWords {
  const byLanguage = new Map<string, Map<string, string | null>>();
  const anyLanguage = new Map<string, string | null>();
  const phrases = new Map<string, OptionPhrase[]>([['*', []]]);
  const addPhrase = (language: string, folded: string, id: string) => {
    if (folded.length === 0) return;
    const phrase = { words: folded.split(' ').map(inflectionFold), id };
    phrases.get(language)?.push(phrase);
    phrases.get('*')?.push(phrase);
  };
  for (const language of translator.languages) {
    const words = new Map<string, string | null>();
    const firstWords = new Map<string, string | null>();
    phrases.set(language, []);
    for (const choice of step.choices) {
      const label = fold(translator.t(language, choice.label));
      addWord(words, label, choice.id);
      addPhrase(language, label, choice.id);
      addWord(firstWords, label.split(' ')[0] ?? '', choice.id);
      if (!choice.words) continue;
      for (const word of foldWordList(translator.t(language, choice.words))) {
        addWord(words, word, choice.id);
        addPhrase(language, word, choice.id);
      }
    }
    for (const [word, id] of firstWords) if (id !== null && !words.has(word)) words.set(word, id);
    byLanguage.set(language, words);
    for (const [word, id] of words) if (id !== null) addWord(anyLanguage, word, id);
  }
  for (const choice of step.choices) addWord(anyLanguage, fold(choice.id), choice.id);
  return { byLanguage, anyLanguage, phrases };
}

function compile(file: string, document: FlowDocument, translator: Translator): CompiledFlow {
  const steps = new Map(document.steps.map((step) => [step.id, step]));
  const following = new Map(document.steps.map((step, index) => [step.id, document.steps[index + 1]?.id ?? null]));
  const waits = new Map<string, WaitRule>();
  const options = new Map<string, OptionWords>();
  for (const step of document.steps) {
    if (!isAskStep(step)) continue;
    if (step.timeout !== false) {
      const after = step.timeout?.after ?? document.timeout?.after;
      if (after !== undefined) {
        waits.set(step.id, {
          afterMs: durationMs(after),
          reminders: step.timeout?.reminders ?? document.timeout?.reminders ?? 1,
          next: step.timeout?.next ?? document.timeout?.next ?? null,
        });
      }
    }
    if (step.type === 'ask_choice') options.set(step.id, optionWords(step, translator));
  }
  return {
    id: document.id,
    file,
    document,
    steps,
    following,
    start: document.start ?? (document.steps[0] as FlowStep).id,
    expiresAfterMs: durationMs(document.expiresAfter ?? DEFAULT_EXPIRY),
    clearChat: document.clearChat ?? true,
    interruptible: document.interruptible ?? true,
    retries: document.retries ?? DEFAULT_RETRIES,
    onInvalid: document.onInvalid ?? null,
    waits,
    options,
  };
}

function triggerProblems(loaded: { file: string; document: FlowDocument }[]): {
  problems: FlowProblem[];
  keywords: Map<string, Map<string, string>>;
} {
  const problems: FlowProblem[] = [];
  const keywords = new Map<string, Map<string, string>>();
  const owners: Record<'default' | 'caseCode', string | null> = { default: null, caseCode: null };
  for (const { file, document } of loaded) {
    for (const kind of ['default', 'caseCode'] as const) {
      if (!document.triggers?.[kind]) continue;
      const owner = owners[kind];
      if (owner !== null) problems.push({ file, field: `triggers.${kind}`, message: `flow "${owner}" already has this trigger` });
      else owners[kind] = document.id;
    }
    for (const [language, words] of Object.entries(document.triggers?.keywords ?? {})) {
      const table = keywords.get(language) ?? new Map<string, string>();
      keywords.set(language, table);
      words.forEach((word, index) => {
        const folded = fold(word);
        const owner = table.get(folded);
        if (folded.length === 0 || folded.includes(' ')) {
          problems.push({ file, field: `triggers.keywords.${language}.${index}`, message: `"${word}" is not one word` });
        } else if (owner !== undefined && owner !== document.id) {
          problems.push({ file, field: `triggers.keywords.${language}.${index}`, message: `keyword "${word}" already starts flow "${owner}"` });
        } else table.set(folded, document.id);
      });
    }
  }
  return { problems, keywords };
}

/**
 * Loads, validates and compiles every flow of `flowsDir`. Throws FlowValidationError listing
 * every problem (the first line names the file, the step and the field of the first one).
 */
export function loadFlowCatalog(options: LoadFlowCatalogOptions): LoadedFlowCatalog {
  const { flowsDir, translator } = options;
  const problems: FlowProblem[] = [];
  const loaded: { file: string; document: FlowDocument }[] = [];
  for (const path of flowFiles(flowsDir)) {
    const result = readFlowFile(path);
    problems.push(...result.problems);
    if (result.document) loaded.push({ file: displayPath(path), document: result.document });
  }
  if (loaded.length === 0 && problems.length === 0) problems.push({ file: displayPath(flowsDir), message: 'no flow files (*.yaml) found' });

  const files = new Map<string, string>();
  for (const { file, document } of loaded) {
    const other = files.get(document.id);
    if (other !== undefined) problems.push({ file, field: 'id', message: `flow id "${document.id}" is also used by ${other}` });
    files.set(document.id, file);
  }
  const flowIds = new Set(files.keys());
  const warnings: FlowWarning[] = [];
  for (const { file, document } of loaded) {
    const checked = checkFlow(file, document, flowIds);
    problems.push(...checked.problems);
    for (const stepId of checked.unreachable) problems.push({ file, stepId, message: 'no step leads to this step' });
  }
  const triggers = triggerProblems(loaded);
  problems.push(...triggers.problems);
  problems.push(...missingEngineKeys(translator));
  for (const { file, document } of loaded) problems.push(...missingKeys(file, document.id, textUses(document), translator));
  if (problems.length > 0) throw new FlowValidationError(problems);

  const areas = new AreaIndex(options.areas);
  const texts: TextSegments[] = [];
  for (const { file, document } of loaded) {
    for (const text of segmentReport(document, translator, areas)) {
      texts.push(text);
      if (text.segments > SEGMENT_WARNING_LIMIT) {
        warnings.push({
          kind: 'segments',
          file,
          flowId: text.flowId,
          stepId: text.stepId,
          key: text.key,
          language: text.language,
          segments: text.segments,
          message: `"${text.key}" takes ${text.segments} SMS segments in ${text.language} (${text.units} ${text.encoding} characters with its options)`,
        });
      }
    }
  }

  const flows = new Map(loaded.map(({ file, document }) => [document.id, compile(file, document, translator)]));
  const find = (kind: 'default' | 'caseCode') => loaded.find(({ document }) => document.triggers?.[kind])?.document.id ?? null;
  const catalog: FlowCatalog = {
    flows,
    defaultFlowId: find('default'),
    caseCodeFlowId: find('caseCode'),
    keywords: triggers.keywords,
    languages: translator.languages,
    defaultLanguage: translator.defaultLanguage,
    vocabulary: new Map(translator.languages.map((language) => [language, vocabularyOf(translator, language)])),
    areas,
    translator,
  };
  return { catalog, warnings, texts };
}
