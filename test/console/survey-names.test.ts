/**
 * Every survey the flows define has a title in the console's three languages (en, fr, ar), so the
 * survey picker shows "Perception survey" / "استطلاع التصورات", never the id "perception".
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { flowFiles, readFlowFile } from '../../src/flow/catalog.js';
import { surveyDefinitions } from '../../src/surveys/definitions.js';

const ROOT = join(import.meta.dirname, '..', '..');

it('names each survey in en, fr and ar', () => {
  const documents = flowFiles(join(ROOT, 'flows')).flatMap((file) => readFlowFile(file).document ?? []);
  const ids = [...surveyDefinitions(documents).keys()];
  expect(ids).toContain('perception');
  for (const language of ['en', 'fr', 'ar']) {
    const names = (JSON.parse(readFileSync(join(ROOT, 'locales', language, 'console.json'), 'utf8')) as { surveys: { names?: Record<string, string> } }).surveys.names ?? {};
    expect(ids.filter((id) => !names[id]?.trim()), language).toEqual([]);
  }
});
