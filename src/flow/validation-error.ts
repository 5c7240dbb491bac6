/**
 * The error a broken flow fails loading with. Its message names the file, the step and the field,
 * e.g. `flows/report.yaml: step "ask_severity": field "choices.2.label": Required`.
 */

/** One problem found in a flow. */
export interface FlowProblem {
  file: string;
  flowId?: string;
  stepId?: string;
  /** Path of the field inside the step (or the document when there is no step), dot-separated. */
  field?: string;
  language?: string;
  message: string;
}

/** Formats one problem as a line of the error message. */
export function formatProblem(problem: FlowProblem): string {
  const parts = [problem.file];
  if (problem.flowId !== undefined) parts.push(`flow "${problem.flowId}"`);
  if (problem.stepId !== undefined) parts.push(`step "${problem.stepId}"`);
  if (problem.field !== undefined && problem.field !== '') parts.push(`field "${problem.field}"`);
  if (problem.language !== undefined) parts.push(`language "${problem.language}"`);
  return `${parts.join(': ')}: ${problem.message}`;
}

/** A flow file that cannot be loaded. The first problem is the first line of the message. */
export class FlowValidationError extends Error {
  readonly problems: FlowProblem[];
  constructor(problems: FlowProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'FlowValidationError';
    this.problems = problems;
  }
  /** The file of the first problem. */
  get file(): string {
    return this.problems[0]?.file ?? '';
  }
  /** The step of the first problem, if it concerns a step. */
  get stepId(): string | undefined {
    return this.problems[0]?.stepId;
  }
  /** The field of the first problem, if any. */
  get field(): string | undefined {
    return this.problems[0]?.field;
  }
}
