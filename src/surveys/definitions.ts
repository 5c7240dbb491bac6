/**
 * What a survey is, read from the flows that record it: the questions in the order they are
 * asked, each with its text key and its options' label keys, the demographic questions, and the
 * indicators named on the flow's `record_survey_response` action. Labels are i18n keys resolved
 * from locales/ in the language a reader asks for.
 */
import { flowFiles, readFlowFile } from '../flow/catalog.js';
import type { FlowDocument, FlowStep, FlowValue } from '../flow/schema.js';

export interface SurveyOption {
  id: string;
  /** i18n key of its label. */
  label: string;
}

export interface SurveyQuestion {
  /** The result name under which the answer is stored (SurveyAnswer.question). */
  id: string;
  /** i18n key of the question text (null when no question step sets it). */
  text: string | null;
  /** Options of a choice question, in the flow's order (empty for free answers). */
  options: SurveyOption[];
}

export interface SurveyIndicator {
  id: string;
  /** i18n key of its name. */
  label: string;
  question: string;
  /** Answers that count as positive: the indicator is their share. */
  positive: string[];
}

export interface SurveyDefinition {
  id: string;
  flowId: string;
  questions: SurveyQuestion[];
  gender: SurveyQuestion | null;
  ageBand: SurveyQuestion | null;
  indicators: SurveyIndicator[];
}

type Step = FlowStep;

function questionOf(document: FlowDocument, result: string): SurveyQuestion {
  const step = document.steps.find((s: Step) => 'result' in s && s.result === result && s.type.startsWith('ask_'));
  if (!step) return { id: result, text: null, options: [] };
  const text = 'text' in step && typeof step.text === 'string' ? step.text : null;
  const options = step.type === 'ask_choice' ? step.choices.map((c) => ({ id: c.id, label: c.label })) : [];
  return { id: result, text, options };
}

function resultRef(value: FlowValue | undefined): string | null {
  return value && typeof value === 'object' && 'result' in value ? String(value.result) : null;
}

/** Survey definitions found in flow documents, by survey id. */
export function surveyDefinitions(documents: FlowDocument[]): Map<string, SurveyDefinition> {
  const surveys = new Map<string, SurveyDefinition>();
  for (const document of documents) {
    for (const step of document.steps) {
      if (step.type !== 'action' || step.action !== 'record_survey_response') continue;
      const known = surveys.get(step.survey);
      // The action that records a finished survey (complete not false) defines it.
      if (known && step.complete === false) continue;
      const gender = resultRef(step.demographics?.gender);
      const ageBand = resultRef(step.demographics?.ageBand);
      surveys.set(step.survey, {
        id: step.survey,
        flowId: document.id,
        questions: step.answers.map((name) => questionOf(document, name)),
        gender: gender ? questionOf(document, gender) : null,
        ageBand: ageBand ? questionOf(document, ageBand) : null,
        indicators: (step.indicators ?? []).map((i) => ({ id: i.id, label: i.label, question: i.question, positive: [...i.positive] })),
      });
    }
  }
  return surveys;
}

/** Reads the survey definitions from the flows folder (flows were validated at boot). */
export function loadSurveyDefinitions(flowsDir: string): Map<string, SurveyDefinition> {
  const documents: FlowDocument[] = [];
  for (const file of flowFiles(flowsDir)) {
    const { document } = readFlowFile(file);
    if (document) documents.push(document);
  }
  return surveyDefinitions(documents);
}
