/**
 * The JSON Schema of flow files, generated from the zod schema, so that editors complete and check
 * flows/*.yaml (`# yaml-language-server: $schema=flow.schema.json` at the top of a flow file).
 */
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { flowDocumentSchema } from './schema.js';

/** Where the generated schema is committed. */
export const FLOW_JSON_SCHEMA_PATH = 'flows/flow.schema.json';

/** The JSON Schema of a flow document, as the text written to flows/flow.schema.json. */
export function flowJsonSchemaText(): string {
  const schema = z.toJSONSchema(flowDocumentSchema, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' });
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/** Writes the JSON Schema to `path` (default flows/flow.schema.json, relative to the working directory). */
export function writeFlowJsonSchema(path: string = FLOW_JSON_SCHEMA_PATH): string {
  writeFileSync(path, flowJsonSchemaText());
  return path;
}
