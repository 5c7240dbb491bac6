/**
 * The flow commands: `flows validate`, `flows test` and `flows schema`. Each prints its report
 * and returns the process exit code. Also runnable alone: `npx tsx src/flow/cli.ts validate`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runFlowTests } from './conversation-test.js';
import { flowJsonSchemaText, writeFlowJsonSchema } from './json-schema.js';
import { validateFlows, type FlowToolOptions } from './validate.js';

export interface FlowCommandOptions extends FlowToolOptions {
  /** Folder of the flows (default: flows, from the working directory). */
  flowsDir?: string;
  /** Where output goes (default: console.log). */
  print?: (line: string) => void;
}

const DEFAULT_FLOWS_DIR = 'flows';

/** Prints whether the flows load (errors, texts over two SMS segments). Exit code 0 when they do. */
export function flowsValidateCommand(options: FlowCommandOptions = {}): number {
  const print = options.print ?? console.log;
  const dir = options.flowsDir ?? DEFAULT_FLOWS_DIR;
  const report = validateFlows(dir, options);
  if (!report.ok) {
    print(`flows are not valid:\n${report.error ?? ''}`);
    return 1;
  }
  for (const flow of report.flows) print(`ok  ${flow.file}  (${flow.id}, ${flow.steps} steps)`);
  const worst = new Map<string, number>();
  for (const text of report.texts) worst.set(text.language, Math.max(worst.get(text.language) ?? 0, text.segments));
  print(`SMS segments, longest text per language: ${[...worst].map(([language, segments]) => `${language} ${segments}`).join(', ')}`);
  for (const warning of report.warnings) print(`warning: ${warning.file}: step "${warning.stepId}": ${warning.message}`);
  const schemaPath = join(dir, 'flow.schema.json');
  if (!existsSync(schemaPath) || readFileSync(schemaPath, 'utf8') !== flowJsonSchemaText()) {
    print(`${schemaPath} is out of date: run \`npx tsx src/flow/cli.ts schema\``);
    return 1;
  }
  print(`${report.flows.length} flows valid, ${report.warnings.length} warnings`);
  return 0;
}

/** Runs the conversation tests and prints one line per file (and the first mismatch). */
export function flowsTestCommand(options: FlowCommandOptions = {}): number {
  const print = options.print ?? console.log;
  const run = runFlowTests(options.flowsDir ?? DEFAULT_FLOWS_DIR, options);
  if (run.error !== undefined) print(run.error);
  for (const file of run.files) {
    if (file.passed) {
      print(`pass  ${file.file}  (${file.scenarios} scenarios, ${file.inputs} inputs)`);
    } else if (file.failure) {
      const { line, scenario, expected, got } = file.failure;
      print(`FAIL  ${file.file}:${line}  [${scenario}]\n      expected: ${expected}\n      got:      ${got}`);
    }
  }
  const passed = run.files.filter((file) => file.passed).length;
  print(`${passed}/${run.files.length} flow test files passed`);
  return run.passed ? 0 : 1;
}

/** Writes flows/flow.schema.json from the zod schema. */
export function flowsSchemaCommand(options: FlowCommandOptions = {}): number {
  const print = options.print ?? console.log;
  print(`wrote ${writeFlowJsonSchema(join(options.flowsDir ?? DEFAULT_FLOWS_DIR, 'flow.schema.json'))}`);
  return 0;
}

const commands: Record<string, (options?: FlowCommandOptions) => number> = {
  validate: flowsValidateCommand,
  test: flowsTestCommand,
  schema: flowsSchemaCommand,
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const name = process.argv[2] ?? '';
  const command = commands[name];
  if (command === undefined) {
    console.error(`usage: tsx src/flow/cli.ts ${Object.keys(commands).join('|')}`);
    process.exitCode = 2;
  } else {
    process.exitCode = command();
  }
}
