/**
 * Reading the answer to a question, by question type: what a contact typed, pressed or shared
 * (a location) becomes the value stored as the question's result, or is refused.
 */
import type { InboundMessage } from '../../messages.js';
import { optionByNumber, optionByWord, optionsByNumbersOrWords, parseNumber, parseYesNo, readDate, saysOneOf } from '../answers.js';
import { parseCaseCode } from '../case-code.js';
import type { CompiledFlow } from '../catalog.js';
import { cut } from '../normalize.js';
import { SKIP_CHOICE_ID } from '../replies.js';
import type { AskStep, FlowStep } from '../schema.js';
import { listedAreas } from './ask.js';
import type { Turn } from './turn.js';

const DEFAULT_MAX_TEXT = 2000;
const MAX_FREE_DATE_TEXT = 200;

/**
 * An accepted answer: the value, extra results stored as `<result>.<name>` (a location's
 * latitude and longitude) and the step it leads to, if the answer chooses one. 'skip' when the
 * contact skipped a skippable question; null when the answer is not accepted.
 */
export type Answer = {
  value: string;
  extra?: Record<string, string>;
  next?: string;
  /** Set when a text answer was longer than the question allows: the length it was cut to. */
  cutTo?: number;
} | 'skip' | null;

function saysSkip(turn: Turn, text: string): boolean {
  return turn.vocabularies().some((group) => group.some((vocabulary) => saysOneOf(text, vocabulary.skip)));
}

/** The answer to `question` (a question of `flow`) in `input`, whose cleaned text is `text`. */
export function readAnswer(turn: Turn, flow: CompiledFlow, question: AskStep, input: InboundMessage, text: string): Answer {
  if (question.skippable) {
    if (input.type === 'choice' && input.choiceId === SKIP_CHOICE_ID) return 'skip';
    if (question.type !== 'ask_choice' && question.type !== 'ask_location' && input.type !== 'location' && saysSkip(turn, text)) {
      return 'skip';
    }
  }
  if (input.type === 'location' && question.type !== 'ask_location') return null;
  if (input.type === 'media' && text === '') return null;
  switch (question.type) {
    case 'ask_text':
      return readText(question, text);
    case 'ask_number': {
      const number = parseNumber(text, question.integer ?? true);
      if (number === null) return null;
      if ((question.min !== undefined && number < question.min) || (question.max !== undefined && number > question.max)) return null;
      return { value: String(number) };
    }
    case 'ask_date': {
      // A day that does not exist (31/02) is asked again, even where free text is allowed.
      const date = readDate(text, new Date(turn.time), turn.vocabularies().flat());
      if (date === 'impossible') return null;
      if (date !== null) return { value: date.date };
      return question.allowText && text !== '' ? { value: cut(text, MAX_FREE_DATE_TEXT) } : null;
    }
    case 'ask_choice':
      return readChoice(turn, flow, question, input, text);
    case 'ask_yes_no':
      return readYesNo(turn, question, input, text);
    case 'ask_location':
      return readLocation(turn, question, input, text);
  }
}

function readText(question: Extract<FlowStep, { type: 'ask_text' }>, text: string): Answer {
  if (question.format === 'case_code') {
    const code = parseCaseCode(text, true);
    return code === null ? null : { value: code };
  }
  const max = question.maxLength ?? DEFAULT_MAX_TEXT;
  const value = cut(text, max);
  if (Array.from(value).length < (question.minLength ?? 1)) return null;
  return value.length < text.length ? { value, cutTo: max } : { value };
}

function readChoice(turn: Turn, flow: CompiledFlow, question: Extract<FlowStep, { type: 'ask_choice' }>, input: InboundMessage, text: string): Answer {
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
  const words = flow.options.get(question.id);
  if (words === undefined) return null;
  const number = optionByNumber(text, ids.length + (question.skippable ? 1 : 0));
  if (number !== null) return number === ids.length ? 'skip' : chosen([ids[number] as string]);
  if (question.skippable && saysSkip(turn, text)) return 'skip';
  if (question.multiple) return chosen(optionsByNumbersOrWords(text, ids, words, turn.language) ?? []);
  const negations = turn.vocabularies().flat().flatMap((vocabulary) => vocabulary.negation ?? []);
  const id = optionByWord(text, words, turn.language, negations);
  return id === null ? null : chosen([id]);
}

function readYesNo(turn: Turn, question: Extract<FlowStep, { type: 'ask_yes_no' }>, input: InboundMessage, text: string): Answer {
  let answer: 'yes' | 'no' | null = null;
  if (input.type === 'choice' && (input.choiceId === 'yes' || input.choiceId === 'no')) answer = input.choiceId;
  else {
    const number = optionByNumber(text, 2);
    if (number !== null) answer = number === 0 ? 'yes' : 'no';
    else for (const group of turn.vocabularies()) answer ??= parseYesNo(text, group);
  }
  if (answer === null) return null;
  return { value: answer, next: answer === 'yes' ? question.yes : question.no };
}

function readLocation(turn: Turn, question: Extract<FlowStep, { type: 'ask_location' }>, input: InboundMessage, text: string): Answer {
  const areas = turn.catalog.areas;
  const levels = question.levels ?? ['region', 'locality'];
  if (input.type === 'location') {
    const nearest = areas.nearest(input.latitude, input.longitude, levels);
    if (nearest === null) return null;
    return { value: nearest.id, extra: { latitude: String(input.latitude), longitude: String(input.longitude) } };
  }
  const listed = listedAreas(turn.catalog, question);
  if (input.type === 'choice') {
    const pressed = areas.get(input.choiceId);
    if (pressed && (levels.includes(pressed.level) || listed.includes(pressed))) return { value: pressed.id };
  }
  const number = optionByNumber(text, listed.length + (question.skippable ? 1 : 0));
  if (number !== null) return number === listed.length ? 'skip' : { value: (listed[number] as { id: string }).id };
  if (question.skippable && saysSkip(turn, text)) return 'skip';
  const named = areas.find(text, levels);
  return named === null ? null : { value: named.id };
}
