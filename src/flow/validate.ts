/**
 * Checking the flow files from the command line and from tests: loads the locales and the seed
 * gazetteer next to the flows folder and reports what the boot would say.
 */
import { join } from 'node:path';
import { loadTranslator } from '../i18n.js';
import { areaViews, readAreas } from '../areas/gazetteer.js';
import { loadFlowCatalog, type FlowCatalog, type FlowWarning } from './catalog.js';
import type { TextSegments } from './flow-texts.js';
import { FlowValidationError, type FlowProblem } from './validation-error.js';

/** Where the tools find what the flows need. Paths default to the flows folder's siblings. */
export interface FlowToolOptions {
  /** Default: <dir>/../locales */
  localesDir?: string;
  /** Default: <dir>/../prisma/seed/areas.yaml */
  areasFile?: string;
  /** Default language of the translator (default en). */
  defaultLanguage?: string;
  /** Default: <dir>/tests */
  testsDir?: string;
}

export interface FlowValidationReport {
  ok: boolean;
  /** The flows loaded, when ok. */
  flows: { id: string; file: string; steps: number }[];
  warnings: FlowWarning[];
  /** SMS segments of every text in every language, when ok. */
  texts: TextSegments[];
  /** The error message, when not ok (first line: file, step, field). */
  error?: string;
  problems: FlowProblem[];
}

/** Loads the catalog as the boot would; an error message instead of a throw. */
export function loadFlowTools(
  dir: string,
  options: FlowToolOptions = {},
): { catalog: FlowCatalog; warnings: FlowWarning[]; texts: TextSegments[] } | { error: string; problems: FlowProblem[] } {
  try {
    const translator = loadTranslator(options.localesDir ?? join(dir, '..', 'locales'), options.defaultLanguage ?? 'en');
    const areas = areaViews(readAreas(options.areasFile ?? join(dir, '..', 'prisma', 'seed', 'areas.yaml')));
    return loadFlowCatalog({ flowsDir: dir, translator, areas });
  } catch (error) {
    const problems = error instanceof FlowValidationError ? error.problems : [];
    return { error: (error as Error).message, problems };
  }
}

/** Validates every flow of `dir` against the locales and the gazetteer. */
export function validateFlows(dir: string, options: FlowToolOptions = {}): FlowValidationReport {
  const loaded = loadFlowTools(dir, options);
  if ('error' in loaded) return { ok: false, flows: [], warnings: [], texts: [], error: loaded.error, problems: loaded.problems };
  const flows = [...loaded.catalog.flows.values()].map((flow) => ({ id: flow.id, file: flow.file, steps: flow.steps.size }));
  return { ok: true, flows, warnings: loaded.warnings, texts: loaded.texts, problems: [] };
}
