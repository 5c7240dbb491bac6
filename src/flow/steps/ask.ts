/**
 * Putting a question: the reply that asks it (its text, hint or reminder), with the options a
 * contact can press or answer by number.
 */
import type { AreaView } from '../areas.js';
import type { FlowCatalog } from '../catalog.js';
import { SKIP_CHOICE_ID, type Reply, type ReplyParams } from '../replies.js';
import type { AskStep, FlowStep } from '../schema.js';
import type { Turn } from './turn.js';

/** The areas a location question lists as numbered options (default: the localities). */
export function listedAreas(catalog: FlowCatalog, question: Extract<FlowStep, { type: 'ask_location' }>): AreaView[] {
  const level = question.list ?? 'locality';
  return level === false ? [] : catalog.areas.listed(level);
}

/**
 * The reply that asks `question` with the text `key` (the question, its invalid-answer hint or a
 * reminder): a choice for options, yes/no and listed areas (plus "skip" when skippable), else text.
 */
export function questionReply(turn: Turn, question: AskStep, key: string, params: ReplyParams | undefined): Reply {
  const base = params === undefined ? { key } : { key, params };
  const skip = question.skippable ? [{ id: SKIP_CHOICE_ID, key: 'flow:skip' }] : [];
  switch (question.type) {
    case 'ask_choice':
      return {
        type: 'choice',
        ...base,
        choices: [...question.choices.map((choice) => ({ id: choice.id, key: choice.label })), ...skip],
        multiple: question.multiple === true,
      };
    case 'ask_yes_no':
      return {
        type: 'choice',
        ...base,
        choices: [
          { id: 'yes', key: 'flow:yes' },
          { id: 'no', key: 'flow:no' },
        ],
        multiple: false,
      };
    case 'ask_location': {
      const listed = listedAreas(turn.catalog, question);
      if (listed.length === 0 && skip.length === 0) return { type: 'text', ...base };
      const choices = listed.map((area) => ({
        id: area.id,
        key: 'flow:area_option',
        params: { name: turn.catalog.areas.displayName(area, turn.language) },
      }));
      return { type: 'choice', ...base, choices: [...choices, ...skip], multiple: false };
    }
    default:
      return { type: 'text', ...base };
  }
}
