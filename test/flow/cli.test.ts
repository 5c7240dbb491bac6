import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flowsTestCommand, flowsValidateCommand } from '../../src/flow/cli.js';
import { validateFlows } from '../../src/flow/validate.js';
import { FLOWS_DIR, makeFlowDir, SEED_AREAS } from './support.js';

function capture(): { lines: string[]; print: (line: string) => void } {
  const lines: string[] = [];
  return { lines, print: (line) => lines.push(line) };
}

describe('flows validate', () => {
  it('passes on the shipped flows and lists them', () => {
    const out = capture();
    expect(flowsValidateCommand({ flowsDir: FLOWS_DIR, print: out.print })).toBe(0);
    expect(out.lines.join('\n')).toMatch(/ok {2}.*report\.yaml {2}\(report, \d+ steps\)/);
    expect(out.lines.at(-1)).toBe('9 flows valid, 0 warnings');
  });

  it('fails with the error naming file, step and field', () => {
    const dir = makeFlowDir({ 'bad.yaml': 'version: 1\nid: bad\nsteps:\n  - { id: greet, type: send }\n' });
    const out = capture();
    expect(flowsValidateCommand({ flowsDir: dir.flowsDir, localesDir: dir.localesDir, areasFile: SEED_AREAS, print: out.print })).toBe(1);
    expect(out.lines.join('\n')).toContain('bad.yaml: step "greet": field "text": Required');
    const report = validateFlows(dir.flowsDir, { localesDir: dir.localesDir, areasFile: SEED_AREAS });
    expect(report).toMatchObject({ ok: false, problems: [{ stepId: 'greet', field: 'text', message: 'Required' }] });
  });
});

describe('flows test', () => {
  it('passes on the shipped conversation tests', () => {
    const out = capture();
    expect(flowsTestCommand({ flowsDir: FLOWS_DIR, print: out.print })).toBe(0);
    expect(out.lines.at(-1)).toMatch(/^(\d+)\/\1 flow test files passed$/);
  });

  it('fails and shows the first mismatch of a failing file', () => {
    const dir = makeFlowDir({ 'home.yaml': 'version: 1\nid: home\ntriggers: { default: true }\nsteps:\n  - { id: bye, type: end, text: t:bye }\n' }, { en: { bye: 'Bye' }, fr: { bye: 'Salut' } });
    const tests = join(dir.flowsDir, 'tests');
    mkdirSync(tests);
    writeFileSync(join(tests, 'home.flowtest'), '@contact language=en\n> hi\n< Goodbye\n');
    const out = capture();
    expect(flowsTestCommand({ flowsDir: dir.flowsDir, localesDir: dir.localesDir, areasFile: SEED_AREAS, print: out.print })).toBe(1);
    expect(out.lines.join('\n')).toContain('home.flowtest:3');
    expect(out.lines.join('\n')).toContain('expected: "Goodbye"');
    expect(out.lines.join('\n')).toContain('got:      "Bye" (@t:bye)');
  });
});
