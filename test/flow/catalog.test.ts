import { describe, expect, it } from 'vitest';
import { FlowValidationError } from '../../src/flow/validation-error.js';
import { FLOW_MIGRATIONS, FlowMigrationError, upgradeFlowDocument } from '../../src/flow/migrate.js';
import { loadInline } from './support.js';

const TEXTS = {
  en: { q: 'Question?', a: 'A', b: 'B', c: 'C', bye: 'Bye' },
  fr: { q: 'Question ?', a: 'A', b: 'B', c: 'C', bye: 'Au revoir' },
};

const GOOD = `
version: 1
id: good
steps:
  - id: ask_severity
    type: ask_choice
    text: t:q
    result: severity
    choices:
      - { id: a, label: t:a }
      - { id: b, label: t:b }
      - { id: c, label: t:c }
  - { id: bye, type: end, text: t:bye }
`;

function loadError(flows: Record<string, string>, texts: Record<string, Record<string, unknown>> = TEXTS): FlowValidationError {
  try {
    loadInline(flows, texts);
  } catch (error) {
    if (error instanceof FlowValidationError) return error;
    throw error;
  }
  throw new Error('the flows loaded');
}

describe('loading flows', () => {
  it('loads a valid flow', () => {
    const { catalog, warnings } = loadInline({ 'good.yaml': GOOD }, TEXTS);
    expect([...catalog.flows.keys()]).toEqual(['good']);
    expect(warnings).toEqual([]);
  });

  it('names the file, the step and the field of a missing value', () => {
    const error = loadError({ 'report.yaml': GOOD.replace('{ id: c, label: t:c }', '{ id: c }') });
    expect(error.message.split('\n')[0]).toMatch(/report\.yaml: step "ask_severity": field "choices\.2\.label": Required$/);
    expect(error.stepId).toBe('ask_severity');
    expect(error.field).toBe('choices.2.label');
    expect(error.file).toMatch(/report\.yaml$/);
  });

  it.each([
    ['an unknown step type', GOOD.replace('type: end', 'type: finish'), 'step "bye": field "type": Invalid discriminator value'],
    ['a misspelt field', GOOD.replace('result: severity', 'result: severity\n    nxt: bye'), 'step "ask_severity": field "nxt": unknown field'],
    ['a step id that is not a readable name', GOOD.replace('id: bye', 'id: 3f2a-9bc1'), 'step "3f2a-9bc1": field "id": a step id is a readable name'],
    ['a generated step id', GOOD.replace('id: bye', 'id: a3f29bc1e7d4'), 'step "a3f29bc1e7d4": field "id": a step id is a readable name such as ask_severity'],
    ['a text that is not an i18n key', GOOD.replace('text: t:bye', 'text: Goodbye!'), 'step "bye": field "text": a text is an i18n key'],
    ['a next step that does not exist', GOOD.replace('result: severity', 'result: severity\n    next: nowhere'), 'step "ask_severity": field "next": no step "nowhere" in this flow'],
    ['a duplicate step id', GOOD.replace('id: bye', 'id: ask_severity'), 'step "ask_severity": field "id": this step id is used twice'],
    ['a sub-flow that does not exist', GOOD.replace('{ id: bye, type: end, text: t:bye }', '{ id: bye, type: start_flow, flow: missing }'), 'step "bye": field "flow": no flow "missing"'],
    ['a duration that is not one', `${GOOD}timeout: { after: soon }\n`, 'field "timeout.after": a duration'],
    ['a newer format version', GOOD.replace('version: 1', 'version: 9'), 'field "version": version 9 is newer'],
    ['no version', GOOD.replace('version: 1', ''), 'field "version": Required'],
    ['a YAML syntax error', 'version: 1\nid: [unclosed\n', 'not valid YAML'],
    ['a step nothing leads to', GOOD.replace('result: severity', 'result: severity\n    next: ask_severity'), 'step "bye": no step leads to this step'],
  ])('fails on %s', (_name, text, message) => {
    const error = loadError({ 'broken.yaml': text });
    expect(error.message).toContain('broken.yaml: ');
    expect(error.message).toContain(message);
  });

  it('fails on steps that loop without asking anything', () => {
    const flow = `
version: 1
id: loop
steps:
  - { id: one, type: send, text: t:q }
  - { id: two, type: branch, cases: [{ when: { result: x, exists: false }, next: one }] }
`;
    expect(loadError({ 'loop.yaml': flow }).message).toContain('loop without asking anything');
  });

  it('fails on a keyword two flows share in one language, and on two default flows', () => {
    const flow = (id: string) => `
version: 1
id: ${id}
triggers: { default: true, keywords: { en: [Hello] } }
steps:
  - { id: bye, type: end, text: t:bye }
`;
    const error = loadError({ 'a.yaml': flow('a'), 'b.yaml': flow('b') });
    expect(error.message).toContain('field "triggers.default": flow "a" already has this trigger');
    expect(error.message).toContain('keyword "Hello" already starts flow "a"');
  });

  it('names the flow, the step and the language of a missing text', () => {
    const error = loadError({ 'good.yaml': GOOD }, { en: TEXTS.en, fr: { ...TEXTS.fr, b: undefined } });
    expect(error.message).toMatch(/good\.yaml: flow "good": step "ask_severity": field "choices\.1\.label": language "fr": text "t:b" is missing/);
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ flowId: 'good', stepId: 'ask_severity', language: 'fr' });
  });

  it('reports every problem, not only the first', () => {
    const error = loadError({ 'good.yaml': GOOD }, { en: { ...TEXTS.en, q: undefined }, fr: { ...TEXTS.fr, bye: undefined } });
    expect(error.problems.map((problem) => `${problem.stepId}/${problem.language}`)).toEqual(['ask_severity/en', 'bye/fr']);
  });

  it('counts SMS segments per language and warns above two', () => {
    const long = 'Ceci est une très longue question. '.repeat(12);
    const loaded = loadInline({ 'good.yaml': GOOD }, { en: TEXTS.en, fr: { ...TEXTS.fr, q: long } });
    const english = loaded.texts.find((text) => text.key === 't:q' && text.language === 'en');
    expect(english).toMatchObject({ stepId: 'ask_severity', segments: 1, encoding: 'GSM-7' });
    const french = loaded.texts.find((text) => text.key === 't:q' && text.language === 'fr');
    expect(french?.segments).toBeGreaterThan(2);
    expect(loaded.warnings).toEqual([
      expect.objectContaining({ kind: 'segments', flowId: 'good', stepId: 'ask_severity', key: 't:q', language: 'fr', segments: french?.segments }),
    ]);
  });

  it('counts a choice with its numbered options, and Arabic as UCS-2', () => {
    const arabic = { q: 'ما مدى خطورة الوضع؟', a: 'منخفضة', b: 'متوسطة', c: 'عالية', bye: 'شكراً' };
    const loaded = loadInline({ 'good.yaml': GOOD }, { en: TEXTS.en, ar: arabic }, ['en', 'ar']);
    const text = loaded.texts.find((entry) => entry.key === 't:q' && entry.language === 'ar');
    expect(text).toMatchObject({ encoding: 'UCS-2', units: 'ما مدى خطورة الوضع؟\n1. منخفضة\n2. متوسطة\n3. عالية'.length, segments: 1 });
  });
});

describe('upgrading older documents', () => {
  it('has no migration for version 1, the first format', () => {
    expect(FLOW_MIGRATIONS).toEqual({});
    expect(upgradeFlowDocument({ version: 1, id: 'x' })).toEqual({ version: 1, id: 'x' });
  });

  it('applies migrations one version after the other', () => {
    const migrations = {
      1: (doc: Record<string, unknown>) => ({ ...doc, version: 2, renamed: doc.old }),
      2: (doc: Record<string, unknown>) => ({ ...doc, version: 3, added: true }),
    };
    expect(upgradeFlowDocument({ version: 1, old: 'value' }, migrations, 3)).toEqual({ version: 3, old: 'value', renamed: 'value', added: true });
  });

  it('refuses a version it cannot upgrade', () => {
    expect(() => upgradeFlowDocument({ version: 1 }, {}, 2)).toThrow(FlowMigrationError);
    expect(() => upgradeFlowDocument({ version: '1' })).toThrow('expected a whole number');
    expect(() => upgradeFlowDocument([])).toThrow('one YAML mapping');
  });
});
