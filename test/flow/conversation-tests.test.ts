import { describe, expect, it } from 'vitest';
import { flowTestFiles, runConversationScript, runFlowTests } from '../../src/flow/conversation-test.js';
import { FLOWS_DIR, shippedCatalog } from './support.js';
import { join } from 'node:path';

describe('the conversation tests of flows/tests', () => {
  const run = runFlowTests(FLOWS_DIR);

  it('load the flows and find test files for each shipped flow in every language', () => {
    expect(run.error).toBeUndefined();
    const names = flowTestFiles(join(FLOWS_DIR, 'tests')).map((path) => path.split('/').pop());
    for (const flow of ['report', 'survey', 'rumour', 'welcome']) {
      for (const language of ['en', 'fr', 'ar']) expect(names).toContain(`${flow}.${language}.flowtest`);
    }
  });

  it.each(run.files.map((file) => [file.file.split('/').pop() as string, file] as const))('%s passes', (_name, file) => {
    expect(file.failure, file.failure && `line ${file.failure.line} [${file.failure.scenario}]: expected ${file.failure.expected}, got ${file.failure.got}`).toBeUndefined();
    expect(file.passed).toBe(true);
    expect(file.inputs).toBeGreaterThan(0);
  });
});

describe('the conversation test runner', () => {
  const { catalog } = shippedCatalog();

  it('reports the first mismatch with its line, scenario, expectation and what came', () => {
    const script = ['=== wrong text', '@contact language=en', '> report', '< @report:intro', '< What is going on?'].join('\n');
    const result = runConversationScript(catalog, script, 'inline.flowtest');
    expect(result.passed).toBe(false);
    expect(result.failure).toEqual({ line: 5, scenario: 'wrong text', expected: '"What is going on?"', got: '"What is happening?" (@report:ask_category)' });
  });

  it('fails on replies or effects that the script does not list', () => {
    const replies = runConversationScript(catalog, '@contact language=en registration_offered=yes\n> report\n< @report:intro\n', 'x');
    expect(replies.failure).toMatchObject({ expected: 'no more replies', got: expect.stringContaining('What is happening?') });
    const effects = runConversationScript(catalog, '@contact language=none\n> signaler\n< @report:intro\n< @report:ask_category\n', 'x');
    expect(effects.failure).toMatchObject({ expected: 'no more effects', got: 'set_language language=fr' });
  });

  it('checks effect fields, options and state', () => {
    const wrongEffect = runConversationScript(catalog, '@contact language=en registration_offered=yes\n> R-7K3M9P\n! case_status caseCode=R-AAAAAA\n', 'x');
    expect(wrongEffect.failure).toMatchObject({ line: 3, expected: 'caseCode=R-AAAAAA', got: expect.stringContaining('caseCode=R-7K3M9P') });
    const wrongOptions = runConversationScript(catalog, '@contact language=en registration_offered=yes\n> hi\n< @welcome:menu\n<- One | Two\n', 'x');
    expect(wrongOptions.failure).toMatchObject({ line: 4, expected: 'One | Two' });
    const wrongState = runConversationScript(catalog, '@contact language=en registration_offered=yes\n> hi\n< @welcome:menu\n? ended\n', 'x');
    expect(wrongState.failure).toMatchObject({ line: 4, expected: 'the conversation ended', got: 'waiting at welcome/menu' });
  });

  it('refuses lines it does not understand', () => {
    const result = runConversationScript(catalog, '@contact language=en registration_offered=yes\nhello there\n', 'x');
    expect(result.failure).toMatchObject({ line: 2, got: 'hello there' });
  });

  it('counts scenarios and inputs of a passing script', () => {
    const script = '=== one\n> hi\n< @welcome:choose_language\n=== two\n@contact language=en registration_offered=yes\n> hi\n< @welcome:menu\n> 5\n< @welcome:choose_language\n';
    expect(runConversationScript(catalog, script, 'x')).toEqual({ file: 'x', passed: true, scenarios: 2, inputs: 3 });
  });
});
