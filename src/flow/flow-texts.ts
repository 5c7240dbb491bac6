/**
 * The texts of the flows: which i18n keys each step uses, whether every configured language has
 * them, and how many SMS segments each text takes once rendered in each language.
 */
import type { Translator, TextParams } from '../i18n.js';
import { countSegments, type SmsEncoding } from '../segments.js';
import { gsmPunctuation } from '../sms-punctuation.js';
import type { AreaIndex } from './areas.js';
import type { FlowDocument, FlowStep } from './schema.js';
import type { FlowProblem } from './validation-error.js';

/** Keys the engine itself uses, whatever the flows. */
export const ENGINE_KEYS = [
  'flow:yes',
  'flow:no',
  'flow:skip',
  'flow:area_option',
  'flow:invalid.text',
  'flow:invalid.number',
  'flow:invalid.date',
  'flow:invalid.choice',
  'flow:invalid.multiple',
  'flow:invalid.location',
  'flow:invalid.yes_no',
  'flow:invalid.case_code',
  'flow:too_many_attempts',
  'flow:error',
  'flow:words.yes',
  'flow:words.no',
  'flow:words.skip',
  'flow:words.today',
  'flow:words.yesterday',
] as const;

/** Where the engine's own keys are reported from. */
export const ENGINE_SOURCE = 'flow engine';

/** One key used by one step. */
export interface TextUse {
  stepId?: string;
  field: string;
  key: string;
}

/** The default hint of a question that does not say its own. */
export function defaultInvalidKey(step: FlowStep): string {
  switch (step.type) {
    case 'ask_text':
      return step.format === 'case_code' ? 'flow:invalid.case_code' : 'flow:invalid.text';
    case 'ask_number':
      return 'flow:invalid.number';
    case 'ask_date':
      return 'flow:invalid.date';
    case 'ask_choice':
      return step.multiple ? 'flow:invalid.multiple' : 'flow:invalid.choice';
    case 'ask_location':
      return 'flow:invalid.location';
    case 'ask_yes_no':
      return 'flow:invalid.yes_no';
    default:
      return 'flow:invalid.text';
  }
}

/** Every key a flow document uses, with the step and field using it. */
export function textUses(document: FlowDocument): TextUse[] {
  const uses: TextUse[] = [];
  for (const step of document.steps) {
    const add = (field: string, key: string | undefined) => {
      if (key !== undefined) uses.push({ stepId: step.id, field, key });
    };
    if (step.type === 'send' || step.type === 'end') add('text', step.text);
    if (step.type.startsWith('ask_') && 'text' in step && 'result' in step) {
      add('text', step.text);
      add('invalid', 'invalid' in step ? step.invalid : undefined);
    }
    if (step.type === 'ask_choice') {
      step.choices.forEach((choice, index) => {
        add(`choices.${index}.label`, choice.label);
        add(`choices.${index}.words`, choice.words);
      });
    }
  }
  return uses;
}

/** Keys missing in some configured language, as problems naming flow, step, field and language. */
export function missingKeys(file: string, flowId: string, uses: readonly TextUse[], translator: Translator): FlowProblem[] {
  const problems: FlowProblem[] = [];
  for (const use of uses) {
    for (const language of translator.languages) {
      if (!translator.has(language, use.key)) {
        problems.push({ file, flowId, stepId: use.stepId, field: use.field, language, message: `text "${use.key}" is missing` });
      }
    }
  }
  return problems;
}

/** Missing engine keys, reported against the engine. */
export function missingEngineKeys(translator: Translator): FlowProblem[] {
  return missingKeys(ENGINE_SOURCE, 'engine', ENGINE_KEYS.map((key) => ({ field: 'text', key })), translator);
}

/** The SMS size of one text of one step in one language (choices listed as the SMS channel shows them). */
export interface TextSegments {
  flowId: string;
  stepId: string;
  key: string;
  language: string;
  segments: number;
  encoding: SmsEncoding;
  /** Characters as counted for the encoding (septets or UTF-16 units). */
  units: number;
}

/** More segments than this earn a warning. */
export const SEGMENT_WARNING_LIMIT = 2;

/** A stand-in for an interpolated value, as long as a case code. */
const SAMPLE_VALUE = 'R-7K3M9P';

function sampleParams(params: Record<string, unknown> | undefined): TextParams {
  const values: TextParams = {};
  for (const [name, value] of Object.entries(params ?? {})) {
    values[name] = typeof value === 'string' || typeof value === 'number' ? value : SAMPLE_VALUE;
  }
  return values;
}

/** A question rendered as a numbered list, the way the SMS channel shows a choice. */
export function withNumberedOptions(text: string, labels: readonly string[]): string {
  if (labels.length === 0) return text;
  return `${text}\n${labels.map((label, index) => `${index + 1}. ${label}`).join('\n')}`;
}

function optionLabels(step: FlowStep, language: string, translator: Translator, areas: AreaIndex): string[] {
  const skip = 'skippable' in step && step.skippable ? [translator.t(language, 'flow:skip')] : [];
  switch (step.type) {
    case 'ask_choice':
      return [...step.choices.map((choice) => translator.t(language, choice.label)), ...skip];
    case 'ask_yes_no':
      return [translator.t(language, 'flow:yes'), translator.t(language, 'flow:no')];
    case 'ask_location': {
      const level = step.list ?? 'locality';
      if (level === false) return skip;
      return [...areas.listed(level).map((area) => areas.displayName(area, language)), ...skip];
    }
    default:
      return [];
  }
}

/** Segment counts of every text of a flow, in every configured language. */
export function segmentReport(document: FlowDocument, translator: Translator, areas: AreaIndex): TextSegments[] {
  const report: TextSegments[] = [];
  for (const step of document.steps) {
    const texts: { key: string; params?: Record<string, unknown>; listed: boolean }[] = [];
    if ((step.type === 'send' || step.type === 'end') && step.text) texts.push({ key: step.text, params: step.params, listed: false });
    if (step.type.startsWith('ask_') && 'result' in step && 'text' in step) {
      texts.push({ key: step.text, params: step.params, listed: true });
      texts.push({ key: ('invalid' in step ? step.invalid : undefined) ?? defaultInvalidKey(step), params: step.params, listed: true });
    }
    for (const text of texts) {
      for (const language of translator.languages) {
        const rendered = translator.t(language, text.key, sampleParams(text.params));
        const full = text.listed ? withNumberedOptions(rendered, optionLabels(step, language, translator, areas)) : rendered;
        const count = countSegments(gsmPunctuation(full));
        report.push({
          flowId: document.id,
          stepId: step.id,
          key: text.key,
          language,
          segments: count.segments,
          encoding: count.encoding,
          units: count.units,
        });
      }
    }
  }
  return report;
}
