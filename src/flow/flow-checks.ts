/**
 * Checks a flow document against itself and the other flows once its shape is valid: unique
 * step ids, references to steps and flows that exist, no loop that never waits for an answer,
 * and steps that nothing leads to.
 */
import { isAskStep, type FlowDocument, type FlowStep } from './schema.js';
import type { FlowProblem } from './validation-error.js';

/** A reference from one step (or the flow itself) to a step. */
interface StepReference {
  stepId?: string;
  field: string;
  target: string;
}

/** The steps a step may lead to explicitly, with the field naming each. */
export function stepReferences(step: FlowStep): { field: string; target: string }[] {
  const references: { field: string; target: string }[] = [];
  const add = (field: string, target: string | undefined) => {
    if (target !== undefined) references.push({ field, target });
  };
  if ('next' in step) add('next', step.next);
  if (isAskStep(step)) {
    add('onInvalid', step.onInvalid);
    if (step.timeout) add('timeout.next', step.timeout.next);
  }
  if (step.type === 'ask_choice') step.choices.forEach((choice, index) => add(`choices.${index}.next`, choice.next));
  if (step.type === 'ask_yes_no') {
    add('yes', step.yes);
    add('no', step.no);
  }
  if (step.type === 'branch') step.cases.forEach((branch, index) => add(`cases.${index}.next`, branch.next));
  return references;
}

/** Whether a step can continue with the step that follows it in the list. */
export function fallsThrough(step: FlowStep): boolean {
  if (step.type === 'start_flow') return step.return !== false;
  return step.type !== 'end' && step.type !== 'return';
}

/** Problems and unreachable steps of one flow. `flowIds` are all the flows loaded. */
export function checkFlow(
  file: string,
  document: FlowDocument,
  flowIds: ReadonlySet<string>,
): { problems: FlowProblem[]; unreachable: string[] } {
  const problems: FlowProblem[] = [];
  const ids = new Set<string>();
  for (const step of document.steps) {
    if (ids.has(step.id)) problems.push({ file, stepId: step.id, field: 'id', message: 'this step id is used twice' });
    ids.add(step.id);
  }

  const references: StepReference[] = [];
  if (document.start) references.push({ field: 'start', target: document.start });
  if (document.onInvalid) references.push({ field: 'onInvalid', target: document.onInvalid });
  if (document.timeout?.next) references.push({ field: 'timeout.next', target: document.timeout.next });
  for (const step of document.steps) {
    for (const reference of stepReferences(step)) references.push({ stepId: step.id, ...reference });
    if (step.type === 'start_flow' && !flowIds.has(step.flow)) {
      problems.push({ file, stepId: step.id, field: 'flow', message: `no flow "${step.flow}" (flows: ${[...flowIds].sort().join(', ')})` });
    }
    if (step.type === 'ask_choice') {
      const seen = new Set<string>();
      step.choices.forEach((choice, index) => {
        if (seen.has(choice.id)) problems.push({ file, stepId: step.id, field: `choices.${index}.id`, message: `option id "${choice.id}" is used twice` });
        seen.add(choice.id);
        if (step.multiple && choice.next) {
          problems.push({ file, stepId: step.id, field: `choices.${index}.next`, message: 'an option of a multiple choice cannot choose the next step' });
        }
      });
    }
  }
  for (const reference of references) {
    if (!ids.has(reference.target)) {
      problems.push({ file, stepId: reference.stepId, field: reference.field, message: `no step "${reference.target}" in this flow` });
    }
  }
  if (problems.length > 0) return { problems, unreachable: [] };

  problems.push(...loopsWithoutQuestion(file, document));
  return { problems, unreachable: unreachableSteps(document) };
}

function successors(document: FlowDocument, index: number): string[] {
  const step = document.steps[index] as FlowStep;
  const targets = stepReferences(step)
    .filter((reference) => reference.field !== 'next')
    .map((reference) => reference.target);
  if ('next' in step && step.next !== undefined) targets.push(step.next);
  else if (fallsThrough(step) && index + 1 < document.steps.length) targets.push((document.steps[index + 1] as FlowStep).id);
  if (isAskStep(step) && document.onInvalid) targets.push(document.onInvalid);
  if (isAskStep(step) && step.timeout !== false && document.timeout?.next && !step.timeout?.next) targets.push(document.timeout.next);
  return targets;
}

function unreachableSteps(document: FlowDocument): string[] {
  const indexOf = new Map(document.steps.map((step, index) => [step.id, index]));
  const start = document.start ?? document.steps[0]?.id;
  const seen = new Set<string>();
  const queue = start === undefined ? [] : [start];
  while (queue.length > 0) {
    const id = queue.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    queue.push(...successors(document, indexOf.get(id) as number));
  }
  return document.steps.filter((step) => !seen.has(step.id)).map((step) => step.id);
}

/** Steps that lead back to themselves without a question in between would run for ever. */
function loopsWithoutQuestion(file: string, document: FlowDocument): FlowProblem[] {
  const indexOf = new Map(document.steps.map((step, index) => [step.id, index]));
  const state = new Map<string, 'open' | 'done'>();
  const problems: FlowProblem[] = [];
  const visit = (id: string, path: string[]): void => {
    const index = indexOf.get(id) as number;
    const step = document.steps[index] as FlowStep;
    if (isAskStep(step) || state.get(id) === 'done') return;
    if (state.get(id) === 'open') {
      const loop = path.slice(path.indexOf(id));
      problems.push({ file, stepId: id, field: 'next', message: `steps ${loop.join(' -> ')} -> ${id} loop without asking anything` });
      return;
    }
    state.set(id, 'open');
    for (const target of successors(document, index)) visit(target, [...path, id]);
    state.set(id, 'done');
  };
  for (const step of document.steps) visit(step.id, []);
  return problems.slice(0, 1);
}
