import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flowJsonSchemaText } from '../../src/flow/json-schema.js';
import { FLOWS_DIR } from './support.js';

describe('flows/flow.schema.json', () => {
  it('is the JSON Schema generated from the flow schema (regenerate with `npx tsx src/flow/cli.ts schema`)', () => {
    expect(readFileSync(join(FLOWS_DIR, 'flow.schema.json'), 'utf8')).toBe(flowJsonSchemaText());
  });

  it('describes every step type for editors', () => {
    const schema = JSON.parse(flowJsonSchemaText()) as { $defs: Record<string, unknown> };
    const text = JSON.stringify(schema.$defs.Step);
    for (const type of ['send', 'ask_text', 'ask_number', 'ask_date', 'ask_choice', 'ask_location', 'ask_yes_no', 'branch', 'set_contact_field', 'set_result', 'start_flow', 'action', 'return', 'end']) {
      expect(text).toContain(`"const":"${type}"`);
    }
    for (const action of ['create_incident', 'case_status', 'record_survey_response', 'record_rumour', 'subscribe', 'unsubscribe']) {
      expect(text).toContain(`"const":"${action}"`);
    }
  });

  it('is referenced by every shipped flow', () => {
    for (const name of ['welcome', 'language', 'report', 'case', 'survey', 'rumour']) {
      expect(readFileSync(join(FLOWS_DIR, `${name}.yaml`), 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=flow.schema.json');
    }
  });
});
